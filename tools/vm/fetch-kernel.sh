#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# fetch-kernel.sh - obtain Debian's guest kernel image for VM tests without
# installing it on the host.
#
# The image must be the same kernel release (and Debian version) as the
# installed headers of its kernel line (scripts/kernel-release.sh), because
# dxgkrnl.ko is built against /usr/src/linux-headers-<release>.

set -euo pipefail

PROG=${0##*/}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KREL=$REPO_ROOT/scripts/kernel-release.sh

usage() {
	cat <<EOF
Usage: $PROG [--line LINE] [OUTDIR]

Download (not install) the Debian linux-image package whose release and
version match the installed headers of kernel line LINE (default: the default
line; lines: $("$KREL" --lines 2>/dev/null | xargs)), extract it and place:

  OUTDIR/vmlinuz         the kernel image
  OUTDIR/kernel-release  the release string (e.g. 6.1.0-57-amd64)
  OUTDIR/config          the kernel's config (for reference)
  OUTDIR/kernel-version  the Debian package version (e.g. 6.1.192-3)
  OUTDIR/modules/lib/modules/RELEASE/
                         the kernel's modules, as the package has them, with
                         depmod's index (modprobe -d OUTDIR/modules -S RELEASE)

OUTDIR defaults to $REPO_ROOT/build/vm for the default line and to
$REPO_ROOT/build/vm-LINE for the others.
Nothing is done if OUTDIR already holds a kernel for the right release.
Prints the kernel release on stdout.

The package is linux-image-<release> (Debian's signed image) or, when that
cannot be downloaded, linux-image-<release>-unsigned; both hold the same kernel.

Environment:
  DXG_KERNEL_RELEASE  override the release (default: scripts/kernel-release.sh LINE)
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

line=
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--line) [ $# -ge 2 ] || die "--line needs an argument"; line=$2; shift 2 ;;
	--line=*) line=${1#*=}; shift ;;
	-*) usage >&2; die "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || { usage >&2; die "too many arguments"; }

for tool in dpkg-query apt-get dpkg; do
	command -v "$tool" >/dev/null || die "'$tool' not found (this script needs a Debian host)"
done

mapfile -t lines < <("$KREL" --lines)
line=${line:-${lines[0]}}
case " ${lines[*]} " in
*" $line "*) ;;
*) die "unknown kernel line '$line' (lines: ${lines[*]})" ;;
esac
if [ "$line" = "${lines[0]}" ]; then
	OUTDIR=${1:-$REPO_ROOT/build/vm}
else
	OUTDIR=${1:-$REPO_ROOT/build/vm-$line}
fi

# --- work out the release -------------------------------------------------
release=${DXG_KERNEL_RELEASE:-}
if [ -z "$release" ]; then
	release=$("$KREL" "$line") || die "cannot work out the release of kernel line $line"
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
   [ -f "$OUTDIR/modules/lib/modules/$release/modules.dep" ] &&
   { [ -z "$version" ] || [ "$(cat "$OUTDIR/kernel-version" 2>/dev/null)" = "$version" ]; }; then
	log "kernel $release${version:+ ($version)} already present in $OUTDIR"
	echo "$release"
	exit 0
fi

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

work=$(mktemp -d "$OUTDIR/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# apt-get download writes into the current directory.  As root, apt drops to
# the _apt user for downloads, which cannot write to our directory: make the
# scratch dir world-writable (it is private to us and removed afterwards).
chmod 0777 "$work"
deb=
for pkg in "$image_pkg" "$image_pkg-unsigned"; do
	spec=$pkg${version:+=$version}
	log "downloading $spec"
	if (cd "$work" && apt-get download -q "$spec" >&2); then
		deb=$(find "$work" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
		break
	fi
done
[ -n "$deb" ] ||
	die "apt-get download $image_pkg${version:+=$version} (or -unsigned) failed (is the package in the apt lists? try 'apt-get update')"

log "extracting $(basename "$deb")"
dpkg -x "$deb" "$work/root"
[ -f "$work/root/boot/vmlinuz-$release" ] ||
	die "$(basename "$deb") does not contain /boot/vmlinuz-$release"

[ -d "$work/root/lib/modules/$release" ] ||
	die "$(basename "$deb") does not contain /lib/modules/$release"
command -v depmod >/dev/null || die "'depmod' not found (apt-get install kmod)"

# Install atomically-ish: write the stamp last.
rm -f "$stamp"
cp "$work/root/boot/vmlinuz-$release" "$OUTDIR/vmlinuz"
# The modules (the Debian guest's root disk takes what it needs from here).
rm -rf "$OUTDIR/modules"
mkdir -p "$OUTDIR/modules/lib/modules"
mv "$work/root/lib/modules/$release" "$OUTDIR/modules/lib/modules/"
depmod -b "$OUTDIR/modules" "$release"
[ -f "$work/root/boot/config-$release" ] &&
	cp "$work/root/boot/config-$release" "$OUTDIR/config"
dpkg-deb -f "$deb" Version >"$OUTDIR/kernel-version"
echo "$release" >"$stamp"

log "kernel $release ($(cat "$OUTDIR/kernel-version")) placed at $OUTDIR/vmlinuz"
echo "$release"
