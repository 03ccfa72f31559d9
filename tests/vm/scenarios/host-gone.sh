# SPDX-License-Identifier: MIT
# Guest side of the host-gone and host-killed scenarios: the runner stops
# or kills dxghost when this prints HOLDING; /dev/dxg must go within the
# bound on the kernel command line (dxg_test.gone_bound, seconds).
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
insmod /lib/dxg/dxgkrnl.ko || { echo "FAIL insmod"; exit 1; }
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
bound=$(sed -n 's/.*dxg_test\.gone_bound=\([0-9]*\).*/\1/p' /proc/cmdline)
test_dxg_hold gone "${bound:-60}" || r=1
rmmod dxgkrnl && echo "PASS rmmod after the host left" || { echo "FAIL rmmod after the host left"; r=1; }
kernel_log_clean
exit $r
