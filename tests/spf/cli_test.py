#!/usr/bin/python3
"""Checks of `mailauth spf`: the JSON fields and values of each result against
testdata/spf/cli.zone, the text output, exit codes and --help.

  cli_test.py MAILAUTH TESTDATA_DIR
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_support import check, report, run  # noqa: E402

FIELDS = ["result", "domain", "mechanism", "explanation", "lookups", "received_spf"]



def main():
    mailauth, testdata = sys.argv[1], sys.argv[2]
    zone = os.path.join(testdata, "spf", "cli.zone")
    spf = [mailauth, "spf", "--dns-zone", zone]

    def comment(ip, sender, verdict):
        return "mx.test: domain of %s %s %s as permitted sender" % (sender, verdict, ip)

    def tail(ip, sender, rest):
        return ('client-ip=%s; envelope-from="%s"; helo=client.example; receiver=mx.test; '
                'identity=mailfrom%s' % (ip, sender, rest))

    # (name, ip, want: result, domain, mechanism, explanation, lookups, received_spf)
    cases = [
        ("pass", "192.0.2.5",
         ["pass", "pass.example", "ip4:192.0.2.0/24", "", 0,
          "pass (%s) %s" % (comment("192.0.2.5", "user@pass.example", "designates"),
                            tail("192.0.2.5", "user@pass.example", '; mechanism="ip4:192.0.2.0/24"'))]),
        # exp= is expanded for a fail; its TXT lookup does not count (RFC 7208 §4.6.4).
        ("fail", "203.0.113.9",
         ["fail", "fail.example", "-all", "203.0.113.9 may not send for fail.example", 0,
          "fail (%s) %s" % (comment("203.0.113.9", "user@fail.example", "does not designate"),
                            tail("203.0.113.9", "user@fail.example", "; mechanism=-all"))]),
        # a: and include: are two lookups before ~all matches.
        ("softfail", "203.0.113.9",
         ["softfail", "softfail.example", "~all", "", 2,
          "softfail (%s \\(softfail\\)) %s" % (
              comment("203.0.113.9", "user@softfail.example", "does not designate"),
              tail("203.0.113.9", "user@softfail.example", "; mechanism=~all"))]),
        ("none", "192.0.2.5",
         ["none", "none.example", "", "", 0,
          "none (mx.test: domain of user@none.example does not designate permitted sender hosts) " +
          tail("192.0.2.5", "user@none.example", "")]),
        ("permerror", "192.0.2.5",
         ["permerror", "permerror.example", "", "", 0,
          "permerror (mx.test: permanent error in SPF policy of permerror.example: CIDR length out "
          "of range in 'ip4:192.0.2.0/33') " +
          tail("192.0.2.5", "user@permerror.example",
               "; problem=\"CIDR length out of range in 'ip4:192.0.2.0/33'\"")]),
        # include:slow.example times out ($TIMEOUT in the zone) after one counted lookup.
        ("temperror", "192.0.2.5",
         ["temperror", "temperror.example", "", "", 1,
          "temperror (mx.test: temporary error checking domain of user@temperror.example: DNS "
          "timeout looking up TXT slow.example) " +
          tail("192.0.2.5", "user@temperror.example",
               '; problem="DNS timeout looking up TXT slow.example"')]),
    ]
    for name, ip, want in cases:
        code, out, err = run(spf + ["--json", "--ip", ip, "--mail-from", "user@%s.example" % name,
                                    "--helo", "client.example", "--receiver", "mx.test"])
        check(name + " exit 0", code == 0, "%d %s" % (code, err))
        lines = out.splitlines()
        check(name + " one line", len(lines) == 1, out)
        try:
            obj = json.loads(lines[0])
        except (ValueError, IndexError):
            check(name + " JSON", False, out)
            continue
        check(name + " fields", list(obj.keys()) == FIELDS, out)
        for field, value in zip(FIELDS, want):
            check("%s %s" % (name, field), obj.get(field) == value,
                  "got %r, want %r" % (obj.get(field), value))

    # HELO identity alone, over IPv6; the null sender checks postmaster@HELO.
    code, out, err = run(spf + ["--json", "--ip", "2001:db8::5", "--helo", "helo.example"])
    obj = json.loads(out) if code == 0 else {}
    check("helo identity", code == 0 and obj["result"] == "pass" and obj["domain"] == "helo.example" and
          obj["mechanism"] == "ip6:2001:db8::/32" and "identity=helo;" in obj["received_spf"] and
          'client-ip="2001:db8::5"' in obj["received_spf"], out + err)
    code, out, err = run(spf + ["--json", "--ip", "2001:db9::5", "--mail-from", "", "--helo", "helo.example"])
    obj = json.loads(out) if code == 0 else {}
    check("null sender", code == 0 and obj["result"] == "fail" and obj["domain"] == "helo.example" and
          'envelope-from="postmaster@helo.example"' in obj["received_spf"], out + err)
    code, out, err = run(spf + ["--json", "--ip", "203.0.113.9", "--mail-from", "<user@pass.example>"])
    obj = json.loads(out) if code == 0 else {}
    check("angle brackets", code == 0 and obj["result"] == "fail" and obj["domain"] == "pass.example" and
          obj["explanation"] == "203.0.113.9 is not one of pass.example's designated mail servers", out + err)

    # Text output.
    code, out, err = run(spf + ["--ip", "203.0.113.9", "--mail-from", "user@fail.example"])
    check("text fail", code == 0 and out.startswith(
        "result: fail\ndomain: fail.example\nidentity: mailfrom\nmechanism: -all\n"
        "explanation: 203.0.113.9 may not send for fail.example\n") and
        "\nReceived-SPF: fail (localhost: " in out, out + err)

    # Usage errors: exit 2 with the reason.
    for what, args, words in [
            ("bad --ip", ["--ip", "1.2.3.4.5", "--helo", "x.example"], "--ip"),
            ("IPv6 garbage", ["--ip", "2001:db8::g", "--helo", "x.example"], "--ip"),
            ("no identity", ["--ip", "192.0.2.5"], "--mail-from, --helo"),
            ("no --ip", ["--helo", "x.example"], "'--ip' is required"),
            ("unknown option", ["--ip", "192.0.2.5", "--helo", "x", "--bogus"], "bogus"),
            ("missing zone", ["--dns-zone", "/nonexistent.zone", "--ip", "192.0.2.5", "--helo", "x"],
             "--dns-zone")]:
        code, out, err = run([mailauth, "spf"] + args)
        check("spf " + what + " exit 2", code == 2, "%d %s" % (code, err))
        check("spf " + what + " message", err.startswith("mailauth spf: ") and words in err and out == "",
              err)

    code, out, err = run([mailauth, "spf", "--help"])
    check("spf --help", code == 0 and out.startswith("Usage: mailauth spf --ip IP") and
          "--mail-from" in out and "--json" in out, out + err)

    return report()


if __name__ == "__main__":
    sys.exit(main())
