# SPDX-License-Identifier: MIT
# Runs INSIDE the libvirt guest (/opt/dxg/run of the busybox initramfs that
# tests/libvirt/run-libvirt-test.sh builds): the main job's workload, then
# a device held open so that the host destroys the domain under a live
# guest.  Prints PASS/FAIL lines; then "DXG-LIBVIRT-HOLDING objects=N" with
# the host's object count for this VM, and waits to be destroyed.  On a
# failure before that point it exits 1 (DXG-VM-EXIT 1) instead.
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
host_stat() { cat /sys/bus/pci/devices/*/"$1" 2>/dev/null | head -n1; }

echo "# guest: $(uname -r), ivshmem devices: $(grep -l 0x1110 /sys/bus/pci/devices/*/device 2>/dev/null | wc -l)"
t "guest: insmod dxgkrnl.ko" "insmod /lib/dxg/dxgkrnl.ko"
for _ in $(seq 50); do [ -c /dev/dxg ] && break; sleep 0.2; done
t "guest: /dev/dxg appears (the <shmem> device is bound)" "[ -c /dev/dxg ]"
[ $r = 0 ] || exit 1

# The main job's workload (tools/run-demo.sh): adapters, the device and
# context walk, the compute samples on the host's Vulkan device, each
# checked against a CPU reference.
echo "guest\$ dxg-smi"
t "guest: dxg-smi" "dxg-smi"
echo "guest\$ dxg-demo"
t "guest: dxg-demo" "dxg-demo"
echo "guest\$ dxg-samples"
t "guest: dxg-samples (sgemm, saxpy, reduce, filter checked against the CPU)" "dxg-samples"
t "guest: no host processes left after the programs" "[ \"\$(host_stat dxg_host_processes)\" = 0 ]"
[ $r = 0 ] || exit 1

# Hold a device, then let the host destroy the domain under it.
test_dxg_hold gone >/tmp/hold.txt 2>&1 &
for _ in $(seq 100); do grep -q '^HOLDING' /tmp/hold.txt && break; sleep 0.1; done
t "guest: a process holds a device" "grep -q '^HOLDING' /tmp/hold.txt"
[ $r = 0 ] || { cat /tmp/hold.txt; exit 1; }
echo "DXG-LIBVIRT-HOLDING objects=$(host_stat dxg_host_objects) processes=$(host_stat dxg_host_processes)"
sleep 600
echo "FAIL guest: not destroyed within 600 s"
exit 1
