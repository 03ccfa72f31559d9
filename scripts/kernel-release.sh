#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian kernel lines the module is built and tested against, and the
# release each one points at today.  A line is named by its major.minor and
# followed through a headers metapackage, so no ABI number is written down:
#
#   6.1    linux-headers-amd64        (bookworm's default kernel; the default line)
#   6.12   linux-headers-6.12-amd64   (bookworm's 6.12 line)
#
# The metapackage depends on the newest linux-headers-<release> of its line;
# the module is built against /usr/src/linux-headers-<release> and the VM
# tests boot linux-image-<release> of the same version.
set -euo pipefail

PROG=${0##*/}
LINES=(6.1 6.12)			# the first one is the default line
declare -A META=([6.1]=linux-headers-amd64 [6.12]=linux-headers-6.12-amd64)

usage() {
	cat <<EOF
Usage: $PROG [--root DIR] [LINE]
                           print the kernel release of LINE (default: ${LINES[0]}),
                           e.g. 6.1.0-57-amd64
       $PROG --lines       print the lines, one per line, the default first
       $PROG --all         print "LINE RELEASE" for every line
       $PROG --packages    print the headers metapackages (what setup.sh installs)

Lines: ${LINES[*]}.  The release is read from the installed metapackage's
Depends (dpkg-query), so scripts/setup.sh must have installed it.  With
--root DIR, from the packages installed in the system tree DIR instead.
EOF
}

release_of() { # LINE
	local meta=${META[$1]:-} dep
	[ -n "$meta" ] || { echo "$PROG: unknown kernel line '$1' (lines: ${LINES[*]})" >&2; return 2; }
	dep=$(dpkg-query ${root:+--admindir="$root/var/lib/dpkg"} -W -f='${Depends}' "$meta" 2>/dev/null |
	      tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1 || true)
	if [ -z "$dep" ]; then
		echo "$PROG: $meta is not installed${root:+ in $root} (run scripts/setup.sh)" >&2
		return 1
	fi
	echo "$dep"
}

root=
case "${1:-}" in
--root) [ $# -ge 2 ] || { echo "$PROG: --root needs a directory" >&2; exit 2; }; root=$2; shift 2 ;;
--root=*) root=${1#*=}; shift ;;
esac
case "${1:-}" in
-h|--help) usage ;;
--lines) printf '%s\n' "${LINES[@]}" ;;
--packages) for l in "${LINES[@]}"; do echo "${META[$l]}"; done ;;
--all) for l in "${LINES[@]}"; do r=$(release_of "$l"); echo "$l $r"; done ;;
-*) usage >&2; echo "$PROG: unknown option '$1'" >&2; exit 2 ;;
*) [ $# -le 1 ] || { usage >&2; exit 2; }; release_of "${1:-${LINES[0]}}" ;;
esac
