# SPDX-License-Identifier: MIT
# Sourced by the guest scenario scripts (and tests/vm/run-guest.sh): the
# kernel's own reports about the run.  kernel_checks_begin before the module
# is loaded; kernel_log_clean at the end prints PASS/FAIL lines and sets r=1
# on a failure.  On the debug kernel (tools/vm/build-debug-kernel.sh) the
# reports include KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, UBSAN and
# debug objects in the log, and kmemleak, which is scanned here.
# Only what the kernel logs after kernel_checks_begin is judged: a report
# from the guest kernel's own boot (before our module exists) is printed as
# a note, not counted, as kmemleak's earlier finds are cleared.
KMEMLEAK=/sys/kernel/debug/kmemleak
KLOG_MARK='dxg-tests: kernel checks begin'
KLOG_PATTERN='WARNING|BUG|Oops|leak|INFO: possible|UBSAN|KASAN|general protection'

kernel_checks_begin() {
  [ -d /sys/kernel/debug ] && [ ! -e $KMEMLEAK ] &&
    mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
  # What the kernel leaked before our module was loaded is not ours.
  [ -e $KMEMLEAK ] && echo clear >$KMEMLEAK
  echo "$KLOG_MARK" >/dev/kmsg
  return 0
}

# The kernel log from the last mark on.  If the ring buffer has wrapped past
# the mark, everything left was logged after it.
klog_since_mark() {
  dmesg | awk -v m="$KLOG_MARK" '
    { line[NR] = $0 } index($0, m) { from = NR }
    END { for (i = from ? from : 1; i <= NR; i++) print line[i] }'
}

# What the kernel logged before the mark: shown, not judged.
klog_before_mark() {
  dmesg | awk -v m="$KLOG_MARK" 'index($0, m) { exit } { print }'
}

kernel_log_clean() {
  # kmemleak's own start-up lines name it; its reports still match "leak".
  if klog_before_mark | grep -qE "$KLOG_PATTERN"; then
    echo "note: the guest kernel reported this before our module was loaded (not judged):"
    klog_before_mark | grep -E "$KLOG_PATTERN" | head -n 20
  fi
  if klog_since_mark | grep -vE 'kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread started)' |
     grep -E "$KLOG_PATTERN"; then
    echo "FAIL kernel log clean"; r=1
  else
    echo "PASS kernel log clean"
  fi
  if [ -e $KMEMLEAK ]; then
    echo scan >$KMEMLEAK; sleep 2; echo scan >$KMEMLEAK
    if grep -q unreferenced $KMEMLEAK; then
      echo "kmemleak: $(grep -c unreferenced $KMEMLEAK) objects; the first of them:"
      head -n 400 $KMEMLEAK; echo "FAIL kmemleak finds no leak"; r=1
    else
      echo "PASS kmemleak finds no leak"
    fi
  fi
}
