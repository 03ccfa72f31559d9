#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Vulkan driver's benchmark (docs/performance.md, issue 9): the same
# plain Vulkan programs (samples/vulkan/) directly on the host's Vulkan
# device and, in the Debian guest, through the opendxg driver against
# dxghost on that device, in one run.  Prints for scripts (bench/run.sh):
#   RESULT icd <kernel> guest/host device time   goal <= 1.05x (kernels of 1 ms or more)
#   RESULT icd(KVM|TCG) <kernel> end-to-end guest/host, submit to fence wait
#          returned (the whole driver path; under TCG the guest's part is emulated)
#   INFO   icd <kernel> host-visible/device-local  (placement in the guest)
#   INFO   icd submissions round trip and pipelined, guest/host and per second
# Where two or more CPUs are allowed, the device's work (the direct programs,
# dxghost) runs on the last of them and QEMU on the others, with lavapipe on
# one thread either way: an emulated guest then cannot take CPU from the
# kernels it waits for, and both sides compute alike.  The two sides run
# in interleaved pairs of rounds (the guest sleeps while the host runs its
# round, then runs its own), and each ratio is the median over the pairs:
# a shared machine's speed drifts by tens of percent over minutes, which
# only measurements seconds apart cancel.
# Usage: bench/icd.sh [--quick] [--no-pin] [--rounds N]   (default 5 pairs;
#        after make build; boots a VM)
set -uo pipefail
cd "$(dirname "$0")/.."

REL=build/rel
VM=build/vm
quick=
pin=1
rounds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=--quick ;;
    --no-pin) pin= ;;
    --rounds)
      rounds=${2:-}; shift
      case "$rounds" in ''|*[!0-9]*|0) echo "icd.sh: --rounds needs a count" >&2; exit 2 ;; esac ;;
    -h|--help) sed -n '3,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "icd.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

# The CPUs this script may use, one per line ("0-3,6" expanded).
allowed_cpus() {
  awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status | tr ',' '\n' |
    awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }'
}
dev_run=()
emu_run=()
placement="not pinned"
if [ -n "$pin" ] && command -v taskset >/dev/null; then
  mapfile -t cpus < <(allowed_cpus)
  if [ "${#cpus[@]}" -ge 2 ]; then
    dev_cpu=${cpus[-1]}
    emu_cpus=$(IFS=,; echo "${cpus[*]:0:${#cpus[@]}-1}")
    dev_run=(taskset -c "$dev_cpu" env LP_NUM_THREADS=1)
    emu_run=(taskset -c "$emu_cpus")
    placement="device work on CPU $dev_cpu (lavapipe 1 thread), QEMU on CPU $emu_cpus"
  fi
fi

lvp=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
for f in "$REL/samples/vulkan/vk-samples" "$REL/samples/vulkan/vk-submit" "$REL/host/dxghost" "$lvp"; do
  [ -e "$f" ] || { echo "icd.sh: $f is missing (make build; mesa-vulkan-drivers)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/dxg-icd.XXXXXX)
host_pid=
cleanup() {
  if [ -n "$host_pid" ]; then kill -TERM "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# One direct round: the kernels on the device itself, into $work/host-$1.txt.
direct() { # round
  VK_DRIVER_FILES=$lvp "${dev_run[@]}" "$REL/samples/vulkan/vk-samples" $quick >"$work/host-$1.txt" 2>&1 ||
    { cat "$work/host-$1.txt"; echo "icd.sh: vk-samples failed on the host" >&2; return 1; }
}
VK_DRIVER_FILES=$lvp "${dev_run[@]}" "$REL/samples/vulkan/vk-submit" $quick >"$work/host-submit.txt" 2>&1 ||
  { cat "$work/host-submit.txt"; echo "icd.sh: vk-submit failed on the host" >&2; exit 1; }
# How long the guest waits for each direct round (a quick one is shorter).
direct 0 || exit 1		# a warm-up, which also times a round
t0=$(date +%s%N)
direct 0 || exit 1
window=$(( ($(date +%s%N) - t0) / 1000000000 * 2 + 3 ))

# Guest: the same programs through the opendxg driver.  Round k: the guest
# says ICDPAUSE k and sleeps while the host runs direct round k, then runs
# its own round k, so each pair is measured within seconds of each other.
ko=$(scripts/build-module.sh --quiet) || { echo "icd.sh: dxgkrnl.ko does not build" >&2; exit 1; }
tools/vm/fetch-kernel.sh "$VM" >/dev/null
g=$work/guest
mkdir -p "$g/bin"
cp "$REL/samples/vulkan/vk-samples" "$REL/samples/vulkan/vk-submit" "$g/bin/"
cat >"$g/run" <<GUEST
set -e
modprobe dxgkrnl
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
vk-samples $quick >/dev/null	# warm-up
for k in \$(seq $rounds); do
  echo "ICDPAUSE \$k"
  sleep $window
  echo "ICDRUN device-local-\$k"
  vk-samples $quick
done
echo "ICDRUN host-visible"
vk-samples $quick --host-memory
echo "ICDRUN submit"
vk-submit $quick
GUEST
tools/vm/mkrootfs-debian.sh -o "$VM/debian.img" -i "$VM/initrd-debian.cpio.gz" \
  -k "$VM" -m "$ko" -b "$REL" -d "$g" >"$work/mkroot.log" 2>&1 ||
  { cat "$work/mkroot.log"; echo "icd.sh: the Debian guest does not build" >&2; exit 1; }
"${dev_run[@]}" "$REL/host/dxghost" --socket "$work/dxghost.sock" --quiet &
host_pid=$!
for _ in $(seq 100); do [ -S "$work/dxghost.sock" ] && break; sleep 0.1; done
accel=$(tools/vm/kvm-cpu.sh >/dev/null && echo KVM || echo TCG)
: >"$work/console.log"
"${emu_run[@]}" tools/vm/run-vm.sh --initrd "$VM/initrd-debian.cpio.gz" --root "$VM/debian.img" \
  --run /opt/dxg/run --ivshmem "$work/dxghost.sock" --timeout 900 \
  --log "$work/console.log" >/dev/null 2>&1 &
vm_pid=$!
late=0
for k in $(seq "$rounds"); do
  until grep -q "ICDPAUSE $k" "$work/console.log" 2>/dev/null; do
    kill -0 "$vm_pid" 2>/dev/null || break 2
    sleep 0.2
  done
  t0=$(date +%s%N)
  direct "$k" || { kill "$vm_pid" 2>/dev/null; exit 1; }
  [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt "$window" ] || late=$((late + 1))
done
wait "$vm_pid"
rc=$?
tr -d '\r' <"$work/console.log" >"$work/guest.txt"
if [ $rc -ne 0 ]; then
  tail -n 30 "$work/guest.txt" >&2
  echo "icd.sh: the guest run failed (exit $rc)" >&2
  exit 1
fi
kill -TERM "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; host_pid=
echo "icd: host's device: $(sed -n 's/^vk-samples: device 0: //p' "$work/host-1.txt" | head -n1); QEMU with $accel; $placement; $rounds interleaved pairs of rounds (${window} s windows)"
[ "$late" = 0 ] || echo "icd: $late direct rounds outlasted their window: those pairs overlap"

# "<kernel> <best device ms> <best submit-to-wait ms>" from a vk-samples
# output (section @2 of the guest's).
times() { # file [section]
  awk -v want="${2:-}" '
    /^ICDRUN / { sec = $2 }
    (want == "" || sec == want) && / device time / {
      k = $1; sub(":", "", k); d = ""; w = ""
      for (i = 1; i <= NF; i++) {
        if ($i == "time" && d == "") d = $(i + 1)
        if ($i == "wait") w = $(i + 1)
      }
      print k, d, w
    }' "$1"
}
# Per pair and kernel: "<kernel> <host device> <host wait> <guest device> <guest wait>".
for k in $(seq "$rounds"); do
  times "$work/host-$k.txt" | sort >"$work/h"
  times "$work/guest.txt" "device-local-$k" | sort >"$work/g"
  join "$work/h" "$work/g"
done >"$work/pairs"
[ -s "$work/pairs" ] || { echo "icd.sh: no paired figures" >&2; exit 1; }
times "$work/guest.txt" host-visible | sort >"$work/gh"
# The median over pairs of each ratio (and its range), kernel by kernel.
for kern in $(awk '{ print $1 }' "$work/pairs" | sort -u); do
  awk -v k="$kern" -v acc="$accel" '
    function med(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == k { n++; d[n] = $4 / $2; e[n] = $5 / $3; h[n] = $2; hw[n] = $3; gd[n] = $4 }
    END {
      hd = med(h, n); hwm = med(hw, n); g = med(gd, n)
      r = med(d, n); lo = d[1]; hi = d[n]
      if (hd >= 1.0)
        printf "RESULT icd      %-28s %6.3fx  goal <= 1.05x  %s (median of %d pairs, %.3f-%.3f)\n",
               k " guest/host", r, r <= 1.05 ? "ok" : "over", n, lo, hi
      else
        printf "INFO   icd      %-28s %6.3fx  (kernel under 1 ms: %.3f ms)\n", k " guest/host", r, hd
      x = med(e, n); lo = e[1]; hi = e[n]
      if (hwm >= 1.0)
        printf "RESULT icd%-5s %-28s %6.3fx  goal <= 1.05x  %s (submit to wait, median of %d pairs, %.3f-%.3f)\n",
               "(" acc ")", k " end-to-end g/h", x, x <= 1.05 ? "ok" : "over", n, lo, hi
      else
        printf "INFO   icd%-5s %-28s %6.3fx  (submit to wait, median of %d pairs)\n",
               "(" acc ")", k " end-to-end g/h", x, n
      print "DEVLOCAL", k, g
    }' "$work/pairs"
done >"$work/ratios"
grep -v '^DEVLOCAL' "$work/ratios"
# Placement (information): host-visible against the device-local rounds.
awk '$1 == "DEVLOCAL" { print $2, $3 }' "$work/ratios" | sort | join - "$work/gh" |
  while read -r k gd gh _; do
    awk -v k="$k" -v gd="$gd" -v gh="$gh" 'BEGIN {
      printf "INFO   icd      %-28s %6.3fx  (device-local %.3f ms, host-visible %.3f ms)\n",
             k " hostvis/devlocal", gh / gd, gd, gh }'
  done
for mode in round-trip pipelined; do
  h=$(awk -v m="$mode" '$1 == "VKSUBMIT" && $2 == m { print $3 }' "$work/host-submit.txt")
  gs=$(awk -v m="$mode" '$1 == "VKSUBMIT" && $2 == m { print $3 }' "$work/guest.txt")
  [ -n "$h" ] && [ -n "$gs" ] || { echo "icd.sh: no submission figures" >&2; exit 1; }
  awk -v m="$mode" -v h="$h" -v g="$gs" 'BEGIN {
    printf "INFO   icd      %-28s %6.3fx  (guest %.0f/s, host %.0f/s)\n", "submit " m " guest/host", g / h, g, h
  }'
done
