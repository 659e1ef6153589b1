#!/usr/bin/env python3
"""Issue 11's goals for `mailauth verify` over many files, as ratios from one run.

  bench/batch_cli.py --mailauth build-rel/tools/mailauth [--dir /tmp/mailauth-batch] \
      [--count 10000] [--small 1000] [--repeat 3] [--crlf] [--no-perf]

Builds the corpus first when DIR has none for --count: COUNT small messages (1 to 8 KB,
deterministic text, LF line endings as Maildir keeps them, or CRLF with --crlf), a zone file
publishing the RSA 2048 key of testdata/keys/rsa2048.pkcs8.pem as batch._domainkey.example.org
with a DMARC record, and the messages signed by `mailauth sign --output-dir` with that key
(rsa-sha256, relaxed/relaxed). Nothing is committed: the corpus lives in DIR.

Then, verifying the signed messages with warm keys (one process, one DNS and key cache):
  * the share of CPU samples inside libcrypto with --jobs 1 (perf record, perf report
    --sort dso; goal >= 70%);
  * --jobs 2 against --jobs 1 (goal >= 1.8 on 2 cores), by wall clock and by CPU time: on a
    machine busy with other work the wall clock says more about the scheduler than about the
    code, so the script also gives the speed-up the CPU time per file allows on 2 free cores,
    2 x (CPU time at 1 job) / (CPU time at 2 jobs), and how busy the machine was meanwhile
    (other processes' share of all CPUs, from /proc/stat, and the load average);
  * peak RSS for --small files against --count files (goal: flat, a ratio near 1).
Each timed case runs --repeat times, alternating; the medians are compared.
"""
import argparse
import base64
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = os.path.join(ROOT, "testdata", "keys", "rsa2048.pkcs8.pem")
PUBLIC_KEY = os.path.join(ROOT, "testdata", "keys", "rsa2048.spki.der")
NOW = "1764928800"  # signatures and verification at one fixed time

WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there been one all we their has would when if "
         "so what out up into no more time could them two only other about then than its over "
         "archive message batch verify signature record domain key selector header body").split()


def message(rng, i, size, eol):
    """One message of about `size` bytes."""
    host = i % 50
    head = [
        "Received: from mail%d.example.net (mail%d.example.net [192.0.2.%d])" % (host, host, host + 1),
        "\tby mx.example.org with ESMTPS id %08x; Fri, 5 Dec 2025 10:%02d:%02d +0000"
        % (rng.getrandbits(32), i // 60 % 60, i % 60),
        "Date: Fri, 5 Dec 2025 10:%02d:%02d +0000" % (i // 60 % 60, i % 60),
        "From: Sender %d <sender%d@example.org>" % (i, i % 100),
        "To: Recipient <rcpt%d@example.com>" % (i % 37),
        "Subject: Batch message %d" % i,
        "Message-ID: <%d.%016x@example.org>" % (i, rng.getrandbits(64)),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 7bit",
        "",
    ]
    text = eol.join(head) + eol
    lines = []
    length = len(text)
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        lines.append(line)
        length += len(line) + len(eol)
    return (text + eol.join(lines) + eol).encode()


def zone_text():
    with open(PUBLIC_KEY, "rb") as f:
        p = base64.b64encode(f.read()).decode()
    record = "v=DKIM1; k=rsa; p=" + p
    strings = " ".join('"%s"' % record[i:i + 255] for i in range(0, len(record), 255))
    return ("$TTL 86400\n"
            "batch._domainkey.example.org. IN TXT ( %s )\n"
            '_dmarc.example.org. IN TXT "v=DMARC1; p=none"\n' % strings)


def build_corpus(args, corpus):
    raw, signed = os.path.join(corpus, "raw"), os.path.join(corpus, "signed")
    if os.path.isdir(corpus):
        shutil.rmtree(corpus)
    os.makedirs(raw)
    os.makedirs(signed)
    rng = random.Random(11)
    eol = "\r\n" if args.crlf else "\n"
    names = []
    for i in range(args.count):
        name = os.path.join(raw, "%06d.eml" % i)
        with open(name, "wb") as f:
            f.write(message(rng, i, rng.randint(1024, 8 * 1024), eol))
        names.append(name)
    with open(os.path.join(corpus, "raw.list"), "w") as f:
        f.write("\n".join(names) + "\n")
    with open(os.path.join(corpus, "batch.zone"), "w") as f:
        f.write(zone_text())
    subprocess.run([args.mailauth, "sign", "--domain", "example.org", "--selector", "batch",
                    "--key", KEY, "--now", NOW, "--output-dir", signed,
                    "--files-from", os.path.join(corpus, "raw.list")], check=True)
    with open(os.path.join(corpus, "signed.list"), "w") as f:
        f.write("".join(os.path.join(signed, "%06d.eml" % i) + "\n" for i in range(args.count)))
    with open(os.path.join(corpus, "small.list"), "w") as f:
        f.write("".join(os.path.join(signed, "%06d.eml" % i) + "\n" for i in range(args.small)))


def cpu_ticks():
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def timed(command):
    """Runs `command` (output discarded): wall seconds, CPU seconds, peak RSS in KiB, and the
    share of all CPUs that other processes kept busy meanwhile."""
    busy0, total0 = cpu_ticks()
    start = time.monotonic()
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(command, stdout=null)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    busy1, total1 = cpu_ticks()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("%s exited %d" % (" ".join(command), code))
    cpu = usage.ru_utime + usage.ru_stime
    hz = os.sysconf("SC_CLK_TCK")
    others = max(0.0, (busy1 - busy0) / hz - cpu) / max((total1 - total0) / hz, 1e-9)
    return wall, cpu, usage.ru_maxrss, others


def libcrypto_share(args, verify):
    """Percent of CPU samples in libcrypto and the top shared objects, verifying with 1 job."""
    data = os.path.join(args.dir, "perf.data")
    with open(os.devnull, "wb") as null:
        subprocess.run(["perf", "record", "-q", "-F", "1999", "-o", data, "--"] + verify +
                       ["--jobs", "1"], stdout=null, check=True)
    report = subprocess.run(["perf", "report", "-i", data, "--sort", "dso", "--stdio"],
                            capture_output=True, text=True, check=True).stdout
    shares = []
    for line in report.splitlines():
        m = re.match(r"\s+([\d.]+)%\s+(\S+)", line)
        if m:
            shares.append((float(m.group(1)), m.group(2)))
    crypto = sum(p for p, dso in shares if "libcrypto" in dso)
    return crypto, shares[:6]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mailauth", default=os.path.join(ROOT, "build-rel", "tools", "mailauth"))
    parser.add_argument("--dir", default="/tmp/mailauth-batch")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--crlf", action="store_true")
    parser.add_argument("--text", action="store_true", help="verify's text output, not --json")
    parser.add_argument("--no-perf", action="store_true")
    args = parser.parse_args()

    corpus = os.path.join(args.dir, "crlf-%d" % args.count if args.crlf else "lf-%d" % args.count)
    if not os.path.exists(os.path.join(corpus, "small.list")):
        print("building the corpus in %s" % corpus, flush=True)
        build_corpus(args, corpus)
    verify = [args.mailauth, "verify", "--now", NOW, "--dns-zone", os.path.join(corpus, "batch.zone")]
    if not args.text:
        verify.append("--json")
    everything = verify + ["--files-from", os.path.join(corpus, "signed.list")]
    small = verify + ["--files-from", os.path.join(corpus, "small.list")]

    print("machine: %d CPUs, load average before: %s" %
          (os.cpu_count(), open("/proc/loadavg").read().split()[0]))
    runs = {1: [], 2: []}
    for _ in range(args.repeat):
        for jobs in (1, 2):
            runs[jobs].append(timed(everything + ["--jobs", str(jobs)]))
    med = {j: [statistics.median(r[k] for r in runs[j]) for k in range(4)] for j in runs}
    for j in (1, 2):
        wall, cpu, rss, others = med[j]
        print("--jobs %d: %d files in %.2f s wall (%.0f files/s), %.2f s CPU (%.1f us/file), "
              "peak RSS %d KiB; other processes kept %.0f%% of all CPUs busy" %
              (j, args.count, wall, args.count / wall, cpu, cpu / args.count * 1e6, rss,
               others * 100))
    wall_ratio = med[1][0] / med[2][0]
    cpu_ratio = 2 * med[1][1] / med[2][1]
    print("--jobs 2 / --jobs 1 (goal >= 1.8): %.2f by wall clock; %.2f from CPU time on 2 free "
          "cores (CPU per file at 2 jobs / at 1 job: %.2f)" %
          (wall_ratio, cpu_ratio, med[2][1] / med[1][1]))

    rss_small = statistics.median(timed(small + ["--jobs", "2"])[2] for _ in range(args.repeat))
    rss_all = statistics.median(timed(everything + ["--jobs", "2"])[2] for _ in range(args.repeat))
    print("peak RSS, %d files / %d files at --jobs 2 (goal: flat): %.2f (%d / %d KiB)" %
          (args.count, args.small, rss_all / rss_small, rss_all, rss_small))

    if not args.no_perf and shutil.which("perf"):
        crypto, top = libcrypto_share(args, everything)
        print("CPU samples in libcrypto at --jobs 1 (goal >= 70%%): %.1f%%; by shared object: %s" %
              (crypto, ", ".join("%s %.1f%%" % (dso, p) for p, dso in top)))
    print("load average after: %s" % open("/proc/loadavg").read().split()[0])


if __name__ == "__main__":
    main()
