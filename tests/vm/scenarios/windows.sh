# SPDX-License-Identifier: MIT
# Guest side of the windows scenario: the driver's tests against
# dxghost --windows --no-async --interface-version 46 (docs/protocol.md
# §5.4), which answers CREATEPROCESS and CREATEDEVICE with the 4-byte
# handle, ESCAPE with the private data alone and every failure in the
# command's whole reply shape, clears DXG_HOST_CAP_ODX_REPLIES and enables
# no asynchronous messages (so submissions and signals are synchronous).
# Every test program of the main scenario runs (test_dxg_ioctl, _memory,
# _sync, _vma, _killopen, _vkinfo, _escape, _sysmem, the compute and libdxg tests,
# dxg-smi, dxg-demo).  Only the expectations that read a host's reason for
# a failed escape or create depend on opendxg's replies: a Windows host's
# escape fails silently (data unchanged, ioctl 0, pipeline id 0) and its
# failed creates carry no reason (EINVAL); DXG_TEST_WINDOWS_HOST=1 tells
# test_dxg_escape, test_dxg_compute and test_dxg_memory so.
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
export DXG_TEST_WINDOWS_HOST=1
BIN=/opt/dxg/bin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
host_stat() { # sum of a host statistic over the bound devices
  s=0; for f in /sys/bus/pci/devices/*/"$1"; do [ -f "$f" ] && s=$((s + $(cat "$f"))); done; echo $s
}

t "insmod" "insmod /lib/dxg/dxgkrnl.ko"
for _ in $(seq 50); do [ -c /dev/dxg ] && break; sleep 0.2; done
t "/dev/dxg appears with a Windows-mode host (interface version 46)" "[ -c /dev/dxg ]"
# A host without map_guest_memory: existing sysmem goes by GPADLs
# (SETEXISTINGSYSMEMSTORE), which test_dxg_sysmem then uses in full.
t "existing-sysmem allocations by GPADLs with a Windows-mode host" \
  "dmesg | grep -q 'existing-sysmem allocations in place (GPADLs)'"
for p in "$BIN"/test_*; do
  [ -x "$p" ] || continue
  case "${p##*/}" in test_dxg_hold|test_dxg_unplug|test_dxg_adapters) continue ;; esac	# scenario programs
  echo "# running ${p##*/}"
  "$p" || { echo "FAIL ${p##*/} exit status"; r=1; }
done
t "no host processes left after the tests" "[ \$(host_stat dxg_host_processes) = 0 ]"
t "rmmod" "rmmod dxgkrnl"
kernel_log_clean
exit $r
