#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds opendxg's Debian packages (debian/, docs/packaging.md) with
# dpkg-buildpackage from a copy of the working tree, so that nothing is
# written next to the clone (dpkg-buildpackage puts the .debs in the source
# tree's parent directory) or into it.
set -euo pipefail

PROG=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<EOF
Usage: $PROG [--check] [OUTDIR]

Copy the working tree (tracked and untracked files that git does not
ignore) to build/pkg/src/opendxg-VERSION/, run 'dpkg-buildpackage -b -us -uc'
there and move the packages to OUTDIR (default build/pkg/debs/):
dxgkrnl-dkms, dxghost, libdxg0, libdxg-dev, dxg-tools, opendxg-vulkan-driver
(and their -dbgsym).

The build runs the packages' own tests (meson test) unless DEB_BUILD_OPTIONS
has nocheck; --check keeps them, the default is nocheck (make check runs the
tests in build/asan).  Needs dpkg-dev, debhelper, dh-dkms and the
Build-Depends of debian/control (scripts/setup.sh installs them).
EOF
}
die() { echo "$PROG: error: $*" >&2; exit 1; }

check=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--check) check=1; shift ;;
	-*) usage >&2; die "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || { usage >&2; die "too many arguments"; }
out=${1:-$ROOT/build/pkg/debs}

for tool in dpkg-buildpackage dh dh_dkms; do
	command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/setup.sh)"
done
version=$(cd "$ROOT" && dpkg-parsechangelog -S Version)
src=$ROOT/build/pkg/src/opendxg-$version

rm -rf "$ROOT/build/pkg/src"
mkdir -p "$src"
cd "$ROOT"
if git rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked files deleted in the working tree are skipped.
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		xargs -0 cp --parents -t "$src/"
else
	tar -c --exclude=./build --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' . |
		tar -x -C "$src"
fi

opts=${DEB_BUILD_OPTIONS:-}
[ $check -eq 1 ] || opts="$opts nocheck"
case " $opts " in *" parallel="*) ;; *) opts="$opts parallel=$(nproc)" ;; esac
(cd "$src" && DEB_BUILD_OPTIONS="${opts# }" dpkg-buildpackage -b -us -uc)

mkdir -p "$out"
mv "$ROOT"/build/pkg/src/*.deb "$out/"
ls -1 "$out"/*.deb
