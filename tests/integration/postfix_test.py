#!/usr/bin/env python3
"""End to end: mailauth-milter verifying, signing and sealing for a private Postfix on loopback.

Postfix trusts XCLIENT from loopback, so one instance sees outside senders (203.0.113.5 is in
sender.example's SPF, 198.51.100.9 is not) and an internal client (10.1.2.3, in internal_hosts).
DNS comes from testdata/milter/lab.zone for the milter and for dkimpy, which checks what we sign
and seal.

Usage: postfix_test.py MILTER MAILAUTH TESTDATA [sanitized]
Exit: 0 pass, 1 fail, 77 skipped (not root, or Postfix missing).
"""
import os
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postfix_lab  # noqa: E402

MILTER = MAILAUTH = TESTDATA = None
SANITIZED = False
LAB_ZONE = KEY = None
OUTSIDE = "ADDR=203.0.113.5 NAME=mail.sender.example HELO=mail.sender.example"
SPOOFER = "ADDR=198.51.100.9 NAME=spoofer.example HELO=spoofer.example"
INTERNAL = "ADDR=10.1.2.3 NAME=laptop.internal.example HELO=laptop.internal.example"

BASE_MESSAGE = """\
From: Alice <alice@sender.example>
To: inbox@mx.example.net
Subject: mailauth-milter end-to-end test
Date: Sat, 05 Dec 2026 12:00:00 +0000
Message-ID: <{id}@sender.example>
X-Folded: first part
\tsecond part

Hello through Postfix and mailauth-milter.
  Leading spaces, trailing spaces   
.dot-started line

last line
"""


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class PostfixEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="mailauth-e2e.")
        os.chmod(cls.work, 0o755)
        cls.key = os.path.join(cls.work, "key.pem")
        shutil.copyfile(KEY, cls.key)
        os.chmod(cls.key, 0o600)
        cls.settings = [
            ("authserv_id", "mx.example.net"),
            ("mode", "both"),
            ("dns_zone", LAB_ZONE),
            ("internal_hosts", "10.0.0.0/8"),
            ("signer", "internal.example:out:" + cls.key),
            ("seal", "mx.example.net:arc:" + cls.key),
            ("on_dmarc_reject", "reject"),
            ("log_level", "info"),
        ]
        cls.postfix = postfix_lab.Postfix()
        cls.milter = postfix_lab.MilterProcess(MILTER, cls.work, cls.settings)
        cls.milter.start()
        cls.postfix.set_milter(cls.milter.postfix_spec())
        cls.postfix.start()
        cls.counter = 0

    @classmethod
    def tearDownClass(cls):
        cls.postfix.close()
        cls.milter.stop(signal.SIGKILL)
        shutil.rmtree(cls.work, ignore_errors=True)

    def logs(self):
        """The end of both servers' logs, for failure messages."""
        return ("\n--- milter log\n" + self.milter.log()[-4000:] +
                "\n--- postfix log\n" + self.postfix.log()[-4000:])

    def message(self, **changes):
        type(self).counter += 1
        text = BASE_MESSAGE.format(id="e2e-%d-%d" % (os.getpid(), self.counter))
        for old, new in changes.items():
            text = text.replace(old.replace("_", " "), new)
        return text

    def sign(self, text, domain="sender.example", selector="s1"):
        path = os.path.join(self.work, "to-sign.eml")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([MAILAUTH, "sign", "--domain", domain, "--selector", selector, "--key",
                            KEY, path], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def deliver(self, text, sender="alice@sender.example", xclient=OUTSIDE):
        """Sends and waits for delivery; returns the delivered message (CRLF)."""
        before = len(self.postfix.delivered())
        code, reply = self.postfix.send(crlf(text), sender, xclient=xclient)
        self.assertEqual(code, 250, reply)
        self.assertEqual(self.postfix.wait_delivered(before + 1, 30), before + 1,
                         "not delivered within 30 s" + self.logs())
        with open(self.postfix.delivered()[-1], "rb") as f:
            return crlf(f.read().decode("utf-8", errors="surrogateescape"))

    def results(self, delivered):
        """Our Authentication-Results value, unfolded, and the list of all A-R values."""
        head = delivered.split("\r\n\r\n", 1)[0]
        fields = re.findall(r"^Authentication-Results:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head,
                            re.M)
        values = [" ".join(v.split()) for v in fields]
        ours = [v for v in values if v.lower().startswith("mx.example.net;")]
        self.assertEqual(len(ours), 1, values)
        return ours[0], values

    def dkimpy(self, delivered, what):
        """dkimpy's verdict on a delivered message: dkim.verify or dkim.arc_verify."""
        script = (
            "import sys, dkim, json\n"
            "zone = json.loads(sys.argv[1])\n"
            "def dns(name, timeout=5):\n"
            "    t = zone.get(name.decode().lower().rstrip('.'))\n"
            "    return t.encode() if t is not None else None\n"
            "msg = sys.stdin.buffer.read()\n"
            "if sys.argv[2] == 'dkim':\n"
            "    print('pass' if dkim.verify(msg, dnsfunc=dns) else 'fail')\n"
            "else:\n"
            "    cv, results, reason = dkim.arc_verify(msg, dnsfunc=dns)\n"
            "    print((cv or b'none').decode(), reason)\n")
        import json
        r = subprocess.run(["/usr/bin/python3", "-c", script,
                            json.dumps(postfix_lab.zone_txt(LAB_ZONE)), what],
                           input=delivered.encode("utf-8", errors="surrogateescape"),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return r.stdout.decode().strip()

    def test_1_signed_message_from_outside(self):
        delivered = self.deliver(self.sign(self.message()))
        ours, _ = self.results(delivered)
        self.assertIn("spf=pass smtp.mailfrom=alice@sender.example", ours)
        self.assertIn("dkim=pass header.d=sender.example", ours)
        self.assertIn("dmarc=pass header.from=sender.example policy.dmarc=reject", ours)
        # Sealed on the way in, and dkimpy agrees with the chain we made.
        self.assertRegex(delivered, r"(?m)^ARC-Seal: i=1; ")
        self.assertTrue(self.dkimpy(delivered, "arc").startswith("pass"),
                        self.dkimpy(delivered, "arc"))
        self.assertEqual(self.dkimpy(delivered, "dkim"), "pass")

    def test_2_tampered_copy_fails_dkim(self):
        signed = self.sign(self.message())
        delivered = self.deliver(signed.replace("last line", "last line, changed"))
        ours, _ = self.results(delivered)
        self.assertIn("dkim=fail", ours)
        self.assertIn("dmarc=pass", ours)  # SPF still aligns from 203.0.113.5

    def test_3_forged_results_removed_foreign_kept(self):
        text = self.message(**{"To:": "Authentication-Results: MX.EXAMPLE.NET ; dkim=pass\n"
                                      "Authentication-Results: other.example; spf=pass\nTo:"})
        delivered = self.deliver(self.sign(text))
        ours, values = self.results(delivered)
        self.assertIn("other.example; spf=pass", values)
        self.assertEqual(len(values), 2, values)
        head = delivered.split("\r\n\r\n", 1)[0]
        first = re.search(r"(?m)^Authentication-Results:(.*)", head).group(1)
        self.assertTrue(first.strip().startswith("mx.example.net;"), "ours is the topmost")

    def test_4_dmarc_reject_refused(self):
        before = len(self.postfix.delivered())
        code, reply = self.postfix.send(crlf(self.message()), "alice@sender.example",
                                        xclient=SPOOFER)
        self.assertEqual(code, 550, reply)
        self.assertIn("5.7.1", reply)
        self.assertIn("DMARC", reply)
        time.sleep(1)
        self.assertEqual(len(self.postfix.delivered()), before, "a refused message was delivered")

    def test_5_internal_client_gets_signed(self):
        text = self.message(**{"alice@sender.example": "carol@internal.example"})
        delivered = self.deliver(text, sender="carol@internal.example", xclient=INTERNAL)
        self.assertRegex(delivered, r"(?m)^DKIM-Signature:.*d=internal.example")
        self.assertNotRegex(delivered, r"(?m)^Authentication-Results: mx.example.net")
        self.assertEqual(self.dkimpy(delivered, "dkim"), "pass")

    def test_6_two_from_fields_refused(self):
        text = self.message(**{"To:": "From: mallory@other.example\nTo:"})
        code, reply = self.postfix.send(crlf(self.sign(text)), "alice@sender.example",
                                        xclient=OUTSIDE)
        self.assertEqual(code, 550, reply)

    def test_7_hostile_and_huge_messages_pass(self):
        # Malformed fields: unparsable signatures and ARC sets, odd A-R, a very long line.
        text = self.message(**{"To:": "DKIM-Signature: v=1; this is not a signature\n"
                                      "ARC-Seal: i=zero; cv=maybe\n"
                                      "Authentication-Results: ;;;\n"
                                      "X-Long: " + "x" * 5000 + "\nTo:"})
        delivered = self.deliver(self.sign(text))
        ours, _ = self.results(delivered)
        self.assertIn("dkim=permerror", ours)
        self.assertIn("arc=fail", ours)
        # 990 header fields, signed: within the limit (1,000 with Postfix's Received), verified.
        many = "".join("X-Filler-%d: %s\n" % (i, "v" * 30) for i in range(983))
        delivered = self.deliver(self.sign(self.message(**{"To:": many + "To:"})))
        self.assertIn("dkim=pass", self.results(delivered)[0])
        # 1,500 fields: past the limit the milter keeps no more, and the message still flows.
        many = "".join("X-Filler-%d: %s\n" % (i, "v" * 30) for i in range(1500))
        delivered = self.deliver(self.message(**{"To:": many + "To:"}))
        self.assertIn("dmarc=pass", self.results(delivered)[0])  # SPF from 203.0.113.5
        # A 10 MB body streams through without the milter holding it.
        rss_before = self.milter.peak_rss_kib()
        body = ("y" * 998 + "\n") * 10500
        delivered = self.deliver(self.sign(self.message() + body))
        self.assertIn("dkim=pass", self.results(delivered)[0])
        growth = self.milter.peak_rss_kib() - rss_before
        if not SANITIZED:  # ASan's quarantine keeps freed chunks, so RSS says nothing there
            self.assertLess(growth, 8 * 1024, "peak RSS grew %d KiB for a 10 MB body" % growth)

    def test_8_dns_timeout_tempfails_then_accepts_after_reload(self):
        text = self.message(**{"alice@sender.example": "a@slow.example"})
        code, reply = self.postfix.send(crlf(text), "a@slow.example", xclient=OUTSIDE)
        self.assertEqual(code, 451, reply)
        self.assertIn("4.7.5", reply)
        self.milter.reload(self.settings + [("on_temperror", "accept")])
        try:
            delivered = self.deliver(text, sender="a@slow.example")
            self.assertIn("dmarc=temperror", self.results(delivered)[0])
        finally:
            self.milter.reload(self.settings)

    def test_9_load_2000_messages_20_sessions(self):
        signed = self.sign(self.message()).replace("\r\n", "\n")
        path = os.path.join(self.work, "load.eml")
        with open(path, "w") as f:
            f.write(signed)
        log_before = len(self.milter.log().splitlines())
        before = len(self.postfix.delivered())
        started = time.monotonic()
        r = subprocess.run(["smtp-source", "-s", "20", "-m", "2000", "-f", "alice@sender.example",
                            "-t", "inbox@mx.example.net", "-F", path,
                            "127.0.0.1:%d" % self.postfix.port],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        count = self.postfix.wait_delivered(before + 2000, 300) - before
        elapsed = time.monotonic() - started
        print("load: %d messages in %.1f s (%.0f msg/s)" % (count, elapsed, count / elapsed))
        self.assertEqual(count, 2000, "every message accounted for" + self.logs())
        new_lines = self.milter.log().splitlines()[log_before:]
        self.assertEqual([l for l in new_lines if ": error: " in l], [])
        self.assertEqual(sum(1 for l in new_lines if " inbound " in l and "dkim=pass" in l), 2000)

    def test_zz_killed_milter_then_restart(self):
        # A session in progress when the milter dies: Postfix applies milter_default_action.
        s = self.postfix.smtp("mail.sender.example", OUTSIDE)
        self.assertEqual(s.mail("alice@sender.example")[0], 250)
        self.assertEqual(s.rcpt("inbox@mx.example.net")[0], 250)
        self.milter.stop(signal.SIGKILL)
        code, reply = s.data(crlf(self.message()))
        s.close()
        self.assertEqual(code // 100, 4, reply)
        # After a restart mail flows again.
        self.milter.start()
        delivered = self.deliver(self.sign(self.message()))
        self.assertIn("dkim=pass", self.results(delivered)[0])


if __name__ == "__main__":
    reason = postfix_lab.can_run()
    if reason:
        print("SKIP:", reason)
        sys.exit(77)
    for tool in ("smtp-source",):
        if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
            print("SKIP: %s is not installed" % tool)
            sys.exit(77)
    os.environ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin:" + os.environ.get("PATH", "")
    MILTER, MAILAUTH, TESTDATA = sys.argv[1:4]
    SANITIZED = len(sys.argv) > 4 and sys.argv[4] == "sanitized"
    del sys.argv[1:5]
    LAB_ZONE = os.path.join(TESTDATA, "milter", "lab.zone")
    KEY = os.path.join(TESTDATA, "keys", "rsa2048.pkcs8.pem")
    unittest.main(verbosity=2)
