# SPDX-License-Identifier: MIT
# Guest side of the Vulkan scenario, in the Debian guest
# (tools/vm/mkrootfs-debian.sh): Debian's Vulkan loader, vulkaninfo and
# validation layer with the opendxg ICD installed as its package would be
# (the only driver the loader finds), against dxghost's default Vulkan
# adapter (lavapipe).
. /opt/dxg/scenarios/kernel-log.sh
kernel_checks_begin
r=0
t() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; r=1; fi; }
host_stat() { cat /sys/bus/pci/devices/*/"$1" 2>/dev/null | head -n1; }

t "only the opendxg driver is installed" "[ \"\$(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | grep json)\" = opendxg_icd.x86_64.json ]"
t "modprobe dxgkrnl" "modprobe dxgkrnl"
for _ in $(seq 50); do [ -c /dev/dxg ] && break; sleep 0.2; done
t "/dev/dxg appears" "[ -c /dev/dxg ]"
# vulkaninfo's window-system libraries complain without it (no display here).
export XDG_RUNTIME_DIR=/tmp
name=$(dxg-smi | sed -n 's/^Adapter 0: //p')
echo "# host adapter: $name"

test_odx_icd "$name" || r=1
test_odx_compute || r=1
test_odx_limits || r=1
test_odx_hostmem || r=1
test_odx_syncfd || r=1
test_odx_memfd || r=1
test_odx_bda || r=1
test_odx_descriptors || r=1
test_odx_objects || r=1
test_odx_inline || r=1
test_odx_texel || r=1
test_odx_image || r=1
test_odx_sampler || r=1
test_odx_mips || r=1
test_odx_views || r=1
test_odx_formats || r=1

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

# The validation layer (later tests run under it): it loads with our driver.
VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation VK_LOADER_DEBUG=layer \
  vulkaninfo --summary >/tmp/vi-layer.txt 2>&1
vrc=$?
grep -m1 'Insert instance layer' /tmp/vi-layer.txt | sed 's/^/# /'
t "vulkaninfo runs clean under the validation layer" "[ $vrc = 0 ] && ! grep -qiE 'error|failed' /tmp/vi-layer.txt"
t "the validation layer is loaded and the device listed" "grep -q 'Insert instance layer.*VK_LAYER_KHRONOS_validation' /tmp/vi-layer.txt && grep -qF \"deviceName         = $name\" /tmp/vi-layer.txt"

# Under the validation layer: the ICD's own compute test (zero messages),
# then programs nobody wrote for opendxg: the samples as plain Vulkan,
# VkFFT checked against FFTW, and the submission rate.  Each fails on any
# validation warning or error and on any wrong result.
ODX_DEBUG=1 ODX_VALIDATE=1 test_odx_compute >/tmp/odx-val.txt 2>&1 || r=1
grep opendxg: /tmp/odx-val.txt | sed "s/^/# /"
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-val.txt
# The sync-file test too (exports, imports, the GPU and the CPU waits).
ODX_VALIDATE=1 test_odx_syncfd >/tmp/odx-sfd-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-sfd-val.txt
# Memory by fd too (export, import in another process, both ways).
ODX_VALIDATE=1 test_odx_memfd >/tmp/odx-mfd-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-mfd-val.txt
# Buffer device addresses too.
ODX_VALIDATE=1 test_odx_bda >/tmp/odx-bda-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-bda-val.txt
# Descriptor arrays too.
ODX_VALIDATE=1 test_odx_descriptors >/tmp/odx-desc-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-desc-val.txt
# Private data and the device-group commands too.
ODX_VALIDATE=1 test_odx_objects >/tmp/odx-obj-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-obj-val.txt
# Inline uniform blocks too.
ODX_VALIDATE=1 test_odx_inline >/tmp/odx-inl-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-inl-val.txt
# Texel buffers too.
ODX_VALIDATE=1 test_odx_texel >/tmp/odx-texel-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-texel-val.txt
# Storage images too.
ODX_VALIDATE=1 test_odx_image >/tmp/odx-image-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-image-val.txt
# Sampled images and samplers too.
ODX_VALIDATE=1 test_odx_sampler >/tmp/odx-smp-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-smp-val.txt
# Mipmapped and layered images too.
ODX_VALIDATE=1 test_odx_mips >/tmp/odx-mips-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-mips-val.txt
# Views of several layers, slices and levels too.
ODX_VALIDATE=1 test_odx_views >/tmp/odx-views-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-views-val.txt
# Image formats' clears too.
ODX_VALIDATE=1 test_odx_formats >/tmp/odx-fmt-val.txt 2>&1 || r=1
sed 's/^PASS /PASS validated: /; s/^FAIL /FAIL validated: /' /tmp/odx-fmt-val.txt
for p in "vk-samples all --quick" "vk-fft --quick" "vk-submit --quick"; do
  $p --validate >/tmp/prog.txt 2>&1
  prc=$?
  sed 's/^/# /' /tmp/prog.txt
  t "$p (validation layer on): every result correct, no message" "[ $prc = 0 ]"
done
t "device memory back to 0 after the programs" "[ \"\$(host_stat dxg_host_device_memory_used)\" = 0 ]"

t "no host processes left" "[ \"\$(host_stat dxg_host_processes)\" = 0 ]"
t "modprobe -r dxgkrnl" "modprobe -r dxgkrnl"
kernel_log_clean
exit $r
