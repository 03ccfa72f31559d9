#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# fetch-kernel.sh - obtain Debian's guest kernel image for VM tests without
# installing it on the host.
#
# The image must be the same kernel release as the installed
# linux-headers-amd64 metapackage points at, because dxgkrnl.ko is built
# against /usr/src/linux-headers-<release>.

set -euo pipefail

PROG=${0##*/}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HEADERS_META=linux-headers-amd64

usage() {
	cat <<EOF
Usage: $PROG [OUTDIR]

Download (not install) the Debian linux-image package whose release matches
the installed $HEADERS_META, extract it and place:

  OUTDIR/vmlinuz         the kernel image
  OUTDIR/kernel-release  the release string (e.g. 6.1.0-56-amd64)
  OUTDIR/config          the kernel's config (for reference)
  OUTDIR/kernel-version  the Debian package version (e.g. 6.1.192-2)

OUTDIR defaults to $REPO_ROOT/build/vm.
Nothing is done if OUTDIR already holds a kernel for the right release.
Prints the kernel release on stdout.

Environment:
  DXG_KERNEL_RELEASE  override the release (default: derived from
                      $HEADERS_META's dependency)
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

case "${1:-}" in
-h|--help) usage; exit 0 ;;
-*) usage >&2; die "unknown option '$1'" ;;
esac
[ $# -le 1 ] || { usage >&2; die "too many arguments"; }

OUTDIR=${1:-$REPO_ROOT/build/vm}

for tool in dpkg-query apt-get dpkg; do
	command -v "$tool" >/dev/null || die "'$tool' not found (this script needs a Debian host)"
done

# --- work out the release -------------------------------------------------
release=${DXG_KERNEL_RELEASE:-}
if [ -z "$release" ]; then
	deps=$(dpkg-query -W -f='${Depends}' "$HEADERS_META" 2>/dev/null) ||
		die "$HEADERS_META is not installed (apt-get install $HEADERS_META)"
	# e.g. "linux-headers-6.1.0-56-amd64 (= 6.1.192-2)"
	release=$(printf '%s\n' "$deps" | tr ',' '\n' |
		sed -n 's/^[[:space:]]*linux-headers-\([0-9][^[:space:]]*\).*/\1/p' | head -n1)
	[ -n "$release" ] ||
		die "cannot derive the kernel release from $HEADERS_META's Depends: '$deps'"
fi

headers_pkg=linux-headers-$release
image_pkg=linux-image-$release

# Pin the image to the exact Debian version of the installed headers, so the
# module ABI (and vermagic) match.
version=$(dpkg-query -W -f='${Version}' "$headers_pkg" 2>/dev/null || true)
if [ ! -d "/usr/src/$headers_pkg" ]; then
	log "warning: /usr/src/$headers_pkg is missing; modules cannot be built for $release"
fi

# --- already done? ----------------------------------------------------------
stamp="$OUTDIR/kernel-release"
if [ -s "$OUTDIR/vmlinuz" ] && [ -f "$stamp" ] &&
   [ "$(cat "$stamp")" = "$release" ] &&
   { [ -z "$version" ] || [ "$(cat "$OUTDIR/kernel-version" 2>/dev/null)" = "$version" ]; }; then
	log "kernel $release${version:+ ($version)} already present in $OUTDIR"
	echo "$release"
	exit 0
fi

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

work=$(mktemp -d "$OUTDIR/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

spec=$image_pkg${version:+=$version}
log "downloading $spec"
# apt-get download writes into the current directory.  As root, apt drops to
# the _apt user for downloads, which cannot write to our directory: make the
# scratch dir world-writable (it is private to us and removed afterwards).
chmod 0777 "$work"
if ! (cd "$work" && apt-get download -q "$spec" >&2); then
	die "apt-get download $spec failed (is the package in the apt lists? try 'apt-get update')"
fi
deb=$(find "$work" -maxdepth 1 -name "${image_pkg}_*.deb" | head -n1)
[ -n "$deb" ] || die "apt-get download did not produce ${image_pkg}_*.deb"

log "extracting $(basename "$deb")"
dpkg -x "$deb" "$work/root"
[ -f "$work/root/boot/vmlinuz-$release" ] ||
	die "$(basename "$deb") does not contain /boot/vmlinuz-$release"

# Install atomically-ish: write the stamp last.
rm -f "$stamp"
cp "$work/root/boot/vmlinuz-$release" "$OUTDIR/vmlinuz"
[ -f "$work/root/boot/config-$release" ] &&
	cp "$work/root/boot/config-$release" "$OUTDIR/config"
dpkg-deb -f "$deb" Version >"$OUTDIR/kernel-version"
echo "$release" >"$stamp"

log "kernel $release ($(cat "$OUTDIR/kernel-version")) placed at $OUTDIR/vmlinuz"
echo "$release"
