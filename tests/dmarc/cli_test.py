#!/usr/bin/python3
"""Checks of `mailauth dmarc evaluate` (the JSON fields of the issue, in order, and exit codes)
and `mailauth dmarc DOMAIN` (the record check, text and --json) over testdata/dmarc zones.

  cli_test.py MAILAUTH TESTDATA_DIR
"""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_support import check, report, run  # noqa: E402

EVALUATE_FIELDS = ["result", "author_domain", "policy_domain", "organizational_domain", "policy",
                   "disposition", "spf_aligned", "dkim_aligned", "discovery", "reason",
                   "reason_code"]
CHECK_FIELDS = ["domain", "status", "discovery", "policy_domain", "organizational_domain",
                "record", "policy", "requested_policy", "policy_tag", "domain_exists", "tags",
                "defaults", "report_uris", "queries", "warnings", "reason", "reason_code"]
DEBIAN_PSL = "/usr/share/publicsuffix/public_suffix_list.dat"


def one_json(name, out):
    lines = out.splitlines()
    check(name + " one line", len(lines) == 1, out)
    try:
        return json.loads(lines[0])
    except (ValueError, IndexError):
        check(name + " JSON", False, out)
        return {}


def evaluate_checks(mailauth, testdata):
    zone = lambda name: os.path.join(testdata, "dmarc", name)  # noqa: E731
    base = [mailauth, "dmarc", "evaluate", "--json"]
    # (name, zone, args, exit code, expected values by field)
    cases = [
        # RFC 9989 B.4.3: SPF aligns through the PSD's psd=y, DKIM does not.
        ("b43 pass", "appendix-b.zone",
         ["--from", "giant.bank.example", "--spf", "pass:mail.giant.bank.example",
          "--dkim", "pass:mail.mega.bank.example:s1"], 0,
         ["pass", "giant.bank.example", "giant.bank.example", "giant.bank.example", "quarantine",
          "none", True, False, "treewalk", "aligned SPF pass mail.giant.bank.example", ""]),
        # B.4.2: a 13-label Author Domain; the record at example.com applies (sp, else p).
        ("b42 fail", "appendix-b.zone",
         ["--from", "a.b.c.d.e.f.g.h.i.j.k.example.com", "--spf", "fail:example.com",
          "--dkim", "fail:example.com", "--dkim", "pass:example.net:sel"], 1,
         ["fail", "a.b.c.d.e.f.g.h.i.j.k.example.com", "example.com", "example.com", "reject",
          "reject", False, False, "treewalk",
          "SPF fail; DKIM pass for d=example.net not aligned (adkim=r)", "dmarc_not_aligned"]),
        # A second --dkim aligns (relaxed, B.4.1).
        ("b41 repeated dkim", "appendix-b.zone",
         ["--from", "example.com", "--dkim", "fail:example.com",
          "--dkim", "pass:signing.example.com"], 0,
         ["pass", "example.com", "example.com", "example.com", "reject", "none", False, True,
          "treewalk", "aligned DKIM pass d=signing.example.com", ""]),
        # t=y lowers reject to quarantine; np= for a non-existent name.
        ("test mode", "policy.zone", ["--from", "test.example"], 1,
         ["fail", "test.example", "test.example", "test.example", "quarantine", "quarantine",
          False, False, "treewalk", "SPF not evaluated; no DKIM signature", "dmarc_not_aligned"]),
        ("np", "policy.zone", ["--from", "user@gone.np.example", "--spf", "softfail:np.example"], 1,
         ["fail", "gone.np.example", "np.example", "np.example", "reject", "reject", False, False,
          "treewalk", "SPF softfail; no DKIM signature", "dmarc_not_aligned"]),
        ("none", "policy.zone", ["--from", "nothing.example", "--spf", "pass:nothing.example"], 0,
         ["none", "nothing.example", "", "nothing.example", "", "none", False, False, "treewalk",
          "no DMARC record for nothing.example", "dmarc_no_record"]),
        ("unusable", "policy.zone", ["--from", "norua.example"], 0,
         ["none", "norua.example", "norua.example", "norua.example", "", "none", False, False,
          "treewalk", None, "dmarc_record_unusable"]),
        ("temperror", "policy.zone", ["--from", "timeout.example", "--dkim", "pass:timeout.example"],
         3, ["temperror", "timeout.example", "", "timeout.example", "", "none", False, False,
             "treewalk", "DNS timeout looking up TXT _dmarc.timeout.example", "dns_timeout"]),
        # The failed walk above upfail.broken cannot change a fail: no temperror.
        ("fail despite failed walk", "policy.zone",
         ["--from", "upfail.broken", "--spf", "pass:other.example"], 1,
         ["fail", "upfail.broken", "upfail.broken", "upfail.broken", "reject", "reject", False,
          False, "treewalk", None, "dmarc_not_aligned"]),
    ]
    for name, zone_file, args, code_want, want in cases:
        code, out, err = run(base + ["--dns-zone", zone(zone_file)] + args)
        check(name + " exit", code == code_want, "%d %s" % (code, err))
        obj = one_json(name, out)
        check(name + " fields", list(obj.keys()) == EVALUATE_FIELDS, out)
        for field, value in zip(EVALUATE_FIELDS, want):
            if value is None:
                continue
            check("%s %s" % (name, field), obj.get(field) == value,
                  "got %r, want %r" % (obj.get(field), value))

    # Text output.
    code, out, err = run([mailauth, "dmarc", "evaluate", "--dns-zone", zone("appendix-b.zone"),
                          "--from", "child.example.com", "--spf", "pass:example.net"])
    check("text exit", code == 1, "%d %s" % (code, err))
    for line in ["result: fail", "author domain: child.example.com",
                 "policy domain: example.com", "organizational domain: example.com",
                 "policy: reject", "disposition: reject", "spf aligned: no", "dkim aligned: no",
                 "discovery: treewalk"]:
        check("text has " + line, line in out.splitlines(), out)

    # --psl: RFC 7489 discovery.
    if os.path.exists(DEBIAN_PSL):
        code, out, err = run(base + ["--dns-zone", zone("appendix-b.zone"), "--psl", DEBIAN_PSL,
                                     "--from", "child.example.com", "--dkim", "pass:example.com"])
        obj = one_json("psl", out)
        check("psl exit", code == 0, "%d %s" % (code, err))
        check("psl discovery", obj.get("discovery") == "psl", out)
        check("psl result", obj.get("result") == "pass", out)
        check("psl organizational domain", obj.get("organizational_domain") == "example.com", out)
    else:
        print("note: %s absent, --psl case skipped" % DEBIAN_PSL)

    # Usage errors: exit 2 with a message naming the option.
    for name, args, text in [
            ("no from", ["--spf", "pass:x.example"], "--from"),
            ("bad spf result", ["--from", "x.example", "--spf", "great:x.example"], "--spf"),
            ("spf without domain", ["--from", "x.example", "--spf", "pass"], "--spf"),
            ("bad dkim", ["--from", "x.example", "--dkim", "none:x.example"], "--dkim"),
            ("bad from", ["--from", "not a domain"], "--from"),
            ("bad psl", ["--from", "x.example", "--psl", "/nonexistent.dat"], "--psl"),
            ("bad zone", ["--from", "x.example", "--dns-zone", "/nonexistent.zone"], "--dns-zone")]:
        code, out, err = run([mailauth, "dmarc", "evaluate"] + args)
        check(name + " exit 2", code == 2, "%d %s" % (code, out))
        check(name + " message", text in err, err)


def record_check_checks(mailauth, testdata):
    zone = lambda name: os.path.join(testdata, "dmarc", name)  # noqa: E731

    code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("reports.zone"), "--json",
                          "example.com"])
    check("check exit", code == 0, "%d %s" % (code, err))
    obj = one_json("check", out)
    check("check fields", list(obj.keys()) == CHECK_FIELDS, out)
    check("check status", obj.get("status") == "ok", out)
    check("check policy domain", obj.get("policy_domain") == "example.com", out)
    check("check policy", obj.get("policy") == "none" and obj.get("policy_tag") == "p", out)
    check("check tags", obj.get("tags", {}).get("sp") == "none"
          and obj.get("tags", {}).get("rua") == ["mailto:dmarc-feedback@example.com",
                                                 "mailto:agg@thirdparty.example.net"], out)
    check("check defaults", obj.get("defaults") == ["sp", "np", "psd", "adkim", "aspf", "fo", "t"],
          out)
    auths = [(u["tag"], u["uri"], u["authorization"]) for u in obj.get("report_uris", [])]
    check("check report uris", auths == [
        ("rua", "mailto:dmarc-feedback@example.com", "same_organization"),
        ("rua", "mailto:agg@thirdparty.example.net", "authorized"),
        ("ruf", "mailto:auth-reports@thirdparty.example.net", "authorized"),
        ("ruf", "mailto:x@nowhere.example.org", "not_authorized")], repr(auths))
    check("check override", obj.get("report_uris", [{}] * 2)[1].get("replacements") ==
          ["mailto:aggregate-reports@thirdparty.example.net"], out)
    check("check queries", [q["name"] for q in obj.get("queries", [])] ==
          ["_dmarc.example.com", "_dmarc.com"], out)
    check("check warning", any("nowhere.example.org does not authorize reports for example.com"
                               in w for w in obj.get("warnings", [])), out)

    # Text: where the record was found, the Organizational Domain, tags with defaults marked.
    code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("treewalk.zone"),
                          "a.b.c.d.e.f.g.h.i.j.mail.deep.example"])
    check("deep exit", code == 0, "%d %s" % (code, err))
    lines = out.splitlines()
    for line in ["found at: _dmarc.deep.example", "organizational domain: deep.example",
                 "  _dmarc.g.h.i.j.mail.deep.example: nxdomain", "  _dmarc.example: nxdomain",
                 "  sp=quarantine", "  np=quarantine  (default)", "domain exists: no",
                 "policy for a.b.c.d.e.f.g.h.i.j.mail.deep.example: quarantine (from sp=quarantine)"]:
        check("deep text has " + line, line in lines, out)
    check("deep text: 8 queries", sum(1 for l in lines if l.startswith("  _dmarc.")) == 8, out)

    # Warnings: several records at one name, missing p, invalid values, psd= not a suffix.
    code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("treewalk.zone"), "--json",
                          "dup.multi.example"])
    obj = one_json("dup", out)
    check("dup warning", "2 DMARC records at _dmarc.dup.multi.example; all are discarded "
          "(RFC 9989 \u00a74.10 step 2)" in obj.get("warnings", []), out)
    code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("policy.zone"), "--json",
                          "norua.example"])
    obj = one_json("norua", out)
    check("norua exit 1", code == 1, "%d" % code)
    check("norua status", obj.get("status") == "unusable", out)
    check("norua missing p", "_dmarc.norua.example: no p= tag" in obj.get("warnings", []), out)
    code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("policy.zone"), "rua.example"])
    check("rua exit 0", code == 0, "%d" % code)
    check("rua invalid p", "  - _dmarc.rua.example: invalid value 'bogus' for p= ignored"
          in out.splitlines(), out)
    if os.path.exists(DEBIAN_PSL):
        code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("treewalk.zone"),
                              "shop.nobrand.co.psd.example"])
        check("psd warning", "  - psd=y at _dmarc.co.psd.example, but co.psd.example is not a "
              "public suffix on the public suffix list" in out.splitlines(), out)

    # No record: exit 1; DNS failure: exit 3.
    code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("policy.zone"), "--json",
                          "nothing.example"])
    obj = one_json("none", out)
    check("none exit 1", code == 1, "%d" % code)
    check("none status", obj.get("status") == "none" and obj.get("record") == "", out)
    check("none reason code", obj.get("reason_code") == "dmarc_no_record", out)
    code, out, err = run([mailauth, "dmarc", "--dns-zone", zone("policy.zone"), "--json",
                          "servfail.example"])
    obj = one_json("servfail", out)
    check("servfail exit 3", code == 3, "%d" % code)
    check("servfail status", obj.get("status") == "temperror", out)

    # Help and usage.
    code, out, err = run([mailauth, "dmarc", "--help"])
    check("help exit 0", code == 0, "%d" % code)
    check("help shows both forms", "mailauth dmarc DOMAIN" in out
          and "mailauth dmarc evaluate --from DOMAIN" in out, out)
    check("help documents the JSON fields", '"report_uris"' in out and '"organizational_domain"'
          in out, out)
    code, out, err = run([mailauth, "help", "dmarc"])
    check("mailauth help dmarc", code == 0 and "mailauth dmarc evaluate" in out, out)
    code, out, err = run([mailauth, "dmarc", "evaluate", "--help"])
    check("evaluate help", code == 0 and "--dkim" in out and "--spf" in out, out)
    code, out, err = run([mailauth, "dmarc"])
    check("no domain exit 2", code == 2, "%d %s" % (code, err))
    code, out, err = run([mailauth, "dmarc", "bad domain!"])
    check("bad domain exit 2", code == 2, "%d %s" % (code, err))


def main():
    mailauth, testdata = sys.argv[1], sys.argv[2]
    evaluate_checks(mailauth, testdata)
    record_check_checks(mailauth, testdata)
    return report()


if __name__ == "__main__":
    sys.exit(main())
