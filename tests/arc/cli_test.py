#!/usr/bin/python3
"""Checks of `mailauth seal` and of the "arc" object of `mailauth verify` (issue 5).

  cli_test.py MAILAUTH TESTDATA_DIR

Messages and keys come from testdata/arc (see its README) and testdata/keys; broken chains and
DNS failures are made here from them.
"""
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_support import check, report, run  # noqa: E402

ARC_FIELDS = ["result", "instances", "oldest_pass", "reason"]



def arc_of(out):
    """The "arc" object of a one-line `verify --json` output, or None."""
    try:
        return json.loads(out)["arc"]
    except (ValueError, KeyError):
        return None


def arc_is(what, out, result, instances, oldest_pass, reason):
    arc = arc_of(out)
    check(what + ": arc fields", arc is not None and list(arc.keys()) == ARC_FIELDS, out)
    if arc is not None:
        got = (arc.get("result"), arc.get("instances"), arc.get("oldest_pass"), arc.get("reason"))
        check(what + ": arc values", got == (result, instances, oldest_pass, reason),
              "got %r, want %r" % (got, (result, instances, oldest_pass, reason)))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    mailauth, testdata = sys.argv[1], sys.argv[2]
    arc_dir, keys = os.path.join(testdata, "arc"), os.path.join(testdata, "keys")
    zone = os.path.join(arc_dir, "arc.zone")
    chain3 = os.path.join(arc_dir, "chain3-20k.eml")
    unsealed = os.path.join(arc_dir, "message-20k.eml")
    rsa, ed = os.path.join(keys, "rsa2048.pkcs8.pem"), os.path.join(keys, "ed25519.pkcs8.pem")
    with open(chain3, "rb") as f:
        chain3_bytes = f.read()

    def verify(path, zone_file=zone, json_out=True):
        return run([mailauth, "verify"] + (["--json"] if json_out else []) +
                   ["--dns-zone", zone_file, "--now", "1795860200", path])

    def seal(path, domain="lists.example.org", selector="arc", key=rsa, extra=()):
        return run([mailauth, "seal", "--domain", domain, "--selector", selector, "--key", key,
                    "--authserv-id", "mx." + domain, "--dns-zone", zone, "--now", "1795860300"] +
                   list(extra) + [path])

    with tempfile.TemporaryDirectory() as tmp:
        # verify: a passing chain, no chain, a chain broken in the body and in its structure.
        code, out, err = verify(chain3)
        check("pass chain exit 0", code == 0, out + err)
        arc_is("pass chain", out, "pass", 3, 0, "")
        check("no DKIM in the chain message", json.loads(out).get("dkim") == [], out)
        code, out, err = verify(unsealed)
        check("no chain exit 0", code == 0, out + err)
        arc_is("no chain", out, "none", 0, 0, "")

        body_broken = os.path.join(tmp, "body-broken.eml")
        write(body_broken, chain3_bytes.replace(b"\r\n\r\n", b"\r\n\r\nAdded in transit.\r\n", 1))
        code, out, err = verify(body_broken)
        check("broken body exit 1", code == 1, out + err)
        arc_is("broken body", out, "fail", 3, 0, "ARC-Message-Signature i=3: body hash mismatch")

        # Drop the i=2 ARC-Seal (two lines: the field and its folded t= line).
        lines = chain3_bytes.split(b"\r\n")
        start = next(i for i, l in enumerate(lines) if l.startswith(b"ARC-Seal:") and b"i=2;" in l)
        end = start + 1
        while lines[end].startswith((b" ", b"\t")):
            end += 1
        structure_broken = os.path.join(tmp, "structure-broken.eml")
        write(structure_broken, b"\r\n".join(lines[:start] + lines[end:]))
        code, out, err = verify(structure_broken)
        check("missing seal exit 1", code == 1, out + err)
        arc_is("missing seal", out, "fail", 3, 0, "ARC set 2 has no ARC-Seal")

        # DNS timeouts for every sealing key: a temporary error, exit 3.
        timeout_zone = os.path.join(tmp, "timeout.zone")
        with open(timeout_zone, "w") as f:
            for name in ["arc._domainkey.lists.example.org", "ed._domainkey.forward.example.net",
                         "arc._domainkey.mx.example.com"]:
                f.write("$TIMEOUT %s\n" % name)
        code, out, err = verify(chain3, timeout_zone)
        check("temperror exit 3", code == 3, out + err)
        arc_is("temperror", out, "temperror", 3, 0,
               "ARC-Message-Signature i=3: DNS timeout looking up key arc._domainkey.mx.example.com")

        # Text output: one arc line per file.
        code, out, err = verify(chain3, json_out=False)
        check("text arc line", code == 0 and "  arc=pass instances=3\n" in out, out + err)
        code, out, err = verify(body_broken, json_out=False)
        check("text arc fail line", code == 1 and
              "  arc=fail instances=3 (ARC-Message-Signature i=3: body hash mismatch)\n" in out, out)
        code, out, err = verify(unsealed, json_out=False)
        check("text arc none line", code == 0 and "  arc=none\n" in out, out)

        # seal: the unsealed message becomes a chain of 1; the chain of 3 becomes 4 (RSA and
        # Ed25519 keys); each verifies as pass.
        code, sealed1, err = seal(unsealed)
        check("seal unsealed exit 0", code == 0, err)
        check("seal writes the message after the set", sealed1.endswith(open(unsealed, newline="").read()) and
              sealed1.startswith("ARC-Seal: "), sealed1[:300])
        check("first set cv=none", "cv=none;" in sealed1.split("\n", 1)[0], sealed1[:300])
        s1 = os.path.join(tmp, "s1.eml")
        write(s1, sealed1.encode())
        code, out, err = verify(s1)
        check("sealed once verifies", code == 0, out + err)
        arc_is("sealed once", out, "pass", 1, 0, "")

        for key, domain, selector in [(rsa, "lists.example.org", "arc"), (ed, "forward.example.net", "ed")]:
            code, sealed4, err = seal(chain3, domain, selector, key)
            check("seal chain3 with " + selector, code == 0, err)
            s4 = os.path.join(tmp, "s4-%s.eml" % selector)
            write(s4, sealed4.encode())
            code, out, err = verify(s4)
            check("chain3 + 1 (%s) exit 0" % selector, code == 0, out + err)
            arc_is("chain3 + 1 (%s)" % selector, out, "pass", 4, 0, "")
            aar = [l for l in sealed4.split("\r\n") if l.startswith("ARC-Authentication-Results:")]
            # This hop's results in the pipeline's order: spf (none without --ip), dkim, arc,
            # dmarc (folded onto the next line).
            check("new AAR carries arc=pass", len(aar) == 4 and aar[0].startswith(
                "ARC-Authentication-Results: i=4; mx.%s; dkim=none; arc=pass;" % domain), aar)

        # A DKIM signature and an ARC set over one body (the verifier and the validator share
        # body hashes): both pass; the altered copy fails both.
        code, signed, err = run([mailauth, "sign", "--domain", "lists.example.org", "--selector", "arc",
                                 "--key", rsa, unsealed])
        check("sign exit 0", code == 0, err)
        signed_file = os.path.join(tmp, "signed.eml")
        write(signed_file, signed.encode())
        code, both, err = seal(signed_file, "forward.example.net", "ed", ed)
        both_file = os.path.join(tmp, "signed-sealed.eml")
        write(both_file, both.encode())
        code, out, err = verify(both_file)
        obj = json.loads(out) if out else {}
        check("DKIM and ARC exit 0", code == 0, out + err)
        check("DKIM and ARC: dkim pass", [d["result"] for d in obj.get("dkim", [])] == ["pass"], out)
        arc_is("DKIM and ARC", out, "pass", 1, 0, "")
        check("AAR has the dkim result", "dkim=pass header.d=lists.example.org" in both, both[:1500])
        altered = os.path.join(tmp, "signed-sealed-altered.eml")
        write(altered, both.encode().replace(b"\r\n\r\n", b"\r\n\r\nfooter\r\n", 1))
        code, out, err = verify(altered)
        obj = json.loads(out) if out else {}
        check("altered DKIM and ARC exit 1", code == 1, out + err)
        check("altered: dkim fails", [d["result"] for d in obj.get("dkim", [])] == ["fail"], out)
        arc_is("altered DKIM and ARC", out, "fail", 1, 0, "ARC-Message-Signature i=1: body hash mismatch")

        # Standard input and LF input: the set follows the input's line ending.
        code, out, err = run([mailauth, "seal", "--domain", "lists.example.org", "--selector", "arc",
                              "--key", rsa, "--authserv-id", "mx", "--dns-zone", zone, "-"],
                             b"From: a@example.org\nSubject: lf\n\nbody\n")
        check("seal LF stdin", code == 0 and "\r" not in out and out.startswith("ARC-Seal: ") and
              out.endswith("From: a@example.org\nSubject: lf\n\nbody\n"), out + err)
        lf_file = os.path.join(tmp, "lf.eml")
        write(lf_file, out.encode())
        code, out, err = verify(lf_file)
        arc_is("LF sealed", out, "pass", 1, 0, "")

        # Sealing a broken chain adds a cv=fail set; the result fails; it is not sealed again.
        code, sealed_fail, err = seal(body_broken)
        check("seal broken exit 0", code == 0, err)
        check("cv=fail set", "cv=fail;" in sealed_fail.split("\n", 1)[0], sealed_fail[:300])
        sf = os.path.join(tmp, "sealed-fail.eml")
        write(sf, sealed_fail.encode())
        code, out, err = verify(sf)
        check("cv=fail chain exit 1", code == 1, out + err)
        arc_is("cv=fail chain", out, "fail", 4, 0, "the newest ARC-Seal (i=4) says cv=fail")
        code, again, err = seal(sf)
        check("cv=fail not extended", code == 0 and again == sealed_fail and "not sealed" in err, err)

        # seal --json: the "arc" object of the incoming chain, and the new fields.
        code, out, err = seal(chain3, extra=["--json"])
        obj = json.loads(out) if code == 0 else {}
        check("seal --json", code == 0 and list(obj.get("arc", {}).keys()) == ARC_FIELDS and
              obj["arc"]["result"] == "pass" and obj["sealed"] is True and
              [f["name"] for f in obj["fields"]] ==
              ["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"], out + err)

        # Usage errors: exit 2 and a message naming the problem.
        base = ["--domain", "lists.example.org", "--selector", "arc", "--key", rsa,
                "--authserv-id", "mx", "--dns-zone", zone]
        for what, args, words in [
                ("no --authserv-id", ["--domain", "d", "--selector", "s", "--key", rsa, chain3],
                 "authserv-id"),
                ("no --key", ["--domain", "d", "--selector", "s", "--authserv-id", "mx", chain3], "key"),
                ("--helo without --ip", base + ["--helo", "h.example", chain3], "need --ip"),
                ("bad --ip", base + ["--ip", "1.2.3", chain3], "--ip"),
                ("missing key file", ["--domain", "d", "--selector", "s", "--key", "/nonexistent.pem",
                                      "--authserv-id", "mx", chain3], "nonexistent"),
                ("unknown algorithm", base + ["--algorithm", "rsa-md5", chain3], "rsa-md5"),
                ("key/algorithm mismatch", base + ["--algorithm", "ed25519-sha256", chain3], ""),
                ("unreadable message", base + ["/nonexistent/message.eml"], "nonexistent"),
                ("unknown option", base + ["--bogus", chain3], "bogus")]:
            code, out, err = run([mailauth, "seal"] + args)
            check("seal " + what + " exit 2", code == 2, "%d %s" % (code, err))
            check("seal " + what + " message", err.startswith("mailauth seal: ") and words in err and
                  out == "", err)

        code, out, err = run([mailauth, "seal", "--help"])
        check("seal --help", code == 0 and out.startswith("Usage: mailauth seal --domain D") and
              "--authserv-id" in out and "--dns-zone" in out, out + err)
        code, out, err = run([mailauth, "verify", "--help"])
        check("verify --help mentions ARC", code == 0 and "ARC chain" in out, out + err)

    return report()


if __name__ == "__main__":
    sys.exit(main())
