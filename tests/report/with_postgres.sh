#!/usr/bin/env bash
# Runs a command with a private PostgreSQL 15 server: initdb into a temporary directory as an
# unprivileged user, listening only on a unix socket in that directory, stopped and removed at
# the end (also when the command fails or the script is interrupted).
#
#   with_postgres.sh COMMAND [ARGS...]
#
# The command sees MAILAUTH_TEST_PG_HOST (the socket directory), MAILAUTH_TEST_PG_USER,
# MAILAUTH_TEST_PG_DATA and MAILAUTH_TEST_PG_CTL (a script that runs pg_ctl for this cluster as
# its owner: `"$MAILAUTH_TEST_PG_CTL" stop|start`), and a database MAILAUTH_TEST_PG_DB.
# The server runs with fsync=off unless MAILAUTH_PG_FSYNC=on (benchmarks want real commits).
# Without postgresql-15 the command runs without these variables (its PostgreSQL tests then skip
# with a message), except under CI, where that is an error.
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
if [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "with_postgres: postgresql-15 is not installed ($pg_bin); run scripts/install-deps.sh" >&2
    exit 1
  fi
  echo "with_postgres: postgresql-15 is not installed; PostgreSQL tests will skip" >&2
  exec "$@"
fi

# initdb refuses to run as root: use an unprivileged owner.
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  owner=mailauth-pgtest
  if ! id -u "$owner" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$owner" 2>/dev/null ||
      owner=nobody
  fi
fi
as_owner() {
  if [ "$(id -un)" = "$owner" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi
}

dir=$(mktemp -d /tmp/mailauth-pg.XXXXXX)
chmod 755 "$dir"
chown "$owner" "$dir"
cleanup() {
  status=$?
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_owner "$pg_bin/initdb" -D "$dir/data" -U dmarc --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
cat >"$dir/pg_ctl.sh" <<CTL
#!/usr/bin/env bash
# pg_ctl for the test cluster, as its owner: pg_ctl.sh stop|start
set -e
if [ "\$(id -un)" = "$owner" ]; then run=(); else run=(runuser -u "$owner" --); fi
case "\$1" in
  stop) "\${run[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  start) "\${run[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
           -o "-k $dir -c listen_addresses='' -c fsync=${MAILAUTH_PG_FSYNC:-off} -c max_connections=50" start >/dev/null ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CTL
chmod 755 "$dir/pg_ctl.sh"
"$dir/pg_ctl.sh" start || { cat "$dir/server.log" >&2; exit 1; }
"$pg_bin/createdb" -h "$dir" -U dmarc dmarc_test

export MAILAUTH_TEST_PG_HOST="$dir" MAILAUTH_TEST_PG_USER=dmarc MAILAUTH_TEST_PG_DB=dmarc_test
export MAILAUTH_TEST_PG_DATA="$dir/data" MAILAUTH_TEST_PG_CTL="$dir/pg_ctl.sh"
"$@"
