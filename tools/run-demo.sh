#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: start dxghost, boot a Debian 12 guest under QEMU with a stock
# ivshmem-doorbell device attached to it, load dxgkrnl.ko in the guest and
# run there, on the host's Vulkan device: dxg-smi, dxg-demo and the compute
# samples through libdxg (verified, with throughput; the filter's PNG comes
# back as build/demo/filter.png), then through the opendxg Vulkan driver
# with Debian's Vulkan loader: vulkaninfo --summary, the same samples as
# plain Vulkan programs and VkFFT checked against FFTW.  Expects `make
# build` to have run (the README's `make demo` does both).  Exits non-zero
# if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '3,11s/^# \{0,1\}//p' "$0"; exit 0
fi

REL=build/rel
VM=build/vm
GUEST=$VM/demo
work=$(mktemp -d /tmp/dxg-demo.XXXXXX)
host_pid=
cleanup() {
  if [ -n "$host_pid" ]; then kill -TERM "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

for f in "$REL/host/dxghost" "$REL/tools/dxg-smi" "$REL/tools/dxg-demo" \
         "$REL/samples/dxg-samples" "$REL/samples/vulkan/vk-samples" \
         "$REL/samples/vulkan/vk-fft" "$REL/lib/vulkan/libvulkan_opendxg.so"; do
  [ -f "$f" ] || { echo "run-demo: $f is missing: run 'make build' first" >&2; exit 1; }
done
ko=$(scripts/build-module.sh --quiet) && [ -f "$ko" ] ||
  { echo "run-demo: building dxgkrnl.ko failed" >&2; exit 1; }

echo "== fetching Debian's guest kernel (once)"
tools/vm/fetch-kernel.sh "$VM"

rm -rf "$GUEST"; mkdir -p "$GUEST/bin"
cp "$REL/samples/vulkan/vk-samples" "$REL/samples/vulkan/vk-fft" "$GUEST/bin/"
cat >"$GUEST/run" <<'GUEST'
set -e
modprobe dxgkrnl
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/dxg ] && break; sleep 0.5; done
. /etc/os-release
echo "guest: $PRETTY_NAME, $(uname -r), /dev/dxg: $(ls -l /dev/dxg 2>&1)"
echo "guest\$ dxg-smi"
dxg-smi
echo "guest\$ dxg-demo"
dxg-demo
echo "guest\$ dxg-samples --out /tmp/filter.png"
rc=0
dxg-samples --out /tmp/filter.png || rc=$?
# The filter's image goes back to the host over the console.
if [ -s /tmp/filter.png ]; then
  echo "DXG-PNG-BEGIN filter.png"
  base64 /tmp/filter.png
  echo "DXG-PNG-END"
fi
# Vulkan programs nobody wrote for opendxg, through its Vulkan driver.
export XDG_RUNTIME_DIR=/tmp
echo "guest\$ vulkaninfo --summary"
vulkaninfo --summary 2>&1 | sed -n '/^Devices:/,$p' || rc=1
echo "guest\$ vk-samples"
vk-samples || rc=$?
echo "guest\$ vk-fft"
vk-fft || rc=$?
exit $rc
GUEST

echo "== the Debian guest (built once from Debian's packages, then cached)"
tools/vm/mkrootfs-debian.sh -o "$VM/debian.img" -i "$VM/initrd-debian.cpio.gz" \
  -k "$VM" -m "$ko" -b "$REL" -d "$GUEST"

echo "== starting dxghost (default adapter: the host's Vulkan device, lavapipe unless chosen otherwise)"
"$REL/host/dxghost" --socket "$work/dxghost.sock" --log-level info &
host_pid=$!
for _ in $(seq 100); do [ -S "$work/dxghost.sock" ] && break; sleep 0.1; done
[ -S "$work/dxghost.sock" ] || { echo "run-demo: dxghost did not start" >&2; exit 1; }

echo "== booting the guest (QEMU $(tools/vm/kvm-cpu.sh >/dev/null && echo KVM || echo TCG), ivshmem-doorbell -> dxghost)"
set +e
# The console is shown as it comes, except the PNG's base64 lines.
tools/vm/run-vm.sh --initrd "$VM/initrd-debian.cpio.gz" --root "$VM/debian.img" \
  --run /opt/dxg/run --ivshmem "$work/dxghost.sock" --timeout 900 --log "$work/console.log" |
  awk '/DXG-PNG-BEGIN/ { skip = 1; next } /DXG-PNG-END/ { skip = 0; next }
       /DXG-VM-EXIT/ { skip = 0 } !skip { print; fflush() }'
rc=${PIPESTATUS[0]}
set -e
mkdir -p build/demo
rm -f build/demo/filter.png
if tr -d '\r' <"$work/console.log" |
   sed -n '/^DXG-PNG-BEGIN/,/^DXG-PNG-END/{/^DXG-PNG-/d;p}' | base64 -d >"$work/filter.png" 2>/dev/null &&
   [ -s "$work/filter.png" ]; then
  cp "$work/filter.png" build/demo/filter.png
  echo "== the guest's filter image: build/demo/filter.png"
fi
if [ $rc -eq 0 ]; then
  echo "== demo: OK"
else
  echo "== demo: FAILED (guest exit status $rc)" >&2
fi
exit $rc
