#!/usr/bin/python3
"""Checks of the batch options of `mailauth verify|sign|seal` (issue 11): --jobs keeps the input
order and gives what --jobs 1 gives, --files-from (a file, standard input, a missing list),
--output-dir, many FILE arguments, the mismatch explanation, and the progress line (only on a
terminal).

  batch_test.py MAILAUTH TESTDATA_DIR
"""
import base64
import json
import os
import pty
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_support import check, report, run  # noqa: E402

NOW = "1764928800"


def message(i, eol="\n"):
    lines = ["From: Sender %d <sender%d@example.org>" % (i, i % 7),
             "To: rcpt@example.com",
             "Subject: batch %d" % i,
             "Date: Fri, 5 Dec 2025 10:00:%02d +0000" % (i % 60),
             "Message-ID: <%d@example.org>" % i,
             "",
             "Message number %d." % i]
    lines += ["line %d of message %d, with some words to hash" % (n, i) for n in range(i % 40)]
    return (eol.join(lines) + eol).encode()


def zone(testdata):
    with open(os.path.join(testdata, "keys", "rsa2048.spki.der"), "rb") as f:
        p = base64.b64encode(f.read()).decode()
    record = "v=DKIM1; k=rsa; p=" + p
    strings = " ".join('"%s"' % record[i:i + 255] for i in range(0, len(record), 255))
    return ("$TTL 3600\nbatch._domainkey.example.org. IN TXT ( %s )\n"
            '_dmarc.example.org. IN TXT "v=DMARC1; p=reject"\n' % strings)


def main():
    mailauth, testdata = sys.argv[1], sys.argv[2]
    key = os.path.join(testdata, "keys", "rsa2048.pkcs8.pem")
    with tempfile.TemporaryDirectory() as tmp:
        raw, signed = os.path.join(tmp, "raw"), os.path.join(tmp, "signed")
        os.mkdir(raw)
        os.mkdir(signed)
        names = []
        for i in range(60):
            name = "m%02d.eml" % i
            with open(os.path.join(raw, name), "wb") as f:
                f.write(message(i, "\r\n" if i % 3 == 0 else "\n"))
            names.append(name)
        zone_file = os.path.join(tmp, "batch.zone")
        with open(zone_file, "w") as f:
            f.write(zone(testdata))
        sign = [mailauth, "sign", "--domain", "example.org", "--selector", "batch", "--key", key,
                "--now", NOW]

        # sign --output-dir --jobs: every file under its own name, each the same as signing it
        # alone to standard output.
        raw_paths = [os.path.join(raw, n) for n in names]
        code, out, err = run(sign + ["--output-dir", signed, "--jobs", "3"] + raw_paths)
        check("sign --output-dir exit", code == 0, err)
        check("sign --output-dir writes nothing to stdout", out == "", out)
        check("sign --output-dir files", sorted(os.listdir(signed)) == names, os.listdir(signed))
        for n in (names[0], names[1], names[59]):
            _, alone, _ = run(sign + [os.path.join(raw, n)])
            with open(os.path.join(signed, n), "rb") as f:
                check("sign --output-dir %s as alone" % n, f.read().decode() == alone)
        with open(os.path.join(signed, names[4]), "rb") as f:
            before = f.read()
        code, _, err = run(sign + ["--output-dir", signed, raw_paths[4], raw_paths[5]])
        check("sign never replaces a file: exit 2", code == 2, err)
        check("sign never replaces a file: says so", "m04.eml: exists; not replaced" in err, err)
        with open(os.path.join(signed, names[4]), "rb") as f:
            check("sign never replaces a file: content kept", f.read() == before)
        code, _, err = run(sign + raw_paths[:2])
        check("sign of several files without --output-dir: usage", code == 2 and "--output-dir" in err,
              err)
        code, _, err = run(sign + ["--output-dir", signed, "-"], message(1))
        check("sign - --output-dir: usage", code == 2 and "standard input" in err, err)

        # A failing message, an unreadable path and a directory among the signed ones.
        with open(os.path.join(signed, names[7]), "rb") as f:
            altered = f.read().replace(b"Message number 7.", b"Message number 8.")
        with open(os.path.join(tmp, "altered.eml"), "wb") as f:
            f.write(altered)
        inputs = [os.path.join(signed, n) for n in names]
        inputs[10:10] = [os.path.join(tmp, "altered.eml"), os.path.join(tmp, "missing.eml"), tmp]
        verify = [mailauth, "verify", "--now", NOW, "--dns-zone", zone_file]

        code1, out1, err1 = run(verify + ["--json", "--jobs", "1"] + inputs)
        lines = out1.splitlines()
        check("verify --jobs 1 exit 2 (unreadable input)", code1 == 2, err1)
        check("one line per readable file", len(lines) == len(inputs) - 2, out1)
        check("input order", [json.loads(l)["file"] for l in lines] ==
              [p for p in inputs if p not in (os.path.join(tmp, "missing.eml"), tmp)], out1)
        check("signed files pass", all(json.loads(l)["dkim"][0]["result"] == "pass"
                                       for l in lines if "altered" not in l), out1)
        altered_line = json.loads(lines[10])
        check("altered fails", altered_line["dkim"][0]["result"] == "fail" and
              altered_line["dmarc"]["result"] == "fail", lines[10])
        check("unreadable named in order", err1.splitlines() == [
            "mailauth verify: %s: cannot open: No such file or directory" %
            os.path.join(tmp, "missing.eml"),
            "mailauth verify: %s: is a directory, not a message file" % tmp], err1)
        for jobs in ("2", "4", "16"):
            code, out, err = run(verify + ["--json", "--jobs", jobs] + inputs)
            check("--jobs %s: same exit code" % jobs, code == code1, err)
            check("--jobs %s: same output, same order" % jobs, out == out1, out)
            check("--jobs %s: same errors, same order" % jobs, err == err1, err)
        code, text1, _ = run(verify + ["--jobs", "1"] + inputs)
        code, text3, _ = run(verify + ["--jobs", "3"] + inputs)
        check("text output the same at --jobs 3", text1 == text3 and "dkim=fail" in text1, text3)
        code, out, err = run(verify + ["--json", "--jobs", "2"] + inputs[:3] + inputs[13:])
        check("all passing: exit 0", code == 0 and err == "", err)

        # --files-from: a file (empty lines skipped), standard input, with FILE arguments first.
        listing = os.path.join(tmp, "list.txt")
        with open(listing, "w") as f:
            f.write("\n".join(inputs[:5]) + "\n\n" + "\n".join(inputs[5:]))  # no final newline
        code, out, err = run(verify + ["--json", "--jobs", "3", "--files-from", listing])
        check("--files-from FILE: same as arguments", (code, out, err) == (code1, out1, err1), err)
        code, out, err = run(verify + ["--json", "--files-from", "-"],
                             ("\n".join(inputs) + "\n").encode())
        check("--files-from -: same as arguments", (code, out, err) == (code1, out1, err1), err)
        code, out, _ = run(verify + ["--json", inputs[0], "--files-from", "-"],
                           (inputs[1] + "\n").encode())
        check("arguments, then the list", [json.loads(l)["file"] for l in out.splitlines()] ==
              inputs[:2], out)
        code, _, err = run(verify + ["--files-from", os.path.join(tmp, "no-such-list")])
        check("missing list: usage error", code == 2 and err.startswith(
            "mailauth verify: --files-from: cannot read %s: No such file or directory" %
            os.path.join(tmp, "no-such-list")), err)
        code, _, err = run(verify + ["--files-from", tmp])
        check("list is a directory: usage error", code == 2 and "directory" in err, err)
        code, _, err = run(verify + ["--files-from", "-", "-"], b"")
        check("list and message both on stdin: usage error", code == 2, err)
        code, _, err = run(verify + ["--jobs", "0", inputs[0]])
        check("--jobs 0: usage error", code == 2 and "--jobs" in err, err)

        # Many FILE arguments (the positional words are collected in one pass).
        many = [inputs[0]] * 3000
        code, out, err = run(verify + ["--jobs", "2"] + many)
        check("3000 arguments", code == 0 and out.count("dkim=pass") == 3000, err)

        # The explanation of a mismatch survives (those messages are verified a second time, with
        # the body kept).
        simple = os.path.join(tmp, "simple.eml")
        _, signed_simple, _ = run(sign + ["--canonicalization", "simple/simple",
                                          os.path.join(raw, names[20])])
        with open(simple, "w") as f:
            f.write(signed_simple.replace("with some words to hash\n", "with some words to hash \n"))
        code, out, _ = run(verify + ["--json", "--jobs", "2", inputs[0], simple])
        reason = json.loads(out.splitlines()[1])["dkim"][0]["reason"]
        # Relaxed canonicalization ignores the added space, which the diagnosis finds by hashing
        # the kept body again.
        check("mismatch explained", reason.startswith("body hash mismatch; the body matches with "
                                                      "relaxed body canonicalization"), reason)

        # seal: --json lines for several files in order; --output-dir.
        seal = [mailauth, "seal", "--domain", "example.org", "--selector", "batch", "--key", key,
                "--authserv-id", "mx.example.org", "--now", NOW, "--dns-zone", zone_file]
        code, out, err = run(seal + ["--json", "--jobs", "2"] + inputs[13:23])
        objects = [json.loads(l) for l in out.splitlines()]
        check("seal --json: one line per file, in order", code == 0 and
              [o["file"] for o in objects] == inputs[13:23], err)
        check("seal --json: sealed", all(o["sealed"] for o in objects), out)
        sealed = os.path.join(tmp, "sealed")
        os.mkdir(sealed)
        code, _, err = run(seal + ["--output-dir", sealed, "--jobs", "2"] + inputs[13:23])
        check("seal --output-dir", code == 0 and sorted(os.listdir(sealed)) == names[10:20], err)
        code, out, _ = run([mailauth, "verify", "--now", NOW, "--dns-zone", zone_file, "--json",
                            os.path.join(sealed, names[10])])
        check("sealed message verifies", json.loads(out)["arc"]["result"] == "pass", out)
        code, _, err = run(seal + inputs[13:15])
        check("seal of several files to stdout: usage", code == 2, err)

        # The progress line: on standard error when it is a terminal, never otherwise.
        check("no progress line on a pipe", "\r" not in err1 and "files" not in err1, err1)
        controller, terminal = pty.openpty()
        p = subprocess.Popen(verify + ["--jobs", "2"] + inputs[13:] * 5, stdout=subprocess.DEVNULL,
                             stderr=terminal)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        p.wait()
        os.close(controller)
        check("progress on a terminal", p.returncode == 0 and b"verify: " in shown and
              b" files, " in shown and b"/s" in shown and shown.endswith(b"\r\x1b[K"), shown[-200:])
    return report()


if __name__ == "__main__":
    sys.exit(main())
