#!/usr/bin/env bash
# End-to-end: a private Postfix instance on loopback hands a message to mailauth-milter and
# delivers it, unchanged, into a Maildir; with the milter stopped, milter_default_action =
# tempfail must turn the message away with a 4xx. Everything lives in one temporary directory.
#
# Usage: postfix_test.sh PATH/TO/mailauth-milter
# Exit: 0 pass, 1 fail, 77 skipped (not root, or postfix/swaks missing).
set -euo pipefail

milter_bin=${1:?usage: postfix_test.sh PATH/TO/mailauth-milter}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to run a private Postfix instance"
command -v postfix >/dev/null || [ -x /usr/sbin/postfix ] || skip "postfix is not installed"
command -v swaks >/dev/null || skip "swaks is not installed"
id postfix >/dev/null 2>&1 || skip "no postfix user"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

domain=test.example
lab=$(mktemp -d /tmp/mailauth-postfix.XXXXXX)
milter_pid=""
cleanup() {
  set +e
  [ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null && wait "$milter_pid" 2>/dev/null
  local master=""
  [ -r "$lab/queue/pid/master.pid" ] && master=$(tr -dc 0-9 <"$lab/queue/pid/master.pid")
  postfix -c "$lab/etc" stop >/dev/null 2>&1
  # master exits shortly after "stop"; wait (5 s at most) so its files can be removed.
  for _ in $(seq 50); do
    if [ -z "$master" ] || [ ! -e "/proc/$master" ]; then break; fi
    grep -q '^State:.*Z' "/proc/$master/status" 2>/dev/null && break  # exited, not yet reaped
    sleep 0.1
  done
  rm -rf "$lab"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- milter log"; cat "$lab/milter.log" 2>/dev/null || true
  echo "--- postfix log"; cat "$lab/log/postfix.log" 2>/dev/null || true
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
smtp_port=$(free_port)
milter_port=$(free_port)
while [ "$milter_port" = "$smtp_port" ]; do milter_port=$(free_port); done

# Postfix runs its daemons as user postfix and delivers as nobody: they must reach the lab.
chmod 755 "$lab"
mkdir -p "$lab/etc" "$lab/queue" "$lab/data" "$lab/log" "$lab/mail"
chown postfix "$lab/data"
chown nobody:nogroup "$lab/mail"

cat >"$lab/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $lab/queue
data_directory = $lab/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.$domain
mydomain = $domain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
in_flow_delay = 0
biff = no
maillog_file = $lab/log/postfix.log
maillog_file_prefixes = $lab/log
virtual_mailbox_domains = $domain
virtual_mailbox_base = $lab/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
milter_protocol = 6
smtpd_milters = inet:127.0.0.1:$milter_port
non_smtpd_milters =
milter_default_action = tempfail
CF

cat >"$lab/etc/master.cf" <<CF
127.0.0.1:$smtp_port inet n - n - - smtpd
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
relay     unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
local     unix  - n n -    - local
virtual   unix  - n n -    - virtual
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
CF

# The message, LF line endings; Postfix stores it with LF too, so bytes compare directly.
cat >"$lab/message.eml" <<EML
From: Alice <alice@sender.example>
To: inbox@$domain
Subject: mailauth-milter end-to-end test
Date: Sat, 28 Nov 2026 12:00:00 +0000
Message-ID: <postfix-test-$$@sender.example>
X-Folded: first part
	second part

Hello through Postfix and mailauth-milter.
  Leading spaces, trailing spaces   
.dot-started line

last line
EML
# swaks ends DATA with CRLF . CRLF after the data it is given, adding a line break: give it
# the message without its final one.
head -c -1 "$lab/message.eml" >"$lab/message.swaks"

"$milter_bin" --socket "inet:$milter_port@127.0.0.1" --log_level debug \
  --authserv_id "mx.$domain" >"$lab/milter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$milter_port") 2>/dev/null && break
  kill -0 "$milter_pid" 2>/dev/null || fail "milter exited at start"
  sleep 0.1
done

postfix -c "$lab/etc" check || fail "postfix check"
postfix -c "$lab/etc" start || fail "postfix start"
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break
  sleep 0.1
done

send() {
  timeout 60 swaks --server "127.0.0.1:$smtp_port" --helo client.example \
    --from alice@sender.example --to "inbox@$domain" --data "@$lab/message.swaks" \
    --timeout 30 >"$lab/swaks.$1.log" 2>&1
}

# 1. Through the milter: delivered, unchanged.
send 1 || { cat "$lab/swaks.1.log"; fail "swaks could not send through the milter"; }
delivered=""
for _ in $(seq 300); do
  delivered=$(find "$lab/mail/inbox/new" -type f 2>/dev/null | head -n 1 || true)
  [ -n "$delivered" ] && break
  sleep 0.1
done
[ -n "$delivered" ] || fail "message not delivered to the Maildir within 30 s"
size=$(wc -c <"$lab/message.eml")
# Postfix puts Return-Path, Delivered-To and its Received header above the original bytes.
tail -c "$size" "$delivered" | cmp -s - "$lab/message.eml" ||
  { diff <(tail -c "$size" "$delivered") "$lab/message.eml" || true; fail "message changed"; }
grep -q "^Authentication-Results:" "$delivered" && fail "unexpected header added"
grep -q "message 1: from=<alice@sender.example> rcpts=1 " "$lab/milter.log" ||
  fail "milter did not see the message"
echo "ok: delivered unchanged through mailauth-milter"

delivered_count() { find "$lab/mail/inbox/new" -type f | wc -l; }
# Optional throughput figure: MAILAUTH_POSTFIX_LOAD=2000 sends that many messages over 10
# sessions with smtp-source and prints messages per second (not part of the pass/fail test).
if [ -n "${MAILAUTH_POSTFIX_LOAD:-}" ]; then
  load=$MAILAUTH_POSTFIX_LOAD
  expected=$(($(delivered_count) + load))
  started=$(date +%s.%N)
  timeout 300 smtp-source -s 10 -m "$load" -f alice@sender.example -t "inbox@$domain" \
    -F "$lab/message.eml" "127.0.0.1:$smtp_port" || fail "smtp-source failed"
  for _ in $(seq 3000); do
    [ "$(delivered_count)" -ge "$expected" ] && break
    sleep 0.1
  done
  [ "$(delivered_count)" -ge "$expected" ] || fail "load: not all messages delivered"
  python3 -c "import sys; n, t = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]);
print('load: %d messages in %.2f s = %.0f msg/s through the milter (TCP)' % (n, t, n / t))" \
    "$load" "$started" "$(date +%s.%N)"
fi
before=$(delivered_count)

# 2. Milter stopped: milter_default_action = tempfail answers 4xx, nothing delivered.
kill -TERM "$milter_pid"
status=0
wait "$milter_pid" || status=$?
milter_pid=""
[ "$status" -eq 0 ] || fail "milter exit status $status after SIGTERM"
if send 2; then fail "message accepted with the milter down"; fi
grep -Eq '^<\*\* +4[0-9][0-9][ -]' "$lab/swaks.2.log" ||
  { cat "$lab/swaks.2.log"; fail "expected a 4xx reply with the milter down"; }
grep -E '^<\*\* +4' "$lab/swaks.2.log" | head -n 1
[ "$(delivered_count)" -eq "$before" ] || fail "a message was delivered with the milter down"
echo "ok: milter down gives a temporary failure"
