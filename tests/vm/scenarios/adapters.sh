# SPDX-License-Identifier: MIT
# Guest side of the adapters scenario: dxghost offers two Vulkan adapters,
# the second compute-only (run-vm-tests.sh); test_dxg_adapters checks
# enumeration, LUIDs, per-adapter memory and that work on one adapter never
# waits for the other's; then the module unloads and the log is clean.
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
t "insmod" "insmod /lib/dxg/dxgkrnl.ko"
for _ in $(seq 50); do [ -c /dev/dxg ] && break; sleep 0.2; done
t "/dev/dxg appears with two adapters" "[ -c /dev/dxg ]"
test_dxg_adapters || r=1
t "no host processes left" "[ \$(cat /sys/bus/pci/devices/*/dxg_host_processes) = 0 ]"
t "rmmod" "rmmod dxgkrnl"
kernel_log_clean
exit $r
