# SPDX-License-Identifier: MIT
# Guest side of the two-guest scenario (the other guest runs it too).
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
insmod /lib/dxg/dxgkrnl.ko || { echo "FAIL insmod"; exit 1; }
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
# The baseline is the VM-wide objects (one opened adapter per host adapter).
base=$(cat /sys/bus/pci/devices/*/dxg_host_objects)
test_dxg_hold isolation 8 || r=1
# Guest RAM the host maps, or the fallback (run-vm-tests.sh says which).
case " $(cat /proc/cmdline) " in
*" dxg.expect_ram=1 "*)
  if dmesg | grep -q "dxg host maps guest memory: existing-sysmem allocations in place (page lists)"; then
    echo "PASS shared guest RAM: the handshake passed"
  else
    echo "FAIL shared guest RAM: the handshake passed"; r=1
  fi ;;
*" dxg.expect_ram=0 "*)
  if dmesg | grep -q "dxg host cannot reach guest memory" &&
     ! dmesg | grep -q "dxg host maps guest memory"; then
    echo "PASS private guest RAM: the handshake says not supported"
  else
    echo "FAIL private guest RAM: the handshake says not supported"; r=1
  fi
  test_dxg_sysmem --unsupported || r=1 ;;
esac
if [ "$(cat /sys/bus/pci/devices/*/dxg_host_objects)" = "$base" ] &&
   [ "$(cat /sys/bus/pci/devices/*/dxg_host_processes)" = 0 ]; then
  echo "PASS host objects of this guest back to the baseline after exit"
else
  echo "FAIL host objects of this guest back to the baseline after exit"; r=1
fi
rmmod dxgkrnl || { echo "FAIL rmmod"; r=1; }
kernel_log_clean
exit $r
