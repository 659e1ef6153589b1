#!/usr/bin/env bash
# Static analysis of libauth/, milter/ and tools/: clang-tidy (checks in .clang-tidy) and cppcheck
# (suppressions in scripts/cppcheck-suppressions.txt, one reason per line). Tests and benchmarks
# are not analyzed.
#
#   scripts/analyze.sh            every source file
#   scripts/analyze.sh FILE...    only these .cpp files (clang-tidy still reports their headers)
#
# Configures (never builds) a build directory for its compile_commands.json, then runs both
# tools and prints each finding and a count per check. Exit 0 when there is no finding, 1 on any
# finding (or a file clang cannot parse), 2 on bad usage or a missing tool.
#
# Environment (optional):
#   MAILAUTH_ANALYZE_BUILD_DIR  build directory (default: build-analyze/ in the source tree)
#   MAILAUTH_JOBS               parallel jobs (default: number of CPUs)
#   CLANG_TIDY                  clang-tidy binary (default: clang-tidy-19)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${MAILAUTH_ANALYZE_BUILD_DIR:-$root/build-analyze}
jobs=${MAILAUTH_JOBS:-$(nproc)}
clang_tidy=${CLANG_TIDY:-clang-tidy-19}
for tool in "$clang_tidy" cppcheck cmake; do
  command -v "$tool" >/dev/null || {
    echo "analyze: $tool not found (scripts/install-deps.sh analysis installs it)" >&2
    exit 2
  }
done

files=()
cppcheck_files=()
if [ $# -gt 0 ]; then
  for f in "$@"; do
    [ -f "$f" ] || { echo "analyze: no such file: $f" >&2; exit 2; }
    files+=("$(realpath "$f")")
    # Absolute, as the compilation database names files: a relative filter matches nothing
    # there, and cppcheck then checks no file and reports no finding.
    cppcheck_files+=("--file-filter=$(realpath "$f")")
  done
fi

start=$SECONDS
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DMAILAUTH_BUILD_TESTS=OFF -DMAILAUTH_BUILD_BENCH=OFF >/dev/null
db="$build_dir/compile_commands.json"
if [ ${#files[@]} -eq 0 ]; then
  # With tests and benchmarks off, the database holds exactly libauth/, milter/ and tools/.
  mapfile -t files < <(python3 -c 'import json, sys
for e in json.load(open(sys.argv[1])): print(e["file"])' "$db" | sort -u)
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "analyze: clang-tidy ($("$clang_tidy" --version | sed -n 's/.*LLVM version //p')) on" \
  "${#files[@]} files, $jobs jobs"
# GCC's own warning flags (-Wno-restrict) are unknown to clang: not a finding.
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} sh -c \
  '"$1" -p "$2" --quiet --extra-arg=-Wno-unknown-warning-option "$3" \
     >"$4/tidy.$(echo "$3" | tr / _).log" 2>&1 || true' \
  sh "$clang_tidy" "$build_dir" {} "$out"
# A header's finding appears once per file that includes it: keep each finding once, with its
# notes and source lines.
cat "$out"/tidy.*.log | awk -v root="$root/" '
  /^[^ ].*:[0-9]+:[0-9]+: (warning|error): / {
    keep = !seen[$0]++
    if (keep) n++
  }
  /^[0-9]+ warnings? (and [0-9]+ errors? )?generated/ || /^Error while processing/ ||
    /^Suppressed [0-9]+ warnings/ || /^Use -header-filter/ || /^Found compiler error/ { next }
  keep { sub(root, ""); print }
  END { exit n > 0 }' >"$out/tidy.txt" || true
tidy_count=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' "$out/tidy.txt" || true)
cat "$out/tidy.txt"

echo "analyze: cppcheck ($(cppcheck --version)) on the same files"
# --std=c++20: cppcheck 2.10 knows no C++23; what it cannot parse is suppressed, with the reason,
# in the suppressions file. Style checks are on; useStlAlgorithm is the one suppressed there.
cppcheck --project="$db" "${cppcheck_files[@]}" --std=c++20 \
  --enable=warning,performance,portability,style --inline-suppr \
  --suppressions-list="$root/scripts/cppcheck-suppressions.txt" -i"$build_dir" \
  --quiet -j "$jobs" --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
  2>"$out/cppcheck.txt" >/dev/null || true
sed -i "s|^$root/||" "$out/cppcheck.txt"
cppcheck_count=$(grep -cE ':[0-9]+:[0-9]+: [a-z]+: .*\[[A-Za-z0-9_]+\]$' "$out/cppcheck.txt" || true)
cat "$out/cppcheck.txt"

echo "analyze: summary ($((SECONDS - start)) s)"
{
  grep -hoE '^[^ ].*:[0-9]+:[0-9]+: (warning|error): .*\[[^] ]+\]$' "$out/tidy.txt" |
    sed -E 's/.*\[([^] ]+)\]$/clang-tidy \1/' || true
  grep -hoE '\[[A-Za-z0-9_]+\]$' "$out/cppcheck.txt" | sed -E 's/\[(.*)\]/cppcheck \1/' || true
} | sort | uniq -c | sort -rn | sed 's/^/  /'
echo "  clang-tidy: $tidy_count finding(s), cppcheck: $cppcheck_count finding(s)"
[ "$tidy_count" -eq 0 ] && [ "$cppcheck_count" -eq 0 ]
