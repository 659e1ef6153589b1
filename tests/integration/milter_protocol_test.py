#!/usr/bin/env python3
"""Talks the milter wire protocol (version 6) to a running mailauth-milter, as an MTA would.

Usage: milter_protocol_test.py PATH/TO/mailauth-milter
Standard library only. Each test starts its own milter on a free loopback port.
"""
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

MILTER = None  # set from argv

# Commands (MTA -> milter) and replies (milter -> MTA), libmilter's mfdef.h.
SMFIC_ABORT, SMFIC_BODY, SMFIC_CONNECT, SMFIC_MACRO = b"A", b"B", b"C", b"D"
SMFIC_BODYEOB, SMFIC_HELO, SMFIC_HEADER, SMFIC_MAIL = b"E", b"H", b"L", b"M"
SMFIC_EOH, SMFIC_OPTNEG, SMFIC_QUIT, SMFIC_RCPT = b"N", b"O", b"Q", b"R"
SMFIR_ACCEPT, SMFIR_CONTINUE, SMFIR_TEMPFAIL = b"a", b"c", b"t"
FINAL_REPLIES = {b"a", b"c", b"d", b"r", b"t", b"y"}  # anything else at EOB is a modification

SMFIF_ADDHDRS, SMFIF_CHGHDRS = 0x01, 0x10
ALL_ACTIONS = 0x1FF
SMFIP_NR_ALL = 0x80 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x40000 | 0x80000
SMFIP_HDR_LEADSPC = 0x100000
ALL_STEPS = 0x1FFFFF


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        """Sends a command that expects exactly one reply; returns the reply code."""
        self.send(cmd, data)
        code, _ = self.reply()
        return code

    def negotiate(self, actions=ALL_ACTIONS, steps=ALL_STEPS):
        self.send(SMFIC_OPTNEG, struct.pack(">III", 6, actions, steps))
        code, data = self.reply()
        assert code == SMFIC_OPTNEG, code
        return struct.unpack(">III", data[:12])

    def connect_info(self, host=b"mail.example.net", ip=b"192.0.2.1", port=40000):
        return self.command(SMFIC_CONNECT, host + b"\0" + b"4" + struct.pack(">H", port) + ip + b"\0")

    def end_of_message(self):
        """BODYEOB: returns (final reply, modification replies before it)."""
        self.send(SMFIC_BODYEOB)
        modifications = []
        while True:
            code, data = self.reply()
            if code in FINAL_REPLIES:
                return code, modifications
            modifications.append((code, data))


def z(*parts):
    return b"".join(p + b"\0" for p in parts)


class MilterProtocolTest(unittest.TestCase):
    def start(self, *extra):
        self.port = free_port()
        self.milter = Milter("--socket", "inet:%d@127.0.0.1" % self.port, "--log_level", "debug",
                             "--authserv_id", "mx.test.example", *extra)
        self.addCleanup(self.milter.close)
        self.milter.wait_listening(self.tcp)

    def tcp(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=2)

    def send_message(self, client, sender, recipients, headers, body_chunks):
        self.assertEqual(client.command(SMFIC_MAIL, z(sender, b"SIZE=100")), SMFIR_CONTINUE)
        for rcpt in recipients:
            self.assertEqual(client.command(SMFIC_RCPT, z(rcpt)), SMFIR_CONTINUE)
        for name, value in headers:
            self.assertEqual(client.command(SMFIC_HEADER, z(name, value)), SMFIR_CONTINUE)
        self.assertEqual(client.command(SMFIC_EOH), SMFIR_CONTINUE)
        for chunk in body_chunks:
            self.assertEqual(client.command(SMFIC_BODY, chunk), SMFIR_CONTINUE)
        final, modifications = client.end_of_message()
        self.assertIn(final, (SMFIR_CONTINUE, SMFIR_ACCEPT))
        self.assertEqual(modifications, [], "the milter must not modify messages yet")

    def test_two_messages_on_one_connection(self):
        self.start()
        client = Client(self.tcp())
        version, actions, steps = client.negotiate()
        self.assertEqual(version, 6)
        self.assertEqual(actions & (SMFIF_ADDHDRS | SMFIF_CHGHDRS), SMFIF_ADDHDRS | SMFIF_CHGHDRS)
        self.assertEqual(actions & ~ALL_ACTIONS, 0)
        self.assertTrue(steps & SMFIP_HDR_LEADSPC, "exact header bytes requested")
        self.assertEqual(steps & SMFIP_NR_ALL, 0, "every command gets a reply")

        client.send(SMFIC_MACRO, SMFIC_CONNECT + z(b"j", b"mx.test.example"))  # no reply
        self.assertEqual(client.connect_info(), SMFIR_CONTINUE)
        self.assertEqual(client.command(SMFIC_HELO, z(b"client.example.net")), SMFIR_CONTINUE)

        headers = [
            (b"From", b" Alice <alice@example.org>"),
            (b"To", b" bob@example.com"),
            (b"Subject", b" folded\n\tsubject line"),
        ]
        # Bare-LF body in uneven chunks: 3 lines -> 7 + 8 + 2 bytes once normalized to CRLF.
        self.send_message(client, b"<alice@example.org>", [b"<bob@example.com>", b"<c@example.com>"],
                          headers, [b"hell", b"o\nworld!\n", b"\n"])

        # Second message: aborted half-way, then a complete one, on the same connection.
        self.assertEqual(client.command(SMFIC_MAIL, z(b"<>")), SMFIR_CONTINUE)
        self.assertEqual(client.command(SMFIC_RCPT, z(b"<bob@example.com>")), SMFIR_CONTINUE)
        self.assertEqual(client.command(SMFIC_HEADER, z(b"Subject", b" dropped")), SMFIR_CONTINUE)
        client.send(SMFIC_ABORT)  # no reply
        self.send_message(client, b"<carol@example.org>", [b"<bob@example.com>"],
                          [(b"From", b" carol@example.org")], [b"one line\r\n"])

        client.send(SMFIC_QUIT)
        self.assertEqual(client.sock.recv(1), b"", "milter closes after QUIT")
        client.sock.close()

        self.assertEqual(self.milter.stop(), 0)
        log = self.milter.output()
        self.assertIn("from mail.example.net [192.0.2.1]", log)
        self.assertIn("message 1: from=<alice@example.org> rcpts=2 headers=3 body_bytes=17", log)
        self.assertIn("message 3: from=<carol@example.org> rcpts=1 headers=1 body_bytes=10", log)
        self.assertIn("closed after 3 message(s)", log)
        self.assertNotIn("message 2:", log, "the aborted message never reached end of message")
        self.assertIn("info: stopped", log)

    def test_concurrent_connections(self):
        self.start()
        clients = [Client(self.tcp()) for _ in range(4)]
        for c in clients:
            c.negotiate()
            self.assertEqual(c.connect_info(), SMFIR_CONTINUE)
        for i, c in enumerate(clients):
            self.send_message(c, b"<s%d@example.org>" % i, [b"<r@example.com>"],
                              [(b"From", b" s@example.org")], [b"x\r\n" * (i + 1)])
        for c in clients:
            c.send(SMFIC_QUIT)
            c.sock.close()
        self.assertEqual(self.milter.stop(), 0)

    def test_unix_socket(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "milter.sock")
            milter = Milter("--socket", "unix:" + path)
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
            client.send(SMFIC_CONNECT, z(b"localhost") + b"U" + b"\0\0" + z(b"/dev/null"))
            self.assertEqual(client.reply()[0], SMFIR_CONTINUE)
            self.send_message(client, b"<a@example.org>", [b"<b@example.com>"],
                              [(b"From", b" a@example.org")], [b"hi\r\n"])
            client.send(SMFIC_QUIT)
            client.sock.close()

            # A second milter must not take over the socket of a running one.
            other = Milter("--socket", "unix:" + path)
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
        other = Milter("--socket", "inet:%d@127.0.0.1" % self.port)
        self.addCleanup(other.close)
        self.assertEqual(other.proc.wait(timeout=10), 1)
        self.assertIn("cannot open socket 'inet:%d@127.0.0.1'" % self.port, other.output())

    def test_bad_parameters_exit_2(self):
        for args, message in [
            (["--mode", "relay"], "mode: 'relay' is not one of verify, sign, both"),
            (["--dns_timeout", "5 hours"], "dns_timeout: '5 hours' is not a time"),
            (["--dns_timeout", "10m"], "dns_timeout: '10m' is outside 100ms..60s"),
            (["--no-such-option"], "no-such-option"),
            (["--config", "/nonexistent/mailauth.conf"], "cannot read configuration file"),
        ]:
            r = subprocess.run([MILTER, *args], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr)

    def test_help_version_and_config_file(self):
        r = subprocess.run([MILTER, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        for name in ["socket", "authserv_id", "mode", "failure_mode", "user", "log_level",
                     "dns_timeout"]:
            self.assertRegex(r.stdout, r"\n  %s +" % name)
        r = subprocess.run([MILTER, "--version"], capture_output=True, text=True, timeout=10)
        self.assertRegex(r.stdout, r"^mailauth-milter \d+\.\d+\.\d+\n$")

        r = subprocess.run([MILTER, "--print-config"], capture_output=True, text=True, timeout=10)
        self.assertIn("socket = inet:8891@127.0.0.1\n", r.stdout)
        self.assertIn("authserv_id = %s\n" % socket.gethostname(), r.stdout)
        self.assertIn("mode = verify\n", r.stdout)
        self.assertIn("dns_timeout = 5000ms\n", r.stdout)

        with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
            conf.write("# test\nmode = both\nfailure_mode = tempfail\ndns_timeout = 1500ms\n"
                       "authserv_id = from-file.example\n")
            conf.flush()
            r = subprocess.run([MILTER, "--config", conf.name, "--authserv_id", "cli.example",
                                "--print-config"], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("mode = both\n", r.stdout)
            self.assertIn("failure_mode = tempfail\n", r.stdout)
            self.assertIn("dns_timeout = 1500ms\n", r.stdout)
            self.assertIn("authserv_id = cli.example\n", r.stdout, "command line wins")

    def test_readme_documents_the_parameter_table(self):
        """README.md's table and --help (printed from the code's table) name the same
        parameters with the same defaults."""
        readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
        with open(readme, encoding="utf-8") as f:
            documented = dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", f.read(), re.M))
        r = subprocess.run([MILTER, "--help"], capture_output=True, text=True, timeout=10)
        table = r.stdout.split("\n  name ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
        printed = {line.split()[0]: line.split()[1] for line in table}
        self.assertEqual(set(documented), set(printed))
        for name, default in printed.items():
            if not default.startswith("("):
                self.assertEqual(documented[name].strip("`"), default, name)


if __name__ == "__main__":
    MILTER = sys.argv.pop(1)
    unittest.main(verbosity=2)
