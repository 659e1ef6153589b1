#!/usr/bin/env bash
# Installs what is missing (scripts/install-deps.sh), builds everything and runs every test.
#
# Environment (all optional):
#   MAILAUTH_BUILD_DIR   build directory (default: build/ in the source tree)
#   MAILAUTH_BUILD_TYPE  CMake build type (default: Release)
#   MAILAUTH_CMAKE_ARGS  extra CMake arguments, e.g. "-DMAILAUTH_SANITIZE=ON"
#   MAILAUTH_JOBS        parallel build and test jobs (default: number of CPUs)
#   MAILAUTH_CTEST_ARGS  extra ctest arguments, e.g. "-LE ^interop$" to leave out a label
#   MAILAUTH_CONFORMANCE_DIR  the public conformance suites (default: ../shared/conformance
#                        beside the source tree); see README, "Conformance suites"
#   CI=true or MAILAUTH_WERROR=ON   treat compiler warnings as errors; with CI=true a missing
#                        conformance suite file fails its runner instead of skipping it
#
# The last line printed says which conformance suites ran and which were skipped, and why.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${MAILAUTH_BUILD_DIR:-$root/build}
build_type=${MAILAUTH_BUILD_TYPE:-Release}
jobs=${MAILAUTH_JOBS:-$(nproc)}

"$root/scripts/install-deps.sh"

cmake_args=(-S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type")
if [ "${CI:-}" = true ] || [ "${MAILAUTH_WERROR:-}" = ON ]; then
  cmake_args+=(-DMAILAUTH_WERROR=ON)
fi
# Word splitting is wanted: several arguments in one variable.
# shellcheck disable=SC2206
cmake_args+=(${MAILAUTH_CMAKE_ARGS:-})

cmake "${cmake_args[@]}"
cmake --build "$build_dir" --parallel "$jobs"
cd "$build_dir"
# Each conformance runner leaves a line here: "ran", or "skipped: <why>".
status_dir="$build_dir/conformance-status"
rm -rf "$status_dir"
result=0
# shellcheck disable=SC2206
ctest_args=(${MAILAUTH_CTEST_ARGS:-})
ctest --parallel "$jobs" --output-on-failure "${ctest_args[@]}" || result=$?

ran=()
skipped=()
for file in "$status_dir"/*; do
  [ -f "$file" ] || continue
  case "$file" in *.tmp.*) continue ;; esac
  base=$(basename "$file")
  suite=${base/./\/}  # dkim.mail-dkim -> dkim/mail-dkim
  line=$(head -n 1 "$file")
  if [ "$line" = ran ]; then
    ran+=("$suite")
  else
    skipped+=("$suite (${line#skipped: })")
  fi
done
if [ ${#ran[@]} -eq 0 ] && [ ${#skipped[@]} -eq 0 ]; then
  echo "conformance suites: none ran (their runners were not built or not run)"
else
  line="conformance suites: ran ${#ran[@]}"
  sep=" ("
  for suite in "${ran[@]}"; do line+="$sep$suite" && sep=", "; done
  [ ${#ran[@]} -eq 0 ] || line+=")"
  line+="; skipped ${#skipped[@]}"
  sep=": "
  for suite in "${skipped[@]}"; do line+="$sep$suite" && sep="; "; done
  echo "$line"
fi
exit "$result"
