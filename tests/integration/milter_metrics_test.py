#!/usr/bin/env python3
"""The milter's Prometheus endpoint (`metrics = inet:PORT@HOST`) after real messages over the
milter protocol, and the Grafana dashboard (packaging/grafana-mailauth.json) against it.

Usage: milter_metrics_test.py MILTER MAILAUTH TESTDATA DASHBOARD
Standard library only; the milter-protocol client is milter_protocol_test.py's.
"""
import json
import math
import os
import re
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import milter_protocol_test as mpt  # noqa: E402

DASHBOARD = None

# The text exposition format, version 0.0.4.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
PAIR = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(?P<name>%s)(?:\{(?P<labels>%s(?:,%s)*,?)?\})? (?P<value>\S+)"
                    r"(?: -?\d+)?$" % (NAME, PAIR, PAIR))
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(text):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError("bad sample value %r" % text)
    return float(text)


def parse_exposition(text):
    """{family: {"type", "help", "samples": [(name, {label: value}, value)]}}; raises
    AssertionError on anything the format does not allow."""
    assert text.endswith("\n"), "the exposition ends with a line feed"
    families = {}
    current = None  # the family whose samples are being read; they must be contiguous
    finished = set()
    for number, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d: %r" % (number, line)
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                assert re.fullmatch(NAME, name), where
                family = families.setdefault(name, {"type": None, "help": None, "samples": []})
                if parts[1] == "TYPE":
                    assert family["type"] is None, "second TYPE, " + where
                    assert not family["samples"], "TYPE after samples, " + where
                    assert len(parts) == 4 and parts[3] in TYPES, where
                    family["type"] = parts[3]
                else:
                    assert family["help"] is None, "second HELP, " + where
                    family["help"] = parts[3] if len(parts) == 4 else ""
                if current != name:
                    if current is not None:
                        finished.add(current)
                    assert name not in finished, "family split, " + where
                    current = name
            continue
        match = SAMPLE.match(line)
        assert match, "not a sample, " + where
        name, labels_text, value_text = match.group("name", "labels", "value")
        labels = dict(re.findall(LABEL, labels_text or ""))
        family_name = name
        for suffix in ("_bucket", "_sum", "_count"):
            base = name[: -len(suffix)]
            if name.endswith(suffix) and families.get(base, {}).get("type") == "histogram":
                family_name = base
        assert family_name == current, "sample outside its family's block, " + where
        family = families[family_name]
        assert family["type"] is not None, "sample without TYPE, " + where
        family["samples"].append((name, labels, parse_value(value_text)))
    return families


def check_histogram(family):
    """Per label set: buckets with ascending le, cumulative counts, +Inf == _count."""
    series = {}
    for name, labels, value in family["samples"]:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        entry = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if name.endswith("_bucket"):
            entry["buckets"].append((float(labels["le"].replace("Inf", "inf")), value))
        elif name.endswith("_sum"):
            entry["sum"] = value
        else:
            entry["count"] = value
    for key, entry in series.items():
        bounds = [b for b, _ in entry["buckets"]]
        counts = [c for _, c in entry["buckets"]]
        assert bounds == sorted(bounds) and math.isinf(bounds[-1]), (key, bounds)
        assert counts == sorted(counts), ("buckets not cumulative", key, counts)
        assert counts[-1] == entry["count"], (key, counts[-1], entry["count"])
        assert entry["sum"] is not None and entry["sum"] >= 0, key
    return series


def value(families, family, **labels):
    """The sum of the samples of `family` whose labels include `labels` (0 when none)."""
    return sum(v for name, ls, v in families.get(family, {"samples": []})["samples"]
               if name == family and all(ls.get(k) == x for k, x in labels.items()))


def sample_names(families):
    names = set()
    for name, family in families.items():
        names.add(name)
        if family["type"] == "histogram":
            names.update(name + s for s in ("_bucket", "_sum", "_count"))
    return names


class MilterMetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.metrics_port = mpt.free_port()
        cls.port = mpt.free_port()
        cls.milter = mpt.Milter("--socket", "inet:%d@127.0.0.1" % cls.port,
                                "--metrics", "inet:%d@127.0.0.1" % cls.metrics_port,
                                "--authserv_id", "mx.example.net", "--dns_zone", mpt.LAB_ZONE,
                                "--log_level", "info")
        cls.milter.wait_listening(cls.tcp)
        cls.dir = __import__("tempfile").mkdtemp()

    @classmethod
    def tearDownClass(cls):
        cls.milter.close()
        __import__("shutil").rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def tcp(cls):
        return mpt.socket.create_connection(("127.0.0.1", cls.port), timeout=2)

    def scrape(self):
        url = "http://127.0.0.1:%d/metrics" % self.metrics_port
        with urllib.request.urlopen(url, timeout=10) as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(response.headers["Content-Type"],
                             "text/plain; version=0.0.4; charset=utf-8")
            return parse_exposition(response.read().decode("utf-8"))

    def send(self, text, ip, sender):
        """One message over a fresh milter connection; returns the final reply code."""
        client = mpt.Client(self.tcp())
        client.negotiate()
        client.connect_info(ip=ip)
        client.command(mpt.SMFIC_HELO, mpt.z(b"mail.example.org"))
        client.command(mpt.SMFIC_MAIL, mpt.z(sender))
        client.command(mpt.SMFIC_RCPT, mpt.z(b"<bob@mx.example.net>"))
        fields, body = mpt.split_message(text)
        for name, field_value in fields:
            client.command(mpt.SMFIC_HEADER, mpt.z(name.encode(), field_value.encode()))
        client.command(mpt.SMFIC_EOH)
        client.command(mpt.SMFIC_BODY, body.replace("\n", "\r\n").encode())
        final, _, _ = client.end_of_message()
        client.send(mpt.SMFIC_QUIT)
        client.sock.close()
        return final

    def test_messages_results_and_dns_are_counted(self):
        before = self.scrape()
        self.assertEqual(value(before, "mailauth_messages_total"), 0)
        self.assertEqual(value(before, "mailauth_dns_queries_total"), 0)
        for family in ("mailauth_messages_total", "mailauth_results_total",
                       "mailauth_actions_total", "mailauth_internal_errors_total",
                       "mailauth_dns_queries_total"):
            self.assertEqual(before[family]["type"], "counter", family)
        self.assertEqual(before["mailauth_messages_in_flight"]["type"], "gauge")
        self.assertEqual(before["mailauth_dns_query_duration_seconds"]["type"], "histogram")

        signed = mpt.sign(self.dir, mpt.MESSAGE)
        # SPF, DKIM and DMARC pass: the DNS lookups of sender.example go out once...
        self.assertEqual(self.send(signed, b"203.0.113.5", b"<alice@sender.example>"),
                         mpt.SMFIR_CONTINUE)
        first = self.scrape()
        upstream = value(first, "mailauth_dns_queries_total")
        self.assertGreaterEqual(value(first, "mailauth_dns_queries_total", type="TXT",
                                      status="ok"), 3, "SPF record, DKIM key, DMARC record")
        # ...and the same message again is answered from the cache: no query goes out.
        self.assertEqual(self.send(signed, b"203.0.113.5", b"<alice@sender.example>"),
                         mpt.SMFIR_CONTINUE)
        second = self.scrape()
        self.assertEqual(value(second, "mailauth_dns_queries_total"), upstream)
        self.assertGreater(value(second, "mailauth_dns_cache_hits_total"),
                           value(first, "mailauth_dns_cache_hits_total"))
        # An unsigned copy from outside sender.example's SPF: SPF and DMARC fail.
        self.assertEqual(self.send(mpt.MESSAGE, b"198.51.100.9", b"<alice@sender.example>"),
                         mpt.SMFIR_CONTINUE)
        # slow.example's DMARC lookup times out: a temperror, answered 451 by default.
        slow = mpt.MESSAGE.replace("alice@sender.example", "alice@slow.example")
        self.assertEqual(self.send(slow, b"203.0.113.5", b"<alice@slow.example>"),
                         mpt.SMFIR_REPLYCODE)

        after = self.scrape()
        self.assertEqual(value(after, "mailauth_messages_total", direction="inbound"), 4)
        self.assertEqual(value(after, "mailauth_messages_total"), 4)
        self.assertEqual(value(after, "mailauth_messages_in_flight"), 0)
        expected = {("spf", "pass"): 3, ("spf", "fail"): 1, ("dkim", "pass"): 2,
                    ("dkim", "none"): 2, ("dmarc", "pass"): 2, ("dmarc", "fail"): 1,
                    ("dmarc", "temperror"): 1, ("arc", "none"): 4}
        for (protocol, result), count in expected.items():
            self.assertEqual(value(after, "mailauth_results_total", protocol=protocol,
                                   result=result), count, (protocol, result))
        for protocol in ("spf", "dkim", "dmarc", "arc"):
            self.assertEqual(value(after, "mailauth_results_total", protocol=protocol), 4,
                             protocol)
        self.assertEqual(value(after, "mailauth_actions_total", action="accept"), 3)
        self.assertEqual(value(after, "mailauth_actions_total", action="tempfail"), 1)
        self.assertEqual(value(after, "mailauth_actions_total"), 4)
        self.assertEqual(value(after, "mailauth_internal_errors_total"), 0)
        self.assertEqual(value(after, "mailauth_dns_queries_total", type="TXT",
                               status="timeout"), 1, "_dmarc.slow.example")

        # The histogram counts exactly the queries the counter counts, per type.
        series = check_histogram(after["mailauth_dns_query_duration_seconds"])
        for (labels, entry) in series.items():
            rr_type = dict(labels)["type"]
            self.assertEqual(entry["count"], value(after, "mailauth_dns_queries_total",
                                                   type=rr_type), rr_type)
        self.assertEqual(sum(e["count"] for e in series.values()),
                         value(after, "mailauth_dns_queries_total"))
        self.assertIn((("type", "TXT"),), series)

        log = self.milter.output()
        self.assertNotRegex(log, r"\berror\b")

    def test_dashboard_draws_only_rendered_metrics(self):
        rendered = sample_names(self.scrape())
        with open(DASHBOARD, encoding="utf-8") as f:
            dashboard = json.load(f)
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        self.assertEqual(variables["datasource"]["type"], "datasource")
        self.assertEqual(variables["datasource"]["query"], "prometheus")

        def panels(items):
            for p in items:
                yield p
                yield from panels(p.get("panels", []))

        used = set()
        expressions = []
        for panel in panels(dashboard["panels"]):
            if panel["type"] == "row":
                continue
            self.assertEqual(panel["datasource"]["uid"], "${datasource}", panel["title"])
            self.assertTrue(panel.get("targets"), panel["title"])
            for target in panel["targets"]:
                expr = target["expr"]
                expressions.append(expr)
                names = metric_names(expr)
                self.assertTrue(names, (panel["title"], expr))
                self.assertLessEqual(names, rendered, (panel["title"], expr))
                used |= names
        # The panels the issue asks for.
        joined = "\n".join(expressions)
        for needed in ("mailauth_results_total", "mailauth_actions_total",
                       "mailauth_dns_queries_total", "mailauth_dns_cache_hits_total",
                       "mailauth_dns_cache_misses_total", "mailauth_messages_in_flight",
                       "mailauth_internal_errors_total"):
            self.assertIn(needed, used)
        self.assertRegex(joined, r"histogram_quantile\(0\.99, sum by \(le\) \(rate\("
                                 r"mailauth_dns_query_duration_seconds_bucket")
        for protocol in ("spf", "dkim", "dmarc", "arc"):
            self.assertIn('protocol="%s"' % protocol, joined)
        # The instance variable's label_values(METRIC, instance) names a rendered metric too.
        source = re.fullmatch(r"label_values\((\w+), instance\)",
                              variables["instance"]["query"]["query"])
        self.assertTrue(source)
        self.assertIn(source.group(1), rendered)


PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
                "or", "unless", "offset", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression reads: what is left after strings, label matchers,
    range selectors, grouping clauses, function names and keywords are taken out."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\b[a-zA-Z_]\w*\s*\(", "(", text)
    names = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", text))
    return {n for n in names if n.lower() not in PROMQL_WORDS}


if __name__ == "__main__":
    mpt.MILTER, mpt.MAILAUTH, mpt.TESTDATA, DASHBOARD = sys.argv[1:5]
    del sys.argv[1:5]
    mpt.LAB_ZONE = os.path.join(mpt.TESTDATA, "milter", "lab.zone")
    mpt.KEY = os.path.join(mpt.TESTDATA, "keys", "rsa2048.pkcs8.pem")
    unittest.main(verbosity=2)
