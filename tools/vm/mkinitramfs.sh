#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkinitramfs.sh - build a minimal busybox initramfs for opendxg VM tests.

set -euo pipefail

PROG=${0##*/}
BUSYBOX=${BUSYBOX:-/bin/busybox}

usage() {
	cat <<EOF
Usage: $PROG -o OUT.cpio.gz [-m MODULE.ko]... [-d DIR]... [-b MODULE.ko[.xz]]...

Build a gzip-compressed "newc" cpio initramfs containing:

  /bin/busybox + applet symlinks   (from $BUSYBOX, must be static)
  /dev /proc /sys /tmp /run        (empty mount points)
  /lib/dxg/NAME.ko                 each -m MODULE.ko (copied, not installed;
                                   load with 'insmod /lib/dxg/NAME.ko')
  /opt/dxg/...                     contents of each -d DIR, merged in order
                                   (later DIRs overwrite earlier files; file
                                   modes are kept)
  /lib/boot/NN-NAME.ko             each -b MODULE, in order (decompressed)
  /init                            mounts proc/sysfs/devtmpfs/tmpfs, runs
                                   'sh \$dxg.run' (default /opt/dxg/run) with
                                   PATH=/opt/dxg/bin:..., prints
                                   'DXG-VM-EXIT <rc>' and powers off;
                                   with dxg.root=DEV on the kernel command
                                   line it instead loads /lib/boot/*.ko,
                                   mounts DEV (ext4) and switch_roots into
                                   it, running its /sbin/dxg-init (the
                                   Debian guest, mkrootfs-debian.sh)

Options:
  -o FILE   output file (required)
  -m FILE   kernel module to include (repeatable)
  -d DIR    directory to merge into /opt/dxg (repeatable)
  -b FILE   module that mounts a root disk (dxg.root=), loaded in the order
            given (repeatable; .ko, .ko.xz or .ko.zst)
  -h, --help

The archive is reproducible: entries are sorted, owned by 0:0 and stamped
with \$SOURCE_DATE_EPOCH (default 0); gzip stores no name or time.

Environment:
  BUSYBOX            busybox binary to use (default /bin/busybox)
  SOURCE_DATE_EPOCH  timestamp for all entries (default 0)
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }

out=
modules=()
dirs=()
bootmods=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-o) [ $# -ge 2 ] || die "-o needs an argument"; out=$2; shift 2 ;;
	-m) [ $# -ge 2 ] || die "-m needs an argument"; modules+=("$2"); shift 2 ;;
	-d) [ $# -ge 2 ] || die "-d needs an argument"; dirs+=("$2"); shift 2 ;;
	-b) [ $# -ge 2 ] || die "-b needs an argument"; bootmods+=("$2"); shift 2 ;;
	-o*) out=${1#-o}; shift ;;
	-m*) modules+=("${1#-m}"); shift ;;
	-d*) dirs+=("${1#-d}"); shift ;;
	*) usage >&2; die "unexpected argument '$1'" ;;
	esac
done

[ -n "$out" ] || { usage >&2; die "-o OUT.cpio.gz is required"; }
for tool in cpio gzip find sort touch; do
	command -v "$tool" >/dev/null || die "'$tool' not found"
done
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
if command -v file >/dev/null &&
   ! file -L "$BUSYBOX" | grep -Eq 'statically linked|static-pie'; then
	die "$BUSYBOX is not statically linked (install busybox-static)"
fi
for m in ${modules[@]+"${modules[@]}"}; do
	[ -f "$m" ] || die "module '$m' not found"
	case "$m" in *.ko) ;; *) die "module '$m' does not end in .ko" ;; esac
done
for m in ${bootmods[@]+"${bootmods[@]}"}; do
	[ -f "$m" ] || die "module '$m' not found"
	case "$m" in *.ko|*.ko.xz|*.ko.zst) ;; *) die "module '$m' does not end in .ko, .ko.xz or .ko.zst" ;; esac
done
for d in ${dirs[@]+"${dirs[@]}"}; do
	[ -d "$d" ] || die "directory '$d' not found"
done

epoch=${SOURCE_DATE_EPOCH:-0}
case "$epoch" in ''|*[!0-9]*) die "SOURCE_DATE_EPOCH must be a number" ;; esac

stage=$(mktemp -d "${TMPDIR:-/tmp}/dxg-initramfs.XXXXXX")
tmp_out=
trap 'rm -rf "$stage"; [ -z "$tmp_out" ] || rm -f "$tmp_out"' EXIT
umask 022

root=$stage/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,lib/dxg,lib/boot,opt/dxg/bin}
chmod 1777 "$root/tmp"

# --- busybox ---------------------------------------------------------------
cp "$BUSYBOX" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
while read -r applet; do
	[ -n "$applet" ] || continue
	applet=${applet#/}
	case "$applet" in bin/busybox) continue ;; esac
	case "$applet" in */*) [ -d "$root/${applet%/*}" ] || mkdir -p "$root/${applet%/*}" ;; esac
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <("$BUSYBOX" --list-full)
[ -e "$root/bin/sh" ] || ln -s /bin/busybox "$root/bin/sh"

# --- modules and payload ---------------------------------------------------
for m in ${modules[@]+"${modules[@]}"}; do
	install -m 0644 "$m" "$root/lib/dxg/$(basename "$m")"
done
# Boot modules uncompressed: busybox's insmod may not read compressed ones.
i=100
for m in ${bootmods[@]+"${bootmods[@]}"}; do
	name=$(basename "$m"); name=${name%.xz}; name=${name%.zst}
	case "$m" in
	*.xz) xz -dc "$m" >"$root/lib/boot/$i-$name" ;;
	*.zst) zstd -qdc "$m" >"$root/lib/boot/$i-$name" ;;
	*) cp "$m" "$root/lib/boot/$i-$name" ;;
	esac || die "cannot unpack '$m'"
	chmod 0644 "$root/lib/boot/$i-$name"
	i=$((i + 1))
done
for d in ${dirs[@]+"${dirs[@]}"}; do
	# -a keeps modes and symlinks; ownership is normalised by cpio below.
	cp -a "$d/." "$root/opt/dxg/"
done

# --- /init -------------------------------------------------------------------
cat >"$root/init" <<'INIT'
#!/bin/sh
# SPDX-License-Identifier: MIT
# opendxg VM test init (generated by tools/vm/mkinitramfs.sh)

export PATH=/opt/dxg/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mount -t tmpfs -o mode=0755 tmpfs /dev
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
# The initramfs has no /dev/console node; make sure our stdio is the console.
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

run=/opt/dxg/run
newroot=
set -f
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	dxg.run=*) run=${arg#dxg.run=} ;;
	dxg.root=*) newroot=${arg#dxg.root=} ;;
	esac
done
set +f

# A root disk (run-vm.sh --root): mount it and hand over to its own init,
# which keeps the contract below (dxg.run, DXG-VM-EXIT).  A root that does
# not come up ends without a DXG-VM-EXIT line: a boot failure for run-vm.sh.
if [ -n "$newroot" ]; then
	for m in /lib/boot/*.ko; do
		[ -f "$m" ] && insmod "$m" 2>/dev/null
	done
	i=0
	while [ ! -b "$newroot" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	mkdir -p /newroot
	if mount -t ext4 "$newroot" /newroot && [ -x /newroot/sbin/dxg-init ]; then
		umount /tmp
		for d in /dev /proc /sys /run; do mount -o move "$d" "/newroot$d"; done
		exec switch_root /newroot /sbin/dxg-init
	fi
	echo "dxg-init: error: cannot boot the root '$newroot' (no block device, no ext4, or no /sbin/dxg-init)" >&2
	lsmod >&2
	dmesg | tail -n 20 >&2
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 5
fi

if [ -f "$run" ]; then
	cd /opt/dxg
	# stdin is /dev/null: nothing types on the console, a read would hang.
	sh "$run" </dev/null
	rc=$?
	cd /
else
	echo "dxg-init: error: run script '$run' not found" >&2
	rc=127
fi

echo "DXG-VM-EXIT $rc"
# Power off; with 'qemu -no-reboot' a reset also makes QEMU exit, so fall back
# to that, then to sysrq.
poweroff -f
reboot -f
echo o >/proc/sysrq-trigger
sleep 5
echo b >/proc/sysrq-trigger
INIT
chmod 0755 "$root/init"

# --- archive -------------------------------------------------------------------
find "$root" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$out")"
tmp_out=$(mktemp "$(dirname "$out")/.$(basename "$out").XXXXXX")
(
	cd "$root"
	find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --reproducible --quiet
) | gzip -n -9 >"$tmp_out"
chmod 0644 "$tmp_out"
mv -f "$tmp_out" "$out"
tmp_out=
echo "$PROG: wrote $out ($(wc -c <"$out") bytes)" >&2
