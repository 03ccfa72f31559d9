# SPDX-License-Identifier: MIT
# Guest side of the unplug scenario: the dxg PCI device is removed under a
# process holding mappings of its memory (tests/vm/scenarios/dxg_unplug.c).
r=0
insmod /lib/dxg/dxgkrnl.ko || { echo "FAIL insmod"; exit 1; }
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
test_dxg_unplug || r=1
rmmod dxgkrnl && echo "PASS rmmod after the unplug" || { echo "FAIL rmmod after the unplug"; r=1; }
if dmesg | grep -E 'WARNING|BUG|Oops|leak|INFO: possible|UBSAN|KASAN'; then
  echo "FAIL kernel log clean"; r=1
else
  echo "PASS kernel log clean"
fi
exit $r
