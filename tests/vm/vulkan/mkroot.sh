#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the root overlay of the Vulkan guest (merged into the busybox
# initramfs with mkinitramfs.sh -r): Debian's Vulkan loader (libvulkan1) and
# vulkaninfo (vulkan-tools) from this machine, with every library they and
# the test program need at the paths they were built for, and the opendxg
# ICD with its manifest under /opt/dxg/icd.  Nothing from the machine's own
# ICDs: the guest's loader sees only ours (VK_DRIVER_FILES).
#
#   mkroot.sh OUTDIR ICD.so TEST_PROGRAM...
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: ${0##*/} OUTDIR ICD.so [PROGRAM...]" >&2; exit 2; }
out=$1 icd=$2; shift 2

die() { echo "${0##*/}: $*" >&2; exit 1; }
command -v vulkaninfo >/dev/null || die "vulkaninfo missing (apt-get install vulkan-tools; make setup)"
loader=$(ldconfig -p | sed -n 's/.*libvulkan\.so\.1 (libc6,x86-64) => //p' | head -n1)
[ -n "$loader" ] && [ -f "$loader" ] || die "the Vulkan loader libvulkan.so.1 is missing (libvulkan1)"
[ -f "$icd" ] || die "$icd is not built"

rm -rf "$out"
mkdir -p "$out/opt/dxg/icd" "$out/opt/dxg/bin"

# A file at its own path in the overlay (symlinks resolved).
put() {
  mkdir -p "$out$(dirname "$1")"
  cp -L "$1" "$out$1"
}
# A program's or library's dependencies, as the dynamic linker finds them.
deps() {
  ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
}

vi=$(command -v vulkaninfo)
for f in "$vi" "$loader" "$icd" "$@"; do
  for d in $(deps "$f"); do put "$d"; done
done
put "$vi"
put "$loader"
cp "$icd" "$out/opt/dxg/icd/libvulkan_opendxg.so"
for p in "$@"; do cp "$p" "$out/opt/dxg/bin/"; done
cat >"$out/opt/dxg/icd/opendxg_icd.json" <<JSON
{
    "file_format_version": "1.0.0",
    "ICD": {
        "library_path": "/opt/dxg/icd/libvulkan_opendxg.so",
        "api_version": "1.3.0"
    }
}
JSON
