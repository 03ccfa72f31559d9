#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The opendxg benchmarks (docs/performance.md): round trips through dxghost
# against eventfd/spin ping-pongs, asynchronous submissions per second, the
# sample kernels through dxghost's execution path against direct Vulkan,
# and (booting guests) write bandwidth into a mapped allocation against
# malloc'd memory, the kernels through the whole guest path, and plain
# Vulkan programs through the opendxg Vulkan driver against the host's device.  Prints one summary table of ratios against the goals.
# `make bench` builds first; run by hand: bench/run.sh [--quick] [--no-vm]
set -uo pipefail
cd "$(dirname "$0")/.."

REL=build/rel
VM=build/vm
quick=
novm=
for a in "$@"; do
  case "$a" in
    --quick) quick=--quick ;;
    --no-vm) novm=1 ;;
    -h|--help) sed -n '3,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done

for f in "$REL/host/dxghost" "$REL/bench/bench_roundtrip" "$REL/bench/bench_submit" "$REL/bench/bench_fair" \
         "$REL/bench/bench_compute" "$REL/bench/guest_bw" "$REL/bench/guest_compute"; do
  [ -x "$f" ] || { echo "run.sh: $f is missing: run 'make build' first" >&2; exit 1; }
done

work=$(mktemp -d /tmp/dxg-bench.XXXXXX)
host_pid=
cleanup() {
  if [ -n "$host_pid" ]; then kill -TERM "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

failed=0
step() {	# name, then the command; its output is shown and kept
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$work/$name.log"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    echo "run.sh: $name failed (exit $rc)" >&2
    failed=1
  fi
  echo
}

echo "opendxg benchmarks, $(date -u "+%Y-%m-%d %H:%M UTC"), $(nproc) CPUs, $(uname -r), load average $(cut -d" " -f1-3 /proc/loadavg)"
echo
step roundtrip "$REL/bench/bench_roundtrip" "$REL/host/dxghost" $quick
step submit "$REL/bench/bench_submit" "$REL/host/dxghost" $quick
step fair "$REL/bench/bench_fair" "$REL/host/dxghost" $quick
step fair-1p "$REL/bench/bench_fair" "$REL/host/dxghost" --isolation none $quick
step compute "$REL/bench/bench_compute" $quick

if [ -z "$novm" ]; then
  if [ ! -f driver/dxgkrnl.ko ]; then
    echo "run.sh: driver/dxgkrnl.ko is missing: guest bandwidth skipped" >&2
    failed=1
  else
    echo "== guest (booting a VM for guest_bw and guest_compute)"
    tools/vm/fetch-kernel.sh "$VM" >/dev/null
    guest=$work/guest
    mkdir -p "$guest/bin"
    cp "$REL/bench/guest_bw" "$REL/bench/guest_compute" "$guest/bin/"
    cat >"$guest/run" <<GUEST
set -e
insmod /lib/dxg/dxgkrnl.ko
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
guest_bw
guest_compute $quick
GUEST
    tools/vm/mkinitramfs.sh -o "$work/initrd-bench.cpio.gz" -m driver/dxgkrnl.ko \
      -d "$guest" >/dev/null
    "$REL/host/dxghost" --socket "$work/dxghost.sock" --quiet &
    host_pid=$!
    for _ in $(seq 100); do [ -S "$work/dxghost.sock" ] && break; sleep 0.1; done
    accel=$(tools/vm/kvm-cpu.sh >/dev/null && echo KVM || echo TCG)
    echo "   QEMU with $accel"
    tools/vm/run-vm.sh --initrd "$work/initrd-bench.cpio.gz" --run /opt/dxg/run \
      --ivshmem "$work/dxghost.sock" --timeout 180 >"$work/guest.console" 2>&1
    rc=$?
    # The guest's own lines (the console also carries the kernel's).
    grep -E '^(Guest bandwidth|Guest compute|  |RESULT|INFO|NOTE|guest_bw|guest_compute)' \
      "$work/guest.console" | tr -d '\r' | tee "$work/guest_bw.log"
    grep -E '^GUESTCOMPUTE' "$work/guest.console" | tr -d '\r' >"$work/guest_compute.txt"
    if [ $rc -ne 0 ] || ! grep -q 'guest_bw: OK' "$work/guest_bw.log" ||
       ! grep -q 'guest_compute: OK' "$work/guest_bw.log"; then
      echo "run.sh: the guest benchmarks failed (exit $rc); console tail:" >&2
      tail -20 "$work/guest.console" >&2
      failed=1
    fi
    sed -i "s/^RESULT guestbw /RESULT guestbw($accel) /; s/^INFO   guestbw /INFO   guestbw($accel) /" \
      "$work/guest_bw.log"
    kill -TERM "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; host_pid=
    echo
    # (d) as stated: the guest's figures against direct Vulkan, measured now.
    if [ -s "$work/guest_compute.txt" ]; then
      step guestcompute "$REL/bench/bench_compute" --guest "$work/guest_compute.txt" $quick
      sed -i "s/^RESULT compute  guest /RESULT compute($accel) guest /; s/^INFO   compute  guest /INFO   compute($accel) guest /" \
        "$work/guestcompute.log"
    fi
  fi
fi

# (e) the Vulkan driver: plain Vulkan programs in the Debian guest against
# the same programs on the host's device.
if [ -z "$novm" ]; then
  step icd bench/icd.sh $quick
fi

echo "== summary: ratios measured in this run against this machine's floors"
printf '%-16s %-30s %12s  %-16s %s\n' "benchmark" "figure" "measured" "goal" "verdict"
cat "$work"/*.log | tr -d '\r' | awk '
  /^(RESULT|INFO)/ {
    kind = $1; bench = $2
    # the figure is everything up to the measured value
    fig = ""; i = 3
    while (i <= NF && $i !~ /^[0-9.]+x?$/ && $i != "-") { fig = fig (fig ? " " : "") $i; i++ }
    val = $i; i++
    rest = ""; for (; i <= NF; i++) rest = rest (rest ? " " : "") $i
    goal = ""; verdict = rest
    if (rest ~ /^goal/) {
      split(rest, w, " "); goal = w[2] " " w[3]
      verdict = substr(rest, length(w[1] w[2] w[3]) + 4)
    }
    if (kind == "INFO") { goal = "(info)" }
    printf "%-16s %-30s %12s  %-16s %s\n", bench, fig, val, goal, verdict
  }'
grep -h '^NOTE' "$work"/*.log | tr -d '\r' | sed 's/^NOTE   /note: /'
[ $failed -eq 0 ] || { echo "run.sh: some benchmarks did not run" >&2; exit 1; }
exit 0
