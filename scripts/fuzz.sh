#!/usr/bin/env bash
# Runs one fuzz target with the real fuzzer (libFuzzer) for a bounded time over its seed corpus.
#
#   scripts/fuzz.sh TARGET SECONDS      e.g. scripts/fuzz.sh authres 300
#
# TARGET is one of tests/fuzz/<TARGET>_fuzz.cpp (message, authres, zone, spf, dkim, arc, ...).
# The targets are built with -DMAILAUTH_FUZZ=ON (and ASan + UBSan) in a build directory of their
# own, since that build instruments libauth for coverage (tests/fuzz/CMakeLists.txt). The seeds
# in testdata/fuzz/<TARGET>/ are read, never written: inputs the fuzzer finds go to
# <build dir>/corpus/<TARGET>/, kept from run to run, and a crashing input to
# <build dir>/artifacts/<TARGET>/. Exit 0 when the time ran out without a finding, 1 on a finding
# (crash, leak, timeout, sanitizer report), 2 on bad usage.
#
# Environment (optional):
#   MAILAUTH_FUZZ_BUILD_DIR  build directory (default: build-fuzz/ in the source tree)
#   MAILAUTH_JOBS            parallel build jobs (default: number of CPUs)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() {
  echo "usage: scripts/fuzz.sh TARGET SECONDS (targets: $(targets))" >&2
  exit 2
}
targets() {
  local names=()
  for f in "$root"/tests/fuzz/*_fuzz.cpp; do
    names+=("$(basename "$f" _fuzz.cpp)")
  done
  echo "${names[*]}"
}

[ $# -eq 2 ] || usage
target=${1#fuzz_}
seconds=$2
[ -f "$root/tests/fuzz/${target}_fuzz.cpp" ] || usage
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
seeds="$root/testdata/fuzz/$target"
[ -d "$seeds" ] || { echo "fuzz: no seed corpus at $seeds" >&2; exit 2; }

build_dir=${MAILAUTH_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${MAILAUTH_JOBS:-$(nproc)}

"$root/scripts/install-deps.sh" fuzz

cmake_args=(-S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DMAILAUTH_SANITIZE=ON -DMAILAUTH_BUILD_BENCH=OFF -DMAILAUTH_FUZZ=ON)
if command -v ccache >/dev/null; then
  cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" --parallel "$jobs" --target "fuzz_$target"

corpus="$build_dir/corpus/$target"
artifacts="$build_dir/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
echo "fuzz: $target for $seconds s; new inputs in $corpus, findings in $artifacts"
status=0
"$build_dir/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz: $target found a problem (exit $status); the input is in $artifacts." >&2
  echo "fuzz: replay it with $build_dir/tests/fuzz/fuzz_$target FILE, fix it, then keep it as" \
    "testdata/fuzz/$target/regression_<what>.* so the fuzz_$target ctest replays it." >&2
  exit 1
fi
echo "fuzz: $target ran $seconds s without a finding"
