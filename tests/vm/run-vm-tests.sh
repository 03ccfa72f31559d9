#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host side of the VM tests: builds the initramfs (module + static test
# programs), starts the real dxghost, boots Debian's kernel under QEMU with
# stock ivshmem-doorbell devices and reports the guest's PASS/FAIL lines,
# prefixed with the scenario name.  Scenarios:
#   no-host    module loads/unloads with no host; no /dev/dxg appears
#   main       every ioctl test and library test against one dxghost
#   two-vms    two guests on one dxghost at once, each sees only its own objects
#   host-gone  dxghost stops (SIGTERM) under a live guest: /dev/dxg goes away,
#              open files get ENODEV, nothing hangs
#   host-killed the same with SIGKILL: dxghost writes nothing, the guest's
#              heartbeat watchdog declares it gone within 20 s
#   host-restart a second dxghost --takeover takes the VM over under a live
#              guest: the held device is reset, /dev/dxg comes back, new
#              processes work; no QEMU change, no reboot
#   server-crash two guests on one dxghost; guest A's VM server process
#              (process isolation) is killed while A holds a device: A sees
#              a GPU reset (held device ENODEV, /dev/dxg back, new processes
#              work) while guest B runs its workload untouched
#   soak       two guests on one dxghost, four processes of mixed workloads
#              each, in loops for DXG_SOAK_SECONDS (120; make soak for an
#              hour): every run succeeds, throughput stays flat, the VM
#              servers' memory and descriptors stay flat (not on the debug
#              kernel line)
#   unplug     the dxg PCI device is removed under a process holding Lock2 and
#              fence-page mappings: they are revoked (touching them faults)
#   adapters   dxghost offers two Vulkan adapters, the second compute-only:
#              enumeration, LUIDs, per-adapter memory, and work on one
#              adapter never waits for the other's (a test of order)
#   windows    main's test programs against dxghost --windows --no-async
#              --interface-version 46: Windows reply shapes, no async
#              messages, no
#              DXG_HOST_CAP_ODX_REPLIES, a newer interface version
#              (tests/vm/scenarios/windows.sh says what differs)
#   fuzz       dxg-fuzz (tests/vm/fuzz/) calls every ioctl with random
#              structure-aware arguments from threads and killed children for
#              DXG_DRIVER_FUZZ_SECONDS (60); then the kernel log is clean, the host
#              holds nothing of the VM, the driver works and unloads
#   vulkan     in the Debian guest (a Debian 12 root disk, built by
#              tools/vm/mkrootfs-debian.sh): Debian's Vulkan loader,
#              vulkaninfo and validation layer with the opendxg ICD
#              (lib/vulkan/) installed, against dxghost's Vulkan adapter
# Exit status: 0 when every scenario ran and reported no FAIL.
set -uo pipefail
cd "$(dirname "$0")/../.."

usage() {
  cat <<EOF
Usage: ${0##*/} [--line LINE] [--scenario NAME]...

Run the VM scenarios on Debian's kernel line LINE (lines: $(scripts/kernel-release.sh --lines 2>/dev/null | xargs);
default: the first), or on the debug kernel (--line debug: Debian's source of
the first line with KASAN, lockdep, kmemleak, UBSAN and more, built and cached
by tools/vm/build-debug-kernel.sh; the busybox scenarios only); with
--scenario, only those named (repeatable; names:
$scenarios).  The module is built for it with scripts/build-module.sh
(build/kmod/<release>/), the kernel fetched with tools/vm/fetch-kernel.sh
(build/vm/ for the default line, build/vm-LINE/ for the others); the
user-space programs come from build/rel.  The busybox scenarios boot an
initramfs; vulkan boots the Debian guest (its root cached in
/var/cache/opendxg/guest-root/, the image in build/vm*/debian.img).  Consoles and dxghost logs are kept
in build/test-logs/vm-LINE/.  Prints PASS/FAIL lines named SCENARIO/TEST.
EOF
}

scenarios="no-host main two-vms host-gone host-killed host-restart server-crash soak unplug adapters windows fuzz vulkan"
line=
only=
while [ $# -gt 0 ]; do
  case "$1" in
  -h|--help) usage; exit 0 ;;
  --line) [ $# -ge 2 ] || { echo "${0##*/}: --line needs an argument" >&2; exit 2; }; line=$2; shift 2 ;;
  --line=*) line=${1#*=}; shift ;;
  --scenario) [ $# -ge 2 ] || { echo "${0##*/}: --scenario needs an argument" >&2; exit 2; }; only+=" $2"; shift 2 ;;
  --scenario=*) only+=" ${1#*=}"; shift ;;
  *) usage >&2; echo "${0##*/}: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
for s in $only; do
  case " $scenarios " in *" $s "*) ;; *) echo "${0##*/}: unknown scenario '$s' (names: $scenarios)" >&2; exit 2 ;; esac
done
FUZZ_SECONDS=${DXG_DRIVER_FUZZ_SECONDS:-60}
SOAK_SECONDS=${DXG_SOAK_SECONDS:-120}
case "$SOAK_SECONDS" in ''|*[!0-9]*) echo "${0##*/}: DXG_SOAK_SECONDS must be a number" >&2; exit 2 ;; esac
case "$FUZZ_SECONDS" in ''|*[!0-9]*) echo "${0##*/}: DXG_DRIVER_FUZZ_SECONDS must be a number" >&2; exit 2 ;; esac
# want NAME: the scenario is to run.
want() { [ -z "$only" ] || case " $only " in *" $1 "*) true ;; *) false ;; esac; }
mapfile -t lines < <(scripts/kernel-release.sh --lines)
line=${line:-${lines[0]}}
# The debug kernel (tools/vm/build-debug-kernel.sh) runs the busybox
# scenarios; the Debian guest needs Debian's kernel and its modules.
if [ "$line" = debug ]; then
  if [ -z "$only" ]; then only=" no-host main two-vms host-gone host-killed host-restart server-crash unplug adapters windows fuzz"; fi
  want vulkan && { echo "${0##*/}: the vulkan scenario needs a Debian kernel line" >&2; exit 2; }
fi

REL=build/rel
if [ "$line" = "${lines[0]}" ]; then VM=build/vm; else VM=build/vm-$line; fi
GUEST=$VM/guest
LOGS=build/test-logs/vm-$line
work=$(mktemp -d /tmp/dxg-vmtest.XXXXXX)
host_pid=
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

rc=0
fail() { echo "FAIL $1"; rc=1; }
pass() { echo "PASS $1"; }

if [ "$line" = debug ]; then
  # Built once and cached by its inputs; a miss says so and takes minutes.
  tree=$(tools/vm/build-debug-kernel.sh 2> >(sed -u 's/^/# /' >&2)) ||
    { fail "setup: build the debug kernel"; exit 1; }
  mkdir -p "$VM"
  cmp -s "$tree/arch/x86/boot/bzImage" "$VM/vmlinuz" || cp "$tree/arch/x86/boot/bzImage" "$VM/vmlinuz"
  ko=$(scripts/build-module.sh --debug-only --quiet) && [ -f "$ko" ] ||
    { fail "setup: build dxgkrnl.ko for the debug kernel"; exit 1; }
else
  tools/vm/fetch-kernel.sh --line "$line" "$VM" >/dev/null || { fail "setup: fetch the guest kernel"; exit 1; }
  ko=$(scripts/build-module.sh --line "$line" --quiet) && [ -f "$ko" ] ||
    { fail "setup: build dxgkrnl.ko for $line"; exit 1; }
fi

# KVM or TCG, decided once here (tools/vm/kvm-cpu.sh boots this kernel;
# kept for the machine's boot), so that no guest's run waits for the probe.
if kvm_cpu=$(tools/vm/kvm-cpu.sh "$VM/vmlinuz"); then
  echo "# guests run under KVM (-cpu $kvm_cpu)"
else
  echo "# guests run under TCG (no KVM guest boots here)"
fi

busybox=0
for s in no-host main two-vms host-gone host-killed host-restart server-crash soak unplug adapters windows fuzz; do want $s && busybox=1; done
if [ $busybox = 1 ]; then
  rm -rf "$GUEST"; mkdir -p "$GUEST/bin" "$GUEST/scenarios"
  for f in "$REL"/tests/vm/test_* "$REL"/tests/vm/lib/test_* "$REL"/tests/vm/scenarios/test_* "$REL"/tests/vm/compute/test_* "$REL"/tests/vm/fuzz/dxg-fuzz "$REL"/tools/dxg-smi "$REL"/tools/dxg-demo; do
    [ -f "$f" ] && [ -x "$f" ] && cp "$f" "$GUEST/bin/"
  done
  cp tests/vm/run-guest.sh "$GUEST/run"
  cp tests/vm/scenarios/*.sh "$GUEST/scenarios/"
  chmod +x "$GUEST/run" "$GUEST"/scenarios/*.sh
  tools/vm/mkinitramfs.sh -o "$VM/initrd-test.cpio.gz" -m "$ko" -d "$GUEST" >/dev/null ||
    { fail "setup: build the initramfs"; exit 1; }
fi

start_host() { # socket log [dxghost option...]
  local sock=$1 log=$2; shift 2
  "$REL/host/dxghost" --socket "$sock" --log-level info "$@" >"$log" 2>&1 &
  host_pid=$!
  for _ in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.1; done
  fail "setup: dxghost did not create $sock"; cat "$log"; return 1
}

stop_host() { # expect clean exit
  local r
  kill -TERM "$host_pid"; wait "$host_pid"; r=$?; host_pid=
  return $r
}

# log_dirty LOG...: a dxghost log with a failed assertion, a sanitizer's or
# a crash's report, or a system call its VM servers' seccomp filter refused
# (every workload here must run within the allowlist).
log_dirty() { grep -qiE 'assert|sanitizer|segfault|seccomp: denied' "$@"; }

# boot NAME SCRIPT [SOCKET...]: runs a guest, prefixes its PASS/FAIL lines.
# tsc=unstable: without it the kernel marks sched_clock stable about 2 s into
# boot and live-patches sched_clock_tick()'s static branch while the other
# vCPU runs it; under QEMU's multi-threaded TCG that vCPU now and then still
# executes the patch's int3 afterwards ("Oops: int3" in sched_clock_tick, a
# panic before our module is loaded; seen on 6.12 with two guests booting at
# once).  The TSC is no clock to trust under TCG anyway; under KVM the guest
# uses kvm-clock and the parameter changes nothing.
boot() {
  local name=$1 script=$2; shift 2
  local args=() s start end vrc
  for s in "$@"; do args+=(--ivshmem "$s"); done
  start=$(date +%s)
  tools/vm/run-vm.sh --kernel "$VM/vmlinuz" --initrd "${VM_INITRD:-$VM/initrd-test.cpio.gz}" \
    ${VM_ROOT:+--root "$VM_ROOT"} --run "$script" \
    --timeout $((600 + FUZZ_SECONDS + SOAK_SECONDS)) --log "$work/$name.console" "${args[@]}" \
    ${VM_RUN_ARGS:-} \
    -- tsc=unstable ${VM_CMDLINE:-} >/dev/null 2>&1
  vrc=$?
  end=$(date +%s)
  tr -d '\r' <"$work/$name.console" | sed -n "s/^\(PASS\|FAIL\) /\1 $name\//p"
  echo "# $name: guest exited with $vrc after $((end - start)) s"
  if [ $vrc -ne 0 ]; then
    fail "$name/guest exit status $vrc"
    tr -d '\r' <"$work/$name.console" | tail -n 40 | sed 's/^/#   /'
  fi
  cp "$work/$name.console" "$LOGS/$name.console" 2>/dev/null
  return $vrc
}

mkdir -p "$LOGS"

# 1. no host at all
want no-host && boot no-host /opt/dxg/scenarios/no-host.sh

if want main || want two-vms; then
  # 2. the full suite against one dxghost
  start_host "$work/dxg.sock" "$work/host-main.log" || exit 1
  if want main; then
    boot main /opt/dxg/run "$work/dxg.sock"
    if kill -0 "$host_pid" 2>/dev/null; then pass "main/dxghost survived the guest"; else fail "main/dxghost died"; fi
    if log_dirty "$work/host-main.log"; then fail "main/dxghost log is clean"; else pass "main/dxghost log is clean"; fi
  fi

  # 3. two guests on the same dxghost at the same time
  if want two-vms; then
    # A shares its RAM with dxghost, B does not (docs/memory.md §11).
    VM_CMDLINE="${VM_CMDLINE:-} dxg.expect_ram=1" \
      boot vm-a /opt/dxg/scenarios/isolation.sh "$work/dxg.sock" >"$work/vm-a.out" &
    pa=$!
    VM_RUN_ARGS=--no-shared-ram VM_CMDLINE="${VM_CMDLINE:-} dxg.expect_ram=0" \
      boot vm-b /opt/dxg/scenarios/isolation.sh "$work/dxg.sock" >"$work/vm-b.out" &
    pb=$!
    wait $pa; ra=$?; wait $pb; rb=$?
    sed 's/^\(PASS\|FAIL\) vm-\(.\)\//\1 two-vms\/vm-\2\//' "$work/vm-a.out" "$work/vm-b.out"
    [ $ra -eq 0 ] && [ $rb -eq 0 ] || rc=1
  fi
  if stop_host; then pass "main/dxghost exits 0 on SIGTERM"; else fail "main/dxghost exits 0 on SIGTERM"; fi
  cp "$work/host-main.log" "$LOGS/dxghost-main.log"
fi

# 4. the host goes away under a live guest: stopped (SIGTERM, it says
# GONE) or killed (SIGKILL, it says nothing: the guest's heartbeat watchdog
# must notice within DXG_HOST_SILENT_MS).  The guest checks that /dev/dxg
# goes within bound_s seconds of HOLDING.
host_leaves() { # scenario signal bound_s
  local name=$1 sig=$2 bound=$3 watcher
  start_host "$work/$name.sock" "$work/$name.log" || exit 1
  (
    # Signal dxghost once the guest says it holds an open /dev/dxg.
    for _ in $(seq 1200); do
      if [ -f "$work/$name.console" ] &&
         tr -d '\r' <"$work/$name.console" | grep -q '^HOLDING'; then
        kill -"$sig" "$host_pid"; exit 0
      fi
      sleep 0.25
    done
  ) &
  watcher=$!
  VM_CMDLINE="dxg_test.gone_bound=$bound" \
    boot "$name" /opt/dxg/scenarios/host-gone.sh "$work/$name.sock"
  wait $watcher
  { wait "$host_pid"; } 2>/dev/null; host_pid=
}
want host-gone && host_leaves host-gone TERM 60
want host-killed && host_leaves host-killed KILL 20

# 4b. dxghost upgraded under a live guest: a second one takes the VM over
# (--takeover) when the guest holds a device; no QEMU change, no reboot.
if want host-restart; then
  start_host "$work/restart.sock" "$work/host-restart.log" || exit 1
  old_pid=$host_pid
  (
    for _ in $(seq 1200); do
      if [ -f "$work/host-restart.console" ] &&
         tr -d '\r' <"$work/host-restart.console" | grep -q '^HOLDING'; then
        "$REL/host/dxghost" --socket "$work/restart.sock" --log-level info --takeover \
          >"$work/host-restart-new.log" 2>&1 &
        echo $! >"$work/restart-new.pid"; wait; exit 0
      fi
      sleep 0.25
    done
  ) &
  watcher=$!
  boot host-restart /opt/dxg/scenarios/host-restart.sh "$work/restart.sock"
  if wait "$old_pid"; then pass "host-restart/the old dxghost exits 0 after the handover"
  else fail "host-restart/the old dxghost exits 0 after the handover"; fi
  host_pid=$(cat "$work/restart-new.pid" 2>/dev/null)
  if [ -n "$host_pid" ] && grep -q 'vm 1 taken over' "$work/host-restart-new.log"; then
    pass "host-restart/the new dxghost took the VM over"
  else
    fail "host-restart/the new dxghost took the VM over"; cat "$work/host-restart-new.log" 2>/dev/null | sed 's/^/#   /'
  fi
  if [ -n "$host_pid" ] && kill -TERM "$host_pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$host_pid" 2>/dev/null && fail "host-restart/the new dxghost exits on SIGTERM" ||
      pass "host-restart/the new dxghost exits on SIGTERM"
  fi
  wait $watcher 2>/dev/null; host_pid=
  cp "$work/host-restart-new.log" "$LOGS/dxghost-restart-new.log" 2>/dev/null
  if log_dirty "$work/host-restart.log" "$work/host-restart-new.log"; then
    fail "host-restart/dxghost logs are clean"; else pass "host-restart/dxghost logs are clean"; fi
fi

# 4c. One VM's server process crashes (process isolation, docs/dxghost.md
# "Isolation"): guest A holds a device when its server is SIGKILLed; the
# supervisor starts a new one, A sees a GPU reset (as in host-restart),
# guest B, served by its own process, runs its workload meanwhile.
if want server-crash; then
  start_host "$work/crash.sock" "$work/host-crash.log" || exit 1
  (
    for _ in $(seq 1200); do
      if [ -f "$work/crash-a.console" ] &&
         tr -d '\r' <"$work/crash-a.console" | grep -q '^HOLDING'; then
        pkill -KILL -P "$host_pid" -f -- '--vm-server 1$'; exit 0
      fi
      sleep 0.25
    done
  ) &
  watcher=$!
  # A connects first, so that its VM is vm 1.
  boot crash-a /opt/dxg/scenarios/host-restart.sh "$work/crash.sock" >"$work/crash-a.out" &
  pa=$!
  for _ in $(seq 300); do grep -q 'vm 1 connected' "$work/host-crash.log" && break; sleep 0.1; done
  boot crash-b /opt/dxg/scenarios/isolation.sh "$work/crash.sock" >"$work/crash-b.out" &
  pb=$!
  wait $pa; ra=$?; wait $pb; rb=$?
  wait $watcher 2>/dev/null
  sed 's/^\(PASS\|FAIL\) crash-\(.\)\//\1 server-crash\/vm-\2\//' "$work/crash-a.out" "$work/crash-b.out"
  [ $ra -eq 0 ] && [ $rb -eq 0 ] || rc=1
  if grep -q 'vm 1: its server (process [0-9]*) was killed by signal 9' "$work/host-crash.log" &&
     grep -q 'vm 1: a new server' "$work/host-crash.log"; then
    pass "server-crash/vm 1's server was killed and replaced"
  else
    fail "server-crash/vm 1's server was killed and replaced"; sed 's/^/#   /' "$work/host-crash.log"
  fi
  if grep -q 'vm 2: its server' "$work/host-crash.log"; then
    fail "server-crash/vm 2's server never stopped"; else pass "server-crash/vm 2's server never stopped"; fi
  if stop_host; then pass "server-crash/dxghost exits 0 on SIGTERM"; else fail "server-crash/dxghost exits 0 on SIGTERM"; fi
  if log_dirty "$work/host-crash.log"; then
    fail "server-crash/dxghost log is clean"; else pass "server-crash/dxghost log is clean"; fi
  cp "$work/host-crash.log" "$LOGS/dxghost-server-crash.log"
fi

# 4d. Soak: two guests, four looping workloads each, for SOAK_SECONDS.  The
# host side samples every VM server's resident memory and descriptors (and
# the supervisor's descriptors) every 5 s; from a third into the run to its
# end they must stay flat, as must each guest's runs per window.
if want soak; then
  start_host "$work/soak.sock" "$work/host-soak.log" || exit 1
  (
    t0=$(date +%s)
    while kill -0 "$host_pid" 2>/dev/null; do
      now=$(( $(date +%s) - t0 ))
      for p in $(ps -o pid= --ppid "$host_pid"); do
        rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$p/status 2>/dev/null)
        fds=$(ls /proc/$p/fd 2>/dev/null | wc -l)
        [ -n "$rss" ] && echo "$now $p $rss $fds"
      done
      echo "$now sup 0 $(ls /proc/$host_pid/fd 2>/dev/null | wc -l)"
      sleep 5
    done >"$work/soak.samples"
  ) &
  sampler=$!
  VM_CMDLINE="dxg_soak_seconds=$SOAK_SECONDS" boot soak-a /opt/dxg/scenarios/soak.sh "$work/soak.sock" >"$work/soak-a.out" &
  pa=$!
  for _ in $(seq 300); do grep -q 'vm 1 connected' "$work/host-soak.log" && break; sleep 0.1; done
  VM_CMDLINE="dxg_soak_seconds=$SOAK_SECONDS" boot soak-b /opt/dxg/scenarios/soak.sh "$work/soak.sock" >"$work/soak-b.out" &
  pb=$!
  wait $pa; ra=$?; wait $pb; rb=$?
  sed 's/^\(PASS\|FAIL\) soak-\(.\)\//\1 soak\/vm-\2\//' "$work/soak-a.out" "$work/soak-b.out"
  [ $ra -eq 0 ] && [ $rb -eq 0 ] || rc=1
  for v in a b; do
    runs=$(tr -d '\r' <"$work/soak-$v.console" | sed -n 's/^SOAK window \([0-9]\): \([0-9]*\) runs.*/\2/p' | tr '\n' ' ')
    echo "# soak: vm-$v runs per window: $runs"
    # Flat: the last window has at least half the runs of the second (the
    # first warms up); every window has some.
    set -- $runs
    if [ $# -eq 6 ] && [ "$2" -gt 0 ] && [ "$6" -gt 0 ] && [ $(( $6 * 2 )) -ge "$2" ]; then
      pass "soak/vm-$v throughput stays flat"
    else fail "soak/vm-$v throughput stays flat"; fi
  done
  if stop_host; then pass "soak/dxghost exits 0 on SIGTERM"; else fail "soak/dxghost exits 0 on SIGTERM"; fi
  kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
  # Per process: the sample a third into the run against the last one.
  third=$(( SOAK_SECONDS / 3 + 20 ))
  flat=1
  for p in $(awk '{print $2}' "$work/soak.samples" | sort -u); do
    read -r r0 f0 r1 f1 < <(awk -v p="$p" -v t="$third" '$2 == p && $1 >= t { if (!n++) { r0 = $3; f0 = $4 } r1 = $3; f1 = $4 }
      END { print r0 + 0, f0 + 0, r1 + 0, f1 + 0 }' "$work/soak.samples")
    [ "$f0" -gt 0 ] || continue
    echo "# soak: process $p: RSS ${r0} -> ${r1} KiB, fds ${f0} -> ${f1} (from ${third} s to the end)"
    # 16 MiB of allocator noise at most; descriptors: the same, give or take
    # the few a workload holds at the moment of a sample.
    if [ $(( r1 - r0 )) -gt 16384 ] || [ $(( f1 - f0 )) -gt 4 ]; then flat=0; fi
  done
  if [ $flat = 1 ]; then pass "soak/dxghost memory and descriptors stay flat"
  else fail "soak/dxghost memory and descriptors stay flat"; fi
  if log_dirty "$work/host-soak.log"; then
    fail "soak/dxghost log is clean"; else pass "soak/dxghost log is clean"; fi
  cp "$work/host-soak.log" "$LOGS/dxghost-soak.log"; cp "$work/soak.samples" "$LOGS/soak.samples"
fi

# 5. the device is hot-unplugged under live mappings
if want unplug; then
  start_host "$work/unplug.sock" "$work/host-unplug.log" || exit 1
  boot unplug /opt/dxg/scenarios/unplug.sh "$work/unplug.sock"
  if stop_host; then pass "unplug/dxghost exits 0 on SIGTERM"; else fail "unplug/dxghost exits 0 on SIGTERM"; fi
  if log_dirty "$work/host-unplug.log"; then
    fail "unplug/dxghost log is clean"; else pass "unplug/dxghost log is clean"; fi
fi

# 6. The driver's tests against a host that answers as Windows does
if want adapters; then
  start_host "$work/adapters.sock" "$work/host-adapters.log" \
    --adapter vulkan --adapter vulkan,compute-only || exit 1
  boot adapters /opt/dxg/scenarios/adapters.sh "$work/adapters.sock"
  if stop_host; then pass "adapters/dxghost exits 0 on SIGTERM"; else fail "adapters/dxghost exits 0 on SIGTERM"; fi
  if log_dirty "$work/host-adapters.log"; then
    fail "adapters/dxghost log is clean"; else pass "adapters/dxghost log is clean"; fi
  cp "$work/host-adapters.log" "$LOGS/dxghost-adapters.log"
fi

if want windows; then
  start_host "$work/windows.sock" "$work/host-windows.log" --windows --no-async --interface-version 46 || exit 1
  boot windows /opt/dxg/scenarios/windows.sh "$work/windows.sock"
  if stop_host; then pass "windows/dxghost exits 0 on SIGTERM"; else fail "windows/dxghost exits 0 on SIGTERM"; fi
  # The guest tore down every GPADL its existing-sysmem allocations used.
  if grep -q 'disconnected: [0-9]* objects freed, 0 GPADLs left' "$work/host-windows.log"; then
    pass "windows/dxghost: no GPADL left after the guest unloaded"
  else fail "windows/dxghost: no GPADL left after the guest unloaded"; fi
  if log_dirty "$work/host-windows.log"; then
    fail "windows/dxghost log is clean"; else pass "windows/dxghost log is clean"; fi
  cp "$work/host-windows.log" "$LOGS/dxghost-windows.log"
fi

# 7. The driver fuzzer (tests/vm/fuzz/dxg_fuzz.c): DXG_DRIVER_FUZZ_SECONDS (default
# 60) and DXG_DRIVER_FUZZ_SEED (default random) reach the guest on its command line.
if want fuzz; then
  start_host "$work/fuzz.sock" "$work/host-fuzz.log" || exit 1
  VM_CMDLINE="dxg_fuzz_seconds=$FUZZ_SECONDS${DXG_DRIVER_FUZZ_SEED:+ dxg_fuzz_seed=$DXG_DRIVER_FUZZ_SEED}" \
    boot fuzz /opt/dxg/scenarios/fuzz.sh "$work/fuzz.sock"
  tr -d '\r' <"$work/fuzz.console" | grep '^dxg-fuzz:' | sed 's/^/# /'
  if stop_host; then pass "fuzz/dxghost exits 0 on SIGTERM"; else fail "fuzz/dxghost exits 0 on SIGTERM"; fi
  if log_dirty "$work/host-fuzz.log"; then
    fail "fuzz/dxghost log is clean"; else pass "fuzz/dxghost log is clean"; fi
  cp "$work/host-fuzz.log" "$LOGS/dxghost-fuzz.log"
fi

# 8. Vulkan, in the Debian guest: Debian's loader, vulkaninfo and validation
# layer with the opendxg driver installed (tools/vm/mkrootfs-debian.sh).  Every
# test program tests/vm/vulkan/ builds (test_*) and the Vulkan samples go
# into its /opt/dxg/bin.
if want vulkan; then
  DEB=$VM/debian-guest
  rm -rf "$DEB"; mkdir -p "$DEB/bin" "$DEB/scenarios"
  for f in "$REL"/tests/vm/vulkan/test_* "$REL"/samples/vulkan/vk-samples "$REL"/samples/vulkan/vk-fft "$REL"/samples/vulkan/vk-submit; do
    [ -f "$f" ] && [ -x "$f" ] && cp "$f" "$DEB/bin/"
  done
  cp tests/vm/scenarios/*.sh "$DEB/scenarios/"
  start=$(date +%s)
  # Its messages (a cache miss says so) as comments, as they come.
  tools/vm/mkrootfs-debian.sh -o "$VM/debian.img" -i "$VM/initrd-debian.cpio.gz" \
    -k "$VM" -m "$ko" -b "$REL" -d "$DEB" 2>&1 | sed -u 's/^/# /'
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then
    echo "# vulkan: the Debian guest's image in $(($(date +%s) - start)) s"
    start_host "$work/vulkan.sock" "$work/host-vulkan.log" || exit 1
    VM_INITRD="$VM/initrd-debian.cpio.gz" VM_ROOT="$VM/debian.img" \
      boot vulkan /opt/dxg/scenarios/vulkan.sh "$work/vulkan.sock"
    if stop_host; then pass "vulkan/dxghost exits 0 on SIGTERM"; else fail "vulkan/dxghost exits 0 on SIGTERM"; fi
    cp "$work/host-vulkan.log" "$LOGS/dxghost-vulkan.log"
  else
    fail "setup: build the Debian guest"
  fi
fi

exit $rc
