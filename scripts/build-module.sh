#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds dxgkrnl.ko for one or more Debian kernel lines (scripts/kernel-release.sh),
# each out of tree in its own directory so that the builds never clobber each
# other or driver/:
#
#   build/kmod/<release>/driver/    a copy of driver/'s sources (Kbuild, *.c, *.h)
#   build/kmod/<release>/include/   a copy of include/ (the Kbuild's -I$(src)/../include)
#
# The copies keep their modification times, so a second build only recompiles
# what changed.  Kbuild's M= takes the copy; 6.1 has no MO= for a separate
# output directory, hence the copy.
set -euo pipefail

PROG=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<EOF
Usage: $PROG [--line LINE]... [--all] [--debug|--debug-only] [--clean] [--quiet] [-- MAKE ARGS...]

Build dxgkrnl.ko with W=1 KCFLAGS=-Werror for each kernel LINE (lines:
$("$ROOT/scripts/kernel-release.sh" --lines 2>/dev/null | xargs); default: the first) against
/usr/src/linux-headers-<release>, in build/kmod/<release>/driver/.  Prints the
path of each module on stdout; Kbuild's output goes to stderr (and to
build/kmod/<release>/build.log).

Options:
  --line LINE   a kernel line (scripts/kernel-release.sh --lines); repeatable
  --all         every kernel line
  --debug       also against the debug guest kernel's tree
                (tools/vm/build-debug-kernel.sh; built if missing), in
                build/kmod/debug/driver/
  --debug-only  only against the debug kernel's tree
  --clean       make clean first (a full rebuild, e.g. before a static check)
  --quiet       no Kbuild output unless it fails
  -h, --help
MAKE ARGS are passed to Kbuild, e.g. -- C=2 for sparse.

Example: $PROG --all -- C=2
EOF
}
die() { echo "$PROG: error: $*" >&2; exit 1; }

lines=()
clean=0
quiet=0
debug=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--line) [ $# -ge 2 ] || die "--line needs an argument"; lines+=("$2"); shift 2 ;;
	--line=*) lines+=("${1#*=}"); shift ;;
	--all) mapfile -t lines < <("$ROOT/scripts/kernel-release.sh" --lines); shift ;;
	--clean) clean=1; shift ;;
	--debug) debug=1; shift ;;
	--debug-only) debug=2; shift ;;
	--quiet) quiet=1; shift ;;
	--) shift; break ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
if [ ${#lines[@]} -eq 0 ] && [ $debug -ne 2 ]; then
	mapfile -t lines < <("$ROOT/scripts/kernel-release.sh" --lines)
	lines=("${lines[0]}")
fi

# sync SRC DST GLOB...: copy SRC's files matching GLOBs into DST keeping their
# times, and remove files matching GLOBs from DST that SRC no longer has.
sync_dir() {
	local src=$1 dst=$2 f; shift 2
	mkdir -p "$dst"
	for f in "$dst"/*; do
		[ -f "$f" ] || continue
		case "${f##*/}" in *.mod.c) continue ;; esac
		for g in "$@"; do
			# shellcheck disable=SC2254
			case "${f##*/}" in $g) [ -e "$src/${f##*/}" ] || rm -f "$f" ;; esac
		done
	done
	for f in "$src"/*; do
		[ -f "$f" ] || continue
		case "${f##*/}" in *.mod.c) continue ;; esac
		for g in "$@"; do
			# shellcheck disable=SC2254
			case "${f##*/}" in $g) cmp -s "$f" "$dst/${f##*/}" || cp -p "$f" "$dst/" ;; esac
		done
	done
}

# Targets: "name kdir out" for each line, and the debug kernel's tree.
targets=()
for line in "${lines[@]+"${lines[@]}"}"; do
	release=$("$ROOT/scripts/kernel-release.sh" "$line") || exit 1
	kdir=/usr/src/linux-headers-$release
	[ -d "$kdir" ] || die "$kdir is missing (run scripts/setup.sh)"
	targets+=("$line $kdir $ROOT/build/kmod/$release")
done
if [ $debug -ne 0 ]; then
	kdir=$("$ROOT/tools/vm/build-debug-kernel.sh") || die "no debug kernel tree"
	targets+=("debug $kdir $ROOT/build/kmod/debug")
fi

for target in "${targets[@]}"; do
	read -r line kdir out <<<"$target"
	sync_dir "$ROOT/driver" "$out/driver" Kbuild Makefile '*.c' '*.h'
	rm -rf "$out/include.new"
	cp -pr "$ROOT/include" "$out/include.new"
	rm -rf "$out/include"
	mv "$out/include.new" "$out/include"
	log=$out/build.log
	rc=0
	(
		if [ $clean -eq 1 ]; then make -C "$kdir" M="$out/driver" clean || exit; fi
		make -C "$kdir" M="$out/driver" -j"$(nproc)" W=1 KCFLAGS=-Werror "$@" modules
	) >"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ] || [ $quiet -eq 0 ]; then cat "$log" >&2; fi
	[ $rc -eq 0 ] || die "the build for $line ($kdir) failed"
	echo "$out/driver/dxgkrnl.ko"
done
