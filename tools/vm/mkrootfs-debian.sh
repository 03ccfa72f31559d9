#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkrootfs-debian.sh - build the Debian guest of the VM tests: a Debian 12
# root filesystem (ext4 image) made from Debian's packages, with opendxg
# installed into it where its Debian packages put things, and the small
# initramfs that mounts it.

set -euo pipefail

PROG=${0##*/}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${DXG_ROOTFS_CACHE:-/var/cache/opendxg/guest-root}
MULTIARCH=x86_64-linux-gnu

usage() {
	cat <<EOF
Usage: $PROG -o IMAGE -i INITRD -k KERNELDIR -m dxgkrnl.ko [-b BUILDDIR] [-d DIR]...

Write IMAGE, an ext4 image of a Debian 12 (bookworm) root made with
mmdebstrap (variant minbase) from Debian's packages:

  $(base_packages | xargs | fold -s -w 70 | sed '2,$s/^/  /')

plus, at the paths opendxg's Debian packages use:

  /lib/modules/RELEASE/updates/dkms/dxgkrnl.ko   (-m; depmod run: modprobe dxgkrnl)
  /usr/lib/$MULTIARCH/libdxg.so.0*              (libdxg0)
  /usr/lib/$MULTIARCH/libvulkan_opendxg.so       (opendxg-vulkan-driver)
  /usr/share/vulkan/icd.d/opendxg_icd.x86_64.json  (its manifest, meson's; the only one)
  /usr/bin/dxg-smi, dxg-demo, dxg-samples         (dxg-tools)

and for the tests: the guest kernel's modules that mount the root (and what
they need), /opt/dxg/ with each -d DIR merged into it (DIR/bin/ on PATH,
scenario scripts), and /sbin/dxg-init: mounts proc, sysfs, devtmpfs, tmpfs,
runs 'sh \$dxg.run' from the kernel command line like the busybox
initramfs does, prints 'DXG-VM-EXIT <rc>' and powers off.  No systemd.

INITRD is the busybox initramfs (mkinitramfs.sh -b) that loads those
modules, mounts /dev/vda and switches to it.  Boot both with
  run-vm.sh --initrd INITRD --root IMAGE --run SCRIPT ...

The Debian root (before anything of ours goes in) is built once and cached
in \$DXG_ROOTFS_CACHE (default /var/cache/opendxg/guest-root), under a key
hashed from the part of this script that builds it (packages, mirrors,
options); a cache miss rebuilds it (a few minutes, needs deb.debian.org).
Each run copies it (hard links) next to IMAGE, adds our files, and writes
IMAGE with mkfs.ext4 -d (no loop mount).  Needs root.

Options:
  -o FILE   the image to write (required)
  -i FILE   the initramfs to write (required)
  -k DIR    the guest kernel's directory from fetch-kernel.sh, with
            kernel-release and modules/ (required)
  -m FILE   dxgkrnl.ko built for that kernel (required)
  -b DIR    the meson build directory of the user space (default build/rel)
  -d DIR    merged into /opt/dxg (repeatable)
  -h, --help
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

# >>> base: the Debian root before anything of ours; this block, and only
# this block, keys the cache (edit it and the root is rebuilt).
SUITE=bookworm
MIRRORS=("deb http://deb.debian.org/debian $SUITE main"
	 "deb http://deb.debian.org/debian $SUITE-updates main"
	 "deb http://deb.debian.org/debian-security $SUITE-security main")
# What the guest programs need, one place.  Recommends are not installed:
# libvulkan1 recommends mesa-vulkan-drivers, whose ICDs must not be there.
base_packages() {
	cat <<'EOF'
kmod
procps
libvulkan1
vulkan-tools
vulkan-validationlayers
libfftw3-single3
libfftw3-double3
glslang-tools
spirv-tools
EOF
}
build_base() { # DIR
	local pkgs
	pkgs=$(base_packages | paste -sd,)
	# Without manual pages, documentation (but the copyright files) and
	# translations: about a third smaller.
	mmdebstrap --mode=root --variant=minbase --include="$pkgs" \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		"$SUITE" "$1" "${MIRRORS[@]}" || return 1
	# No Vulkan driver but ours may be found by the loader.
	local icds
	icds=$(find "$1"/usr/share/vulkan/icd.d "$1"/etc/vulkan/icd.d -mindepth 1 2>/dev/null || true)
	[ -z "$icds" ] || { echo "$PROG: the root has other Vulkan drivers: $icds" >&2; return 1; }
	rm -rf "$1"/var/log/* "$1"/var/cache/debconf/*-old
}
# <<< base

out= initrd= kdir= ko= build=$REPO_ROOT/build/rel
dirs=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-o) [ $# -ge 2 ] || die "-o needs an argument"; out=$2; shift 2 ;;
	-i) [ $# -ge 2 ] || die "-i needs an argument"; initrd=$2; shift 2 ;;
	-k) [ $# -ge 2 ] || die "-k needs an argument"; kdir=$2; shift 2 ;;
	-m) [ $# -ge 2 ] || die "-m needs an argument"; ko=$2; shift 2 ;;
	-b) [ $# -ge 2 ] || die "-b needs an argument"; build=$2; shift 2 ;;
	-d) [ $# -ge 2 ] || die "-d needs an argument"; dirs+=("$2"); shift 2 ;;
	*) usage >&2; die "unexpected argument '$1'" ;;
	esac
done
[ -n "$out" ] && [ -n "$initrd" ] && [ -n "$kdir" ] && [ -n "$ko" ] ||
	{ usage >&2; die "-o, -i, -k and -m are required"; }
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, and the root's files keep their owners)"
for tool in mmdebstrap mkfs.ext4 depmod modprobe ldconfig chroot xz; do
	command -v "$tool" >/dev/null || die "'$tool' not found (scripts/setup.sh installs it)"
done
release=$(cat "$kdir/kernel-release" 2>/dev/null) || die "no kernel in '$kdir' (run tools/vm/fetch-kernel.sh)"
kmods=$(cd "$kdir" && pwd)/modules
[ -f "$kmods/lib/modules/$release/modules.dep" ] ||
	die "no modules of $release in $kdir/modules (run tools/vm/fetch-kernel.sh)"
[ -f "$ko" ] || die "module '$ko' not found"
ICD_MANIFEST=lib/vulkan/opendxg_icd.x86_64.json
for f in lib/libdxg.so.0 lib/vulkan/libvulkan_opendxg.so "$ICD_MANIFEST"; do
	[ -e "$build/$f" ] || die "$build/$f is not built"
done
for d in ${dirs[@]+"${dirs[@]}"}; do [ -d "$d" ] || die "directory '$d' not found"; done

# --- the cached Debian root --------------------------------------------------------
key=$(sed -n '/^# >>> base/,/^# <<< base/p' "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
base=$CACHE/$key
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ ! -f "$base/ok" ]; then
	log "building the Debian root (cache miss, key $key; a few minutes): $base"
	start=$SECONDS
	rm -rf "$base"
	mkdir -p "$base"
	build_base "$base/root" >"$base/mmdebstrap.log" 2>&1 ||
		{ tail -n 30 "$base/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $base/mmdebstrap.log)"; }
	base_packages >"$base/packages"
	touch "$base/ok"
	log "Debian root built in $((SECONDS - start)) s ($(du -sh "$base/root" | cut -f1))"
fi
# Roots of other keys go once unused for a day (not at once: clones of other
# versions on this machine may be using them).
touch "$base/ok"
for d in "$CACHE"/*/; do
	d=${d%/}
	[ "$d" != "$base" ] || continue
	[ -n "$(find "$d/ok" -newermt '-1 day' 2>/dev/null)" ] || rm -rf "$d"
done
flock -u 9

# --- a copy with our files --------------------------------------------------------------
mkdir -p "$(dirname "$out")" "$(dirname "$initrd")"
stage=$(mktemp -d "$(dirname "$out")/.rootfs.XXXXXX")
tmp_img=
trap 'rm -rf "$stage"; [ -z "$tmp_img" ] || rm -f "$tmp_img"' EXIT
# Hard links: nothing below replaces a file of the root in place (new files
# only; depmod and ldconfig write theirs and rename them).
if ! cp -al "$base/root/." "$stage/" 2>/dev/null; then
	rm -rf "$stage"; mkdir "$stage"
	cp -a "$base/root/." "$stage/"
fi
put() { # MODE SRC DEST (a new file; never written through a hard link)
	mkdir -p "$(dirname "$stage$3")"
	rm -f "$stage$3"
	install -m "$1" "$2" "$stage$3"
}

# The kernel modules: what mounts the root (and what they need), at their
# paths in the kernel's package, and ours where dxgkrnl-dkms puts it.
BOOT_MODULES=(virtio_pci virtio_blk ext4 crc32c)
kmoddir=$kmods/lib/modules/$release
mapfile -t boot < <(modprobe -d "$kmods" -S "$release" --show-depends -a "${BOOT_MODULES[@]}" |
	sed -n "s|^insmod $kmoddir/\([^ ]*\).*|\1|p" | awk '!seen[$0]++')
[ ${#boot[@]} -gt 0 ] || die "no boot modules found for $release"
for m in "${boot[@]}"; do put 0644 "$kmoddir/$m" "/lib/modules/$release/$m"; done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$kmoddir/$f" ] && put 0644 "$kmoddir/$f" "/lib/modules/$release/$f"
done
put 0644 "$ko" "/lib/modules/$release/updates/dkms/dxgkrnl.ko"
depmod -b "$stage" "$release"

# libdxg0, the Vulkan driver and its manifest, dxg-tools.
lib=/usr/lib/$MULTIARCH
so=$(readlink -f "$build/lib/libdxg.so.0")
put 0644 "$so" "$lib/${so##*/}"
ln -sfn "${so##*/}" "$stage$lib/libdxg.so.0"
put 0644 "$build/lib/vulkan/libvulkan_opendxg.so" "$lib/libvulkan_opendxg.so"
# The manifest meson generated (lib/vulkan/opendxg_icd.json.in), the one the
# package installs, with library_path where the package puts the library
# (the build directory's prefix may be another, /usr/local by default).
mkdir -p "$stage/usr/share/vulkan/icd.d"
rm -f "$stage/usr/share/vulkan/icd.d/${ICD_MANIFEST##*/}"
sed 's|\("library_path": *"\)[^"]*"|\1'"$lib"'/libvulkan_opendxg.so"|' "$build/$ICD_MANIFEST" \
	>"$stage/usr/share/vulkan/icd.d/${ICD_MANIFEST##*/}"
grep -q "\"library_path\": \"$lib/libvulkan_opendxg.so\"" "$stage/usr/share/vulkan/icd.d/${ICD_MANIFEST##*/}" ||
	die "no library_path in $build/$ICD_MANIFEST"
for t in tools/dxg-smi tools/dxg-demo samples/dxg-samples; do
	[ -x "$build/$t" ] && put 0755 "$build/$t" "/usr/bin/${t##*/}"
done
ldconfig -r "$stage"

# The tests' payload.
mkdir -p "$stage/opt/dxg/bin"
for d in ${dirs[@]+"${dirs[@]}"}; do cp -a "$d/." "$stage/opt/dxg/"; done

# Every program of ours finds its libraries in the root.
missing=
while IFS= read -r f; do
	head -c4 "$stage$f" | grep -q 'ELF' || continue
	nf=$(chroot "$stage" /usr/bin/ldd "$f" 2>&1 | grep 'not found' || true)
	[ -z "$nf" ] || missing+="$f: $nf"$'\n'
done < <(cd "$stage" && find opt/dxg usr/bin/dxg-* "${lib#/}/libvulkan_opendxg.so" -type f -perm -u+x 2>/dev/null | sed 's|^|/|')
[ -z "$missing" ] || die "libraries missing in the root (add their packages to base_packages):"$'\n'"$missing"

# /sbin/dxg-init: the busybox initramfs's contract, on Debian.
rm -f "$stage/sbin/dxg-init"
cat >"$stage/sbin/dxg-init" <<'INIT'
#!/bin/sh
# SPDX-License-Identifier: MIT
# opendxg Debian guest init (generated by tools/vm/mkrootfs-debian.sh): runs
# as PID 1 after the initramfs switched to this root.
export PATH=/opt/dxg/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

# The initramfs moved /dev, /proc, /sys and /run here; /etc/fstab has the
# rest, mounted by one mount(8) (each program started costs under TCG).
[ -e /proc/self ] || mount -t proc proc /proc
mount -a
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
read -r host </etc/hostname && echo "$host" >/proc/sys/kernel/hostname

run=/opt/dxg/run
set -f
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	dxg.run=*) run=${arg#dxg.run=} ;;
	esac
done
set +f

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
# No poweroff(8) without an init system: the kernel's own (sysrq o powers
# off through ACPI; b resets, which with 'qemu -no-reboot' also ends QEMU).
# sysrq only schedules the power-off: nothing may touch the disk after it,
# which is going away (a read then is an "I/O error, dev vda" and an ext4
# error on the console).  So the fallback reset's timer starts first, the
# root is made read-only with nothing left to write back, and the shell
# only waits (a builtin) once the power-off is asked for.
(sleep 5; echo b >/proc/sysrq-trigger) &
sync
mount -o remount,ro / 2>/dev/null
echo o >/proc/sysrq-trigger
wait
INIT
chmod 0755 "$stage/sbin/dxg-init"
rm -f "$stage/etc/fstab" "$stage/etc/hostname"
cat >"$stage/etc/fstab" <<'FSTAB'
# opendxg Debian guest (tools/vm/mkrootfs-debian.sh); / is mounted by the
# initramfs, which also moves /dev, /proc, /sys and /run here.
proc	/proc	proc	defaults	0 0
sysfs	/sys	sysfs	defaults	0 0
devtmpfs	/dev	devtmpfs	defaults	0 0
tmpfs	/run	tmpfs	mode=0755	0 0
tmpfs	/tmp	tmpfs	mode=1777	0 0
devpts	/dev/pts	devpts	gid=5,mode=0620,X-mount.mkdir	0 0
tmpfs	/dev/shm	tmpfs	mode=1777,X-mount.mkdir	0 0
FSTAB
echo dxg-guest >"$stage/etc/hostname"

# --- the image and its initramfs ------------------------------------------------------------
mb=$(du -sm "$stage" | cut -f1)
tmp_img=$(mktemp "$(dirname "$out")/.$(basename "$out").XXXXXX")
rm -f "$tmp_img"
# Room for a fifth more and 64 MiB: the guest may write (snapshot=on keeps it
# from the file).  No journal: nothing is kept across boots.
mkfs.ext4 -q -F -L dxg-root -O ^has_journal -d "$stage" "$tmp_img" "$((mb * 6 / 5 + 64))M" >/dev/null ||
	die "mkfs.ext4 -d failed"
mv -f "$tmp_img" "$out"
tmp_img=
# The initramfs changes only with its modules and mkinitramfs.sh: kept when
# neither did (its key beside it).
bootko=()
for m in "${boot[@]}"; do bootko+=(-b "$kmoddir/$m"); done
ikey=$( { cat "$REPO_ROOT/tools/vm/mkinitramfs.sh"; echo "$release"
	for m in "${boot[@]}"; do echo "$m"; cat "$kmoddir/$m"; done; } | sha256sum | cut -c1-16)
if [ ! -f "$initrd" ] || [ "$(cat "$initrd.key" 2>/dev/null)" != "$ikey" ]; then
	rm -f "$initrd.key"
	"$REPO_ROOT/tools/vm/mkinitramfs.sh" -o "$initrd" "${bootko[@]}" >/dev/null ||
		die "mkinitramfs.sh failed"
	echo "$ikey" >"$initrd.key"
fi
log "wrote $out ($mb MiB of files, $(du -h --apparent-size "$out" | cut -f1) image) and $initrd for $release"
