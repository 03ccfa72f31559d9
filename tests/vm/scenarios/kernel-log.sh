# SPDX-License-Identifier: MIT
# Sourced by the guest scenario scripts (and tests/vm/run-guest.sh): the
# kernel's own reports about the run.  kernel_checks_begin before the module
# is loaded; kernel_log_clean at the end prints PASS/FAIL lines and sets r=1
# on a failure.  On the debug kernel (tools/vm/build-debug-kernel.sh) the
# reports include KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, UBSAN and
# debug objects in the log, and kmemleak, which is scanned here.
KMEMLEAK=/sys/kernel/debug/kmemleak

kernel_checks_begin() {
  [ -d /sys/kernel/debug ] && [ ! -e $KMEMLEAK ] &&
    mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
  # What the kernel leaked before our module was loaded is not ours.
  [ -e $KMEMLEAK ] && echo clear >$KMEMLEAK
  return 0
}

kernel_log_clean() {
  # kmemleak's own start-up lines name it; its reports still match "leak".
  if dmesg | grep -vE 'kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread started)' |
     grep -E 'WARNING|BUG|Oops|leak|INFO: possible|UBSAN|KASAN|general protection'; then
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
