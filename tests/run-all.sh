#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test suite and prints one summary line: "N passed, N failed".
#   unit + host : cmocka programs under ASan/UBSan (meson test, build/asan)
#   static      : the module with W=1 -Werror and sparse, for each kernel
#                 line (scripts/kernel-release.sh --lines), checkpatch;
#                 dxghost's layers (tests/static/check-host-layers.sh)
#   vm          : the real module in a real Debian guest under QEMU against
#                 the real dxghost (tests/vm/run-vm-tests.sh), once per
#                 kernel line and on the debug kernel; names are prefixed vm-LINE/, vm-debug/
#   pkg         : the Debian packages built and tested in a clean root
#                 (tests/pkg/run-pkg-tests.sh: DKMS, the systemd unit, ...)
#   libvirt     : a domain with a <shmem> ivshmem-doorbell device defined and
#                 started by a real libvirtd, the guest workload run in it,
#                 destroyed; dxghost frees all it held
#                 (tests/libvirt/run-libvirt-test.sh); names libvirt/...
# Each suite's individual results are counted; a suite that cannot run at
# all counts as a failure, never as a skip.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
logdir=build/test-logs
mkdir -p "$logdir"

count() { # name rc
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1)); echo "PASS $1"
  else
    failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1"
  fi
}

# Adds the PASS/FAIL lines of a log to the totals.
count_lines() { # log prefix
  local p f
  p=$(grep -c '^PASS ' "$1" || true)
  f=$(grep -c '^FAIL ' "$1" || true)
  passed=$((passed + p)); failed=$((failed + f))
  while IFS= read -r l; do failures+=("$2: ${l#FAIL }"); done < <(grep '^FAIL ' "$1" || true)
}

# section NAME: starts a suite's output, and says how long the previous one took.
sec_name='' sec_start=$SECONDS
section() {
  [ -z "$sec_name" ] || echo "# $sec_name: $((SECONDS - sec_start)) s"
  sec_name=$1 sec_start=$SECONDS
  [ -z "$1" ] || echo "== $1"
}

section "unit and host tests (ASan+UBSan)"
meson test -C build/asan --print-errorlogs --no-rebuild >"$logdir/meson-test.log" 2>&1
mrc=$?
sed -n 's/^ *[0-9]*\/[0-9]* \(.*\)$/\1/p' "$logdir/meson-test.log" | sed 's/  */ /g'
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$logdir/meson-test.log" | tail -n1)
bad=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$logdir/meson-test.log" | tail -n1)
to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$logdir/meson-test.log" | tail -n1)
ok=${ok:-0}; bad=$(( ${bad:-0} + ${to:-0} ))
if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
  bad=1; failures+=("meson test ran nothing (rc $mrc)")
  tail -n 30 "$logdir/meson-test.log"
elif [ "$bad" -gt 0 ] || [ $mrc -ne 0 ]; then
  failures+=("meson test: see $logdir/meson-test.log")
  [ "$bad" -eq 0 ] && bad=1
  grep -E '^[ 0-9/]+.*(FAIL|TIMEOUT|ERROR)' "$logdir/meson-test.log" || true
fi
passed=$((passed + ok)); failed=$((failed + bad))
# The seccomp allowlist as the release dxghost applies it: the sanitizer
# build above allows what the leak checker needs (fork, ptrace, signals).
build/rel/tests/host/test_sandbox >"$logdir/sandbox-rel.log" 2>&1
count "sandbox: the release build's allowlist refuses new processes, signals to others, ptrace" $?

section "static checks"
# The module for each kernel line, out of tree in build/kmod/<release>/
# (scripts/build-module.sh).  Kbuild rebuilds whatever was built with other
# flags, and every build is W=1 -Werror, so an incremental build is as strict
# as a clean one.  C=2 runs sparse on every file whether built or not.
for line in $(scripts/kernel-release.sh --lines); do
  scripts/build-module.sh --line "$line" >"$logdir/module-w1-$line.log" 2>&1
  mrc=$?
  [ $mrc -ne 0 ] && grep -E '(warning|error)' "$logdir/module-w1-$line.log" | head -n 20
  count "module $line: builds with W=1 -Werror" $mrc
  scripts/build-module.sh --line "$line" -- C=2 >"$logdir/sparse-$line.log" 2>&1
  src=$?
  if [ $src -eq 0 ] && grep -E '(warning|error):' "$logdir/sparse-$line.log" >/dev/null; then src=1; fi
  [ $src -ne 0 ] && grep -E '(warning|error)' "$logdir/sparse-$line.log" | head -n 20
  count "module $line: sparse clean" $src
done
scripts/checkpatch.sh >"$logdir/checkpatch.log" 2>&1
crc=$?
[ $crc -ne 0 ] && tail -n 30 "$logdir/checkpatch.log"
count "checkpatch clean" $crc

tests/static/check-host-layers.sh --self-test >"$logdir/host-layers.log" 2>&1 &&
  tests/static/check-host-layers.sh >>"$logdir/host-layers.log" 2>&1
lrc=$?
[ $lrc -ne 0 ] && cat "$logdir/host-layers.log"
count "host layers: includes go downward only" $lrc

section "fuzzing"
tests/fuzz/run-fuzz.sh "${DXG_FUZZ_SECONDS:-20}" >"$logdir/fuzz.log" 2>&1
frc=$?
cat "$logdir/fuzz.log"
count_lines "$logdir/fuzz.log" fuzz
count "fuzzers ran" $frc

section "packaging"
tests/pkg/run-pkg-tests.sh 2>&1 | tee "$logdir/pkg.log"
prc=${PIPESTATUS[0]}
count_lines "$logdir/pkg.log" pkg
count "pkg: packaging test run completed" $prc

# One VM suite per kernel line; names carry the line: vm-6.12/main/insmod.
for line in $(scripts/kernel-release.sh --lines); do
  section "VM tests, kernel line $line"
  tests/vm/run-vm-tests.sh --line "$line" 2>&1 |
    sed -u "s#^\(PASS\|FAIL\) #\1 vm-$line/#" | tee "$logdir/vm-$line.log"
  vrc=${PIPESTATUS[0]}
  count_lines "$logdir/vm-$line.log" vm
  count "vm-$line: VM test run completed" $vrc
done

# The busybox scenarios once more on the debug kernel (KASAN, lockdep,
# kmemleak, UBSAN...; docs/reliability.md): any report fails the run.
section "VM tests, debug kernel"
tests/vm/run-vm-tests.sh --line debug 2>&1 |
  sed -u "s#^\(PASS\|FAIL\) #\1 vm-debug/#" | tee "$logdir/vm-debug.log"
vrc=${PIPESTATUS[0]}
count_lines "$logdir/vm-debug.log" vm
count "vm-debug: VM test run completed" $vrc

# libvirt, the way most people run their guests (docs/libvirt.md).
section "libvirt"
tests/libvirt/run-libvirt-test.sh 2>&1 | tee "$logdir/libvirt.log"
lvrc=${PIPESTATUS[0]}
count_lines "$logdir/libvirt.log" libvirt
count "libvirt: libvirt test run completed" $lvrc

section ""
echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "failures:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
