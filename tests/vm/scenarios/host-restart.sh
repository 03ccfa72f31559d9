# SPDX-License-Identifier: MIT
# Guest side of the host-restart scenario: the runner starts a second
# dxghost with --takeover when this prints HOLDING (an upgrade without a
# guest reboot); the held device is reset, the GPU comes back.
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
insmod /lib/dxg/dxgkrnl.ko || { echo "FAIL insmod"; exit 1; }
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
test_dxg_hold restart 60 || r=1
t "a new process works after the takeover: dxg-demo" "dxg-demo >/dev/null"
# The new daemon found the guest's RAM again and the guest verified it again.
t "guest RAM handshake again after the takeover" \
  "[ \$(dmesg | grep -c 'dxg host maps guest memory') -ge 2 ]"
t "existing sysmem works after the takeover" "test_dxg_sysmem >/dev/null"
t "rmmod after the takeover" "rmmod dxgkrnl"
kernel_log_clean
exit $r
