#!/usr/bin/python3
"""Checks of `mailauth report` and `mailauth verify --report-store` end to end, on SQLite and,
when the test PostgreSQL server runs (with_postgres.sh), on PostgreSQL too: init, records from
verify, aggregate files (XSD-valid, names, Subject, recipients), re-runs, --send with a
stand-in sendmail, prune, failure reports, the same reports from both stores, and a newer
schema refused.

  cli_test.py MAILAUTH TESTDATA_DIR XSD
"""
import glob
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cli_support import check, report, run  # noqa: E402

NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"
DAY = 1700006400          # 2023-11-15 00:00:00 UTC
END = DAY + 86399


def message(from_domain, subject):
    return ("From: Sender <sender@%s>\r\nTo: user@receiver.example\r\nSubject: %s\r\n"
            "Message-ID: <%s@%s>\r\nDate: Wed, 15 Nov 2023 10:00:00 +0000\r\n\r\nHello.\r\n"
            % (from_domain, subject, subject.replace(" ", "."), from_domain)).encode()


def fill(mailauth, zone, uri, work):
    """Records six messages through `verify --report-store`; returns the exit codes."""
    codes = []
    # (From domain, client IP, MAIL FROM, time): 192.0.2.0/24 passes SPF for the zone's domains.
    cases = [("example.com", "192.0.2.1", "bounce@example.com", DAY + 100),
             ("example.com", "192.0.2.1", "bounce@example.com", DAY + 200),
             ("example.com", "198.51.100.9", "bounce@example.com", DAY + 300),
             ("foo.example.com", "192.0.2.2", "bounce@example.com", DAY + 400),
             ("bar.example.com", "192.0.2.3", "bounce@bar.example.com", DAY + 500),
             ("norua.example", "192.0.2.4", "bounce@norua.example", DAY + 600),
             ("testmode.example", "198.51.100.7", "bounce@testmode.example", DAY + 700),
             ("example.com", "192.0.2.1", "bounce@example.com", END + 100)]  # the next day
    for i, (domain, ip, mail_from, now) in enumerate(cases):
        path = os.path.join(work, "m%d.eml" % i)
        with open(path, "wb") as f:
            f.write(message(domain, "message %d" % i))
        code, _, err = run([mailauth, "verify", "--dns-zone", zone, "--report-store", uri,
                            "--ip", ip, "--mail-from", mail_from, "--helo", "mail.example.org",
                            "--rcpt-to", "user@receiver.example", "--now", str(now), path])
        codes.append((code, err))
    return codes


def records_in(uri):
    if uri.startswith("sqlite:"):
        with sqlite3.connect(uri[len("sqlite:"):]) as db:
            return db.execute("SELECT COUNT(*) FROM dmarc_message").fetchone()[0]
    out = subprocess.run(["psql", "-tAc", "SELECT COUNT(*) FROM dmarc_message", uri],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return int(out.stdout.decode().strip() or -1)


def xml_of(path):
    with open(path, "rb") as f:
        return gzip.decompress(f.read()).decode()


def xmllint_ok(xsd, xml_text, work):
    path = os.path.join(work, "check.xml")
    with open(path, "w") as f:
        f.write(xml_text)
    p = subprocess.run(["xmllint", "--noout", "--schema", xsd, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode == 0, p.stderr.decode()


def header(text, name):
    m = re.search(r"^%s: (.*(?:\r?\n[ \t].*)*)" % re.escape(name), text, re.M)
    return re.sub(r"\r?\n[ \t]+", " ", m.group(1)).strip() if m else None


def suite(mailauth, testdata, xsd, uri, label, work):
    zone = os.path.join(testdata, "report", "report.zone")
    code, out, err = run([mailauth, "report", "init", "--store", uri])
    check(label + " init", code == 0 and "created the report schema (version 2)" in out, out + err)
    code, out, err = run([mailauth, "report", "init", "--store", uri])
    check(label + " init again", code == 0 and "is current (version 2)" in out, out + err)

    codes = fill(mailauth, zone, uri, work)
    # The 3rd message fails DMARC (SPF fail, no DKIM): verify exits 1 for it, 0 for the others.
    check(label + " verify exit codes", [c for c, _ in codes] == [0, 0, 1, 0, 0, 0, 1, 0], codes)
    check(label + " one row per message file", records_in(uri) == 8, records_in(uri))

    out_dir = os.path.join(work, "out")
    os.mkdir(out_dir)
    aggregate = [mailauth, "report", "aggregate", "--store", uri, "--org-name", "Receiver Org",
                 "--email", "dmarc@receiver.example", "--begin", str(DAY), "--end", str(END),
                 "--out", out_dir, "--dns-zone", zone]
    code, out, err = run(aggregate)
    check(label + " aggregate exit", code == 0, out + err)
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out_dir, "*")))
    want = sorted(["receiver.example!example.com!%d!%d.xml.gz" % (DAY, END),
                   "receiver.example!example.com!%d!%d.eml" % (DAY, END),
                   "receiver.example!bar.example.com!%d!%d.xml.gz" % (DAY, END),
                   "receiver.example!bar.example.com!%d!%d.eml" % (DAY, END),
                   "receiver.example!testmode.example!%d!%d.xml.gz" % (DAY, END),
                   "receiver.example!testmode.example!%d!%d.eml" % (DAY, END)])
    check(label + " aggregate files", names == want, names)
    check(label + " norua skipped", "norua.example: no_rua" in out, out)
    check(label + " unauthorized destination named", "skipped mailto:x@unauthorized.example" in out, out)

    ex_gz = os.path.join(out_dir, "receiver.example!example.com!%d!%d.xml.gz" % (DAY, END))
    ex_eml = os.path.join(out_dir, "receiver.example!example.com!%d!%d.eml" % (DAY, END))
    xmls = {}
    for gz in glob.glob(os.path.join(out_dir, "*.xml.gz")):
        text = xml_of(gz)
        ok, why = xmllint_ok(xsd, text, work)
        check(label + " XSD " + os.path.basename(gz), ok, why)
        xmls[os.path.basename(gz)] = text
    root = ET.fromstring(xml_of(ex_gz))
    rid = root.find(NS + "report_metadata/" + NS + "report_id").text
    check(label + " date_range", (root.find(".//%sdate_range/%sbegin" % (NS, NS)).text,
                                  root.find(".//%sdate_range/%send" % (NS, NS)).text)
          == (str(DAY), str(END)))
    pp = {e.tag[len(NS):]: e.text for e in root.find(NS + "policy_published")}
    check(label + " policy_published", pp == {"domain": "example.com", "discovery_method": "treewalk",
                                              "p": "reject", "sp": "reject", "np": "reject",
                                              "adkim": "r", "aspf": "r", "fo": "1", "testing": "n"}, pp)
    rows = {}
    for rec in root.findall(NS + "record"):
        ip = rec.find("%srow/%ssource_ip" % (NS, NS)).text
        rows[ip] = (rec.find("%srow/%scount" % (NS, NS)).text,
                    rec.find("%srow/%spolicy_evaluated/%sdisposition" % (NS, NS, NS)).text,
                    rec.find("%sidentifiers/%sheader_from" % (NS, NS)).text)
    check(label + " rows", rows == {"192.0.2.1": ("2", "pass", "example.com"),
                                    "198.51.100.9": ("1", "reject", "example.com"),
                                    "192.0.2.2": ("1", "pass", "foo.example.com")}, rows)
    with open(ex_eml, "rb") as f:
        eml = f.read().decode()
    check(label + " Subject", header(eml, "Subject") ==
          "Report Domain: example.com Submitter: receiver.example Report-ID: " + rid, header(eml, "Subject"))
    check(label + " recipients", header(eml, "To") == "<agg@example.com>, <dmarc@reports.example.net>",
          header(eml, "To"))
    check(label + " attachment", ('Content-Type: application/gzip; name="%s"' % os.path.basename(ex_gz)) in eml
          and ('filename="%s"' % os.path.basename(ex_gz)) in eml)

    # A re-run: nothing new, exit 0, files and Report-IDs kept.
    before = {p: os.path.getmtime(p) for p in glob.glob(os.path.join(out_dir, "*"))}
    code, out, err = run(aggregate)
    check(label + " re-run exit", code == 0, out + err)
    check(label + " re-run reports nothing new", out.count("already reported") == 3 and rid in out, out)
    check(label + " re-run keeps files", before == {p: os.path.getmtime(p) for p in glob.glob(os.path.join(out_dir, "*"))})

    # --send with a stand-in sendmail: the written reports go out, once, with their IDs.
    spool = os.path.join(work, "sendmail-spool")
    os.mkdir(spool)
    stand_in = os.path.join(work, "sendmail")
    with open(stand_in, "w") as f:
        f.write("#!/bin/sh\necho \"$*\" >> '%s/args'\ncat > \"%s/msg.$$\"\n" % (spool, spool))
    os.chmod(stand_in, 0o755)
    code, out, err = run(aggregate + ["--send", "--sendmail", stand_in])
    check(label + " send exit", code == 0 and out.count("; sent") == 3, out + err)
    sent = sorted(glob.glob(os.path.join(spool, "msg.*")))
    check(label + " sent three", len(sent) == 3, sent)
    with open(os.path.join(spool, "args")) as f:
        check(label + " sendmail -oi -t", f.read() == "-oi -t\n" * 3)
    check(label + " sent keeps the Report-ID",
          any(("Report-ID: " + rid) in open(p).read() for p in sent))
    code, out, err = run(aggregate + ["--send", "--sendmail", stand_in])
    check(label + " no second send", code == 0 and len(glob.glob(os.path.join(spool, "msg.*"))) == 3, out)

    # t=y: the fail was given quarantine instead of reject, with the reason policy_test_mode.
    tm = ET.fromstring(xml_of(os.path.join(out_dir, "receiver.example!testmode.example!%d!%d.xml.gz" % (DAY, END))))
    check(label + " t=y testing", tm.find("%spolicy_published/%stesting" % (NS, NS)).text == "y")
    pe = tm.find("%srecord/%srow/%spolicy_evaluated" % (NS, NS, NS))
    check(label + " t=y disposition", pe.find(NS + "disposition").text == "quarantine",
          ET.tostring(pe).decode())
    check(label + " t=y reason", pe.find("%sreason/%stype" % (NS, NS)) is not None and
          pe.find("%sreason/%stype" % (NS, NS)).text == "policy_test_mode", ET.tostring(pe).decode())

    # The default period is the last whole UTC day before --now.
    out2 = os.path.join(work, "out2")
    os.mkdir(out2)
    code, out, err = run([mailauth, "report", "aggregate", "--store", uri, "--org-name", "R",
                          "--email", "dmarc@receiver.example", "--out", out2, "--dns-zone", zone,
                          "--now", str(END + 1 + 86400 + 5000)])
    check(label + " default period", code == 0 and os.path.exists(os.path.join(
        out2, "receiver.example!example.com!%d!%d.xml.gz" % (END + 1, END + 86400))), out + err)

    # Failure report for the failing message: printed ARF with the required fields.
    code, out, err = run([mailauth, "report", "failure", "--dns-zone", zone, "--ip", "198.51.100.9",
                          "--mail-from", "bounce@example.com", "--helo", "mail.example.org",
                          "--rcpt-to", "user@receiver.example", "--from", "dmarc@receiver.example",
                          "--now", str(DAY + 300), os.path.join(work, "m2.eml")])
    check(label + " failure exit", code == 0, out + err)
    for field in ["Feedback-Type: auth-failure", "Auth-Failure: dmarc", "Identity-Alignment: dkim, spf",
                  "Reported-Domain: example.com", "Source-IP: 198.51.100.9",
                  "Content-Type: text/rfc822-headers", "To: <ruf@example.com>",
                  "SPF-DNS: txt : example.com : v=spf1 ip4:192.0.2.0/24 -all"]:
        check(label + " failure field " + field, field in out, out)
    check(label + " failure has no body", "Hello." not in out)
    # fo=1: a pass without an aligned DKIM pass is reported too.
    code, out, err = run([mailauth, "report", "failure", "--dns-zone", zone, "--ip", "192.0.2.1",
                          "--mail-from", "bounce@example.com", "--from", "dmarc@receiver.example",
                          "--now", str(DAY + 100), os.path.join(work, "m0.eml")])
    check(label + " fo=1 reports a pass without aligned DKIM",
          code == 0 and "Identity-Alignment: dkim\r\n" in out, out + err)
    code, out, err = run([mailauth, "report", "failure", "--dns-zone", zone, "--ip", "192.0.2.3",
                          "--mail-from", "bounce@bar.example.com", "--from", "dmarc@receiver.example",
                          "--now", str(DAY + 500), os.path.join(work, "m4.eml")])
    check(label + " no failure report without ruf",
          code == 0 and out == "" and "the policy record has no ruf" in err, err)

    # Prune: records older than an hour before --now.
    code, out, err = run([mailauth, "report", "prune", "--store", uri, "--older-than", "1h",
                          "--now", str(END + 50)])
    check(label + " prune", code == 0 and "removed 7 records" in out, out + err)
    check(label + " prune kept the newer", records_in(uri) == 1, records_in(uri))
    code, _, err = run([mailauth, "report", "prune", "--store", uri, "--older-than", "30"])
    check(label + " prune needs a unit", code == 2 and "a number and a unit" in err, err)
    return xmls


def main():
    mailauth, testdata, xsd = sys.argv[1], sys.argv[2], sys.argv[3]
    work = tempfile.mkdtemp(prefix="mailauth-report-cli.")
    try:
        code, out, _ = run([mailauth, "report", "--help"])
        check("report --help", code == 0 and "aggregate" in out and "failure" in out, out)
        for action in ["init", "aggregate", "prune", "failure"]:
            code, out, _ = run([mailauth, "report", action, "--help"])
            check("report %s --help" % action, code == 0 and "Usage: mailauth report " + action in out, out)
        code, _, err = run([mailauth, "report", "aggregate", "--store", "sqlite:x.db"])
        check("aggregate usage error", code == 2, err)
        code, _, err = run([mailauth, "report", "init", "--store", "mysql://x"])
        check("bad store URI", code == 2 and "expected sqlite:PATH or postgresql://" in err, err)

        lite_work = os.path.join(work, "sqlite")
        os.mkdir(lite_work)
        lite = "sqlite:" + os.path.join(lite_work, "reports.db")
        lite_xml = suite(mailauth, testdata, xsd, lite, "sqlite", lite_work)

        # A newer schema is refused with a clear message.
        newer = os.path.join(work, "newer.db")
        run([mailauth, "report", "init", "--store", "sqlite:" + newer])
        with sqlite3.connect(newer) as db:
            db.execute("UPDATE dmarc_schema SET version = 7")
        code, _, err = run([mailauth, "report", "init", "--store", "sqlite:" + newer])
        check("newer schema refused", code == 2 and "version 7, newer than this mailauth supports (2)" in err, err)

        if os.environ.get("MAILAUTH_TEST_PG_HOST"):
            host, user = os.environ["MAILAUTH_TEST_PG_HOST"], os.environ.get("MAILAUTH_TEST_PG_USER", "dmarc")
            subprocess.run(["psql", "-q", "-c", "CREATE DATABASE cli_reports",
                            "postgresql:///%s?host=%s&user=%s" % (os.environ["MAILAUTH_TEST_PG_DB"], host, user)],
                           check=True)
            pg = "postgresql:///cli_reports?host=%s&user=%s" % (host, user)
            pg_work = os.path.join(work, "postgres")
            os.mkdir(pg_work)
            pg_xml = suite(mailauth, testdata, xsd, pg, "postgres", pg_work)
            # The same records give the same reports (Report-IDs aside).
            strip = lambda x: re.sub(r"<report_id>[^<]*</report_id>", "", x)
            check("same reports from SQLite and PostgreSQL",
                  sorted(lite_xml) == sorted(pg_xml) and all(strip(lite_xml[k]) == strip(pg_xml[k]) for k in lite_xml))
        elif os.environ.get("CI") == "true":
            check("PostgreSQL test server present under CI", False)
        else:
            print("report cli: PostgreSQL part skipped (run through tests/report/with_postgres.sh)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
