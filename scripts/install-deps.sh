#!/usr/bin/env bash
# Installs every Debian 12 package that mailauth's build, tests and benchmarks need.
# Idempotent and quick when everything is present: apt-get runs only for missing packages.
#
#   install-deps.sh            build, tests, benchmarks
#   install-deps.sh analysis   also clang-tidy and cppcheck, for scripts/analyze.sh (CI)
#   install-deps.sh fuzz       also libFuzzer's runtime, for scripts/fuzz.sh
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config clang-format
  libssl-dev libldns-dev libmilter-dev libboost-program-options-dev nlohmann-json3-dev
  # milter metrics endpoint and service manager notifications
  libmicrohttpd-dev libsystemd-dev
  # DMARC report store (SQLite default, PostgreSQL for fleets) and gzip of aggregate reports
  libsqlite3-dev libpq-dev zlib1g-dev
  # Debian packages (cpack -G DEB with dpkg-shlibdeps)
  dpkg-dev file
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev publicsuffix
  # interop and integration peers
  python3-dkim python3-authres libmail-dkim-perl postfix swaks
  # report tests: a private PostgreSQL server, XSD validation of aggregate reports
  postgresql-15 libxml2-utils
)
for group in "$@"; do
  case "$group" in
    # libclang_rt.fuzzer-x86_64.a: the fuzz targets are built with GCC and linked with it
    # (tests/fuzz/CMakeLists.txt).
    fuzz) packages+=(libclang-rt-14-dev) ;;
    # static analysis (scripts/analyze.sh): clang-tidy 19 is Debian 12's oldest that parses
    # libstdc++ 12's <expected>
    analysis) packages+=(clang-tidy-19 cppcheck) ;;
    *)
      echo "install-deps: unknown group '$group' (known: analysis, fuzz)" >&2
      exit 2
      ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run this script as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
# Keep package scripts from starting daemons (postfix) on machines without systemd.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
trap '[ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT

echo "install-deps: installing ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
