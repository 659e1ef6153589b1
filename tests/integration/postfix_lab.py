"""A private Postfix instance on loopback and a mailauth-milter beside it, for the end-to-end
test (postfix_test.py) and the throughput bench (bench/postfix_throughput.py).

Everything lives in one temporary directory: Postfix's configuration, queue, log and a Maildir
that receives every message for the lab domain. Needs root (Postfix drops to its own users).
"""
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time

POSTFIX_DIRS = ("etc", "queue", "data", "log", "mail")

MASTER_CF = """\
{listen} inet n - n - - smtpd
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
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def can_run():
    """None when a lab can run here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "needs root to run a private Postfix instance"
    if not os.path.exists("/usr/sbin/postfix"):
        return "postfix is not installed"
    try:
        import pwd
        pwd.getpwnam("postfix")
    except KeyError:
        return "no postfix user"
    return None


class Postfix:
    """A Postfix instance delivering mail for `domain` into lab/mail/inbox."""

    def __init__(self, base=None, domain="mx.example.net"):
        self.dir = tempfile.mkdtemp(prefix="mailauth-postfix.", dir=base)
        os.chmod(self.dir, 0o755)  # Postfix's daemons and the delivery user must reach it
        for d in POSTFIX_DIRS:
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        shutil.chown(os.path.join(self.dir, "data"), "postfix")
        shutil.chown(os.path.join(self.dir, "mail"), "nobody", "nogroup")
        self.domain = domain
        self.port = free_port()
        self.etc = os.path.join(self.dir, "etc")
        lab = self.dir
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(f"""\
compatibility_level = 3.6
queue_directory = {lab}/queue
data_directory = {lab}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = {domain}
mydomain = {domain}
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
smtpd_authorized_xclient_hosts = 127.0.0.0/8
in_flow_delay = 0
biff = no
message_size_limit = 52428800
virtual_mailbox_limit = 0
maillog_file = {lab}/log/postfix.log
maillog_file_prefixes = {lab}/log
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {lab}/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
milter_protocol = 6
smtpd_milters =
non_smtpd_milters =
milter_default_action = tempfail
""")
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(listen="127.0.0.1:%d" % self.port))
        self.running = False

    def postconf(self, setting):
        subprocess.run(["postconf", "-c", self.etc, "-e", setting], check=True)

    def set_milter(self, spec):
        """`spec` as smtpd_milters takes it ("inet:127.0.0.1:PORT", "unix:/path"), or ""."""
        self.postconf("smtpd_milters = " + spec)
        if self.running:
            subprocess.run(["postfix", "-c", self.etc, "reload"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)  # old smtpd processes finish their sessions

    def start(self):
        subprocess.run(["postfix", "-c", self.etc, "check"], check=True)
        subprocess.run(["postfix", "-c", self.etc, "start"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.running = True
        if not wait_for(self._listening, 20):
            raise RuntimeError("postfix does not listen on port %d:\n%s" % (self.port, self.log()))

    def _listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if not self.running:
            return
        master = None
        pid_file = os.path.join(self.dir, "queue", "pid", "master.pid")
        try:
            with open(pid_file) as f:
                master = int(f.read().strip())
        except (OSError, ValueError):
            pass
        subprocess.run(["postfix", "-c", self.etc, "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        def gone():
            try:
                with open("/proc/%d/stat" % master) as f:
                    return f.read().split()[2] == "Z"  # exited, not yet reaped
            except OSError:
                return True
        if master:
            wait_for(gone, 10)
        self.running = False

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        try:
            with open(os.path.join(self.dir, "log", "postfix.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def inbox(self):
        return os.path.join(self.dir, "mail", "inbox", "new")

    def delivered(self):
        """Paths of delivered messages, oldest first."""
        try:
            names = os.listdir(self.inbox())
        except FileNotFoundError:
            return []
        paths = [os.path.join(self.inbox(), n) for n in names]
        return sorted(paths, key=os.path.getmtime)

    def wait_delivered(self, count, timeout=60):
        wait_for(lambda: len(self.delivered()) >= count, timeout, 0.1)
        return len(self.delivered())

    def smtp(self, helo="client.example", xclient=None):
        """An SMTP session; `xclient` ("ADDR=... NAME=... HELO=...") makes Postfix see another
        client, as a proxy in front of it would."""
        s = smtplib.SMTP("127.0.0.1", self.port, timeout=60)
        s.ehlo(helo)
        if xclient:
            code, text = s.docmd("XCLIENT", xclient)
            if code != 220:
                raise RuntimeError("XCLIENT refused: %d %s" % (code, text))
            s.ehlo_resp = None
            s.ehlo(helo)
        return s

    def send(self, message, sender, recipient=None, xclient=None, helo="client.example"):
        """Sends one message; returns (code, text) of the final reply (250 when accepted)."""
        recipient = recipient or "inbox@" + self.domain
        s = self.smtp(helo, xclient)
        try:
            code, text = s.mail(sender)
            if code != 250:
                return code, text.decode(errors="replace")
            code, text = s.rcpt(recipient)
            if code not in (250, 251):
                return code, text.decode(errors="replace")
            code, text = s.data(message)
            return code, text.decode(errors="replace")
        finally:
            try:
                s.quit()
            except (smtplib.SMTPException, OSError):
                pass


class MilterProcess:
    """mailauth-milter with a configuration file in `directory`, its stderr in milter.log."""

    def __init__(self, binary, directory, settings, socket_spec=None):
        self.binary = binary
        self.dir = directory
        self.port = free_port()
        self.socket = socket_spec or "inet:%d@127.0.0.1" % self.port
        self.config = os.path.join(directory, "milter.conf")
        self.log_path = os.path.join(directory, "milter.log")
        self.write_config(settings)
        self.proc = None

    def write_config(self, settings):
        lines = ["# written by postfix_lab.py", "socket = " + self.socket]
        for name, value in settings:
            lines.append("%s = %s" % (name, value))
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")

    def postfix_spec(self):
        if self.socket.startswith("unix:"):
            return self.socket
        return "inet:127.0.0.1:%d" % self.port

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "--config", self.config],
                                     stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        if not wait_for(self._listening, 15):
            raise RuntimeError("milter did not start:\n" + self.log())

    def _listening(self):
        if self.proc.poll() is not None:
            raise RuntimeError("milter exited with %s:\n%s" % (self.proc.returncode, self.log()))
        try:
            if self.socket.startswith("unix:"):
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.socket[5:])
                s.close()
            else:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def reload(self, settings):
        """Rewrites the configuration and sends SIGUSR1; waits for the reload to be logged."""
        before = self.log().count("configuration reloaded")
        self.write_config(settings)
        self.proc.send_signal(signal.SIGUSR1)
        if not wait_for(lambda: self.log().count("configuration reloaded") > before, 10):
            raise RuntimeError("milter did not reload:\n" + self.log())

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=40)
        return self.proc.returncode if self.proc else None

    def peak_rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(re.search(r"^VmHWM:\s+(\d+)", f.read(), re.M).group(1))

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def error_lines(self):
        return [line for line in self.log().splitlines() if ": error: " in line]


def zone_txt(path):
    """TXT records of a zone file as {name: text} (character-strings joined): enough of RFC 1035
    for testdata/milter/lab.zone, to give dkimpy the same DNS as the milter."""
    records = {}
    with open(path) as f:
        text = f.read()
    # Drop comments outside quoted strings (TXT data holds ';').
    kept, quoted, comment = [], False, False
    for c in text:
        if comment:
            if c == "\n":
                comment = False
                kept.append(c)
            continue
        if c == '"':
            quoted = not quoted
        elif c == ";" and not quoted:
            comment = True
            continue
        kept.append(c)
    text = "".join(kept)
    for match in re.finditer(r'^(\S+)\s+(?:\d+\s+)?IN\s+TXT\s+(\([^)]*\)|"[^\n]*)', text, re.M):
        name, rdata = match.group(1).lower().rstrip("."), match.group(2)
        records[name] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', rdata))
    return records
