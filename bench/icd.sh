#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Vulkan driver's benchmark (docs/performance.md, issue 9): the same
# plain Vulkan programs (samples/vulkan/) directly on the host's Vulkan
# device and, in the Debian guest, through the opendxg driver against
# dxghost on that device, in one run.  Prints for scripts (bench/run.sh):
#   RESULT icd <kernel> guest/host device time   goal <= 1.05x (kernels of 1 ms or more)
#   INFO   icd <kernel> host-visible/device-local  (placement in the guest)
#   INFO   icd submissions round trip and pipelined, guest/host and per second
# Usage: bench/icd.sh [--quick]   (after make build; boots a VM)
set -uo pipefail
cd "$(dirname "$0")/.."

REL=build/rel
VM=build/vm
quick=
[ "${1:-}" = "--quick" ] && quick=--quick
case "${1:-}" in -h|--help) sed -n '3,10s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

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

# Host: the programs on the device directly.
VK_DRIVER_FILES=$lvp "$REL/samples/vulkan/vk-samples" $quick >"$work/host.txt" 2>&1 ||
  { cat "$work/host.txt"; echo "icd.sh: vk-samples failed on the host" >&2; exit 1; }
VK_DRIVER_FILES=$lvp "$REL/samples/vulkan/vk-submit" $quick >"$work/host-submit.txt" 2>&1 ||
  { cat "$work/host-submit.txt"; echo "icd.sh: vk-submit failed on the host" >&2; exit 1; }

# Guest: the same programs through the opendxg driver.
ko=$(scripts/build-module.sh --quiet) || { echo "icd.sh: dxgkrnl.ko does not build" >&2; exit 1; }
tools/vm/fetch-kernel.sh "$VM" >/dev/null
g=$work/guest
mkdir -p "$g/bin"
cp "$REL/samples/vulkan/vk-samples" "$REL/samples/vulkan/vk-submit" "$g/bin/"
cat >"$g/run" <<GUEST
set -e
modprobe dxgkrnl
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
echo "ICDRUN device-local"
vk-samples $quick
echo "ICDRUN host-visible"
vk-samples $quick --host-memory
echo "ICDRUN submit"
vk-submit $quick
GUEST
tools/vm/mkrootfs-debian.sh -o "$VM/debian.img" -i "$VM/initrd-debian.cpio.gz" \
  -k "$VM" -m "$ko" -b "$REL" -d "$g" >"$work/mkroot.log" 2>&1 ||
  { cat "$work/mkroot.log"; echo "icd.sh: the Debian guest does not build" >&2; exit 1; }
"$REL/host/dxghost" --socket "$work/dxghost.sock" --quiet &
host_pid=$!
for _ in $(seq 100); do [ -S "$work/dxghost.sock" ] && break; sleep 0.1; done
accel=$( [ -w /dev/kvm ] && echo KVM || echo TCG )
tools/vm/run-vm.sh --initrd "$VM/initrd-debian.cpio.gz" --root "$VM/debian.img" \
  --run /opt/dxg/run --ivshmem "$work/dxghost.sock" --timeout 900 \
  --log "$work/console.log" >/dev/null 2>&1
rc=$?
tr -d '\r' <"$work/console.log" >"$work/guest.txt"
if [ $rc -ne 0 ]; then
  tail -n 30 "$work/guest.txt" >&2
  echo "icd.sh: the guest run failed (exit $rc)" >&2
  exit 1
fi
echo "icd: host's device: $(sed -n 's/^vk-samples: device 0: //p' "$work/host.txt" | head -n1); QEMU with $accel"

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
times "$work/host.txt" >"$work/h"
times "$work/guest.txt" device-local >"$work/gd"
times "$work/guest.txt" host-visible >"$work/gh"
join "$work/h" "$work/gd" | join - "$work/gh" | while read -r k h hw gd gdw gh ghw; do
  awk -v k="$k" -v h="$h" -v hw="$hw" -v gd="$gd" -v gdw="$gdw" -v gh="$gh" 'BEGIN {
    r = gd / h
    if (h >= 1.0)
      printf "RESULT icd      %-28s %6.3fx  goal <= 1.05x  %s\n", k " guest/host", r,
             r <= 1.05 ? "ok" : "over"
    else
      printf "INFO   icd      %-28s %6.3fx  (kernel under 1 ms: %.3f ms)\n", k " guest/host", r, h
    printf "INFO   icd      %-28s %6.3fx  (submit to wait: guest %.3f ms, host %.3f ms)\n",
           k " end-to-end g/h", gdw / hw, gdw, hw
    printf "INFO   icd      %-28s %6.3fx  (device-local %.3f ms, host-visible %.3f ms)\n",
           k " hostvis/devlocal", gh / gd, gd, gh
  }'
done
for mode in round-trip pipelined; do
  h=$(awk -v m="$mode" '$1 == "VKSUBMIT" && $2 == m { print $3 }' "$work/host-submit.txt")
  gs=$(awk -v m="$mode" '$1 == "VKSUBMIT" && $2 == m { print $3 }' "$work/guest.txt")
  [ -n "$h" ] && [ -n "$gs" ] || { echo "icd.sh: no submission figures" >&2; exit 1; }
  awk -v m="$mode" -v h="$h" -v g="$gs" 'BEGIN {
    printf "INFO   icd      %-28s %6.3fx  (guest %.0f/s, host %.0f/s)\n", "submit " m " guest/host", g / h, g, h
  }'
done
