#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The libvirt test: a guest attached to dxghost the way libvirt users attach
# one (docs/libvirt.md), through a real libvirtd (Debian's
# libvirt-daemon-system; QEMU under TCG without /dev/kvm).
#   1. installs libvirt-daemon-system and libvirt-clients when missing;
#   2. uses the libvirtd that answers on qemu:///system, or starts its own
#      (virtlogd and libvirtd, with a private libvirtd.conf and log) and
#      stops it at the end;
#   3. starts dxghost on a socket QEMU's user may connect to (0770, the
#      group QEMU runs as; QEMU is not root);
#   4. defines a domain from tests/libvirt/domain.xml.in: direct kernel boot
#      of Debian's kernel and a busybox initramfs (dxgkrnl.ko, dxg-smi,
#      dxg-demo, dxg-samples), serial console to a file, and
#      <shmem><model type='ivshmem-doorbell'/><server path=SOCKET/>
#      <msi vectors='2' ioeventfd='on'/></shmem>; virsh start;
#   5. the guest (tests/libvirt/guest.sh) runs the main job's workload and
#      then holds a device open; virsh destroy kills it there; virsh undefine;
#   6. dxghost must log the VM's disconnection with exactly the objects the
#      guest held freed, and its file descriptors, shared-memory mappings and
#      threads must be back where they were before the VM came.
# Prints PASS/FAIL lines named libvirt/...; exit status 0 when all passed.
# Logs (console, dxghost, libvirtd, QEMU's domain log, the domain XML) are
# kept in build/test-logs/libvirt/.  Run it as root.
set -uo pipefail
cd "$(dirname "$0")/../.."

usage() {
  cat <<EOF
Usage: ${0##*/} [--line LINE] [--fault no-host|bad-socket|no-access]

Defines and starts a libvirt domain attached to dxghost, runs the guest
workload in it, destroys it and checks that dxghost freed everything.
--line: Debian's kernel line for the guest (default: the first of
scripts/kernel-release.sh --lines).  --fault: proves the test fails (no-host:
dxghost is not started; bad-socket: the domain names a socket nobody serves;
no-access: the socket's directory is left to root, so QEMU, which does not run
as root, may not reach it); the run must then report FAIL.
EOF
}

line=
fault=
while [ $# -gt 0 ]; do
  case "$1" in
  -h|--help) usage; exit 0 ;;
  --line) [ $# -ge 2 ] || { usage >&2; exit 2; }; line=$2; shift 2 ;;
  --fault) [ $# -ge 2 ] || { usage >&2; exit 2; }; fault=$2; shift 2 ;;
  *) usage >&2; echo "${0##*/}: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$fault" in ''|no-host|bad-socket|no-access) ;; *) usage >&2; exit 2 ;; esac

rc=0
t0=$SECONDS
fail() { echo "FAIL libvirt/$1"; rc=1; }
pass() { echo "PASS libvirt/$1"; }
check() { if eval "$2"; then pass "$1"; else fail "$1"; fi; }
note() { echo "# $*"; }

[ "$(id -u)" = 0 ] || { fail "setup: run as root (libvirtd's qemu:///system)"; exit 1; }

# 1. libvirt, from Debian's packages.
packages=(libvirt-daemon-system libvirt-clients)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  note "installing ${missing[*]}"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
       >/tmp/dxg-libvirt-apt.log 2>&1; then
    tail -n 20 /tmp/dxg-libvirt-apt.log | sed 's/^/#   /'
    fail "setup: install ${missing[*]}"; exit 1
  fi
fi

mapfile -t lines < <(scripts/kernel-release.sh --lines)
line=${line:-${lines[0]}}
if [ "$line" = "${lines[0]}" ]; then VM=build/vm; else VM=build/vm-$line; fi
REL=build/rel
LOGS=build/test-logs/libvirt
mkdir -p "$LOGS"
rm -f "$LOGS"/*

URI=qemu:///system
NAME=opendxg-test-$$
work=$(mktemp -d /tmp/dxg-libvirt.XXXXXX)
# QEMU does not run as root: it must reach the kernel, initrd and console.
chmod 0755 "$work"
host_pid=
own_libvirtd=
own_virtlogd=
defined=

virsh_() { timeout 60 virsh -q -c "$URI" "$@"; }

save_logs() {
  cp "$work/console.log" "$LOGS/console.log" 2>/dev/null
  cp "$work/dxghost.log" "$LOGS/dxghost.log" 2>/dev/null
  cp "$work/libvirtd.log" "$LOGS/libvirtd.log" 2>/dev/null
  cp "$work/domain.xml" "$LOGS/domain.xml" 2>/dev/null
  cp "/var/log/libvirt/qemu/$NAME.log" "$LOGS/qemu-domain.log" 2>/dev/null
}

# What a failure needs to be understood: the guest's console, QEMU's own
# log (its command line and errors) and libvirtd's.
show_logs() {
  echo "# --- serial console (tail): $LOGS/console.log"
  { tr -d '\r' <"$work/console.log" | tail -n 40 | sed 's/^/#   /'; } 2>/dev/null
  echo "# --- QEMU's domain log (tail): /var/log/libvirt/qemu/$NAME.log"
  tail -n 20 "/var/log/libvirt/qemu/$NAME.log" 2>/dev/null | sed 's/^/#   /'
  echo "# --- libvirtd log (tail): $LOGS/libvirtd.log"
  if [ -n "$own_libvirtd" ]; then
    tail -n 20 "$work/libvirtd.log" 2>/dev/null | cut -c1-400 | sed 's/^/#   /'
  else
    echo "#   (a libvirtd this test did not start: see its own log)"
  fi
  echo "# --- dxghost log (tail): $LOGS/dxghost.log"
  tail -n 15 "$work/dxghost.log" 2>/dev/null | sed 's/^/#   /'
}

stop_pidfile() { # pidfile: TERM the daemon it names, wait for it to go
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

cleanup() {
  if [ -n "$defined" ]; then
    virsh_ destroy "$NAME" >/dev/null 2>&1
    virsh_ undefine "$NAME" >/dev/null 2>&1
  fi
  if [ -n "$host_pid" ]; then kill -TERM "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; fi
  save_logs
  # libvirt keeps the logs of domains long gone; this one is in $LOGS now.
  rm -f "/var/log/libvirt/qemu/$NAME.log"
  [ -n "$own_libvirtd" ] && stop_pidfile "$work/libvirtd.pid"
  [ -n "$own_virtlogd" ] && stop_pidfile "$work/virtlogd.pid"
  rm -rf "$work"
}
trap cleanup EXIT

# 2. The guest: Debian's kernel, a busybox initramfs with the module, the
# main job's programs and the guest script.
tools/vm/fetch-kernel.sh --line "$line" "$VM" >/dev/null || { fail "setup: fetch the guest kernel"; exit 1; }
ko=$(scripts/build-module.sh --line "$line" --quiet) && [ -f "$ko" ] ||
  { fail "setup: build dxgkrnl.ko for $line"; exit 1; }
GUEST=$VM/libvirt-guest
rm -rf "$GUEST"; mkdir -p "$GUEST/bin"
for f in "$REL/tools/dxg-smi" "$REL/tools/dxg-demo" "$REL/samples/dxg-samples" \
         "$REL/tests/vm/scenarios/test_dxg_hold" "$REL/host/dxghost"; do
  [ -x "$f" ] || { fail "setup: $f is missing (make build)"; exit 1; }
done
cp "$REL/tools/dxg-smi" "$REL/tools/dxg-demo" "$REL/samples/dxg-samples" \
   "$REL/tests/vm/scenarios/test_dxg_hold" "$GUEST/bin/"
cp tests/libvirt/guest.sh "$GUEST/run"
tools/vm/mkinitramfs.sh -o "$work/initrd.cpio.gz" -m "$ko" -d "$GUEST" >/dev/null ||
  { fail "setup: build the initramfs"; exit 1; }
cp "$VM/vmlinuz" "$work/vmlinuz"
chmod 0644 "$work/vmlinuz" "$work/initrd.cpio.gz"

# 3. libvirtd: the machine's, or our own for the length of the test.
if virsh_ version >/dev/null 2>&1; then
  note "using the libvirtd that answers on $URI"
else
  cat >"$work/libvirtd.conf" <<EOF
# Written by ${0##*/}: warnings and errors to the test's own log.
log_outputs="3:file:$work/libvirtd.log"
EOF
  # virtlogd collects QEMU's stdout/stderr (libvirt's stdio_handler "logd").
  # If one runs already, ours cannot bind the socket and exits; that one serves.
  if virtlogd -d -p "$work/virtlogd.pid" 2>"$work/virtlogd.err"; then own_virtlogd=1; fi
  if libvirtd -d -f "$work/libvirtd.conf" -p "$work/libvirtd.pid" 2>"$work/libvirtd.err"; then
    own_libvirtd=1
  else
    cat "$work/libvirtd.err" | sed 's/^/#   /'
  fi
  for _ in $(seq 150); do virsh_ version >/dev/null 2>&1 && break; sleep 0.2; done
  if virsh_ version >/dev/null 2>&1; then
    note "started libvirtd (pid $(cat "$work/libvirtd.pid" 2>/dev/null)) for this test"
  else
    fail "setup: libvirtd answers on $URI"; show_logs; exit 1
  fi
fi
note "$(virsh_ version 2>/dev/null | tr '\n' ' ' | sed 's/  */ /g')"

# QEMU's user and group (the dac model's base label for qemu domains, e.g.
# +64055:+64055 for libvirt-qemu), and any confinement (AppArmor, SELinux).
caps=$(virsh_ capabilities 2>/dev/null)
qemu_label=$(printf '%s\n' "$caps" | sed -n "s/.*<baselabel type='qemu'>\(.*\)<\/baselabel>.*/\1/p" | head -n1)
qemu_uid=${qemu_label%%:*}; qemu_uid=${qemu_uid#+}
qemu_gid=${qemu_label##*:}; qemu_gid=${qemu_gid#+}
[ -n "$qemu_gid" ] || { qemu_uid=0; qemu_gid=0; }
note "QEMU runs as uid $qemu_uid gid $qemu_gid"
seclabels=
for m in $(printf '%s\n' "$caps" | sed -n '/<secmodel>/,/<\/secmodel>/s/.*<model>\(.*\)<\/model>.*/\1/p'); do
  case "$m" in none|dac) ;; *)
    # The test domain runs unconfined by this model; docs/libvirt.md says
    # how to let a confined QEMU reach the socket instead.
    seclabels+="  <seclabel type='none' model='$m'/>"$'\n'
    note "security model $m: the test domain is not confined by it" ;;
  esac
done

# 4. dxghost, its socket 0770 in a 0750 directory, group QEMU's: what the
# dxghost package's unit does with its group (docs/packaging.md).
mkdir -m 0750 "$work/run"
if [ "$fault" = no-access ]; then note "fault: $work/run is root's only"; else chgrp "$qemu_gid" "$work/run"; fi
sock=$work/run/dxghost.sock
if [ "$fault" != no-host ]; then
  "$REL/host/dxghost" --socket "$sock" --socket-group "$qemu_gid" --socket-mode 0770 \
    --log-level info >"$work/dxghost.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  if [ -S "$sock" ]; then
    [ "$(stat -c %g:%a "$sock")" = "$qemu_gid:770" ] ||
      { fail "setup: dxghost's socket has group:mode $(stat -c %g:%a "$sock"), want $qemu_gid:770"; show_logs; exit 1; }
  else
    fail "setup: dxghost did not create $sock"; show_logs; exit 1
  fi
else
  note "fault: dxghost is not started"
fi
xml_sock=$sock
[ "$fault" = bad-socket ] && { xml_sock=$work/run/nobody.sock; note "fault: the domain names $xml_sock"; }

# What dxghost holds with no VM: what it must be back to afterwards. The
# socket appears before the adapters open (the Vulkan loader opens and closes
# files then), so the baseline waits for the line saying it is ready.
if [ -n "$host_pid" ]; then
  for _ in $(seq 300); do grep -q 'info: listening on' "$work/dxghost.log" && break; sleep 0.1; done
  grep -q 'info: listening on' "$work/dxghost.log" ||
    { fail "setup: dxghost did not say it is listening"; show_logs; exit 1; }
fi
fds() { ls "/proc/$host_pid/fd" 2>/dev/null | wc -l; }
shm_maps() { grep -c 'memfd:' "/proc/$host_pid/maps" 2>/dev/null; }
threads() { ls "/proc/$host_pid/task" 2>/dev/null | wc -l; }
if [ -n "$host_pid" ]; then
  base_fds=$(fds) base_maps=$(shm_maps) base_threads=$(threads)
  note "dxghost before the VM: $base_fds fds, $base_maps shared-memory mappings, $base_threads threads"
fi

# 5. The domain.
# KVM where a KVM guest starts here (tools/vm/kvm-cpu.sh; the domain's CPU
# is QEMU's default model, which nested hosts accept where they accept any).
if tools/vm/kvm-cpu.sh >/dev/null; then domtype=kvm; else domtype=qemu; fi
cmdline="console=ttyS0 panic=-1 quiet loglevel=4 tsc=unstable"
sed -e "s#@DOMTYPE@#$domtype#" -e "s#@NAME@#$NAME#" \
    -e "s#@KERNEL@#$work/vmlinuz#" -e "s#@INITRD@#$work/initrd.cpio.gz#" \
    -e "s#@CMDLINE@#$cmdline#" -e "s#@CONSOLE@#$work/console.log#" \
    -e "s#@SOCKET@#$xml_sock#" tests/libvirt/domain.xml.in |
  awk -v s="$seclabels" '/@SECLABELS@/ { sub(/@SECLABELS@/, s) } { print }' >"$work/domain.xml"

note "setup (guest, libvirtd, dxghost): $((SECONDS - t0)) s"
start=$SECONDS
if virsh_ define "$work/domain.xml" >"$work/virsh.out" 2>&1; then
  defined=1; pass "virsh define"
else
  fail "virsh define"; sed 's/^/#   /' "$work/virsh.out"; show_logs; exit 1
fi
if virsh_ start "$NAME" >"$work/virsh.out" 2>&1; then
  pass "virsh start"
else
  fail "virsh start"; sed 's/^/#   /' "$work/virsh.out"; show_logs; exit 1
fi
qemu_pid=$(cat "/run/libvirt/qemu/$NAME.pid" 2>/dev/null)
note "QEMU pid ${qemu_pid:-?}: $(ps -o user=,group= -p "${qemu_pid:-0}" 2>/dev/null | xargs)"
[ -S "$sock" ] && note "the socket while the domain runs: $(stat -c '%U:%G %A' "$sock")"

# The guest's result comes over the serial console (a file).
state=timeout
for _ in $(seq 600); do
  if tr -d '\r' <"$work/console.log" 2>/dev/null | grep -q '^DXG-LIBVIRT-HOLDING'; then state=holding; break; fi
  if tr -d '\r' <"$work/console.log" 2>/dev/null | grep -q '^DXG-VM-EXIT'; then state=exited; break; fi
  [ "$(virsh_ domstate "$NAME" 2>/dev/null)" = running ] || { state=stopped; break; }
  sleep 0.5
done
tr -d '\r' <"$work/console.log" 2>/dev/null | grep -E '^(PASS|FAIL) ' | sed 's#^\(PASS\|FAIL\) #\1 libvirt/#'
held=$(tr -d '\r' <"$work/console.log" 2>/dev/null | sed -n 's/^DXG-LIBVIRT-HOLDING objects=\([0-9]*\).*/\1/p' | head -n1)
note "guest: $state after $((SECONDS - start)) s (the host's objects for it: ${held:-?})"
if [ "$state" = holding ]; then
  pass "the guest ran its workload and holds a device"
  tr -d '\r' <"$work/console.log" | grep -q '^FAIL ' && rc=1
else
  fail "the guest ran its workload and holds a device ($state)"; show_logs
fi
check "dxghost saw the VM connect" "grep -q 'info: vm 1 connected' '$work/dxghost.log'"

# 6. Destroy it under the live guest; dxghost must free everything it had.
check "virsh destroy" "virsh_ destroy '$NAME' >'$work/virsh.out' 2>&1"
for _ in $(seq 100); do grep -q 'vm 1 disconnected' "$work/dxghost.log" 2>/dev/null && break; sleep 0.1; done
line_out=$(grep -m1 'vm 1 disconnected' "$work/dxghost.log" 2>/dev/null)
note "dxghost: ${line_out:-no disconnection logged}"
freed=$(printf '%s\n' "$line_out" | sed -n 's/.*disconnected: \([0-9]*\) objects freed.*/\1/p')
check "dxghost freed the objects the guest held (${freed:-none} of ${held:-?})" \
  "[ -n '$held' ] && [ '$held' -gt 0 ] && [ '${freed:-x}' = '$held' ]"
if [ -n "$host_pid" ]; then
  # The loop reaps the VM's fds and worker threads right after it logs.
  for _ in $(seq 50); do
    [ "$(fds)" = "$base_fds" ] && [ "$(shm_maps)" = "$base_maps" ] && [ "$(threads)" = "$base_threads" ] && break
    sleep 0.1
  done
  note "dxghost after the VM: $(fds) fds, $(shm_maps) shared-memory mappings, $(threads) threads"
  check "dxghost's file descriptors back to before the VM" "[ '$(fds)' = '$base_fds' ]"
  check "dxghost's shared-memory mappings back to before the VM" "[ '$(shm_maps)' = '$base_maps' ]"
  check "dxghost's threads back to before the VM" "[ '$(threads)' = '$base_threads' ]"
fi
check "QEMU is gone" "! kill -0 '${qemu_pid:-0}' 2>/dev/null"
if virsh_ undefine "$NAME" >"$work/virsh.out" 2>&1 && ! virsh_ dominfo "$NAME" >/dev/null 2>&1; then
  defined=; pass "virsh undefine"
else
  fail "virsh undefine"; sed 's/^/#   /' "$work/virsh.out"
fi

if [ -n "$host_pid" ]; then
  check "dxghost survived the VM" "kill -0 $host_pid"
  kill -TERM "$host_pid"; wait "$host_pid"; hrc=$?; host_pid=
  check "dxghost exits 0 on SIGTERM" "[ $hrc = 0 ]"
  check "dxghost log is clean" "! grep -qiE 'assert|sanitizer|segfault|error:' '$work/dxghost.log'"
fi
note "libvirt: $((SECONDS - start)) s from virsh define to the end, $((SECONDS - t0)) s in all"
[ $rc -eq 0 ] || show_logs
exit $rc
