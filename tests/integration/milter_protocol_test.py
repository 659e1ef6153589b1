#!/usr/bin/env python3
"""Talks the milter wire protocol (version 6) to a running mailauth-milter, as an MTA would.

Usage: milter_protocol_test.py PATH/TO/mailauth-milter PATH/TO/mailauth TESTDATA_DIR
Standard library only. Each test starts its own milter on a free loopback port, answering DNS
from testdata/milter/lab.zone; messages are signed with the mailauth CLI.
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

MILTER = MAILAUTH = TESTDATA = None  # set from argv

# Commands (MTA -> milter) and replies (milter -> MTA), libmilter's mfdef.h.
SMFIC_ABORT, SMFIC_BODY, SMFIC_CONNECT, SMFIC_MACRO = b"A", b"B", b"C", b"D"
SMFIC_BODYEOB, SMFIC_HELO, SMFIC_HEADER, SMFIC_MAIL = b"E", b"H", b"L", b"M"
SMFIC_EOH, SMFIC_OPTNEG, SMFIC_QUIT, SMFIC_RCPT = b"N", b"O", b"Q", b"R"
SMFIR_ACCEPT, SMFIR_CONTINUE, SMFIR_TEMPFAIL, SMFIR_REJECT = b"a", b"c", b"t", b"r"
SMFIR_REPLYCODE, SMFIR_INSHEADER, SMFIR_CHGHEADER, SMFIR_QUARANTINE = b"y", b"i", b"m", b"q"
FINAL_REPLIES = {b"a", b"c", b"d", b"r", b"t", b"y"}  # anything else at EOB is a modification

SMFIF_ADDHDRS, SMFIF_CHGHDRS, SMFIF_QUARANTINE = 0x01, 0x10, 0x20
ALL_ACTIONS = 0x1FF
# The no-reply step flags, by the command they silence.
NR = {SMFIC_CONNECT: 0x1000, SMFIC_HELO: 0x2000, SMFIC_MAIL: 0x4000, SMFIC_RCPT: 0x8000,
      SMFIC_HEADER: 0x80, SMFIC_EOH: 0x40000, SMFIC_BODY: 0x80000}
SMFIP_NR_DATA, SMFIP_NR_UNKN = 0x10000, 0x20000
SMFIP_HDR_LEADSPC = 0x100000
ALL_STEPS = 0x1FFFFF

LAB_ZONE = None
KEY = None  # testdata/keys/rsa2048.pkcs8.pem


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_copy(directory, source, name, mode=0o600):
    """Key files must be 0600: git keeps 0644, so tests use a copy."""
    path = os.path.join(directory, name)
    shutil.copyfile(source, path)
    os.chmod(path, mode)
    return path


class Milter:
    """A mailauth-milter process with its stderr captured to a file."""

    def __init__(self, *args):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([MILTER, *args], stdout=subprocess.DEVNULL, stderr=self.log)

    def wait_listening(self, connect, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("milter exited early:\n" + self.output())
            try:
                connect().close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("milter did not start listening:\n" + self.output())

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Client:
    """The MTA side of one milter connection."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(10)
        self.steps = 0
        self.actions = 0
        self.macros = b""

    def send(self, cmd, data=b""):
        self.sock.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("milter closed the connection")
            data += chunk
        return data

    def reply(self):
        (size,) = struct.unpack(">I", self.recv_exact(4))
        assert 1 <= size <= 1 << 20, size
        packet = self.recv_exact(size)
        return packet[:1], packet[1:]

    def command(self, cmd, data=b""):
        """Sends a command; returns its reply code, or None when the milter asked for none."""
        self.send(cmd, data)
        if self.steps & NR.get(cmd, 0):
            return None
        code, _ = self.reply()
        return code

    def negotiate(self, actions=ALL_ACTIONS, steps=ALL_STEPS):
        self.send(SMFIC_OPTNEG, struct.pack(">III", 6, actions, steps))
        code, data = self.reply()
        assert code == SMFIC_OPTNEG, code
        version, self.actions, self.steps = struct.unpack(">III", data[:12])
        self.macros = data[12:]
        return version, self.actions, self.steps

    def connect_info(self, host=b"mail.example.net", ip=b"203.0.113.5", port=40000):
        family = b"6" if b":" in ip else b"4"
        return self.command(SMFIC_CONNECT,
                            host + b"\0" + family + struct.pack(">H", port) + ip + b"\0")

    def end_of_message(self):
        """BODYEOB: returns (final reply, its data, modification replies before it)."""
        self.send(SMFIC_BODYEOB)
        modifications = []
        while True:
            code, data = self.reply()
            if code in FINAL_REPLIES:
                return code, data, modifications
            modifications.append((code, data))


def z(*parts):
    return b"".join(p + b"\0" for p in parts)


def inserted(modifications):
    """Inserted header fields, as (index, name, value) with value text."""
    out = []
    for code, data in modifications:
        if code == SMFIR_INSHEADER:
            (index,) = struct.unpack(">I", data[:4])
            name, value, _ = data[4:].split(b"\0", 2)
            out.append((index, name.decode(), value.decode()))
    return out


def deleted(modifications):
    out = []
    for code, data in modifications:
        if code == SMFIR_CHGHEADER:
            (index,) = struct.unpack(">I", data[:4])
            name, value, _ = data[4:].split(b"\0", 2)
            assert value == b"", "only deletions expected"
            out.append((index, name.decode()))
    return out


def split_message(text):
    """A message as (header fields [(name, value without the space after the colon)], body)."""
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    fields = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t"):
            name, value = fields[-1]
            fields[-1] = (name, value + "\n" + line)
        else:
            name, _, value = line.partition(":")
            fields.append((name, value))
    return fields, body


def applied(fields, body, modifications):
    """The message as an MTA would deliver it after the milter's header edits."""
    fields = list(fields)
    for index, name in deleted(modifications):
        seen = 0
        for i, (n, _) in enumerate(fields):
            if n.lower() == name.lower():
                seen += 1
                if seen == index:
                    del fields[i]
                    break
    for index, name, value in inserted(modifications):
        fields.insert(index, (name, value))
    head = "".join("%s:%s\r\n" % (n, v.replace("\n", "\r\n")) for n, v in fields)
    return head + "\r\n" + body.replace("\n", "\r\n")


def sign(directory, text, domain="sender.example", selector="s1", key=None):
    path = os.path.join(directory, "in.eml")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([MAILAUTH, "sign", "--domain", domain, "--selector", selector, "--key",
                        key or KEY, path], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout  # text mode: LF line endings


def verify(directory, text, *extra):
    path = os.path.join(directory, "out.eml")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([MAILAUTH, "verify", "--dns-zone", LAB_ZONE, "--json", *extra, path],
                       capture_output=True, text=True, timeout=30)
    return r


MESSAGE = ("From: Alice <alice@sender.example>\r\nTo: bob@mx.example.net\r\n"
           "Subject: protocol test\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\n"
           "Message-ID: <p1@sender.example>\r\n\r\nHello.\r\nSecond line.\r\n")


class MilterProtocolTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)

    def start(self, *extra, log_level="debug"):
        self.port = free_port()
        self.milter = Milter("--socket", "inet:%d@127.0.0.1" % self.port, "--log_level", log_level,
                             "--authserv_id", "mx.example.net", "--dns_zone", LAB_ZONE, *extra)
        self.addCleanup(self.milter.close)
        self.milter.wait_listening(self.tcp)

    def tcp(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=2)

    def client(self, ip=b"203.0.113.5", helo=b"mail.sender.example"):
        c = Client(self.tcp())
        c.negotiate()
        c.connect_info(ip=ip)
        c.command(SMFIC_HELO, z(helo))
        return c

    def transfer(self, client, text, sender=b"<alice@sender.example>",
                 recipients=(b"<bob@mx.example.net>",), chunk=7, macros=None):
        """Sends one message; returns (final code, final data, modifications, fields, body)."""
        fields, body = split_message(text)
        if macros:
            client.send(SMFIC_MACRO, SMFIC_MAIL + z(*macros))
        self.assertIn(client.command(SMFIC_MAIL, z(sender, b"SIZE=100")), (None, SMFIR_CONTINUE))
        for rcpt in recipients:
            self.assertIn(client.command(SMFIC_RCPT, z(rcpt)), (None, SMFIR_CONTINUE))
        for name, value in fields:
            # SMFIP_HDR_LEADSPC was granted: values keep their leading space, folded with LF.
            self.assertIn(client.command(SMFIC_HEADER, z(name.encode(), value.encode())),
                          (None, SMFIR_CONTINUE))
        self.assertIn(client.command(SMFIC_EOH), (None, SMFIR_CONTINUE))
        raw = body.replace("\n", "\r\n").encode()
        for i in range(0, len(raw), chunk):
            self.assertIn(client.command(SMFIC_BODY, raw[i:i + chunk]), (None, SMFIR_CONTINUE))
        final, data, modifications = client.end_of_message()
        return final, data, modifications, fields, body

    def our_results(self, modifications):
        results = [v for _, n, v in inserted(modifications) if n == "Authentication-Results"]
        self.assertEqual(len(results), 1, modifications)
        value = " ".join(results[0].split())
        self.assertTrue(value.startswith("mx.example.net;"), value)
        return value

    def test_negotiation_asks_for_little(self):
        self.start()
        client = Client(self.tcp())
        version, actions, steps = client.negotiate()
        self.assertEqual(version, 6)
        self.assertEqual(actions & (SMFIF_ADDHDRS | SMFIF_CHGHDRS), SMFIF_ADDHDRS | SMFIF_CHGHDRS)
        self.assertTrue(actions & SMFIF_QUARANTINE)
        self.assertTrue(steps & SMFIP_HDR_LEADSPC, "exact header bytes requested")
        for cmd, flag in NR.items():
            self.assertTrue(steps & flag, "no reply needed for %r" % cmd)
        # Only the macros it reads: {daemon_name} at connect, {auth_authen} at MAIL, {i} at EOM.
        self.assertIn(b"{auth_authen}", client.macros)
        self.assertIn(b"{i}", client.macros)
        self.assertNotIn(b"{mail_addr}", client.macros)

    def test_mta_without_header_actions_is_refused_loudly(self):
        self.start()
        client = Client(self.tcp())
        client.send(SMFIC_OPTNEG, struct.pack(">III", 6, SMFIF_QUARANTINE, ALL_STEPS))
        try:
            code, _ = client.reply()
        except (EOFError, ConnectionResetError):
            code = None
        self.assertNotEqual(code, SMFIC_OPTNEG)
        self.milter.stop()
        self.assertRegex(self.milter.output(), r"error: the MTA does not allow adding and changing")

    def test_signed_message_passes_and_forged_results_go(self):
        self.start()
        text = sign(self.dir, MESSAGE)
        # Two fields claim our authserv-id (any case and spacing), one belongs to another host.
        # (sign() returns LF text: the signature stays on top, the forged fields go below it.)
        head, _, rest = text.partition("\nTo:")
        forged = ("\nAuthentication-Results: MX.Example.NET ; dkim=pass header.d=forged.example"
                  "\nAuthentication-Results: other.example; spf=pass smtp.mailfrom=x@y.example"
                  "\nAuthentication-Results: (comment) mx.example.net; dmarc=pass")
        text = head + forged + "\nTo:" + rest
        client = self.client()
        final, _, mods, fields, body = self.transfer(client, text)
        self.assertEqual(final, SMFIR_CONTINUE)
        value = self.our_results(mods)
        self.assertIn("spf=pass smtp.mailfrom=alice@sender.example", value)
        self.assertIn("dkim=pass header.d=sender.example", value)
        self.assertIn("dmarc=pass header.from=sender.example policy.dmarc=reject", value)
        self.assertIn("arc=none", value)
        # Deleted last first, so the first occurrence's index stays valid: 3, then 1.
        self.assertEqual(deleted(mods), [(3, "Authentication-Results"), (1, "Authentication-Results")])
        self.assertEqual([i for i, _, _ in inserted(mods)], [0])
        delivered = applied(fields, body, mods)
        self.assertIn("Authentication-Results: other.example;", delivered)
        self.assertNotIn("forged.example", delivered)
        self.assertTrue(delivered.startswith("Authentication-Results: mx.example.net;"))
        # The signature still verifies after our edits.
        r = verify(self.dir, delivered, "--now", str(int(time.time())))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        # The same message altered in transit fails DKIM; DMARC still passes on SPF.
        tampered = text.replace("Second line.", "Second line, altered.")
        final, _, mods, _, _ = self.transfer(client, tampered)
        value = self.our_results(mods)
        self.assertIn("dkim=fail", value)
        self.assertIn("body hash", value)
        self.assertIn("dmarc=pass", value)
        client.send(SMFIC_QUIT)
        self.assertEqual(self.milter.stop(), 0)
        log = self.milter.output()
        self.assertRegex(log, r"info: .*client=mail.example.net\[203.0.113.5\] inbound spf=pass")
        self.assertNotRegex(log, r"\berror\b")

    def test_dmarc_failure_actions(self):
        unsigned = MESSAGE
        # Default: header only (RFC 9989 §7.4: no rejection on p=reject alone).
        self.start()
        client = self.client(ip=b"198.51.100.9")
        final, _, mods, _, _ = self.transfer(client, unsigned)
        self.assertEqual(final, SMFIR_CONTINUE)
        self.assertIn("dmarc=fail header.from=sender.example policy.dmarc=reject",
                      self.our_results(mods))
        self.milter.close()

        self.start("--on_dmarc_reject", "reject")
        client = self.client(ip=b"198.51.100.9")
        final, data, mods, _, _ = self.transfer(client, unsigned)
        self.assertEqual(final, SMFIR_REPLYCODE)
        self.assertRegex(data.decode(), r"^550 5\.7\.1 .*DMARC.*sender\.example")
        self.milter.close()

        self.start("--on_dmarc_reject", "quarantine")
        client = self.client(ip=b"198.51.100.9")
        final, _, mods, _, _ = self.transfer(client, unsigned)
        self.assertEqual(final, SMFIR_CONTINUE)
        self.assertTrue(any(code == SMFIR_QUARANTINE for code, _ in mods), mods)
        self.milter.close()

        # p=quarantine: accepted by default, quarantined on request.
        q = unsigned.replace("alice@sender.example", "q@quarantine.example")
        self.start("--on_dmarc_quarantine", "quarantine", "--on_dmarc_reject", "reject")
        client = self.client(ip=b"198.51.100.9")
        final, _, mods, _, _ = self.transfer(client, q, sender=b"<q@quarantine.example>")
        self.assertEqual(final, SMFIR_CONTINUE)
        self.assertIn("policy.dmarc=quarantine", self.our_results(mods))
        self.assertTrue(any(code == SMFIR_QUARANTINE for code, _ in mods), mods)

        # dry_run logs the action instead of taking it.
        self.milter.close()
        self.start("--on_dmarc_reject", "reject", "--dry_run", "yes")
        client = self.client(ip=b"198.51.100.9")
        final, _, mods, _, _ = self.transfer(client, unsigned)
        self.assertEqual(final, SMFIR_CONTINUE)
        self.milter.stop()
        self.assertIn("dry_run: would reject", self.milter.output())

    def test_bad_from_is_refused(self):
        two_from = MESSAGE.replace("To:", "From: mallory@other.example\r\nTo:", 1)
        no_from = MESSAGE.replace("From: Alice <alice@sender.example>\r\n", "")
        self.start()
        client = self.client()
        for text in (two_from, no_from):
            final, data, _, _, _ = self.transfer(client, text)
            self.assertEqual(final, SMFIR_REPLYCODE, text)
            self.assertTrue(data.startswith(b"550 5.7.1 "), data)
        self.milter.close()
        self.start("--on_bad_from", "accept")
        client = self.client()
        final, _, mods, _, _ = self.transfer(client, two_from)
        self.assertEqual(final, SMFIR_CONTINUE)
        self.assertIn("dmarc=permerror", self.our_results(mods))

    def test_dns_temperror(self):
        text = MESSAGE.replace("alice@sender.example", "a@slow.example")
        self.start()
        client = self.client()
        final, data, _, _, _ = self.transfer(client, text, sender=b"<a@slow.example>")
        self.assertEqual(final, SMFIR_REPLYCODE)
        self.assertTrue(data.startswith(b"451 4.7.5 "), data)
        self.milter.close()
        self.start("--on_temperror", "accept")
        client = self.client()
        final, _, mods, _, _ = self.transfer(client, text, sender=b"<a@slow.example>")
        self.assertEqual(final, SMFIR_CONTINUE)
        self.assertIn("dmarc=temperror", self.our_results(mods))

    def test_outbound_mail_is_signed(self):
        rsa = private_copy(self.dir, KEY, "out.pem")
        ed = private_copy(self.dir, os.path.join(TESTDATA, "keys", "ed25519.pkcs8.pem"), "ed.pem")
        self.start("--mode", "both", "--signer", "internal.example:out:" + rsa,
                   "--signer", "internal.example:ed:" + ed)
        text = MESSAGE.replace("alice@sender.example", "carol@internal.example")
        # An internal client (127.0.0.0/8 by default) and an authenticated outside client.
        for ip, macros in ((b"127.0.0.1", None),
                           (b"198.51.100.20", [b"{auth_authen}", b"carol"])):
            client = self.client(ip=ip, helo=b"laptop")
            final, _, mods, fields, body = self.transfer(client, text,
                                                         sender=b"<carol@internal.example>",
                                                         macros=macros)
            self.assertEqual(final, SMFIR_CONTINUE)
            names = [n for _, n, _ in inserted(mods)]
            self.assertEqual(names, ["DKIM-Signature", "DKIM-Signature"], mods)
            self.assertFalse(any(n == "Authentication-Results" for n in names))
            delivered = applied(fields, body, mods)
            r = verify(self.dir, delivered)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(r.stdout.count('"result":"pass"'), 2 + 1, r.stdout)  # 2 dkim, dmarc
        # An outside client without AUTH is verified, not signed.
        client = self.client(ip=b"198.51.100.21")
        final, _, mods, _, _ = self.transfer(client, text, sender=b"<carol@internal.example>")
        self.assertEqual([n for _, n, _ in inserted(mods)], ["Authentication-Results"])

    def test_inbound_mail_is_sealed(self):
        key = private_copy(self.dir, KEY, "arc.pem")
        self.start("--seal", "mx.example.net:arc:" + key)
        text = sign(self.dir, MESSAGE)
        client = self.client()
        final, _, mods, fields, body = self.transfer(client, text)
        self.assertEqual(final, SMFIR_CONTINUE)
        names = [n for _, n, _ in inserted(mods)]
        self.assertEqual(names, ["Authentication-Results", "ARC-Authentication-Results",
                                 "ARC-Message-Signature", "ARC-Seal"])
        values = {n: v for _, n, v in inserted(mods)}
        # dkimpy finds a set only when its i= tag opens the field's first line.
        self.assertRegex(values["ARC-Seal"], r"^ i=1; ")
        self.assertRegex(values["ARC-Message-Signature"], r"^ i=1; ")
        self.assertIn("dmarc=pass", values["ARC-Authentication-Results"])
        delivered = applied(fields, body, mods)
        self.assertTrue(delivered.startswith("ARC-Seal:"))
        r = verify(self.dir, delivered, "--now", str(int(time.time())))
        self.assertIn('"arc":{"result":"pass","instances":1', r.stdout.replace(" ", ""))

    def test_report_records_and_failure_reports(self):
        store = os.path.join(self.dir, "reports.db")
        spool = os.path.join(self.dir, "ruf")
        os.mkdir(spool)
        self.start("--report_store", "sqlite:" + store, "--failure_reports", "spool:" + spool,
                   "--report_from", "reports@mx.example.net")
        client = self.client(ip=b"198.51.100.9")
        signed = sign(self.dir, MESSAGE)
        self.transfer(client, signed)  # DMARC pass on DKIM
        q = MESSAGE.replace("alice@sender.example", "q@quarantine.example")
        final, _, _, _, _ = self.transfer(client, q, sender=b"<q@quarantine.example>")
        self.assertEqual(final, SMFIR_CONTINUE)
        client.send(SMFIC_QUIT)
        # ruf=mailto:ruf@quarantine.example, fo=1: one report, written off the message path.
        deadline = time.monotonic() + 10
        while not os.listdir(spool) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.milter.stop(), 0)  # the store flushes at exit
        files = os.listdir(spool)
        self.assertEqual(len(files), 1, files)
        with open(os.path.join(spool, files[0]), errors="replace") as f:
            report = f.read()
        self.assertIn("Feedback-Type: auth-failure", report)
        self.assertIn("Auth-Failure: dmarc", report)
        self.assertIn("Reported-Domain: quarantine.example", report)
        self.assertIn("From: <reports@mx.example.net>", report)
        self.assertIn("Subject: protocol test", report)  # the original header, no body
        self.assertNotIn("Second line.", report)
        # Both messages had a DMARC record: two rows, read back by the CLI's aggregate run.
        import sqlite3
        rows = sqlite3.connect(store).execute(
            "SELECT header_from, source_ip FROM dmarc_message ORDER BY header_from").fetchall()
        self.assertEqual(rows, [("quarantine.example", "198.51.100.9"),
                                ("sender.example", "198.51.100.9")])

    def test_key_files_are_checked(self):
        loose = private_copy(self.dir, KEY, "loose.pem", 0o644)
        r = subprocess.run([MILTER, "--mode", "sign", "--signer", "internal.example:out:" + loose,
                            "--dns_zone", LAB_ZONE], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2)
        self.assertIn("chmod 600 " + loose, r.stderr)

        good = private_copy(self.dir, KEY, "good.pem")
        conf = os.path.join(self.dir, "m.conf")
        with open(conf, "w") as f:
            f.write("# lab\nmode = both\nsigner = internal.example:out:%s\n"
                    "seal = mx.example.net:arc:%s\ndns_zone = %s\n" % (good, good, LAB_ZONE))
        r = subprocess.run([MILTER, "--config", conf, "--check"], capture_output=True, text=True,
                           timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK", r.stdout)
        # --check-dns: each key against its record (lab.zone publishes both).
        r = subprocess.run([MILTER, "--config", conf, "--check", "--check-dns"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("signer internal.example:out: out._domainkey.internal.example publishes "
                      "this key", r.stdout)
        self.assertIn("seal mx.example.net:arc: arc._domainkey.mx.example.net publishes", r.stdout)
        ed = private_copy(self.dir, os.path.join(TESTDATA, "keys", "ed25519.pkcs8.pem"), "ed.pem")
        r = subprocess.run([MILTER, "--config", conf, "--check", "--check-dns",
                            "--signer", "internal.example:nokey:" + good,
                            "--signer", "internal.example:out:" + ed],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("nokey._domainkey.internal.example is missing", r.stderr)
        self.assertIn("out._domainkey.internal.example is mismatch", r.stderr)

        with open(conf, "w") as f:
            f.write("mode = both\nsigner = internal.example:out:%s\nbogus = 1\n"
                    "on_dmarc_reject = maybe\nsigner = internal.example:out:/no/such.pem\n"
                    "seal = broken\n" % loose)
        r = subprocess.run([MILTER, "--config", conf, "--check"], capture_output=True, text=True,
                           timeout=10)
        self.assertEqual(r.returncode, 2)
        for line, text in ((2, "chmod 600"), (3, "unknown parameter 'bogus'"),
                           (4, "on_dmarc_reject: 'maybe'"), (5, "/no/such.pem"),
                           (6, "seal: 'broken' is not DOMAIN:SELECTOR:KEYFILE")):
            self.assertRegex(r.stderr, r"%s line %d: .*%s" % (re.escape(conf), line, re.escape(text)))

    def test_sigusr1_reloads_or_keeps_the_old_configuration(self):
        conf = os.path.join(self.dir, "m.conf")
        with open(conf, "w") as f:
            f.write("authserv_id = first.example\n")
        self.port = free_port()
        self.milter = Milter("--config", conf, "--socket", "inet:%d@127.0.0.1" % self.port,
                             "--dns_zone", LAB_ZONE)
        self.addCleanup(self.milter.close)
        self.milter.wait_listening(self.tcp)

        def results_id():
            client = self.client()
            _, _, mods, _, _ = self.transfer(client, MESSAGE)
            client.send(SMFIC_QUIT)
            return [v for _, n, v in inserted(mods) if n == "Authentication-Results"][0].split(";")[0].strip()

        self.assertEqual(results_id(), "first.example")
        with open(conf, "w") as f:
            f.write("authserv_id = second.example\n")
        self.milter.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while "configuration reloaded" not in self.milter.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(results_id(), "second.example")
        with open(conf, "w") as f:
            f.write("authserv_id = third.example\nmode = sideways\n")
        self.milter.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while "keeping the previous" not in self.milter.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn("line 2: mode: 'sideways'", self.milter.output())
        self.assertEqual(results_id(), "second.example")
        self.assertEqual(self.milter.stop(), 0)

    def test_many_fields_and_a_big_body(self):
        self.start()
        client = self.client()
        # 1,000 header fields and a 2 MB body stream through; the message is still judged.
        many = "".join("X-Filler-%d: %s\r\n" % (i, "v" * 40) for i in range(1000))
        big = MESSAGE.replace("\r\n\r\n", "\r\n" + many + "\r\n", 1) + ("z" * 998 + "\r\n") * 2000
        final, _, mods, _, _ = self.transfer(client, big, chunk=65535)
        self.assertEqual(final, SMFIR_CONTINUE)
        self.assertIn("dmarc=pass", self.our_results(mods))  # SPF aligns

    def test_two_messages_and_an_abort_on_one_connection(self):
        self.start()
        client = self.client()
        self.transfer(client, MESSAGE)
        self.assertIn(client.command(SMFIC_MAIL, z(b"<>")), (None, SMFIR_CONTINUE))
        client.command(SMFIC_HEADER, z(b"Subject", b" dropped"))
        client.send(SMFIC_ABORT)  # no reply
        final, _, mods, _, _ = self.transfer(client, MESSAGE)
        self.assertEqual(final, SMFIR_CONTINUE)
        self.our_results(mods)
        client.send(SMFIC_QUIT)
        self.assertEqual(client.sock.recv(1), b"", "milter closes after QUIT")
        self.assertEqual(self.milter.stop(), 0)
        log = self.milter.output()
        self.assertEqual(len(re.findall(r"info: .* inbound .*action=accept", log)), 2, log)
        self.assertIn("closed after 3 message(s)", log)
        self.assertIn("info: stopped", log)

    def test_concurrent_connections(self):
        self.start()
        clients = [self.client() for _ in range(4)]
        for c in clients:
            final, _, mods, _, _ = self.transfer(c, MESSAGE)
            self.assertEqual(final, SMFIR_CONTINUE)
            self.our_results(mods)
        for c in clients:
            c.send(SMFIC_QUIT)
            c.sock.close()
        self.assertEqual(self.milter.stop(), 0)

    def test_unix_socket(self):
        path = os.path.join(self.dir, "milter.sock")
        milter = Milter("--socket", "unix:" + path, "--dns_zone", LAB_ZONE)
        self.addCleanup(milter.close)

        def unix():
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(path)
            except OSError:
                s.close()
                raise
            return s

        milter.wait_listening(unix)
        client = Client(unix())
        self.assertEqual(client.negotiate()[0], 6)
        client.command(SMFIC_CONNECT, z(b"localhost") + b"U" + b"\0\0" + z(b"/dev/null"))
        final, _, mods, _, _ = self.transfer(client, MESSAGE)
        self.assertEqual(final, SMFIR_CONTINUE)
        client.send(SMFIC_QUIT)
        client.sock.close()

        # A second milter must not take over the socket of a running one.
        other = Milter("--socket", "unix:" + path, "--dns_zone", LAB_ZONE)
        self.addCleanup(other.close)
        self.assertEqual(other.proc.wait(timeout=10), 1)
        self.assertIn("already in use", other.output())
        unix().close()  # the first one still answers

        self.assertEqual(milter.stop(signal.SIGINT), 0)
        self.assertFalse(os.path.exists(path), "socket file removed at exit")

    def test_sigterm_stops_idle_milter(self):
        self.start()
        started = time.monotonic()
        self.assertEqual(self.milter.stop(signal.SIGTERM), 0)
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("stopped", self.milter.output())

    def test_socket_in_use_is_an_error(self):
        self.start()
        other = Milter("--socket", "inet:%d@127.0.0.1" % self.port, "--dns_zone", LAB_ZONE)
        self.addCleanup(other.close)
        self.assertEqual(other.proc.wait(timeout=10), 1)
        self.assertIn("cannot open socket 'inet:%d@127.0.0.1'" % self.port, other.output())

    def test_bad_parameters_exit_2(self):
        for args, message in [
            (["--mode", "relay"], "mode: 'relay' is not one of verify, sign, both"),
            (["--dns_timeout", "5 hours"], "dns_timeout: '5 hours' is not a time"),
            (["--dns_timeout", "10m"], "dns_timeout: '10m' is outside 100ms..60s"),
            (["--internal_hosts", "10.0.0.0/33"], "internal_hosts: '10.0.0.0/33'"),
            (["--signer", "example.com"], "signer: 'example.com' is not DOMAIN:SELECTOR:KEYFILE"),
            (["--mode", "sign"], "mode sign needs at least one signer"),
            (["--no-such-option"], "no-such-option"),
            (["--config", "/nonexistent/mailauth.conf"], "cannot read configuration file"),
        ]:
            r = subprocess.run([MILTER, *args], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr)

    def test_help_version_and_config_file(self):
        r = subprocess.run([MILTER, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        for name in ["socket", "authserv_id", "mode", "on_internal_error", "user", "log_level",
                     "dns_timeout", "signer", "seal", "on_dmarc_reject", "metrics"]:
            self.assertRegex(r.stdout, r"\n  %s +" % name)
        r = subprocess.run([MILTER, "--version"], capture_output=True, text=True, timeout=10)
        self.assertRegex(r.stdout, r"^mailauth-milter \d+\.\d+\.\d+\n$")

        r = subprocess.run([MILTER, "--print-config"], capture_output=True, text=True, timeout=10)
        self.assertIn("socket = inet:8891@127.0.0.1\n", r.stdout)
        self.assertIn("authserv_id = %s\n" % socket.gethostname(), r.stdout)
        self.assertIn("mode = verify\n", r.stdout)
        self.assertIn("dns_timeout = 5s\n", r.stdout)
        self.assertIn("internal_hosts = 127.0.0.0/8, ::1\n", r.stdout)

        key = private_copy(self.dir, KEY, "k.pem")
        conf = os.path.join(self.dir, "m.conf")
        with open(conf, "w") as f:
            f.write("# test\nmode = both\nfailure_mode = tempfail\ndns_timeout = 1500ms\n"
                    "authserv_id = from-file.example\nsigner = a.example:s:%s\n"
                    "signer = b.example:s:%s\n" % (key, key))
        r = subprocess.run([MILTER, "--config", conf, "--authserv_id", "cli.example",
                            "--print-config"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("mode = both\n", r.stdout)
        self.assertIn("on_internal_error = tempfail\n", r.stdout, "the old name still works")
        self.assertIn("dns_timeout = 1500ms\n", r.stdout)
        self.assertIn("authserv_id = cli.example\n", r.stdout, "command line wins")
        self.assertIn("signer = a.example:s:%s\nsigner = b.example:s:%s\n" % (key, key), r.stdout)
        r = subprocess.run([MILTER, "--config", conf, "--signer", "c.example:s:" + key,
                            "--print-config"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.stdout.count("signer = "), 1, "the command line's list replaces the file's")

    def test_readme_documents_the_parameter_table(self):
        """README.md's table and --help (printed from the code's table) name the same
        parameters with the same defaults."""
        readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
        with open(readme, encoding="utf-8") as f:
            documented = dict(re.findall(r"^\| `(\w+)` \| `?([^|`]+?)`? \|", f.read(), re.M))
        r = subprocess.run([MILTER, "--help"], capture_output=True, text=True, timeout=10)
        table = r.stdout.split("\n  name ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
        # Fixed columns: "  " name (20) default (20) meaning.
        printed = {line[2:22].strip(): line[22:42].strip() for line in table}
        self.assertEqual(set(documented), set(printed))
        for name, default in printed.items():
            if not default.startswith("("):
                self.assertEqual(documented[name], default, name)


if __name__ == "__main__":
    MILTER, MAILAUTH, TESTDATA = sys.argv[1:4]
    del sys.argv[1:4]
    LAB_ZONE = os.path.join(TESTDATA, "milter", "lab.zone")
    KEY = os.path.join(TESTDATA, "keys", "rsa2048.pkcs8.pem")
    unittest.main(verbosity=2)
