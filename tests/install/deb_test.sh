#!/usr/bin/env bash
# deb_test.sh BUILD_DIR SCRATCH: builds the Debian packages with cpack into SCRATCH and checks
# them with dpkg-deb: files, dependencies, maintainer scripts, the unit's command line, and that
# the packaged (stripped) binaries run. Exit 77 (skipped) without dpkg-deb, dpkg-shlibdeps or file.
set -euo pipefail
build=$1 scratch=$2
for tool in dpkg-deb dpkg-shlibdeps file cpack; do
  command -v "$tool" >/dev/null || { echo "deb_test: $tool is missing; skipped"; exit 77; }
done
rm -rf "$scratch" && mkdir -p "$scratch"
trap 'rc=$?; [ $rc -ne 0 ] && [ $rc -ne 77 ] && tail -n 40 "$scratch/cpack.log" 2>/dev/null; exit $rc' EXIT
fail() { echo "deb_test: $*"; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch" >"$scratch/cpack.log" 2>&1
runtime=$(ls "$scratch"/mailauth_*.deb) || fail "no mailauth_*.deb"
dev=$(ls "$scratch"/libmailauth-dev_*.deb) || fail "no libmailauth-dev_*.deb"

dpkg-deb -c "$runtime" | awk '{print $1, $NF}' >"$scratch/runtime.list"
for f in ./usr/sbin/mailauth-milter ./usr/bin/mailauth \
         ./usr/lib/systemd/system/mailauth-milter.service \
         ./usr/share/mailauth/mailauth-milter.conf.example \
         ./usr/share/mailauth/grafana-mailauth.json; do
  grep -q " $f\$" "$scratch/runtime.list" || fail "$f is not in $(basename "$runtime")"
done
grep -q "^-rwxr-xr-x ./usr/sbin/mailauth-milter\$" "$scratch/runtime.list" ||
  fail "mailauth-milter is not 0755"
if grep -q -e "/include/" -e "\.a\$" "$scratch/runtime.list"; then
  fail "development files in $(basename "$runtime")"
fi

[ "$(dpkg-deb -f "$runtime" Package)" = mailauth ] || fail "runtime package name"
[ "$(dpkg-deb -f "$runtime" Section)" = mail ] || fail "runtime section"
depends=$(dpkg-deb -f "$runtime" Depends)
for lib in libc6 libstdc++6 libssl3 libldns3 libmilter1.0.1 libboost-program-options1.74.0 \
           libmicrohttpd12 libsystemd0 adduser init-system-helpers; do
  [[ ", $depends," == *", $lib"[\ ,]* ]] || fail "Depends lacks $lib: $depends"
done

dpkg-deb --ctrl-tarfile "$runtime" | tar -tvf - | awk '{print $1, $NF}' >"$scratch/control.list"
for script in postinst prerm postrm; do
  grep -q "^-rwxr-xr-x ./$script\$" "$scratch/control.list" || fail "$script missing or not 0755"
done
dpkg-deb --ctrl-tarfile "$runtime" | tar -xOf - ./postinst >"$scratch/postinst"
sh -n "$scratch/postinst" || fail "postinst is not valid sh"
grep -q 'adduser .*--system .*mailauth' "$scratch/postinst" || fail "postinst creates no user"
grep -q '\[ ! -e "$config" \]' "$scratch/postinst" || fail "postinst may overwrite the config"

mkdir "$scratch/root"
dpkg-deb -x "$runtime" "$scratch/root"
unit=$scratch/root/usr/lib/systemd/system/mailauth-milter.service
grep -qx 'ExecStart=/usr/sbin/mailauth-milter --config /etc/mailauth/mailauth-milter.conf' "$unit" ||
  fail "ExecStart: $(grep ExecStart= "$unit")"
grep -qx 'Type=notify' "$unit" || fail "unit is not Type=notify"
grep -qx 'ExecReload=/bin/kill -USR1 $MAINPID' "$unit" || fail "ExecReload"
# systemd's own parser, with ExecStart pointing at the extracted binary: silence means no warning.
if command -v systemd-analyze >/dev/null; then
  mkdir "$scratch/unit"
  sed "s|^ExecStart=/usr/sbin/|ExecStart=$scratch/root/usr/sbin/|" "$unit" \
    >"$scratch/unit/mailauth-milter.service"
  warnings=$(systemd-analyze verify "$scratch/unit/mailauth-milter.service" 2>&1) ||
    fail "systemd-analyze verify: $warnings"
  [ -z "$warnings" ] || fail "systemd-analyze verify: $warnings"
fi
version=$("$scratch/root/usr/sbin/mailauth-milter" --version) || fail "packaged milter does not run"
[[ "$version" == "mailauth-milter $(dpkg-deb -f "$runtime" Version | cut -d- -f1)" ]] ||
  fail "packaged milter says '$version'"
"$scratch/root/usr/sbin/mailauth-milter" --config "$scratch/root/usr/share/mailauth/mailauth-milter.conf.example" \
  --print-config >/dev/null || fail "the packaged example does not load"
"$scratch/root/usr/bin/mailauth" --help >/dev/null || fail "packaged mailauth does not run"

dpkg-deb -c "$dev" | awk '{print $NF}' >"$scratch/dev.list"
for f in ./usr/include/auth/dkim.hpp ./usr/lib/libmailauth.a ./usr/lib/pkgconfig/mailauth.pc \
         ./usr/lib/cmake/mailauth/mailauthConfig.cmake; do
  grep -qx "$f" "$scratch/dev.list" || fail "$f is not in $(basename "$dev")"
done
echo "deb_test: $(basename "$runtime") and $(basename "$dev") look right"
