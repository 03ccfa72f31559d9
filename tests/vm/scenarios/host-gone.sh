# SPDX-License-Identifier: MIT
# Guest side of the host-gone scenario: the runner stops dxghost when this
# prints HOLDING.
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
insmod /lib/dxg/dxgkrnl.ko || { echo "FAIL insmod"; exit 1; }
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
test_dxg_hold gone || r=1
rmmod dxgkrnl && echo "PASS rmmod after the host left" || { echo "FAIL rmmod after the host left"; r=1; }
kernel_log_clean
exit $r
