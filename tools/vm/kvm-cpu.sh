#!/bin/bash
# SPDX-License-Identifier: MIT
# Prints the QEMU -cpu model a KVM guest boots with on this machine, or
# exits 1 (and prints nothing) when KVM cannot be used: no /dev/kvm, no
# access to it, or no CPU model that boots a kernel.  Callers then use TCG.
#
# Why a probe: under nested virtualization (a cloud VM) the outer
# hypervisor may refuse what KVM asks of it.  Seen here: QEMU 7.2 aborts at
# the first vCPU reset with '-cpu host' ("failed to set MSR 0x10a",
# IA32_ARCH_CAPABILITIES), and without that MSR the guest starts but never
# prints a line.  So the probe boots KERNEL with no root file system and
# waits for its panic (the kernel got through its whole start), for each
# model in turn.  The answer is kept for the machine's boot in
# ${XDG_RUNTIME_DIR:-/tmp} (a new boot asks again).
#
# Usage: tools/vm/kvm-cpu.sh [KERNEL]   (default build/vm/vmlinuz; without
#        a kernel there, only QEMU's start is probed)
set -u

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kernel=${1:-$REPO_ROOT/build/vm/vmlinuz}
qemu=${QEMU:-qemu-system-x86_64}

[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || exit 1
command -v "$qemu" >/dev/null || exit 1

boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
cache=${XDG_RUNTIME_DIR:-/tmp}/dxg-kvm-cpu.$boot
[ -f "$kernel" ] || cache=$cache.nokernel
if [ -s "$cache" ]; then
	cpu=$(cat "$cache")
	[ "$cpu" != none ] || exit 1
	echo "$cpu"
	exit 0
fi

# One model: does a guest of it reach the kernel's panic (or, with no
# kernel, does QEMU create and reset its vCPUs)?
boots() {
	if [ -f "$kernel" ]; then
		timeout 60 "$qemu" -accel kvm -cpu "$1" -nodefaults -no-user-config \
			-display none -monitor none -serial stdio -no-reboot -m 256 \
			-kernel "$kernel" -append "console=ttyS0 panic=-1 loglevel=4" \
			2>/dev/null | grep -q -m1 'Kernel panic'
	else
		echo quit | timeout 30 "$qemu" -accel kvm -cpu "$1" -S -nodefaults \
			-display none -monitor stdio -m 64 >/dev/null 2>&1
	fi
}

found=none
for cpu in host host,arch-capabilities=off; do
	# The subshell keeps bash's own "Aborted" report off stderr.
	if (boots "$cpu") 2>/dev/null; then
		found=$cpu
		break
	fi
done
echo "$found" >"$cache.$$" && mv -f "$cache.$$" "$cache"
[ "$found" != none ] || exit 1
echo "$found"
