#!/usr/bin/python3
"""DKIM interop between mailauth and another implementation, in both directions.

  dkim_interop.py dkimpy  MAILAUTH   # python3-dkim (dkimpy)
  dkim_interop.py maildkim MAILAUTH  # libmail-dkim-perl (Mail::DKIM)

Keys and messages are generated in a temporary directory. Messages the peer signs must verify as
pass with mailauth, messages mailauth signs must verify as pass with the peer, and altered copies
must fail on both sides. Exits 77 (skipped) when the peer is not installed.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))

MESSAGES = {
    "plain": (b"From: Alice Example <alice@example.com>\r\n"
              b"To: Bob <bob@example.net>, carol@example.org\r\n"
              b"Subject: quarterly  figures\r\n"
              b"\tand a folded subject line\r\n"
              b"Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
              b"Message-ID: <interop-1@example.com>\r\n"
              b"MIME-Version: 1.0\r\n"
              b"Content-Type: text/plain; charset=utf-8\r\n"
              b"\r\n"
              b"Hello Bob,\r\n"
              b"\r\n"
              b"  The figures\tare attached.   \r\n"
              + b"A long line " * 20 + b"\r\n"
              b"\r\n"
              b"-- \r\n"
              b"Alice\r\n"
              b"\r\n\r\n"),
    "empty-body": (b"From: alice@example.com\r\n"
                   b"To: bob@example.net\r\n"
                   b"Subject: nothing\r\n"
                   b"\r\n"),
    "space-lines": (b"From: alice@example.com\r\n"
                    b"To: bob@example.net\r\n"
                    b"Subject: white space\r\n"
                    b"\r\n"
                    b" \t \r\n"
                    b"text with trailing tab\t\r\n"
                    b"  \r\n"),
}

CANONS = ["simple/simple", "simple/relaxed", "relaxed/simple", "relaxed/relaxed"]


class Failure(Exception):
    pass


def run(args, data=None):
    proc = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.returncode, proc.stdout, proc.stderr


def alter(message):
    head, sep, body = message.partition(b"\r\n\r\n")
    return head + sep + body + b"An added line.\r\n" if body else head.replace(b"Subject: ", b"Subject: Re: ") + sep


class Keys:
    """Key pairs and the TXT records of their selectors."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.records = {}  # DNS name -> TXT text
        self.files = {}    # selector -> PEM private key file (or base64 seed file for dkimpy ed25519)

    def rsa(self, selector, bits):
        pem = os.path.join(self.tmp, selector + ".pem")
        code, _, err = run(["openssl", "genrsa", "-traditional", "-out", pem, str(bits)])
        if code != 0:
            raise Failure("openssl genrsa: " + err.decode())
        code, der, err = run(["openssl", "rsa", "-in", pem, "-pubout", "-outform", "DER"])
        if code != 0:
            raise Failure("openssl rsa: " + err.decode())
        self.records[selector + "._domainkey.example.com"] = \
            "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
        self.files[selector] = pem

    def ed25519_seed(self, selector):
        import nacl.signing
        key = nacl.signing.SigningKey.generate()
        seed = base64.b64encode(bytes(key))
        path = os.path.join(self.tmp, selector + ".seed")
        with open(path, "wb") as f:
            f.write(seed)
        self.records[selector + "._domainkey.example.com"] = \
            "v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(key.verify_key)).decode()
        self.files[selector] = path

    def ed25519_pem(self, selector, mailauth):
        pem = os.path.join(self.tmp, selector + ".pem")
        code, out, err = run([mailauth, "keygen", "--domain", "example.com", "--selector", selector,
                              "--type", "ed25519", "--out", pem])
        if code != 0:
            raise Failure("mailauth keygen: " + err.decode())
        text = "".join(part.split('"')[1] for part in out.decode().split("\n") if '"' in part)
        self.records[selector + "._domainkey.example.com"] = text
        self.files[selector] = pem

    def write_zone(self):
        zone = os.path.join(self.tmp, "zone.txt")
        with open(zone, "w") as f:
            for name, text in self.records.items():
                strings = " ".join('"%s"' % text[i:i + 255] for i in range(0, len(text), 255))
                f.write("%s. 3600 IN TXT ( %s )\n" % (name, strings))
        plain = os.path.join(self.tmp, "keys.txt")
        with open(plain, "w") as f:
            for name, text in self.records.items():
                f.write("%s %s\n" % (name, text))
        return zone, plain


def mailauth_verify(mailauth, zone, tmp, message):
    path = os.path.join(tmp, "in.eml")
    with open(path, "wb") as f:
        f.write(message)
    code, out, err = run([mailauth, "verify", "--json", "--dns-zone", zone, path])
    if code not in (0, 1):
        raise Failure("mailauth verify exited %d: %s" % (code, err.decode()))
    return [(r["result"], r["reason"]) for r in json.loads(out)["dkim"]]


def mailauth_sign(mailauth, tmp, message, signers, extra=()):
    path = os.path.join(tmp, "out.eml")
    with open(path, "wb") as f:
        f.write(message)
    args = [mailauth, "sign", "--now", str(1795000000)]
    for selector, key in signers:
        args += ["--signer", "example.com:%s:%s" % (selector, key)]
    code, out, err = run(args + list(extra) + [path])
    if code != 0:
        raise Failure("mailauth sign exited %d: %s" % (code, err.decode()))
    return out


class Peer:
    def __init__(self, keys):
        self.keys = keys


class Dkimpy(Peer):
    name = "dkimpy"
    ed25519 = True

    def dns(self, name, timeout=5):
        text = self.keys.records.get(name.decode().rstrip(".").lower())
        return text.encode() if text is not None else None

    def sign(self, message, selector, canon, length=False):
        import dkim
        algorithm = b"ed25519-sha256" if self.keys.files[selector].endswith(".seed") else b"rsa-sha256"
        with open(self.keys.files[selector], "rb") as f:
            key = f.read()
        header, body = canon.encode().split(b"/")
        sig = dkim.sign(message, selector.encode(), b"example.com", key, canonicalize=(header, body),
                        signature_algorithm=algorithm, length=length)
        return sig + message

    def verify(self, message):
        import dkim
        d = dkim.DKIM(message, minkey=1024)
        count = sum(1 for line in message.split(b"\r\n\r\n")[0].split(b"\r\n")
                    if line.lower().startswith(b"dkim-signature:"))
        results = []
        for i in range(count):
            try:
                results.append("pass" if d.verify(idx=i, dnsfunc=self.dns) else "fail")
            except dkim.DKIMException as e:  # dkimpy raises for a body hash mismatch
                results.append("fail (%s)" % e)
        return results


class MailDkim(Peer):
    name = "Mail::DKIM"
    ed25519 = False  # Debian's Mail::DKIM lacks CryptX, so no Ed25519

    def __init__(self, keys, plain_keys):
        super().__init__(keys)
        self.plain_keys = plain_keys

    def sign(self, message, selector, canon, length=False):
        args = ["perl", os.path.join(HERE, "dkim_maildkim.pl"), "sign", self.keys.files[selector],
                "example.com", selector, canon]
        if length:
            # Mail::DKIM takes l= up front: give it the canonical body length (from dkimpy).
            from dkim.canonicalization import CanonicalizationPolicy
            body = message.partition(b"\r\n\r\n")[2]
            policy = CanonicalizationPolicy.from_c_value(canon.encode())
            args.append(str(len(policy.canonicalize_body(body))))
        code, out, err = run(args, message)
        if code != 0:
            raise Failure("Mail::DKIM sign: " + err.decode())
        return out

    def verify(self, message):
        code, out, err = run(["perl", os.path.join(HERE, "dkim_maildkim.pl"), "verify", self.plain_keys],
                             message)
        if code != 0:
            raise Failure("Mail::DKIM verify: " + err.decode())
        return out.decode().split()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("dkimpy", "maildkim"):
        print(__doc__)
        return 2
    which, mailauth = sys.argv[1], sys.argv[2]
    try:
        if which == "dkimpy":
            import dkim  # noqa: F401
            import nacl.signing  # noqa: F401
        else:
            if run(["perl", "-MMail::DKIM::Verifier", "-MNet::DNS", "-e", "1"])[0] != 0:
                raise ImportError("Mail::DKIM")
    except ImportError as e:
        print("SKIP: %s not installed (%s)" % (which, e))
        return SKIP
    if run(["openssl", "version"])[0] != 0:
        print("SKIP: openssl command not found")
        return SKIP

    checks = 0
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        keys = Keys(tmp)
        for bits in (1024, 2048, 4096):
            keys.rsa("rsa%d" % bits, bits)
        keys.ed25519_seed("edpeer")
        keys.ed25519_pem("edours", mailauth)
        zone, plain = keys.write_zone()
        peer = Dkimpy(keys) if which == "dkimpy" else MailDkim(keys, plain)

        def expect(what, got, want):
            nonlocal checks
            checks += 1
            if [(r if isinstance(r, str) else r[0]).split(" ")[0] for r in got] != want:
                problems.append("%s: got %s, want %s" % (what, got, want))

        peer_selectors = ["rsa1024", "rsa2048", "rsa4096"] + (["edpeer"] if peer.ed25519 else [])
        our_selectors = ["rsa1024", "rsa2048", "rsa4096"] + (["edours"] if peer.ed25519 else [])
        for name, message in MESSAGES.items():
            for canon in CANONS:
                # The peer signs, we verify.
                for selector in peer_selectors:
                    what = "%s signs %s %s %s" % (peer.name, name, selector, canon)
                    signed = peer.sign(message, selector, canon)
                    expect(what, mailauth_verify(mailauth, zone, tmp, signed), ["pass"])
                    expect(what + " (altered)", mailauth_verify(mailauth, zone, tmp, alter(signed)), ["fail"])
                # We sign, the peer verifies.
                for selector in our_selectors:
                    what = "mailauth signs %s %s %s" % (name, selector, canon)
                    signed = mailauth_sign(mailauth, tmp, message, [(selector, keys.files[selector])],
                                           ["--canonicalization", canon])
                    expect(what, peer.verify(signed), ["pass"])
                    expect(what + " (altered)", peer.verify(alter(signed)), ["fail"])
                    expect(what + " (ours)", mailauth_verify(mailauth, zone, tmp, signed), ["pass"])
            # Several signatures in one pass, and l=.
            both = [("rsa2048", keys.files["rsa2048"])] + ([("edours", keys.files["edours"])] if peer.ed25519 else [("rsa1024", keys.files["rsa1024"])])
            signed = mailauth_sign(mailauth, tmp, message, both)
            expect("mailauth signs %s twice" % name, peer.verify(signed), ["pass", "pass"])
            signed = mailauth_sign(mailauth, tmp, message, [("rsa2048", keys.files["rsa2048"])], ["--body-length"])
            expect("mailauth signs %s with l=" % name, peer.verify(signed), ["pass"])
            for canon in ("relaxed/relaxed", "simple/simple"):
                signed = peer.sign(message, "rsa2048", canon, length=True)
                expect("%s signs %s with l= %s" % (peer.name, name, canon),
                       mailauth_verify(mailauth, zone, tmp, signed), ["pass"])
                if name == "empty-body" and canon.endswith("simple"):
                    continue  # l=2 covers the CRLF simple adds to an empty body: appending breaks it
                appended = signed + b"appended by a list\r\n"
                expect("%s signs %s with l= %s, text appended" % (peer.name, name, canon),
                       mailauth_verify(mailauth, zone, tmp, appended), ["pass"])
            first = peer.sign(message, peer_selectors[-1], "relaxed/relaxed")
            twice = peer.sign(first, "rsa1024", "simple/simple")
            expect("%s signs %s twice" % (peer.name, name), mailauth_verify(mailauth, zone, tmp, twice),
                   ["pass", "pass"])

    for p in problems:
        print("FAIL:", p)
    print("%d checks, %d problems" % (checks, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print("ERROR:", e)
        sys.exit(1)
