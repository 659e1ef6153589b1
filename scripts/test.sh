#!/usr/bin/env bash
# Installs what is missing (scripts/install-deps.sh), builds everything and runs every test.
#
# Environment (all optional):
#   MAILAUTH_BUILD_DIR   build directory (default: build/ in the source tree)
#   MAILAUTH_BUILD_TYPE  CMake build type (default: Release)
#   MAILAUTH_CMAKE_ARGS  extra CMake arguments, e.g. "-DMAILAUTH_SANITIZE=ON"
#   MAILAUTH_JOBS        parallel build and test jobs (default: number of CPUs)
#   CI=true or MAILAUTH_WERROR=ON   treat compiler warnings as errors
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
ctest --parallel "$jobs" --output-on-failure
