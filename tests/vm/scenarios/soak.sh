# SPDX-License-Identifier: MIT
# Guest side of the soak scenario (tests/vm/run-vm-tests.sh): several
# processes of mixed workloads, each in a loop, for dxg_soak_seconds (the
# kernel command line; default 120).  Prints "SOAK window N: K runs" six
# times (the host side checks that throughput stays flat), then that no run
# failed, nothing is left on the host and the kernel log is clean.
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
host_stat() { s=0; for f in /sys/bus/pci/devices/*/"$1"; do [ -f "$f" ] && s=$((s + $(cat "$f"))); done; echo $s; }
secs=$(sed -n 's/.*dxg_soak_seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
secs=${secs:-120}
win=$((secs / 6)); [ $win -ge 1 ] || win=1
insmod /lib/dxg/dxgkrnl.ko || { echo "FAIL insmod"; exit 1; }
for _ in $(seq 50); do [ -e /dev/dxg ] && break; sleep 0.2; done
klines=$(dmesg | wc -l)
rm -f /tmp/soak.*
# One loop per workload, each a test program that does not assume it is
# alone in the VM: the compute library's demo (dxg-demo, twice), fences
# and command-buffer waits, CPU mappings.  Not pipeline
# creation in a loop: Debian 12's lavapipe (Mesa 22.3) leaks about 108 KiB
# per compute pipeline created and destroyed, outside opendxg
# (docs/reliability.md §7), which would hide anything of ours.
# work ID PROGRAM...: the first failed run of each worker keeps its output.
work() {
  id=$1; shift
  while [ ! -e /tmp/soak.stop ]; do
    if "$@" >/tmp/soak.out.$id 2>&1; then echo . >>/tmp/soak.count
    else echo "$*" >>/tmp/soak.fail
      [ -e /tmp/soak.first.$id ] || cp /tmp/soak.out.$id /tmp/soak.first.$id
    fi
  done
}
work 1 dxg-demo &
work 2 test_dxg_fence &
work 3 test_dxg_vma &
work 4 dxg-demo &
prev=0
for w in 1 2 3 4 5 6; do
  sleep $win
  n=$(cat /tmp/soak.count 2>/dev/null | wc -l)
  echo "SOAK window $w: $((n - prev)) runs"
  prev=$n
done
touch /tmp/soak.stop
wait
echo "SOAK total: $prev runs in $((win * 6)) s"
t "every workload run succeeded" "[ ! -s /tmp/soak.fail ]"
[ -s /tmp/soak.fail ] && sort /tmp/soak.fail | uniq -c | sed 's/^/# failed: /'
for f in /tmp/soak.first.*; do
  [ -e "$f" ] || continue
  echo "# the first failed run of worker ${f##*.}:"
  grep -E 'FAIL|rror|# kernel' "$f" | head -n 20 | sed 's/^/#   /'
done
# What the kernel said during the soak (kernel_log_clean judges it below).
dmesg | tail -n +$((klines + 1)) | head -n 40 | sed 's/^/# kernel log during the soak: /'
t "no host processes left after the soak" "[ \$(host_stat dxg_host_processes) = 0 ]"
t "rmmod after the soak" "rmmod dxgkrnl"
kernel_log_clean
exit $r
