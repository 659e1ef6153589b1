#!/usr/bin/python3
"""Checks of `mailauth keygen` (never replaces a file unless --force, --record) and
`mailauth keycheck` (every outcome over testdata/keycheck/keycheck.zone, JSON fields and exit
codes), and a key rotation end to end with zone files.

  keys_cli_test.py MAILAUTH TESTDATA_DIR
"""
import json
import os
import stat
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_support import check, report, run  # noqa: E402

JSON_FIELDS = ["domain", "selector", "record_found", "matches_key", "key_type", "key_bits",
               "testing", "problems", "result"]


def snapshot(path):
    """What must not change when keygen refuses: bytes, inode, mode, modification time."""
    st = os.stat(path)
    with open(path, "rb") as f:
        return f.read(), st.st_ino, stat.S_IMODE(st.st_mode), st.st_mtime_ns


def keygen_checks(mailauth, tmp):
    key = os.path.join(tmp, "k.pem")
    record = os.path.join(tmp, "k.zone")
    base = [mailauth, "keygen", "--domain", "example.com", "--selector", "s1"]
    code, out, err = run(base + ["--bits", "1024", "--out", key, "--record", record])
    check("keygen with --record", code == 0, err)
    check("key mode 0600", stat.S_IMODE(os.stat(key).st_mode) == 0o600)
    with open(record) as f:
        record_text = f.read()
    check("record file is what was printed", record_text == out, record_text + "|" + out)
    check("record file in zone syntax", record_text.startswith("s1._domainkey.example.com. IN TXT ("),
          record_text)
    code, out, err = run([mailauth, "keycheck", "--domain", "example.com", "--selector", "s1",
                          "--key", key, "--dns-zone", record, "--json"])
    check("keygen's record checks ok", code == 0 and json.loads(out)["result"] == "ok", out + err)
    key_before, record_before = snapshot(key), snapshot(record)

    # A second run on the same files: refused, exit 2 naming the file, nothing touched.
    code, out, err = run(base + ["--type", "ed25519", "--out", key])
    check("existing key refused exit 2", code == 2, err)
    check("refusal names the file", key + " exists" in err and "--force" in err, err)
    check("refusal prints no record", out == "", out)
    check("key byte-identical after refusal", snapshot(key) == key_before)
    code, _, err = run(base + ["--type", "ed25519", "--out", os.path.join(tmp, "new.pem"),
                               "--record", record])
    check("existing record refused exit 2", code == 2 and record + " exists" in err, err)
    check("record byte-identical after refusal", snapshot(record) == record_before)
    check("no new key written when the record is refused", not os.path.exists(os.path.join(tmp, "new.pem")))
    link = os.path.join(tmp, "dangling.pem")
    os.symlink(os.path.join(tmp, "nowhere"), link)
    code, _, err = run(base + ["--type", "ed25519", "--out", link])
    check("dangling symlink refused", code == 2 and os.path.islink(link), err)
    os.unlink(link)
    check("no temporary files left", sorted(os.listdir(tmp)) == ["k.pem", "k.zone"], os.listdir(tmp))
    code, _, err = run(base + ["--type", "ed25519", "--out", key, "--record", key])
    check("--record same as --out exit 2", code == 2, err)

    # --force replaces both, atomically: a new file (new inode), mode 0600 again.
    os.chmod(key, 0o644)
    code, out, err = run(base + ["--type", "ed25519", "--out", key, "--record", record, "--force"])
    check("--force exit 0", code == 0, err)
    check("--force says what it replaced", "replaced " + key in err and "replaced " + record in err, err)
    after = snapshot(key)
    check("--force wrote a new key", after[0] != key_before[0] and b"PRIVATE KEY" in after[0])
    check("--force key mode 0600", after[2] == 0o600)
    with open(record) as f:
        check("--force record replaced", f.read() == out and "k=ed25519" in out, out)
    check("no temporary files after --force", sorted(os.listdir(tmp)) == ["k.pem", "k.zone"], os.listdir(tmp))
    code, _, err = run(base + ["--out", os.path.join(tmp, "nodir", "k.pem")])
    check("unwritable folder exit 2", code == 2 and "nodir" in err, err)


# selector, key file, result, exit code, record_found, matches_key, testing, problem text part
OUTCOMES = [
    ("good", "rsa2048", "ok", 0, True, True, False, None),
    ("ed", "ed25519", "ok", 0, True, True, False, None),
    ("other", "rsa2048", "mismatch", 1, True, False, False, "is not the public half"),
    ("good", "ed25519", "mismatch", 1, True, False, False, "the record says k=rsa"),
    ("absent", "rsa2048", "missing", 1, False, False, False, "(NXDOMAIN)"),
    ("nodata", "rsa2048", "missing", 1, False, False, False, "has no TXT record"),
    ("garbage", "rsa2048", "invalid", 1, True, False, False, "p= is not valid base64"),
    ("revoked", "rsa2048", "invalid", 1, True, False, False, "the key is revoked"),
    ("testing", "rsa2048", "ok", 0, True, True, True, "t=y"),
    ("several", "rsa2048", "invalid", 1, True, True, False, "2 DKIM key records"),
    ("spaced", "rsa2048", "ok", 0, True, True, False, "white space where one TXT string ends"),
    ("joined", "rsa2048", "invalid", 1, True, False, False, "with a ';' between strings 1 and 2"),
    ("halves", "rsa2048", "invalid", 1, True, False, False, "split into 2 separate TXT records"),
    ("quoted", "ed25519", "invalid", 1, True, False, False, "zone-file quoting"),
    ("small", "rsa512", "invalid", 1, True, True, False, "below 1024 bits"),
    ("hsha1", "rsa2048", "invalid", 1, True, True, False, "h= does not list sha256"),
    ("service", "rsa2048", "invalid", 1, True, True, False, "s= does not list email"),
    ("noktype", "ed25519", "invalid", 1, True, False, False, "needs k=ed25519"),
    ("withspf", "rsa2048", "ok", 0, True, True, False, "is ignored"),
    ("servfail", "rsa2048", "temperror", 3, False, False, False, "SERVFAIL"),
    ("timeout", "rsa2048", "temperror", 3, False, False, False, "DNS timeout"),
]

KEY_FILES = {"rsa2048": ("rsa2048.pkcs8.pem", "rsa", 2048), "ed25519": ("ed25519.pkcs8.pem", "ed25519", 256),
             "rsa512": ("rsa512.pkcs8.pem", "rsa", 512)}


def keycheck_checks(mailauth, data):
    zone = os.path.join(data, "keycheck", "keycheck.zone")
    for selector, key, result, exit_code, found, matches, testing, problem in OUTCOMES:
        key_file, key_type, key_bits = KEY_FILES[key]
        args = [mailauth, "keycheck", "--domain", "example.com", "--selector", selector,
                "--key", os.path.join(data, "keys", key_file), "--dns-zone", zone]
        what = "keycheck %s with %s" % (selector, key)
        code, out, err = run(args + ["--json"])
        check(what + " exit %d" % exit_code, code == exit_code, "%d %s %s" % (code, out, err))
        try:
            obj = json.loads(out)
        except ValueError:
            check(what + " JSON", False, out)
            continue
        check(what + " JSON fields in order", list(obj.keys()) == JSON_FIELDS, out)
        check(what + " values",
              (obj["domain"], obj["selector"], obj["result"], obj["record_found"], obj["matches_key"],
               obj["testing"], obj["key_type"], obj["key_bits"]) ==
              ("example.com", selector, result, found, matches, testing, key_type, key_bits), out)
        if problem is None:
            check(what + " no problems", obj["problems"] == [], out)
        else:
            check(what + " problem", any(problem in p for p in obj["problems"]), out)
        code, text, _ = run(args)
        check(what + " text", code == exit_code and
              text.startswith("%s._domainkey.example.com: %s (" % (selector, result)), text)
        if problem is not None:
            check(what + " text problem", problem in text, text)

    rsa = os.path.join(data, "keys", "rsa2048.pkcs8.pem")
    code, text, _ = run([mailauth, "keycheck", "--domain", "example.com", "--selector", "absent",
                         "--key", rsa, "--dns-zone", zone])
    check("missing: text shows the record to publish",
          "absent._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=MIIB" in text, text)
    code, _, err = run([mailauth, "keycheck", "--domain", "example.com", "--selector", "good",
                        "--dns-zone", zone])
    check("keycheck without --key exit 2", code == 2 and "key" in err, err)
    code, _, err = run([mailauth, "keycheck", "--domain", "example.com", "--selector", "good",
                        "--key", "/nonexistent.pem", "--dns-zone", zone])
    check("keycheck unreadable key exit 2", code == 2 and "/nonexistent.pem" in err, err)
    code, _, err = run([mailauth, "keycheck", "--domain", "bad..name", "--selector", "good",
                        "--key", rsa, "--dns-zone", zone])
    check("keycheck bad domain exit 2", code == 2, err)
    code, _, err = run([mailauth, "keycheck", "--domain", "example.com", "--selector", "good",
                        "--key", rsa, "--dns-zone", "/nonexistent.zone"])
    check("keycheck unreadable zone exit 2", code == 2, err)
    code, out, _ = run([mailauth, "keycheck", "--help"])
    check("keycheck --help", code == 0 and "--selector" in out, out)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def verify(mailauth, zone, message):
    code, out, err = run([mailauth, "verify", "--json", "--dns-zone", zone, message])
    try:
        return code, [(d["selector"], d["result"], d["reason"]) for d in json.loads(out)["dkim"]]
    except (ValueError, KeyError):
        return code, out + err


def rotation_checks(mailauth, tmp):
    """The README's "Key rotation" procedure with zone files standing for DNS."""
    def keygen(selector):
        key, record = os.path.join(tmp, selector + ".pem"), os.path.join(tmp, selector + ".zone")
        code, _, err = run([mailauth, "keygen", "--domain", "example.org", "--selector", selector,
                            "--bits", "1024", "--out", key, "--record", record])
        check("rotation keygen " + selector, code == 0, err)
        with open(record) as f:
            return key, f.read()

    def keycheck(selector, key, zone):
        code, out, _ = run([mailauth, "keycheck", "--domain", "example.org", "--selector", selector,
                            "--key", key, "--dns-zone", zone, "--json"])
        return code, json.loads(out)["result"] if out else out

    def sign(selector, key, name):
        code, out, err = run([mailauth, "sign", "--signer", "example.org:%s:%s" % (selector, key), plain])
        check("rotation sign with " + selector, code == 0, err)
        path = os.path.join(tmp, name)
        write(path, out)
        return path

    plain = os.path.join(tmp, "plain.eml")
    write(plain, "From: a@example.org\nTo: b@example.net\nSubject: rotation\n\nHello\n")
    old_key, old_record = keygen("2025a")
    only_old = os.path.join(tmp, "dns-1.zone")
    write(only_old, old_record)
    # Mail signed with the old key, still in queues when the switch happens.
    signed_old = sign("2025a", old_key, "old.eml")
    check("old mail verifies before the rotation", verify(mailauth, only_old, signed_old) ==
          (0, [("2025a", "pass", "")]))

    # 1. A new key under a new selector; before its record is published keycheck says missing.
    new_key, new_record = keygen("2026a")
    check("new key not published yet: missing, exit 1", keycheck("2026a", new_key, only_old) == (1, "missing"))
    # 2. Publish it beside the old one; keycheck until it matches.
    both = os.path.join(tmp, "dns-2.zone")
    write(both, old_record + new_record)
    check("new key published: ok", keycheck("2026a", new_key, both) == (0, "ok"))
    check("old key still ok", keycheck("2025a", old_key, both) == (0, "ok"))
    check("new key is not the old selector's", keycheck("2025a", new_key, both) == (1, "mismatch"))
    # 3. Switch the signer; mail signed before and after the switch both verify.
    signed_new = sign("2026a", new_key, "new.eml")
    check("old mail verifies after the switch", verify(mailauth, both, signed_old) ==
          (0, [("2025a", "pass", "")]))
    check("new mail verifies", verify(mailauth, both, signed_new) == (0, [("2026a", "pass", "")]))
    # 4. Retired too early (empty p=): mail still in flight with the old signature fails.
    retired = os.path.join(tmp, "dns-3.zone")
    write(retired, "2025a._domainkey.example.org. IN TXT \"v=DKIM1; k=rsa; p=\"\n" + new_record)
    check("old mail fails once the old key is revoked", verify(mailauth, retired, signed_old) ==
          (1, [("2025a", "permerror", "key revoked")]))
    check("new mail unaffected by the retirement", verify(mailauth, retired, signed_new) ==
          (0, [("2026a", "pass", "")]))
    check("keycheck on the retired selector: invalid", keycheck("2025a", old_key, retired) == (1, "invalid"))


def main():
    mailauth, data = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        keygen_checks(mailauth, tmp)
    keycheck_checks(mailauth, data)
    with tempfile.TemporaryDirectory() as tmp:
        rotation_checks(mailauth, tmp)
    return report()


if __name__ == "__main__":
    sys.exit(main())
