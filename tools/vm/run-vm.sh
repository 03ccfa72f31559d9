#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-vm.sh - boot a test initramfs (and, with --root, the Debian root disk
# it mounts) in QEMU and return the guest script's exit code.

set -euo pipefail

PROG=${0##*/}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QEMU=${QEMU:-qemu-system-x86_64}

usage() {
	cat <<EOF
Usage: $PROG [options] [-- EXTRA KERNEL CMDLINE...]

Boot QEMU (no network; no disk unless --root) with a kernel and an initramfs
built by mkinitramfs.sh, stream the serial console to stdout, and exit with
the code the guest printed as 'DXG-VM-EXIT <rc>'.

Options:
  --kernel FILE     kernel image (default: $REPO_ROOT/build/vm/vmlinuz,
                    see fetch-kernel.sh)
  --initrd FILE     initramfs (required)
  --run PATH        guest script to run, passed as dxg.run=PATH
                    (default: the init's default, /opt/dxg/run)
  --root IMAGE      boot into the root filesystem IMAGE (ext4, made by
                    mkrootfs-debian.sh with its initramfs): a virtio disk
                    (/dev/vda) with snapshot=on, so the guest's writes are
                    thrown away and several guests may share IMAGE; the
                    initramfs mounts it and switches to it (dxg.root=/dev/vda)
  --ivshmem SOCKET  attach an ivshmem-doorbell device (vectors=2) served by the
                    ivshmem server at unix socket SOCKET; repeatable, devices
                    are added in order
  --mem MB          guest memory (default 512)
  --no-shared-ram   keep guest RAM private to QEMU; by default it is a
                    memory-backend-memfd with share=on, which dxghost maps
                    for existing-sysmem allocations (docs/memory.md §11)
  --smp N           guest CPUs (default 2)
  --timeout SECS    kill QEMU after SECS seconds (default 300)
  --log FILE        also write the console to FILE (default: a temp file,
                    removed on exit)
  --accel kvm|tcg   force an accelerator (default: kvm if a KVM guest can
                    start here, tools/vm/kvm-cpu.sh; else tcg)
  -h, --help

Exit status:
  N    the guest script's exit code from the 'DXG-VM-EXIT N' line
  124  timeout (and no DXG-VM-EXIT line)
  125  QEMU ended without printing a DXG-VM-EXIT line (boot failure, panic,
       QEMU error)
  125  also: the VM could not be started (missing kernel/initrd/image/socket,
       no QEMU)
  2    usage error (bad option); note a guest script may also exit 2

Environment:
  QEMU              QEMU binary (default qemu-system-x86_64)
  DXG_QEMU_ARGS     extra QEMU arguments (word-split)
EOF
}

# Usage errors exit 2; problems that keep the VM from running exit 125, the
# same as a VM that never reports, so callers need only special-case 124/125.
usage_err() { echo "$PROG: error: $*" >&2; exit 2; }
die() { echo "$PROG: error: $*" >&2; exit 125; }

kernel=$REPO_ROOT/build/vm/vmlinuz
initrd=
run=
rootimg=
socks=()
mem=512
smp=2
timeout_s=300
logfile=
accel=
shared_ram=1
extra=()

need_arg() { [ "$2" -ge 2 ] || usage_err "$1 needs an argument"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--kernel)  need_arg "$1" $#; kernel=$2; shift 2 ;;
	--initrd)  need_arg "$1" $#; initrd=$2; shift 2 ;;
	--run)     need_arg "$1" $#; run=$2; shift 2 ;;
	--root)    need_arg "$1" $#; rootimg=$2; shift 2 ;;
	--ivshmem) need_arg "$1" $#; socks+=("$2"); shift 2 ;;
	--mem)     need_arg "$1" $#; mem=$2; shift 2 ;;
	--smp)     need_arg "$1" $#; smp=$2; shift 2 ;;
	--timeout) need_arg "$1" $#; timeout_s=$2; shift 2 ;;
	--log)     need_arg "$1" $#; logfile=$2; shift 2 ;;
	--accel)   need_arg "$1" $#; accel=$2; shift 2 ;;
	--no-shared-ram) shared_ram=; shift ;;
	--kernel=*|--initrd=*|--run=*|--root=*|--ivshmem=*|--mem=*|--smp=*|--timeout=*|--log=*|--accel=*)
		opt=${1%%=*}; val=${1#*=}; shift; set -- "$opt" "$val" "$@" ;;
	--) shift; extra=("$@"); break ;;
	*) usage >&2; usage_err "unknown argument '$1' (put kernel cmdline words after --)" ;;
	esac
done

# positive decimal integer without leading zeros
ispos() { case "$1" in ''|0*|*[!0-9]*) return 1 ;; esac; }
ispos "$mem" || usage_err "--mem must be a positive number of MiB"
ispos "$smp" || usage_err "--smp must be a positive number"
ispos "$timeout_s" || usage_err "--timeout must be a positive number of seconds"
case "$run" in *[[:space:]]*) usage_err "--run PATH must not contain whitespace" ;; esac

command -v "$QEMU" >/dev/null || die "'$QEMU' not found (apt-get install qemu-system-x86)"
command -v timeout >/dev/null || die "'timeout' not found (coreutils)"
[ -n "$initrd" ] || { usage >&2; usage_err "--initrd FILE is required (build one with tools/vm/mkinitramfs.sh)"; }
[ -f "$initrd" ] || die "initrd '$initrd' not found"
[ -f "$kernel" ] || die "kernel '$kernel' not found (run tools/vm/fetch-kernel.sh)"
if [ -n "$rootimg" ]; then
	[ -f "$rootimg" ] || die "root image '$rootimg' not found (build it with tools/vm/mkrootfs-debian.sh)"
	case "$rootimg" in *,*) die "root image path '$rootimg' must not contain a comma" ;; esac
fi
for s in ${socks[@]+"${socks[@]}"}; do
	[ -e "$s" ] || die "ivshmem socket '$s' does not exist (is the ivshmem server / dxghost running?)"
	[ -S "$s" ] || die "ivshmem socket '$s' is not a unix socket"
	case "$s" in *,*) die "ivshmem socket path '$s' must not contain a comma" ;; esac
done

# --- accelerator -----------------------------------------------------------------
# The CPU model KVM can start with here (nested hosts refuse some MSRs).
kvm_cpu=$("$(dirname "$0")/kvm-cpu.sh" "$kernel") || kvm_cpu=
if [ -z "$accel" ]; then
	if [ -n "$kvm_cpu" ]; then
		accel=kvm
	else
		accel=tcg
	fi
fi
case "$accel" in
kvm) accel_args=(-accel kvm -cpu "${kvm_cpu:-host}") ;;
# 'max' enables every feature TCG emulates; measured to boot as fast as
# qemu64 while giving the guest a modern CPU (x2apic, pcid, ...).
tcg) accel_args=(-accel tcg -cpu max) ;;
*) usage_err "--accel must be kvm or tcg" ;;
esac

# --- kernel command line -----------------------------------------------------------
cmdline="console=ttyS0 panic=-1 quiet loglevel=4"
[ -z "$run" ] || cmdline+=" dxg.run=$run"
[ -z "$rootimg" ] || cmdline+=" dxg.root=/dev/vda"
[ ${#extra[@]} -eq 0 ] || cmdline+=" ${extra[*]}"

# Guest RAM in a memfd QEMU shares, so that dxghost can map it (it finds
# the memfd through QEMU's /proc/PID/fd and verifies the layout with the
# guest before it uses it).
if [ -n "$shared_ram" ]; then
	ram_args=(-object "memory-backend-memfd,id=dxg-ram,size=${mem}M,share=on"
		  -machine pc,memory-backend=dxg-ram)
else
	ram_args=(-machine pc)
fi

dev_args=()
# The root disk first, so that it is /dev/vda.  snapshot=on: writes go to a
# temporary file QEMU deletes on exit.
[ -z "$rootimg" ] ||
	dev_args+=(-drive "file=$rootimg,format=raw,if=virtio,snapshot=on")
i=0
for s in ${socks[@]+"${socks[@]}"}; do
	dev_args+=(-chardev "socket,path=$s,id=dxg$i"
		   -device "ivshmem-doorbell,chardev=dxg$i,vectors=2")
	i=$((i + 1))
done

# shellcheck disable=SC2206
user_args=(${DXG_QEMU_ARGS:-})

tmplog=
if [ -z "$logfile" ]; then
	tmplog=$(mktemp "${TMPDIR:-/tmp}/dxg-vm.XXXXXX.log")
	logfile=$tmplog
fi
trap '[ -z "$tmplog" ] || rm -f "$tmplog"' EXIT
: >"$logfile" || die "cannot write log file '$logfile'"

qemu_cmd=("$QEMU"
	-nodefaults -no-user-config
	"${ram_args[@]}" "${accel_args[@]}"
	-m "$mem" -smp "$smp"
	-display none -monitor none -serial stdio
	-nic none
	-no-reboot
	-kernel "$kernel" -initrd "$initrd"
	-append "$cmdline"
	${dev_args[@]+"${dev_args[@]}"}
	${user_args[@]+"${user_args[@]}"})

echo "$PROG: accel=$accel mem=${mem}M${shared_ram:+ (shared memfd)} smp=$smp timeout=${timeout_s}s log=$logfile" >&2
echo "$PROG: cmdline: $cmdline" >&2

start=$SECONDS
set +e
# stdin from /dev/null: QEMU must not grab (or put into raw mode) a terminal.
# -k: if QEMU ignores SIGTERM, SIGKILL it 5s later.  --foreground keeps QEMU
# in our process group so that Ctrl-C on the terminal reaches it.
timeout --foreground -k 5 "$timeout_s" "${qemu_cmd[@]}" </dev/null 2>&1 | tee -a "$logfile"
st=("${PIPESTATUS[@]}")
set -e
qemu_rc=${st[0]}
elapsed=$((SECONDS - start))

line=$(tr -d '\r' <"$logfile" | grep -aoE 'DXG-VM-EXIT [0-9]+' | tail -n1 || true)
if [ -n "$line" ]; then
	rc=${line#DXG-VM-EXIT }
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		echo "$PROG: warning: guest finished but QEMU did not power off; killed after ${timeout_s}s" >&2
	elif [ "$qemu_rc" -ne 0 ]; then
		echo "$PROG: warning: QEMU exited with status $qemu_rc" >&2
	fi
	echo "$PROG: guest exit code $rc after ${elapsed}s" >&2
	exit $((rc > 255 ? 255 : rc))
fi
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	tmplog=  # keep the log for inspection
	echo "$PROG: error: timeout after ${timeout_s}s without DXG-VM-EXIT (log kept: $logfile)" >&2
	exit 124
fi
tmplog=  # keep the log for inspection
echo "$PROG: error: QEMU exited (status $qemu_rc) after ${elapsed}s without a DXG-VM-EXIT line" \
	"(boot failure, kernel panic or QEMU error; log kept: $logfile)" >&2
exit 125
