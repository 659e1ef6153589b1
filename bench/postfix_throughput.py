#!/usr/bin/env python3
"""Throughput through a real Postfix without and with mailauth-milter, over TCP and over a unix
socket: smtp-source sends DKIM-signed messages over concurrent SMTP sessions to a private
Postfix on loopback (tests/integration/postfix_lab.py) whose queue and mailbox live on tmpfs.
The milter verifies SPF, DKIM, ARC and DMARC and seals with ARC (clients on 127.0.0.1 are
outside internal_hosts), answering DNS from testdata/milter/lab.zone.

Prints, per transport, messages per second accepted by Postfix (smtp-source's wall time), the
milliseconds per message per session, the ratio to Postfix alone, and the CPU time per message of
Postfix and of the milter, with the ratio that CPU alone would allow (other load on the machine
moves the wall-clock figures, not that one); runs are interleaved and repeated, the median is
kept. Every message must be delivered, and the milter must log no error.

Usage (as root, Postfix installed):
  postfix_throughput.py MILTER MAILAUTH TESTDATA [--sessions 10] [--messages 2000] [--runs 3]
                        [--base /dev/shm] [--transports none,tcp,unix] [--body-kib 0]
                        [--keep-sessions] [--no-seal] [--postconf 'NAME = VALUE']...
  --sessions 1 --messages 200 measures one SMTP session's latency per message.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import postfix_lab  # noqa: E402

MESSAGE = """\
From: Alice <alice@sender.example>
To: inbox@mx.example.net
Subject: mailauth-milter throughput
Date: Sat, 05 Dec 2026 12:00:00 +0000
Message-ID: <throughput@sender.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

A short business message, as most mail is: a few lines of text that the milter
hashes once for DKIM verification and once more for the ARC seal.

Regards,
Alice
"""


def signed_message(mailauth, key, work, body_kib=0):
    path = os.path.join(work, "unsigned.eml")
    filler = "".join("%04d the quick brown fox jumps over the lazy dog again and again.\n" % i
                     for i in range(body_kib * 1024 // 70))
    with open(path, "w") as f:
        f.write(MESSAGE + filler)
    r = subprocess.run([mailauth, "sign", "--domain", "sender.example", "--selector", "s1",
                        "--key", key, path], capture_output=True, text=True, timeout=30,
                       check=True)
    out = os.path.join(work, "signed.eml")
    with open(out, "w") as f:
        f.write(r.stdout.replace("\r\n", "\n"))  # smtp-source appends CRLF to each line
    return out


def run_once(postfix, message, sessions, count, keep_sessions=False):
    """Sends `count` messages; returns smtp-source's wall time after checking delivery."""
    before = len(postfix.delivered())
    started = time.monotonic()
    r = subprocess.run(["smtp-source", *(["-d"] if keep_sessions else []),
                        "-s", str(sessions), "-m", str(count),
                        "-f", "alice@sender.example", "-t", "inbox@mx.example.net",
                        "-F", message, "127.0.0.1:%d" % postfix.port],
                       capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - started
    if r.returncode != 0:
        raise RuntimeError("smtp-source failed: " + r.stderr)
    delivered = postfix.wait_delivered(before + count, 600) - before
    if delivered != count:
        raise RuntimeError("%d of %d messages delivered:\n%s" % (delivered, count,
                                                                  postfix.log()[-3000:]))
    return elapsed


def cpu_seconds(pid, children=False):
    """User plus system CPU time of a process (and of its children it has reaped), from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def postfix_cpu_seconds(postfix):
    """CPU time of Postfix: the master, its live children, and the children it has reaped."""
    with open(os.path.join(postfix.dir, "queue", "pid", "master.pid")) as f:
        master = int(f.read().strip())
    total = cpu_seconds(master, children=True)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            if parent == master:
                total += cpu_seconds(int(entry))
        except (OSError, ValueError):
            pass  # exited meanwhile: the master's reaped-children time has it
    return total


def clear_inbox(postfix):
    for path in postfix.delivered():
        os.unlink(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("milter")
    parser.add_argument("mailauth")
    parser.add_argument("testdata")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", default="/dev/shm", help="tmpfs folder for the lab")
    parser.add_argument("--transports", default="none,tcp,unix")
    parser.add_argument("--postconf", action="append", default=[], metavar="'NAME = VALUE'",
                        help="a main.cf setting for the lab's Postfix (may repeat)")
    parser.add_argument("--keep-sessions", action="store_true",
                        help="several messages per SMTP session (smtp-source -d)")
    parser.add_argument("--no-seal", action="store_true",
                        help="verify only: no ARC seal (two RSA signatures a message fewer)")
    parser.add_argument("--body-kib", type=int, default=0,
                        help="add this many KiB of text to the message body")
    args = parser.parse_args()
    reason = postfix_lab.can_run()
    if reason:
        print("postfix_throughput: " + reason)
        return 77
    transports = args.transports.split(",")

    work = tempfile.mkdtemp(prefix="mailauth-bench.", dir=args.base)
    os.chmod(work, 0o755)
    postfix = postfix_lab.Postfix(base=args.base)
    for setting in args.postconf:
        postfix.postconf(setting)
    milters = {}
    try:
        key = os.path.join(work, "key.pem")
        shutil.copyfile(os.path.join(args.testdata, "keys", "rsa2048.pkcs8.pem"), key)
        os.chmod(key, 0o600)
        message = signed_message(args.mailauth, key, work, args.body_kib)
        settings = [
            ("authserv_id", "mx.example.net"),
            ("mode", "verify"),
            ("dns_zone", os.path.join(args.testdata, "milter", "lab.zone")),
            ("internal_hosts", "10.0.0.0/8"),  # 127.0.0.1 is an outside client: verified
            ("log_level", "info"),
        ]
        if not args.no_seal:
            settings.append(("seal", "mx.example.net:arc:" + key))
        for transport in transports:
            if transport == "none":
                continue
            directory = os.path.join(work, transport)
            os.makedirs(directory)
            spec = "unix:" + os.path.join(directory, "milter.sock") if transport == "unix" else None
            milter = postfix_lab.MilterProcess(args.milter, directory, settings, spec)
            milter.start()
            if transport == "unix":
                os.chmod(milter.socket[5:], 0o666)  # Postfix's smtpd runs as postfix
            milters[transport] = milter
        postfix.start()

        times = {t: [] for t in transports}
        cpu = {t: [] for t in milters}  # the milter's CPU milliseconds per message
        postfix_cpu = {t: [] for t in transports}  # Postfix's
        for run in range(args.runs):
            for transport in transports:
                postfix.set_milter(milters[transport].postfix_spec() if transport in milters else "")
                clear_inbox(postfix)
                run_once(postfix, message, args.sessions, min(args.messages, 50))  # warm up
                clear_inbox(postfix)
                used = cpu_seconds(milters[transport].proc.pid) if transport in milters else 0
                postfix_used = postfix_cpu_seconds(postfix)
                times[transport].append(run_once(postfix, message, args.sessions, args.messages,
                                                 args.keep_sessions))
                postfix_cpu[transport].append(
                    1000.0 * (postfix_cpu_seconds(postfix) - postfix_used) / args.messages)
                if transport in milters:
                    used = cpu_seconds(milters[transport].proc.pid) - used
                    cpu[transport].append(1000.0 * used / args.messages)
                print("run %d %-5s %6.2f s" % (run + 1, transport, times[transport][-1]),
                      file=sys.stderr)

        sample = postfix.delivered()[-1]
        with open(sample, errors="replace") as f:
            head = f.read().split("\n\n", 1)[0]
        for transport, milter in milters.items():
            errors = milter.error_lines()
            if errors:
                raise RuntimeError("milter (%s) logged errors:\n%s" % (transport,
                                                                      "\n".join(errors[:10])))

        print("Postfix %s, %d messages of %d bytes, %d concurrent sessions%s, median of %d runs"
              % (subprocess.run(["postconf", "-h", "-d", "mail_version"], capture_output=True,
                                text=True).stdout.strip(), args.messages,
                 os.path.getsize(message), args.sessions,
                 " (several messages each)" if args.keep_sessions else "", args.runs))
        base = statistics.median(times["none"]) if "none" in times else None
        print("%-24s %8s %15s %9s %12s %12s" % ("transport", "msg/s", "ms/msg/session",
                                                 "vs alone", "CPU ms/msg:", "Postfix milter"))
        for transport in transports:
            elapsed = statistics.median(times[transport])
            rate = args.messages / elapsed
            latency = 1000.0 * elapsed * args.sessions / args.messages
            name = {"none": "Postfix alone", "tcp": "milter over TCP",
                    "unix": "milter over unix socket"}[transport]
            ratio = "%8.0f%%" % (100.0 * base / elapsed) if base else "        -"
            milter_cpu = "%7.2f" % statistics.median(cpu[transport]) if transport in cpu else ""
            print("%-24s %8.1f %15.2f %s %20.2f %s" % (
                name, rate, latency, ratio, statistics.median(postfix_cpu[transport]), milter_cpu))
        if base and milters:
            # What the ratios would be if CPU were the only limit and all of it were ours: a
            # figure that other load on the machine does not move.
            alone = statistics.median(postfix_cpu["none"])
            print("CPU-bound ratio to Postfix alone: " + ", ".join(
                "%s %.0f%%" % (t, 100.0 * alone / (statistics.median(postfix_cpu[t]) +
                                                   statistics.median(cpu[t])))
                for t in milters))
        if milters:
            ours = [l for l in head.splitlines() if l.startswith(("Authentication-Results:",
                                                                  "ARC-Seal:"))]
            print("last delivered message carries: " + "; ".join(l.split(";")[0] + ";..."
                                                                 for l in ours))
        return 0
    finally:
        postfix.close()
        for milter in milters.values():
            milter.stop(signal.SIGTERM)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
