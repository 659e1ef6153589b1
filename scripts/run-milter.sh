#!/usr/bin/env bash
# Installs what is missing, builds mailauth-milter (Release, in build/) and runs it in the
# foreground with its built-in defaults: verify mode on inet:8891@127.0.0.1. Arguments are
# passed on, e.g. scripts/run-milter.sh --log_level debug. Stop it with Ctrl-C or SIGTERM.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${MAILAUTH_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${MAILAUTH_BUILD_TYPE:-Release}"
cmake --build "$build_dir" --parallel "${MAILAUTH_JOBS:-$(nproc)}" --target mailauth-milter
exec "$build_dir/milter/mailauth-milter" "$@"
