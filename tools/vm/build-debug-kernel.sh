#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# build-debug-kernel.sh - build the debug guest kernel (docs/reliability.md):
# Debian's own kernel source of the default line's release (linux-source-6.1,
# the same Debian version as the line's headers and image) configured with
# tools/vm/debug-kernel.config (tinyconfig plus what the test guest needs,
# plus KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, kmemleak, UBSAN and
# debug objects).
#
# The built tree is cached in $DXG_CACHE/debug-kernel/<key>/ (default
# /var/cache/opendxg), keyed by the source version, the config fragment and
# RECIPE below, and rebuilt only when missing; older keys are removed after
# a build.  Prints the tree's path; its
# arch/x86/boot/bzImage boots the guest and `make -C TREE M=...` builds
# dxgkrnl.ko against it (scripts/build-module.sh --debug).
set -euo pipefail

PROG=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FRAGMENT=$ROOT/tools/vm/debug-kernel.config
CACHE=${DXG_CACHE:-/var/cache/opendxg}/debug-kernel

usage() {
	cat <<END
Usage: $PROG [--print-key]

Build (or find in $CACHE/) the debug guest kernel and print the path of its
built source tree.  --print-key prints the cache key and exits.  Progress
goes to stderr; the build's log to TREE/../build.log.
END
}
die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

print_key=0
case "${1:-}" in
-h|--help) usage; exit 0 ;;
--print-key) print_key=1 ;;
'') ;;
*) usage >&2; die "unknown argument '$1'" ;;
esac

# The default line's release and Debian version: the source must be the same.
release=$("$ROOT/scripts/kernel-release.sh")
line=${release%%.0-*}			# 6.1.0-57-amd64 -> 6.1
version=$(dpkg-query -W -f='${Version}' "linux-headers-$release" 2>/dev/null) ||
	die "linux-headers-$release is not installed (run scripts/setup.sh)"
# RECIPE: bump when the way the tree is built changes (not for comments).
RECIPE=1
key=$( { echo "linux-source-$line $version recipe $RECIPE"; cat "$FRAGMENT"; } |
	sha256sum | cut -c1-16)
if [ $print_key = 1 ]; then
	echo "$key"
	exit 0
fi
dir=$CACHE/$key
tree=$dir/linux
if [ -f "$dir/.done" ] && [ -f "$tree/arch/x86/boot/bzImage" ]; then
	echo "$tree"
	exit 0
fi

for tool in flex bison bc; do
	command -v "$tool" >/dev/null || die "$tool is missing (run scripts/setup.sh)"
done
[ -f /usr/include/libelf.h ] || die "libelf-dev is missing (run scripts/setup.sh)"

rm -rf "$dir"
mkdir -p "$dir"
log "cache miss ($key): building the debug kernel from linux-source-$line $version (10-25 minutes)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "linux-source-$line=$version" >&2) ||
	die "cannot download linux-source-$line=$version"
dpkg-deb -x "$tmp"/linux-source-"$line"_*.deb "$tmp/x"
tarball=$(ls "$tmp"/x/usr/src/linux-source-"$line".tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || die "no source tarball in linux-source-$line"
mkdir -p "$tree"
log "unpacking $(basename "$tarball")"
tar -xf "$tarball" -C "$tree" --strip-components=1
rm -rf "$tmp"/x "$tmp"/*.deb

cd "$tree"
{
	make tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$FRAGMENT"
	make olddefconfig
} >"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; die "configuring failed"; }
# What the fragment asks for must have survived olddefconfig.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAGMENT" | grep -v '=n$' | while read -r opt; do
	grep -qx "$opt" .config || echo "${opt%%=*}"; done)
[ -z "$missing" ] || die "not set after olddefconfig: $(echo $missing)"
log "compiling with $(nproc) jobs (log: $dir/build.log)"
start=$(date +%s)
if ! make -j"$(nproc)" all >>"$dir/build.log" 2>&1; then
	tail -n 40 "$dir/build.log" >&2
	die "the build failed"
fi
log "built in $(($(date +%s) - start)) s"
touch "$dir/.done"
# Trees of other keys are stale (about 1 GB each).
find "$CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
echo "$tree"
