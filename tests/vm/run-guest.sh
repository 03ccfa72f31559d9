# SPDX-License-Identifier: MIT
# Runs INSIDE the guest (as /opt/dxg/run): load dxgkrnl.ko, run every test
# program in /opt/dxg/bin, unload and reload the module a few times, and
# check the kernel log.  Prints PASS/FAIL lines; exits 1 on any failure.
# Expects at least one ivshmem-doorbell device served by dxghost.
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
MOD=/lib/dxg/dxgkrnl.ko
BIN=/opt/dxg/bin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }

wait_dev() { # wait up to 10 s for /dev/dxg to appear (1) or vanish (0)
  for _ in $(seq 50); do
    if [ "$1" = 1 ]; then [ -c /dev/dxg ] && return 0; else [ -e /dev/dxg ] || return 0; fi
    sleep 0.2
  done
  return 1
}
host_stat() { # sum of a host statistic over the bound devices
  s=0; for f in /sys/bus/pci/devices/*/"$1"; do [ -f "$f" ] && s=$((s + $(cat "$f"))); done; echo $s
}

t "insmod" "insmod $MOD"
t "/dev/dxg appears with a host" "wait_dev 1"
t "dxgkrnl bound to the ivshmem device" "ls /sys/bus/pci/drivers/dxgkrnl/ | grep -q :"

for p in "$BIN"/test_*; do
  [ -x "$p" ] || continue
  case "${p##*/}" in test_dxg_hold|test_dxg_unplug|test_dxg_adapters) continue ;; esac	# scenario programs
  echo "# running ${p##*/}"
  "$p" || { echo "FAIL ${p##*/} exit status"; r=1; }
done

t "no host processes left after the tests" "[ \$(host_stat dxg_host_processes) = 0 ]"
t "rmmod" "rmmod dxgkrnl"
t "/dev/dxg gone after rmmod" "wait_dev 0"

for i in 1 2 3; do
  t "reload $i: insmod" "insmod $MOD && wait_dev 1"
  t "reload $i: works" "$BIN/test_dxg_ioctl --quick >/dev/null"
  t "reload $i: rmmod" "rmmod dxgkrnl && wait_dev 0"
done

kernel_log_clean
exit $r
