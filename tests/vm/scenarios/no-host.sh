# SPDX-License-Identifier: MIT
# Guest side, no ivshmem device: the module loads and unloads cleanly and
# no /dev/dxg appears.
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
t "insmod without a host" "insmod /lib/dxg/dxgkrnl.ko"
t "no /dev/dxg without a host" "[ ! -e /dev/dxg ]"
t "rmmod" "rmmod dxgkrnl"
t "insmod again" "insmod /lib/dxg/dxgkrnl.ko && rmmod dxgkrnl"
kernel_log_clean
exit $r
