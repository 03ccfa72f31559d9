#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keeps dxghost's layers true (docs/dxghost.md): a file under host/<layer>/
# may include the host headers of its own layer and of the layers below,
# never of a layer above.  From the top:
#   server > protocol > core > exec > engines > util
# A host header is included by its layer path ("core/objects.h"); a bare
# "objects.h" that names a host header is refused too (it would hide the
# layer).  Prints each violation as FILE:LINE: and exits 1 if there is any.
#
#   check-host-layers.sh [HOSTDIR]   check HOSTDIR (default: host/)
#   check-host-layers.sh --self-test check that an upward include and a bare
#                                    one are caught, and a downward one is not
set -euo pipefail

layers=(util engines exec core protocol server)	# bottom to top

rank() { # layer -> index, or -1
  local i
  for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo -1
}

check() { # hostdir
  local dir=$1 bad=0 f rel layer r line n inc ilayer ir
  [ -d "$dir" ] || { echo "check-host-layers: no such directory: $dir" >&2; return 2; }
  while IFS= read -r f; do
    rel=${f#"$dir"/}
    layer=${rel%%/*}
    r=$(rank "$layer")
    if [ "$r" -lt 0 ]; then
      echo "$f: not in a layer folder (${layers[*]})"; bad=1; continue
    fi
    n=0
    while IFS= read -r line; do
      n=$((n + 1))
      [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]] || continue
      inc=${BASH_REMATCH[1]}
      if [[ $inc != */* ]]; then
        if [ -n "$(find "$dir" -name "$inc" -print -quit)" ]; then
          echo "$f:$n: \"$inc\" is a host header: include it by its layer path"; bad=1
        fi
        continue
      fi
      ilayer=${inc%%/*}
      ir=$(rank "$ilayer")
      [ "$ir" -lt 0 ] && continue		# not a host layer (e.g. "dxg/protocol.h")
      if [ "$ir" -gt "$r" ]; then
        echo "$f:$n: $layer includes \"$inc\" of the $ilayer layer above it"; bad=1
      fi
    done <"$f"
  done < <(find "$dir" -type f \( -name '*.c' -o -name '*.h' \) | sort)
  return $bad
}

self_test() {
  local t rc
  t=$(mktemp -d)
  trap 'rm -rf "$t"' RETURN
  mkdir -p "$t/core" "$t/exec" "$t/server"
  echo '#include "exec/worker.h"' >"$t/core/a.c"		# down: fine
  echo '' >"$t/exec/worker.h"
  echo '#include "core/objects.h"' >"$t/server/b.c"	# down: fine
  echo '' >"$t/core/objects.h"
  check "$t" >/dev/null || { echo "self-test: a clean tree was refused"; return 1; }
  echo '#include "core/objects.h"' >"$t/exec/c.c"	# up: caught
  rc=0; check "$t" >/dev/null || rc=$?
  [ $rc -eq 1 ] || { echo "self-test: an upward include was not caught"; return 1; }
  rm "$t/exec/c.c"
  echo '#include "objects.h"' >"$t/server/d.c"		# bare: caught
  rc=0; check "$t" >/dev/null || rc=$?
  [ $rc -eq 1 ] || { echo "self-test: a bare host include was not caught"; return 1; }
  echo "self-test: ok"
}

case "${1:-}" in
-h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--self-test) self_test ;;
*) cd "$(dirname "$0")/../.."; check "${1:-host}" ;;
esac
