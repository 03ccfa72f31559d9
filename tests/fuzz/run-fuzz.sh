#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets in tests/fuzz/ with clang into build/fuzz/
# and runs each for SECONDS (default 30) from a seed corpus the targets
# write themselves (DXG_FUZZ_SEEDS), keeping what they learn in
# build/fuzz/corpus-<name> for the next run.  Usage:
#   [FUZZ_TARGETS="a b"] tests/fuzz/run-fuzz.sh [--parallel] [--cpu] [SECONDS]
# --parallel runs the targets at the same time (the long run, make
# fuzz-host).  --cpu makes SECONDS each fuzzer's CPU time (user + system)
# rather than wall time: on a shared machine, where a niced fuzzer gets
# what the rest leaves, that is what "a CPU-hour per target" means.  Prints a figures line and one result line per target:
#   PASS fuzz/<name> (<N> runs)      or      FAIL fuzz/<name>: <crash file>
# and exits non-zero when any target crashed or could not be built.
#
# Only this script needs clang (and libclang-rt-14-dev for libFuzzer);
# meson's builds do not.  CC overrides the compiler.
set -uo pipefail
cd "$(dirname "$0")/../.."

parallel=0
cpu_budget=0
while [ $# -gt 0 ]; do
  case $1 in
    --parallel) parallel=1 ;;
    --cpu) cpu_budget=1 ;;
    *) break ;;
  esac
  shift
done
secs=${1:-30}
out=build/fuzz
cc=${CC:-clang}
# FUZZ_TARGETS: a subset (default all).
read -ra targets <<<"${FUZZ_TARGETS:-cmdstream dispatch gpuva spirv}"
san=(-fsanitize=address,undefined -fno-sanitize-recover=all)
cflags=(-std=c11 -g -O1 -D_GNU_SOURCE -DDXGHOST_VERSION='"fuzz"'
        -Iinclude -Ihost -Itests/fuzz -I"$out/gen")
# meson's gcc build is the warnings gate for host/; clang warns differently
# (e.g. -Wmissing-field-initializers on positional initializers), so only
# the fuzz targets themselves are built with -Werror here.
werror=(-Wall -Wextra -Werror)

mkdir -p "$out/obj"
rc=0

# The host library, instrumented for coverage; an archive so each target
# links only the objects it uses (main.c is the daemon's, not ours).
build_core() {
  local srcs=() s
  while IFS= read -r s; do
    [ "$s" = host/server/main.c ] || srcs+=("$s")
  done < <(find host -name '*.c' | sort)
  rm -f "$out"/obj/*.o "$out/libcore.a"
  printf '%s\n' "${srcs[@]}" | xargs -P "$(nproc)" -I{} sh -c \
    'o="$1/obj/$(basename "$2" .c).o"; shift 2; exec "$@" -c "$0" -o "$o"' \
    {} "$out" {} "$cc" "${cflags[@]}" -fsanitize=fuzzer-no-link "${san[@]}" \
    || return 1
  ar rcs "$out/libcore.a" "$out"/obj/*.o
}

# The SPIR-V target's seeds: real modules, compiled as meson's build does.
gen_shaders() {
  local s
  mkdir -p "$out/gen"
  for s in shaders/saxpy.comp:vulkan1.0 tests/unit/shaders/array.comp:vulkan1.0 \
           tests/unit/shaders/array_dyn.comp:vulkan1.0 \
           tests/unit/shaders/bda.comp:vulkan1.2 tests/unit/shaders/texel.comp:vulkan1.0 \
           tests/unit/shaders/image.comp:vulkan1.0 tests/unit/shaders/sample.comp:vulkan1.0 \
           tests/unit/shaders/views.comp:vulkan1.0; do
    local f=${s%%:*} env=${s##*:} n
    n=$(basename "$f" .comp)
    glslangValidator -V --quiet --target-env "$env" --vn "${n}_spv" \
      -o "$out/gen/${n}_spv.h" "$f" || return 1
  done
}

if ! gen_shaders >"$out/gen.log" 2>&1; then
  cat "$out/gen.log"
  echo "FAIL fuzz/build: the seed shaders do not compile (glslang-tools)"
  exit 1
fi
if ! build_core >"$out/build.log" 2>&1; then
  cat "$out/build.log"
  echo "FAIL fuzz/build: see $out/build.log"
  exit 1
fi
# Whatever the host objects need beyond libc: the Vulkan backend's loader
# and SPIRV-Tools (static C++ libraries, hence libstdc++).
libs=()
for pc in vulkan SPIRV-Tools libseccomp; do
  if pkg-config --exists "$pc" 2>/dev/null; then
    read -ra l <<<"$(pkg-config --libs "$pc")"
    libs+=("${l[@]}")
  fi
done
libs+=(-lstdc++ -lm -lpthread)

# Builds target $1 and writes its seeds; 1 when either fails.
prepare() {
  local t=$1 bin="$out/fuzz_$1"
  if ! "$cc" "${cflags[@]}" "${werror[@]}" -fsanitize=fuzzer "${san[@]}" \
      "tests/fuzz/fuzz_$t.c" "$out/libcore.a" "${libs[@]}" -o "$bin" \
      >"$out/build-$t.log" 2>&1; then
    cat "$out/build-$t.log"
    echo "FAIL fuzz/$t: does not build (see $out/build-$t.log)"
    return 1
  fi
  rm -rf "$out/seeds-$t" "$out/crash-$t"
  mkdir -p "$out/seeds-$t" "$out/corpus-$t" "$out/crash-$t"
  if ! DXG_FUZZ_SEEDS="$out/seeds-$t" "$bin" >"$out/seeds-$t.log" 2>&1; then
    cat "$out/seeds-$t.log"
    echo "FAIL fuzz/$t: writing the seed corpus failed"
    return 1
  fi
  cp -f "$out/seeds-$t"/* "$out/corpus-$t"/
}

# Sends SIGINT to the fuzzer under /usr/bin/time (pid $1) once its CPU
# time (utime + stime, /proc/PID/stat fields 14 and 15) reaches $2 seconds.
watch_cpu() {
  local tpid=$1 budget=$2 fpid="" ticks hz
  hz=$(getconf CLK_TCK)
  while kill -0 "$tpid" 2>/dev/null; do
    [ -n "$fpid" ] || fpid=$(pgrep -P "$tpid" | head -n1)
    if [ -n "$fpid" ] && ticks=$(awk '{ print $14 + $15 }' "/proc/$fpid/stat" 2>/dev/null) &&
       [ "$ticks" -ge $((budget * hz)) ]; then
      kill -INT "$fpid" 2>/dev/null
      return 0
    fi
    sleep 5
  done
}

# Runs target $1 for $secs and prints its result; 1 when it found something.
# The figures (docs/reliability.md §3): wall and CPU seconds (user + system
# of the fuzzer process, from the last line /usr/bin/time writes), executions, coverage (edges)
# and features of the last status line, corpus files and bytes.
fuzz() {
  local t=$1 bin="$out/fuzz_$1" log="$out/run-$1.log" frc runs crash cov
  local corpus="$out/corpus-$1" files bytes cpu wall
  local wall_limit=$secs
  # A CPU budget: no wall limit of libFuzzer's own (a day at most); the
  # watcher interrupts the fuzzer once it has had its CPU seconds, and
  # libFuzzer then prints its final stats and exits 72 (clang 14's has no
  # -interrupted_exit_code), which is this run's normal end.
  [ "$cpu_budget" = 1 ] && wall_limit=86400
  # An input slower than this many wall seconds is a finding.  A niced run
  # on a busy machine may be starved for longer than the 10 s that flags a
  # hang on a quiet one (fuzz_spirv "timed out" on an input that runs in
  # 0.3 s, at nice 19 beside a CI run), so there it is 300; so is what
  # libFuzzer reports as a slow input (also a failure here).
  local tmo=10
  [ "$cpu_budget" = 1 ] && tmo=300
  /usr/bin/time -f '%e %U %S' -o "$out/time-$t" \
    "$bin" -max_total_time="$wall_limit" -print_final_stats=1 -timeout="$tmo" -report_slow_units="$tmo" \
    -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$out/crash-$t/" "$corpus" >"$log" 2>&1 &
  local tpid=$!
  [ "$cpu_budget" = 1 ] && watch_cpu "$tpid" "$secs" &
  wait "$tpid"
  frc=$?
  if [ "$cpu_budget" = 1 ] && [ $frc -eq 72 ] && grep -q 'libFuzzer: run interrupted' "$log"; then
    frc=0
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
  runs=${runs:-0}
  crash=$(find "$out/crash-$t" -type f | head -n1)
  if [ $frc -ne 0 ] || [ -n "$crash" ]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5
    echo "FAIL fuzz/$t: ${crash:-exit $frc, see $log}"
    return 1
  fi
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sb "$corpus" | cut -f1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1)
  read -r wall cpu <<<"$(awk 'END { printf "%s %.0f", $1, $2 + $3 }' "$out/time-$t")"
  rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
  echo "fuzz/$t: $runs runs in ${wall}s wall, ${cpu}s CPU (${rate:-?} runs/s), ${cov:-cov: ?}, corpus $files files ($bytes bytes)"
  echo "PASS fuzz/$t ($runs runs)"
}

ready=()
for t in "${targets[@]}"; do
  if prepare "$t"; then ready+=("$t"); else rc=1; fi
done
if [ "$parallel" = 1 ]; then
  # One fuzzer per target at once; results in target order.
  pids=()
  for t in "${ready[@]}"; do
    fuzz "$t" >"$out/result-$t" 2>&1 &
    pids+=($!)
  done
  for i in "${!ready[@]}"; do
    wait "${pids[$i]}" || rc=1
    cat "$out/result-${ready[$i]}"
  done
else
  for t in "${ready[@]}"; do
    fuzz "$t" || rc=1
  done
fi
exit $rc
