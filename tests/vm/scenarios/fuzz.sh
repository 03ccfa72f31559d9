# SPDX-License-Identifier: MIT
# Guest side of the fuzz scenario (docs/reliability.md): dxg-fuzz calls every
# /dev/dxg ioctl with structure-aware random arguments from several threads
# and killed children; afterwards the kernel log is clean, the host holds no
# object of this VM, the driver still works and unloads.  The run's length
# comes from the kernel command line (dxg_fuzz_seconds=N, default 60) and
# its seed from dxg_fuzz_seed=S (default: random, printed).
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
BIN=/opt/dxg/bin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
host_stat() { # sum of a host statistic over the bound devices
  s=0; for f in /sys/bus/pci/devices/*/"$1"; do [ -f "$f" ] && s=$((s + $(cat "$f"))); done; echo $s
}
arg() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
seconds=$(arg dxg_fuzz_seconds); seconds=${seconds:-60}
seed=$(arg dxg_fuzz_seed)

t "insmod" "insmod /lib/dxg/dxgkrnl.ko"
for _ in $(seq 50); do [ -c /dev/dxg ] && break; sleep 0.2; done
t "/dev/dxg appears" "[ -c /dev/dxg ]"
# The VM-wide objects (the opened adapters) stay; nothing else may.
base=$(host_stat dxg_host_objects)
# A watchdog: the fuzzer ends on its own seconds after the deadline; one that
# does not is stuck, and where each of its tasks waits is printed (kernel
# stacks) before it is killed, so the run fails with something to go on.
fuzz_watch() {
  sleep $((seconds + 120))
  echo "dxg-fuzz: still running $((seconds + 120)) s after its start: its tasks"
  for p in $(pidof dxg-fuzz); do
    for t in /proc/$p/task/*; do
      echo "## task ${t##*/} ($(cat $t/comm), state $(sed -n 's/^State:\t//p' $t/status)) wchan $(cat $t/wchan)"
      cat $t/stack 2>/dev/null
    done
  done
  kill -9 $(pidof dxg-fuzz) 2>/dev/null
}
fuzz_watch & watch=$!
t "dxg-fuzz for $seconds s: no ioctl returns what user space must never see" \
  "$BIN/dxg-fuzz --seconds $seconds ${seed:+--seed $seed}"
kill $watch 2>/dev/null
# Every file is closed with the fuzzer gone: the host lets go of all of it.
echo "# host objects: $(host_stat dxg_host_objects), $base before the fuzzer"
for _ in $(seq 100); do [ "$(host_stat dxg_host_objects)" = "$base" ] && break; sleep 0.1; done
t "the host holds no object of this VM's processes after the fuzzer ($base VM-wide)" \
  "[ \$(host_stat dxg_host_objects) = $base ]"
t "the host holds no process of this VM after the fuzzer" "[ \$(host_stat dxg_host_processes) = 0 ]"
t "the driver still works: dxg-demo" "$BIN/dxg-demo >/dev/null"
t "the driver still works: test_dxg_ioctl" "$BIN/test_dxg_ioctl >/tmp/ioctl.out || { grep FAIL /tmp/ioctl.out; false; }"
t "rmmod" "rmmod dxgkrnl"
kernel_log_clean
exit $r
