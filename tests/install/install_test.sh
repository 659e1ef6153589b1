#!/usr/bin/env bash
# install_test.sh BUILD_DIR CONSUMER_SRC SCRATCH [CXXFLAGS]: cmake --install into SCRATCH/prefix,
# then build and run the consumer through find_package and through pkg-config.
set -euo pipefail
build=$1 src=$2 scratch=$3 flags=${4:-}
rm -rf "$scratch" && mkdir -p "$scratch"
# On failure, show what the failing step logged.
trap 'rc=$?; [ $rc -ne 0 ] && tail -n 30 "$scratch"/*.log 2>/dev/null; exit $rc' EXIT
prefix=$scratch/prefix

cmake --install "$build" --prefix "$prefix" >"$scratch/install.log"
for f in include/auth/dkim.hpp include/auth/dns.hpp lib/libmailauth.a \
         lib/cmake/mailauth/mailauthConfig.cmake lib/pkgconfig/mailauth.pc; do
  [ -e "$prefix/$f" ] || { echo "install_test: $f was not installed"; exit 1; }
done

cmake -S "$src" -B "$scratch/cmake-consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$scratch/configure.log"
cmake --build "$scratch/cmake-consumer" >"$scratch/build.log" 2>&1
out=$("$scratch/cmake-consumer/consumer")
[ "$out" = "example.com pass" ] || { echo "install_test: find_package consumer printed '$out'"; exit 1; }

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046
# shellcheck disable=SC2086
g++ $flags -o "$scratch/pc-consumer" "$src/consumer.cpp" $(pkg-config --cflags --libs mailauth) \
  >"$scratch/pkg-config-build.log" 2>&1
out=$("$scratch/pc-consumer")
[ "$out" = "example.com pass" ] || { echo "install_test: pkg-config consumer printed '$out'"; exit 1; }
echo "install_test: both consumers built and ran"
