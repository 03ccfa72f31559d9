# SPDX-License-Identifier: MIT
# Guest side of the Vulkan scenario: Debian's Vulkan loader and vulkaninfo
# (the root overlay, tests/vm/vulkan/mkroot.sh) with only the opendxg ICD
# visible, against dxghost's default Vulkan adapter (lavapipe).
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
host_stat() { cat /sys/bus/pci/devices/*/"$1" 2>/dev/null | head -n1; }

t "insmod" "insmod /lib/dxg/dxgkrnl.ko"
for _ in $(seq 50); do [ -c /dev/dxg ] && break; sleep 0.2; done
t "/dev/dxg appears" "[ -c /dev/dxg ]"
export VK_DRIVER_FILES=/opt/dxg/icd/opendxg_icd.json
# vulkaninfo's window-system libraries complain without it (no display here).
export XDG_RUNTIME_DIR=/tmp
name=$(dxg-smi | sed -n 's/^Adapter 0: //p')
echo "# host adapter: $name"

test_odx_icd "$name" || r=1
test_odx_compute || r=1

vulkaninfo --summary >/tmp/vi-summary.txt 2>&1
vrc=$?
sed 's/^/# /' /tmp/vi-summary.txt | head -n 60
t "vulkaninfo --summary runs clean" "[ $vrc = 0 ] && ! grep -qiE 'error|failed' /tmp/vi-summary.txt"
t "vulkaninfo lists the host's device by name" "grep -qF \"deviceName         = $name\" /tmp/vi-summary.txt"
vulkaninfo >/tmp/vi-full.txt 2>&1
vrc=$?
echo "# vulkaninfo (full): $(wc -l </tmp/vi-full.txt) lines, exit $vrc"
[ $vrc = 0 ] || tail -n 20 /tmp/vi-full.txt | sed 's/^/# /'
t "vulkaninfo (everything) runs clean" "[ $vrc = 0 ]"
t "vulkaninfo shows the host's limits" "grep -q 'maxComputeWorkGroupInvocations' /tmp/vi-full.txt"
grep -A3 'queueFlags' /tmp/vi-full.txt | sed 's/^/# /'
t "vulkaninfo shows one compute queue family, no graphics" "grep 'queueFlags' /tmp/vi-full.txt | grep -q COMPUTE && ! grep 'queueFlags' /tmp/vi-full.txt | grep -q GRAPHICS"

t "no host processes left" "[ \"\$(host_stat dxg_host_processes)\" = 0 ]"
t "rmmod" "rmmod dxgkrnl"
if dmesg | grep -E 'WARNING|BUG|Oops|leak|INFO: possible|UBSAN|KASAN'; then
  echo "FAIL kernel log clean"; r=1
else
  echo "PASS kernel log clean"
fi
exit $r
