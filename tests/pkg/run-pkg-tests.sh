#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Packaging tests (docs/packaging.md): builds the Debian packages with
# dpkg-buildpackage, installs them into a clean Debian 12 root made with
# mmdebstrap from Debian's packages (with the kernel headers of every kernel
# line), and checks there what users of the packages rely on:
#   - the DKMS module is built and installed for every kernel line's headers,
#     and rebuilt when a kernel's headers arrive (the kernel hook);
#   - the dxghost unit passes systemd-analyze verify and its sandbox scores
#     well in systemd-analyze security; the daemon starts the way the unit
#     starts it (user dxghost, /etc/default/dxghost) and stops cleanly;
#   - the manual page documents every option of dxghost --help;
#   - programs build against libdxg-dev (pkg-config) and the tools run;
#   - the Vulkan driver's manifest is where Debian's loader looks and names
#     the installed library, which exports the ICD interface only, and the
#     loader (vulkaninfo) reads the manifest and loads the driver;
#   - purging removes the module from every kernel and the service.
# Prints PASS/FAIL lines named pkg/...; exits 0 when none failed.
#
# The clean root is cached outside the clone, in $DXG_PKG_CACHE (default
# /var/cache/opendxg/pkg-root), keyed by what goes into it; each run installs
# into a throw-away overlay (or copy) of it.  Needs root.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

PROG=${0##*/}
usage() {
	cat <<EOF
Usage: $PROG

Build opendxg's Debian packages (build/pkg/) and test them in a clean Debian
root (mmdebstrap; cached in \${DXG_PKG_CACHE:-/var/cache/opendxg/pkg-root}).
Logs: build/test-logs/pkg/.  Needs root, network access to deb.debian.org,
and dpkg-dev, debhelper, dh-dkms and mmdebstrap (scripts/setup.sh).
EOF
}
case "${1:-}" in
-h|--help) usage; exit 0 ;;
'') ;;
*) usage >&2; echo "$PROG: unknown argument '$1'" >&2; exit 2 ;;
esac

PKG=$PWD/build/pkg
LOGS=$PWD/build/test-logs/pkg
CACHE=${DXG_PKG_CACHE:-/var/cache/opendxg/pkg-root}
SUITE=bookworm
MIRRORS=("deb http://deb.debian.org/debian $SUITE main"
	 "deb http://deb.debian.org/debian $SUITE-updates main"
	 "deb http://deb.debian.org/debian-security $SUITE-security main")
# What the clean root holds before our packages: the kernel headers of every
# line (what DKMS builds against), dkms (dxgkrnl-dkms's dependency, here so
# that its hooks are in place as on a real system), systemd (systemd-analyze,
# systemd-sysusers), and a C toolchain for the libdxg-dev check.
mapfile -t ROOT_PKGS < <(scripts/kernel-release.sh --packages)
ROOT_PKGS+=(dkms systemd gcc libc6-dev pkg-config)
PACKAGES=(dxgkrnl-dkms dxghost libdxg0 libdxg-dev dxg-tools opendxg-vulkan-driver)

rc=0
pass() { echo "PASS pkg/$1"; }
fail() { echo "FAIL pkg/$1"; rc=1; }
# check NAME CMD...: runs CMD with its output in $LOGS/NAME.log; on failure
# shows the log's last lines.
check() {
	local name=$1 log; shift
	log=$LOGS/$(printf '%s' "$name" | tr -c 'A-Za-z0-9.-' '_').log
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		fail "$name"
		tail -n 25 "$log" | sed 's/^/#   /'
	fi
}

mkdir -p "$LOGS" "$PKG"
rm -f "$LOGS"/*.log

# --- 1. versions ----------------------------------------------------------------
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build | head -n1)
versions_agree() {
	local d c m
	d=$(scripts/dkms.sh version)
	c=$(dpkg-parsechangelog -S Version)
	m=$(sed -n 's/^\.TH DXGHOST 8 "[^"]*" "opendxg \([^"]*\)".*/\1/p' docs/man/dxghost.8)
	echo "meson.build $version, dkms.conf $d, debian/changelog $c, dxghost.8 $m"
	[ -n "$version" ] && [ "$d" = "$version" ] && [ "${c%%-*}" = "$version" ] && [ "$m" = "$version" ]
}
check "versions agree (meson.build, dkms.conf, debian/changelog, dxghost.8)" versions_agree

# --- 2. build -------------------------------------------------------------------------
build_packages() {
	rm -rf "$PKG/debs"
	scripts/build-debs.sh "$PKG/debs" || return 1
	rm -f "$PKG"/debs/*-dbgsym_*.deb
	for p in "${PACKAGES[@]}"; do
		ls "$PKG/debs/${p}_${version}_"*.deb >/dev/null || { echo "missing: $p"; return 1; }
	done
}
start=$(date +%s)
check "dpkg-buildpackage builds ${PACKAGES[*]}" build_packages
echo "# build: $(($(date +%s) - start)) s"
if ! ls "$PKG"/debs/*.deb >/dev/null 2>&1; then
	echo "# no packages: the install tests cannot run"
	exit 1
fi

# --- 3. the clean root -----------------------------------------------------------------
# Cached, keyed by its recipe and the versions of the kernel headers
# metapackages on this machine (a new kernel in Debian makes a new root).
key=$( {
	echo "recipe 1 $SUITE"; printf '%s\n' "${MIRRORS[@]}" "${ROOT_PKGS[@]}"
	mapfile -t metas < <(scripts/kernel-release.sh --packages)
	dpkg-query -W -f='${Package} ${Version}\n' "${metas[@]}" 2>&1
} | sha256sum | cut -c1-16)
base=$CACHE/$key
make_root() {
	mkdir -p "$CACHE" || return 1
	exec 8>"$CACHE/.lock" && flock 8 || return 1
	if [ ! -f "$base/ok" ]; then
		rm -rf "$base" "$base.tmp"
		# INITRD=No: the 6.12 headers pull in their linux-image; no initramfs.
		INITRD=No mmdebstrap --mode=root --variant=apt \
			--include="$(IFS=,; echo "${ROOT_PKGS[*]}")" \
			"$SUITE" "$base.tmp" "${MIRRORS[@]}" || { flock -u 8; return 1; }
		mv "$base.tmp" "$base" && touch "$base/ok"
		# Older roots (other keys) go.
		find "$CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
	else
		echo "cached root $base"
	fi
	flock -u 8
}
start=$(date +%s)
check "clean Debian root with the headers of every kernel line" make_root
echo "# root: $(($(date +%s) - start)) s"
[ -f "$base/ok" ] || exit 1

root=$PKG/root
mounts=()
hostpid=
# Removes the working root, never what is mounted in it.  Mounts left by a
# run that was killed are taken down first.
remove_root() {
	if grep -q " ${root}[ /]" /proc/mounts; then
		umount -R "$root" 2>/dev/null || umount -R -l "$root" 2>/dev/null
	fi
	if grep -q " ${root}[ /]" /proc/mounts; then
		echo "# still mounted under $root, left in place:"; grep " ${root}[ /]" /proc/mounts | sed 's/^/#   /'
		return 1
	fi
	rm -rf --one-file-system "$PKG/ovl" "$root"
}
cleanup() {
	[ -n "$hostpid" ] && kill "$hostpid" 2>/dev/null && wait "$hostpid" 2>/dev/null
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}" || umount -l "${mounts[$i]}"; done
	remove_root
}
trap cleanup EXIT
# A writable overlay over the cached root (a copy where overlayfs is missing).
prepare_root() {
	remove_root || return 1
	mkdir -p "$PKG/ovl/upper" "$PKG/ovl/work" "$root"
	if mount -t overlay overlay -o "lowerdir=$base,upperdir=$PKG/ovl/upper,workdir=$PKG/ovl/work" "$root"; then
		mounts+=("$root")
	else
		echo "no overlayfs here: copying the root"
		cp -a "$base/." "$root/" || return 1
	fi
	# A /dev of its own (not a bind of the host's, which a stray rm -rf of
	# build/ would reach): the few nodes apt, dkms and dxghost use.
	mount -t proc proc "$root/proc" && mounts+=("$root/proc") &&
	mount -t tmpfs -o mode=0755,nosuid tmpfs "$root/dev" && mounts+=("$root/dev") &&
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run" && mounts+=("$root/run") || return 1
	mknod -m 666 "$root/dev/null" c 1 3 && mknod -m 666 "$root/dev/zero" c 1 5 &&
	mknod -m 666 "$root/dev/full" c 1 7 && mknod -m 666 "$root/dev/random" c 1 8 &&
	mknod -m 666 "$root/dev/urandom" c 1 9 && mknod -m 666 "$root/dev/tty" c 5 0 || return 1
	ln -s /proc/self/fd "$root/dev/fd" && ln -s /proc/self/fd/0 "$root/dev/stdin" &&
	ln -s /proc/self/fd/1 "$root/dev/stdout" && ln -s /proc/self/fd/2 "$root/dev/stderr" &&
	mkdir -m 1777 "$root/dev/shm" || return 1
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	mkdir -p "$root/tmp/debs" && cp "$PKG"/debs/*.deb "$root/tmp/debs/"
}
check "writable copy of the clean root" prepare_root || exit 1
inroot() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# --- 4. install ----------------------------------------------------------------------------
# Without Recommends: what the Depends bring must be enough.  dxgkrnl-dkms's
# postinst builds and installs the module for every kernel in the root.
install_packages() {
	inroot apt-get update -q || return 1
	inroot sh -c 'apt-get install -y -q --no-install-recommends /tmp/debs/*.deb'
}
start=$(date +%s)
check "the packages install into the clean root (apt-get install ./*.deb)" install_packages
echo "# install (DKMS builds included): $(($(date +%s) - start)) s"

# --- 5. DKMS -------------------------------------------------------------------------------
dkms_installed() { # release
	local st ko
	st=$(inroot dkms status -m dxgkrnl -v "$version" -k "$1")
	echo "dkms status: $st"
	case "$st" in *": installed"*) ;; *) return 1 ;; esac
	ko=$(inroot find "/lib/modules/$1/updates" -name 'dxgkrnl.ko*' | head -n1)
	[ -n "$ko" ] || { echo "no dxgkrnl.ko in /lib/modules/$1/updates"; return 1; }
	echo "$ko: vermagic $(inroot modinfo -F vermagic "$ko")"
	inroot modinfo -F vermagic "$ko" | grep -q "^$1 "
}
# What a kernel's headers package runs when it is installed or upgraded.
dkms_rebuilds() { # release
	inroot dkms remove -m dxgkrnl -v "$version" -k "$1" || return 1
	inroot sh -c "! ls /lib/modules/$1/updates/dkms/dxgkrnl.ko*" || return 1
	inroot /etc/kernel/header_postinst.d/dkms "$1" || return 1
	dkms_installed "$1"
}
for line in $(scripts/kernel-release.sh --lines); do
	rel=$(scripts/kernel-release.sh --root "$root" "$line" 2>&1)
	check "dkms: dxgkrnl $version built and installed for $line ($rel)" dkms_installed "$rel"
	last_rel=$rel last_line=$line
done
start=$(date +%s)
check "dkms: the kernel hook rebuilds it for new $last_line headers (AUTOINSTALL)" dkms_rebuilds "$last_rel"
echo "# DKMS rebuild: $(($(date +%s) - start)) s"

# --- 6. dxghost -------------------------------------------------------------------------------
unit=/lib/systemd/system/dxghost.service
user_ok() {
	inroot id dxghost && inroot id -nG dxghost | tr ' ' '\n' | grep -qx render &&
		inroot id -nG dxghost | tr ' ' '\n' | grep -qx video
}
check "dxghost: user dxghost exists, in groups render and video" user_ok
verify_unit() {
	local out
	# --man=no: the root has no man(1); the page's presence is checked below.
	out=$(inroot systemd-analyze verify --man=no "$unit" 2>&1); local r=$?
	echo "$out"
	[ $r -eq 0 ] && ! grep -q dxghost <<<"$out"
}
check "dxghost: systemd-analyze verify $unit (no complaint)" verify_unit
# The sandbox's exposure (0 = locked down, 10 = none); a service with
# User=, no capabilities, no network and a system call filter scores ~2.
security() {
	inroot systemd-analyze security --offline=yes --threshold=25 "$unit" 2>&1 | tail -n 40
	[ "${PIPESTATUS[0]}" -eq 0 ]
}
check "dxghost: systemd-analyze security rates the sandbox 2.5 or better" security
grep -h 'Overall exposure' "$LOGS"/dxghost__systemd-analyze_security*.log 2>/dev/null | sed 's/^/# /'

# Start the daemon the way the unit does: its ExecStart with
# /etc/default/dxghost's DXGHOST_OPTS, as User/Group dxghost with UMask
# 0007, in RuntimeDirectory /run/dxghost (0750).  (No systemd as PID 1 here,
# so the sandbox itself is not applied.)
start_daemon() {
	local exec umask
	exec=$(sed -n 's/^ExecStart=//p' "$root$unit")
	umask=$(sed -n 's/^UMask=//p' "$root$unit")
	[ -n "$exec" ] && [ -n "$umask" ] || { echo "no ExecStart/UMask in the unit"; return 1; }
	inroot install -d -m 0750 -o dxghost -g dxghost /run/dxghost || return 1
	# exec all the way down: $hostpid is dxghost itself.
	(exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		setpriv --reuid=dxghost --regid=dxghost --init-groups --no-new-privs \
		sh -c ". /etc/default/dxghost; umask $umask; exec $exec") \
		>"$LOGS/dxghost-daemon.out" 2>&1 &
	hostpid=$!
	for _ in $(seq 100); do
		[ -S "$root/run/dxghost/dxghost.sock" ] && break
		kill -0 "$hostpid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$LOGS/dxghost-daemon.out"
	inroot stat -c '%A %U:%G %n' /run/dxghost /run/dxghost/dxghost.sock || return 1
	[ "$(inroot stat -c '%A %U:%G' /run/dxghost/dxghost.sock)" = "srwxrwx--- dxghost:dxghost" ]
}
check "dxghost: starts as the unit starts it; socket dxghost:dxghost 0770" start_daemon
stop_daemon() {
	[ -n "$hostpid" ] || return 1
	kill -TERM "$hostpid"; wait "$hostpid"; local r=$?; hostpid=
	cat "$LOGS/dxghost-daemon.out"
	echo "exit status $r"
	[ $r -eq 0 ] && [ ! -e "$root/run/dxghost/dxghost.sock" ]
}
check "dxghost: exits 0 on SIGTERM and removes its socket" stop_daemon
# Every long option of an installed program's --help is in its manual page.
man_options() { # program manual-page
	local man opts o r=0
	man=$(inroot sh -c "zcat $2") || return 1
	opts=$(inroot "$1" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ -n "$opts" ] || return 1
	for o in $opts; do
		if grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" <<<"$man"; then
			echo "documented: $o"
		else
			echo "NOT documented: $o"; r=1
		fi
	done
	return $r
}
check "dxghost.8 documents every option of dxghost --help" \
	man_options /usr/sbin/dxghost /usr/share/man/man8/dxghost.8.gz

# --- 7. guest user space ----------------------------------------------------------------------
dev_builds() {
	cat >"$root/tmp/t.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
#include <dxg/d3dkmt.h>
#include <stdio.h>
int main(void)
{
	D3DKMT_ENUMADAPTERS2 e = { 0 };
	printf("EnumAdapters2: %#x\n", (unsigned int)D3DKMTEnumAdapters2(&e));
	return 0;
}
EOF
	cat >"$root/tmp/c.c" <<'EOF'
/* SPDX-License-Identifier: MIT */
#include <dxg/compute.h>
#include <stdio.h>
int main(void)
{
	unsigned int n = 0;
	NTSTATUS s = dxgc_adapter_count(&n);
	printf("adapters: %u (%#x: %s)\n", n, (unsigned int)s, s ? dxgc_error() : "ok");
	return 0;
}
EOF
	inroot sh -ec 'cd /tmp
		gcc -Wall -Werror -o t t.c $(pkg-config --cflags --libs libdxg)
		ldd ./t | grep libdxg.so.0
		./t
		gcc -Wall -Werror -o c c.c $(pkg-config --cflags --libs dxgcompute)
		./c'
}
check "libdxg-dev: programs build with pkg-config libdxg and dxgcompute, and run" dev_builds
tools_run() {
	inroot dxg-smi --help && inroot dxg-samples --help >/dev/null || return 1
	# No /dev/dxg in the root: a clear error and exit status 1.
	inroot dxg-smi; [ $? -eq 1 ]
}
check "dxg-tools: dxg-smi and dxg-samples run (no /dev/dxg: exit 1)" tools_run
check "dxg-smi.1 documents every option of dxg-smi --help" \
	man_options /usr/bin/dxg-smi /usr/share/man/man1/dxg-smi.1.gz

# --- 8. the Vulkan driver -------------------------------------------------------------------
# Named as meson names it (host_machine.cpu_family(), the GNU CPU on Debian's
# architectures); the library in the multiarch libdir, as Mesa's.
icd_manifest=/usr/share/vulkan/icd.d/opendxg_icd.$(dpkg-architecture -qDEB_HOST_GNU_CPU).json
icd_lib=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libvulkan_opendxg.so
icd_files() {
	local path
	inroot dpkg -L opendxg-vulkan-driver | grep -E '\.(so|json)$' || return 1
	[ -f "$root$icd_manifest" ] || { echo "no $icd_manifest"; return 1; }
	cat "$root$icd_manifest"
	path=$(python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
assert m["file_format_version"] == "1.0.0", m
assert m["ICD"]["api_version"].startswith("1.3."), m
print(m["ICD"]["library_path"])' "$root$icd_manifest") || return 1
	echo "library_path: $path"
	[ "$path" = "$icd_lib" ] && [ -f "$root$path" ] && inroot dpkg -S "$path"
}
check "opendxg-vulkan-driver: $icd_manifest names the installed $icd_lib" icd_files
# The loader interface and nothing else (icd.map); no soname (a module);
# every library it needs is installed.
icd_symbols() {
	local syms
	syms=$(inroot nm -D --defined-only "$icd_lib" | awk '{ print $3 }' | sort) || return 1
	echo "$syms"
	[ "$syms" = "$(printf '%s\n' vk_icdGetInstanceProcAddr vk_icdGetPhysicalDeviceProcAddr \
		vk_icdNegotiateLoaderICDInterfaceVersion)" ] || return 1
	inroot readelf -d "$icd_lib" | grep -E 'NEEDED|SONAME'
	! inroot readelf -d "$icd_lib" | grep -q SONAME || return 1
	inroot ldd "$icd_lib"; ! inroot ldd "$icd_lib" | grep -q 'not found'
}
check "opendxg-vulkan-driver: the library exports vk_icd* only (nm -D), no soname, its libraries installed" icd_symbols
# Debian's loader finds the manifest in its search path, opens the library
# and creates an instance with it; there is no /dev/dxg here, so no device.
# Only our driver is in the root (vulkan-tools without Recommends).
icd_loader() {
	local out
	inroot apt-get install -y -q --no-install-recommends vulkan-tools || return 1
	inroot sh -c 'ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null'
	out=$(inroot env VK_LOADER_DEBUG=driver vulkaninfo --summary 2>&1 | awk '!seen[$0]++')
	echo "$out"
	grep -qx 'DRIVER: */usr/share/vulkan/icd\.d' <<<"$out" &&
		grep -q "Found ICD manifest file $icd_manifest" <<<"$out" &&
		grep -q "Searching for ICD drivers named $icd_lib" <<<"$out" || return 1
	# Loaded and negotiated (else "Found no drivers!", vkCreateInstance
	# failing); the only complaint: no device.
	! grep -E 'Failed loading|Found no drivers|vkCreateInstance failed' <<<"$out" &&
		grep -q 'Failed to detect any valid GPUs' <<<"$out"
}
check "opendxg-vulkan-driver: VK_LOADER_DEBUG=driver vulkaninfo: the loader reads the manifest and loads the driver" icd_loader

# --- 9. purge ---------------------------------------------------------------------------------
purge() {
	inroot apt-get purge -y -q "${PACKAGES[@]}" || return 1
	local left
	left=$(inroot sh -c 'ls -d /usr/src/dxgkrnl-* /var/lib/dkms/dxgkrnl \
		/lib/modules/*/updates/dkms/dxgkrnl.ko* /lib/systemd/system/dxghost.service \
		/etc/default/dxghost /usr/sbin/dxghost '"$icd_manifest $icd_lib"' 2>/dev/null')
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
check "purge removes the module from every kernel, the service and its config, the Vulkan driver" purge

# --- 10. make dkms-install / dkms-uninstall (scripts/dkms.sh) from a source tree ----------------
first_line=$(scripts/kernel-release.sh --lines | head -n1)
first_rel=$(scripts/kernel-release.sh --root "$root" "$first_line" 2>&1)
dkms_script() {
	rm -rf "$root/tmp/opendxg"
	mkdir -p "$root/tmp/opendxg/scripts"
	cp -r dkms.conf driver include "$root/tmp/opendxg/"
	cp scripts/dkms.sh "$root/tmp/opendxg/scripts/"
	rm -f "$root"/tmp/opendxg/driver/*.o "$root"/tmp/opendxg/driver/*.ko
	inroot bash /tmp/opendxg/scripts/dkms.sh install -k "$first_rel" || return 1
	dkms_installed "$first_rel" || return 1
	inroot bash /tmp/opendxg/scripts/dkms.sh remove || return 1
	inroot sh -c '! ls -d /usr/src/dxgkrnl-* /var/lib/dkms/dxgkrnl /lib/modules/*/updates/dkms/dxgkrnl.ko* 2>/dev/null'
}
start=$(date +%s)
check "scripts/dkms.sh install -k $first_rel, then remove (make dkms-install, dkms-uninstall)" dkms_script
echo "# dkms.sh: $(($(date +%s) - start)) s"

exit $rc
