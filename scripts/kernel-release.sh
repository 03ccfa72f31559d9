#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints the kernel release that linux-headers-amd64 points at (e.g.
# 6.1.0-56-amd64): the module is built against it and the VM boots it.
set -euo pipefail
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
      tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1)
if [ -z "$dep" ]; then
  echo "kernel-release: linux-headers-amd64 is not installed (run scripts/setup.sh)" >&2
  exit 1
fi
echo "$dep"
