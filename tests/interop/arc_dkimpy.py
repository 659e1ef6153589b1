#!/usr/bin/python3
"""ARC interop driver for dkimpy (Debian python3-dkim): its arcsign script is broken on Debian 12,
so its library is driven directly.

  arc_dkimpy.py seal DOMAIN SELECTOR KEYFILE SRV_ID DNSFILE  < message > sealed
  arc_dkimpy.py verify DNSFILE                               < message   (prints pass/fail/none)

DNSFILE holds "<name> <TXT text>" lines. Messages are read and written as bytes, CRLF.
Exit status 0 on success, 2 on a usage or library error, 77 when dkimpy is not installed.
"""
import sys

try:
    import dkim
except ImportError:
    sys.exit(77)


def load_dns(path):
    records = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            name, _, text = line.partition(b" ")
            records[name.lower().rstrip(b".")] = text
    return records


def dnsfunc_for(records):
    def dnsfunc(name, timeout=5):
        return records.get(name.lower().rstrip(b"."))
    return dnsfunc


def main(argv):
    if len(argv) >= 2 and argv[1] == "seal" and len(argv) == 7:
        domain, selector, keyfile, srv_id, dnsfile = argv[2:7]
        message = sys.stdin.buffer.read()
        with open(keyfile, "rb") as f:
            key = f.read()
        sig = dkim.ARC(message).sign(selector.encode(), domain.encode(), key, srv_id.encode(),
                                     include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
        if not sig:
            print("dkimpy added no ARC set", file=sys.stderr)
            return 2
        sys.stdout.buffer.write(b"".join(sig) + message)
        return 0
    if len(argv) == 3 and argv[1] == "verify":
        message = sys.stdin.buffer.read()
        cv, results, reason = dkim.arc_verify(message, dnsfunc=dnsfunc_for(load_dns(argv[2])))
        print((cv or b"none").decode())
        print(reason, file=sys.stderr)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
