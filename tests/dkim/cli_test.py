#!/usr/bin/python3
"""Checks of `mailauth verify|sign|keygen` (exit codes, JSON fields, files, key mode).

  cli_test.py MAILAUTH TESTDATA_DIR
"""
import json
import os
import stat
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_support import check, report, run  # noqa: E402



def main():
    mailauth, data = sys.argv[1], os.path.join(sys.argv[2], "dkim")
    eml = os.path.join(data, "rfc8463.eml")
    zone = os.path.join(data, "rfc8463.zone")

    # verify: JSON shape, order and values (RFC 8463 Appendix A).
    code, out, err = run([mailauth, "verify", "--json", "--dns-zone", zone, eml, eml])
    check("verify rfc8463 exit", code == 0, err)
    lines = out.splitlines()
    check("one JSON line per file", len(lines) == 2, out)
    obj = json.loads(lines[0])
    check("file field", obj.get("file") == eml, out)
    check("top-level fields", list(obj.keys()) == ["file", "dkim", "arc", "dmarc"], out)
    check("no ARC chain", obj.get("arc") == {"result": "none", "instances": 0, "oldest_pass": 0,
                                             "reason": ""}, out)
    check("dkim entries", [d["selector"] for d in obj["dkim"]] == ["brisbane", "test"], out)
    want_fields = ["domain", "selector", "algorithm", "result", "reason", "key_bits", "auid"]
    check("dkim fields", all(list(d.keys()) == want_fields for d in obj["dkim"]), out)
    check("results", [(d["result"], d["algorithm"], d["key_bits"]) for d in obj["dkim"]] ==
          [("pass", "ed25519-sha256", 256), ("pass", "rsa-sha256", 1024)], out)
    check("auid", obj["dkim"][0]["auid"] == "@football.example.com", out)

    # Standard input, and exit codes for failures, temporary errors, unreadable input, usage.
    with open(eml, "rb") as f:
        message = f.read()
    code, out, _ = run([mailauth, "verify", "--json", "--dns-zone", zone, "-"], message)
    check("stdin", code == 0 and json.loads(out)["file"] == "-", out)
    code, out, _ = run([mailauth, "verify", "--json", "--dns-zone", zone, "-"],
                       message.replace(b"We lost", b"We won"))
    check("altered exit 1", code == 1, out)
    check("altered reason", all(d["reason"].startswith("body hash mismatch") for d in json.loads(out)["dkim"]), out)
    code, out, _ = run([mailauth, "verify", "--json", "--dns-zone", os.path.join(data, "rfc8463-broken.zone"), eml])
    check("revoked + timeout exit 1", code == 1, out)
    check("revoked + timeout results", [(d["result"], d["reason"]) for d in json.loads(out)["dkim"]] ==
          [("permerror", "key revoked"),
           ("temperror", "DNS timeout looking up key test._domainkey.football.example.com")], out)
    code, out, _ = run([mailauth, "verify", "--dns-zone", os.path.join(data, "rfc8463-timeout.zone"), eml])
    check("only temporary errors exit 3", code == 3, out)
    code, _, err = run([mailauth, "verify", "--dns-zone", zone, "/nonexistent/file.eml"])
    check("unreadable exit 2", code == 2 and "nonexistent" in err, err)
    code, _, err = run([mailauth, "verify", "--bogus"])
    check("usage exit 2", code == 2, err)
    code, out, _ = run([mailauth, "verify", "--json", "--dns-zone", zone, "--now", "1528637909", eml])
    check("--now", code == 0, out)

    with tempfile.TemporaryDirectory() as tmp:
        # keygen: key file mode, zone syntax split in 255-byte strings.
        rsa = os.path.join(tmp, "rsa.pem")
        code, rsa_zone, err = run([mailauth, "keygen", "--domain", "example.com", "--selector", "r1",
                                   "--bits", "2048", "--out", rsa])
        check("keygen rsa", code == 0, err)
        check("key mode 0600", stat.S_IMODE(os.stat(rsa).st_mode) == 0o600)
        strings = [s for s in rsa_zone.split('"')[1::2]]
        check("255-byte strings", len(strings) >= 2 and all(len(s) <= 255 for s in strings), rsa_zone)
        check("zone owner", rsa_zone.startswith("r1._domainkey.example.com. IN TXT ("), rsa_zone)
        ed = os.path.join(tmp, "ed.pem")
        code, ed_zone, err = run([mailauth, "keygen", "--domain", "example.com", "--selector", "e1",
                                  "--type", "ed25519", "--out", ed])
        check("keygen ed25519", code == 0 and "k=ed25519" in ed_zone, err)
        code, _, err = run([mailauth, "keygen", "--domain", "example.com", "--selector", "x",
                            "--bits", "512", "--out", os.path.join(tmp, "x.pem")])
        check("keygen 512 refused", code == 2, err)
        zone_file = os.path.join(tmp, "zone.txt")
        with open(zone_file, "w") as f:
            f.write(rsa_zone + ed_zone)

        # sign: several signatures, LF input kept LF, options reach the tags.
        plain = os.path.join(tmp, "plain.eml")
        with open(plain, "wb") as f:
            f.write(b"From: a@example.com\nTo: b@example.net\nSubject: test\n\nHello\n")
        code, signed, err = run([mailauth, "sign", "--signer", "example.com:r1:" + rsa,
                                 "--signer", "example.com:e1:" + ed, "--body-length",
                                 "--expire", "3600", "--canonicalization", "simple/relaxed", plain])
        check("sign exit", code == 0, err)
        check("LF kept", "\r" not in signed, repr(signed[:200]))
        check("two signatures", signed.count("DKIM-Signature:") == 2, signed)
        check("tags", "c=simple/relaxed;" in signed and "l=" in signed and "x=" in signed, signed)
        check("folded at 78", all(len(line.expandtabs(8)) <= 78 for line in signed.split("\n")), signed)
        signed_file = os.path.join(tmp, "signed.eml")
        with open(signed_file, "w") as f:
            f.write(signed)
        code, out, err = run([mailauth, "verify", "--json", "--dns-zone", zone_file, signed_file])
        check("signed verifies", code == 0 and [d["result"] for d in json.loads(out)["dkim"]] == ["pass", "pass"],
              out + err)
        code, _, err = run([mailauth, "sign", "--domain", "example.com", "--selector", "r1", "--key", rsa,
                            "--algorithm", "ed25519-sha256", plain])
        check("algorithm/key mismatch exit 2", code == 2 and "does not fit" in err, err)
        code, _, err = run([mailauth, "sign", "--domain", "example.com", plain])
        check("incomplete signer exit 2", code == 2, err)
        code, _, err = run([mailauth, "sign", "--signer", "example.com:r1:/nonexistent.pem", plain])
        check("missing key exit 2", code == 2 and "nonexistent" in err, err)

    return report()


if __name__ == "__main__":
    sys.exit(main())
