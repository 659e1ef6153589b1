#!/usr/bin/env python3
"""The milter acknowledges promptly what an MTA sends over TCP without waiting for a reply, so
that the MTA's Nagle algorithm does not hold its next write (milter/tcp_ack.hpp).

Like Postfix, the client keeps Nagle on and sends each message in two bursts of no-reply
commands: CONNECT to RCPT (smtpd), then headers, body and end of message (cleanup). The first
burst must be acknowledged before Linux's delayed ACK (40 ms at least) would fire, on a new
connection (after the negotiation reply) and on the next messages (after the end-of-message
reply). Linux only: the unacknowledged count comes from TCP_INFO.

Usage: milter_tcp_ack_test.py MILTER MAILAUTH TESTDATA
"""
import os
import re
import socket
import statistics
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import milter_protocol_test as mpt  # noqa: E402

# Linux's smallest delayed-ACK timeout is 40 ms. Acknowledged promptly, a burst is acknowledged
# as soon as the milter has read all of it, well under a millisecond on an idle machine; on a
# loaded one the scheduler may delay a few bursts past 40 ms, so the median is what is checked.
PROMPT = 0.020
TCPI_UNACKED = 24  # offset of tcpi_unacked in struct tcp_info


def unacked(sock):
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", info, TCPI_UNACKED)[0]


def packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def seconds_to_ack(sock, limit=0.2):
    """Time until every byte we sent is acknowledged (limit when it is not)."""
    started = time.monotonic()
    while unacked(sock) > 0:
        if time.monotonic() - started > limit:
            return limit
        time.sleep(0.0005)
    return time.monotonic() - started


class TcpAckTest(unittest.TestCase):
    def setUp(self):
        self.port = mpt.free_port()
        self.milter = mpt.Milter("--socket", "inet:%d@127.0.0.1" % self.port, "--log_level",
                                 "debug", "--authserv_id", "mx.example.net", "--dns_zone",
                                 mpt.LAB_ZONE)
        self.addCleanup(self.milter.close)
        self.milter.wait_listening(
            lambda: socket.create_connection(("127.0.0.1", self.port), timeout=2))

    def wait_closed(self, count, timeout=10):
        """Waits until the milter has closed `count` connections: what SIGTERM does to
        connections still open is not this test's subject."""
        deadline = time.monotonic() + timeout
        while self.milter.output().count(" closed after ") < count:
            self.assertLess(time.monotonic(), deadline, self.milter.output())
            time.sleep(0.05)

    def envelope(self, first):
        # Postfix ends each transaction with an abort, buffered until its next write.
        burst = b"" if first else packet(mpt.SMFIC_ABORT)
        if first:
            burst += packet(mpt.SMFIC_MACRO, mpt.SMFIC_CONNECT + mpt.z(b"{daemon_name}", b"mx"))
            burst += packet(mpt.SMFIC_CONNECT, mpt.z(b"mail.sender.example") + b"4" +
                            struct.pack(">H", 40000) + mpt.z(b"203.0.113.5"))
            burst += packet(mpt.SMFIC_HELO, mpt.z(b"mail.sender.example"))
        burst += packet(mpt.SMFIC_MAIL, mpt.z(b"<alice@sender.example>"))
        burst += packet(mpt.SMFIC_RCPT, mpt.z(b"<bob@mx.example.net>"))
        return burst

    def content(self):
        fields, body = mpt.split_message(mpt.MESSAGE)
        burst = b"".join(packet(mpt.SMFIC_HEADER, mpt.z(n.encode(), v.encode()))
                         for n, v in fields)
        burst += packet(mpt.SMFIC_EOH)
        burst += packet(mpt.SMFIC_BODY, body.replace("\n", "\r\n").encode())
        return burst + packet(mpt.SMFIC_MACRO, b"E" + mpt.z(b"{i}", b"4XyZ1")) + \
            packet(mpt.SMFIC_BODYEOB)

    def test_no_reply_commands_are_acknowledged_promptly(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.assertEqual(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0,
                         "the client keeps Nagle's algorithm on, as Postfix does")
        client = mpt.Client(sock)
        client.negotiate()
        rounds = []
        # A stall (the 40 ms delayed ACK) on every message fails each round; a round can also
        # lose to a descheduled milter thread on a busy machine (sanitizer builds, parallel
        # tests), so up to three rounds of nine messages are tried.
        for attempt in range(3):
            waits = []
            for message in range(9):
                sock.sendall(self.envelope(first=attempt == 0 and message == 0))
                waits.append(seconds_to_ack(sock))
                time.sleep(0.005)  # the SMTP DATA transfer between smtpd's and cleanup's writes
                sock.sendall(self.content())
                final, _, modifications = client.end_of_message()
                self.assertEqual(final, mpt.SMFIR_CONTINUE)
                self.assertTrue(mpt.inserted(modifications))
            rounds.append(waits)
            if statistics.median(waits) < PROMPT:
                break
        self.assertLess(statistics.median(rounds[-1]), PROMPT,
                        "envelopes acknowledged after %s ms" %
                        [["%.1f" % (w * 1000) for w in waits] for waits in rounds])
        client.send(mpt.SMFIC_QUIT)
        local_port = sock.getsockname()[1]
        sock.close()
        self.wait_closed(1)
        self.assertEqual(self.milter.stop(), 0)
        log = self.milter.output()
        # The milter found this very connection's socket, not another one.
        self.assertRegex(log, r"connection \d+ over TCP from MTA port %d\n" % local_port)
        self.assertNotIn("cannot find the MTA connection's socket", log)
        self.assertNotRegex(log, r"\berror\b")

    def test_concurrent_connections_find_their_own_socket(self):
        socks = [socket.create_connection(("127.0.0.1", self.port), timeout=10) for _ in range(6)]
        clients = [mpt.Client(s) for s in socks]
        for c in clients:
            c.negotiate()
        for s in socks:
            s.sendall(self.envelope(first=True))
        waits = [seconds_to_ack(s) for s in socks]
        self.assertLess(statistics.median(waits), PROMPT,
                        "envelopes acknowledged after %s ms" % ["%.1f" % (w * 1000) for w in waits])
        ports = [s.getsockname()[1] for s in socks]
        for c in clients:
            c.send(mpt.SMFIC_QUIT)
            c.sock.close()
        self.wait_closed(len(clients))
        self.assertEqual(self.milter.stop(), 0)
        found = [int(p) for p in re.findall(r"over TCP from MTA port (\d+)", self.milter.output())]
        self.assertEqual(sorted(found), sorted(ports))


if __name__ == "__main__":
    mpt.MILTER, mpt.MAILAUTH, mpt.TESTDATA = sys.argv[1:4]
    del sys.argv[1:4]
    mpt.LAB_ZONE = os.path.join(mpt.TESTDATA, "milter", "lab.zone")
    mpt.KEY = os.path.join(mpt.TESTDATA, "keys", "rsa2048.pkcs8.pem")
    unittest.main(verbosity=2)
