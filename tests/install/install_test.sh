#!/usr/bin/env bash
# install_test.sh BUILD_DIR CONSUMER_SRC SCRATCH: cmake --install into SCRATCH/prefix, then build
# and run the consumer through find_package and through pkg-config.
set -euo pipefail
build=$1 src=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
prefix=$scratch/prefix

cmake --install "$build" --prefix "$prefix" >"$scratch/install.log"
for f in include/auth/dkim.hpp include/auth/dns.hpp lib/libmailauth.a \
         lib/cmake/mailauth/mailauthConfig.cmake lib/pkgconfig/mailauth.pc; do
  [ -e "$prefix/$f" ] || { echo "install_test: $f was not installed"; exit 1; }
done

cmake -S "$src" -B "$scratch/cmake-consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >"$scratch/configure.log"
cmake --build "$scratch/cmake-consumer" >"$scratch/build.log"
out=$("$scratch/cmake-consumer/consumer")
[ "$out" = "example.com pass" ] || { echo "install_test: find_package consumer printed '$out'"; exit 1; }

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046
g++ -o "$scratch/pc-consumer" "$src/consumer.cpp" $(pkg-config --cflags --libs mailauth)
out=$("$scratch/pc-consumer")
[ "$out" = "example.com pass" ] || { echo "install_test: pkg-config consumer printed '$out'"; exit 1; }
echo "install_test: both consumers built and ran"
