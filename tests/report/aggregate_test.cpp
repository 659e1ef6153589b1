// Aggregate reports end to end on both stores: the RFC 9990 grouping example, XSD validation of
// every file (xmllint), file names, Report-IDs, the MIME message, authorized recipients only,
// the ledger on re-runs, sending through a stand-in sendmail, and the same reports from SQLite
// and PostgreSQL.
#include <auth/report.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include <sys/stat.h>

#include "report_test_support.hpp"
#include "test_parsers.hpp"

namespace auth::dmarc {
namespace {

using report_test::Backend;
using report_test::MimeEntity;
using report_test::XmlNode;

constexpr std::int64_t day_begin = 1700006400;  // 2023-11-15 00:00:00 UTC
constexpr std::int64_t day_end = day_begin + 86399;

ReportRecord make(std::int64_t t, std::string from, std::string policy_domain, std::string ip,
                  std::vector<std::string> rua) {
  ReportRecord r =
      report_test::sample_record(t, std::move(from), std::move(policy_domain), std::move(ip));
  r.policy.rua = std::move(rua);
  return r;
}

// The RFC 9990 §3.1 example: records at example.com and bar.example.com; mail from
// example.com, foo.example.com (no record of its own) and bar.example.com.
std::vector<ReportRecord> example_records() {
  const std::vector<std::string> rua = {"mailto:agg@example.com",
                                        "mailto:dmarc@reports.example.net",
                                        "mailto:x@unauthorized.example", "https://example.com/r"};
  std::vector<ReportRecord> out;
  for (int i = 0; i < 3; ++i)
    out.push_back(make(day_begin + 10 + i, "example.com", "example.com", "192.0.2.1", rua));
  for (int i = 0; i < 2; ++i)
    out.push_back(make(day_begin + 30 + i, "foo.example.com", "example.com", "192.0.2.2", rua));
  // The last record for example.com: its policy (t=y, sp=quarantine) is the one reported.
  ReportRecord fail = make(day_begin + 40, "example.com", "example.com", "198.51.100.9", rua);
  fail.result = Result::Fail;
  fail.dkim_aligned = fail.spf_aligned = false;
  fail.policy.testing = true;
  fail.policy.sp = Policy::Quarantine;
  fail.evaluated_policy = Policy::Quarantine;
  fail.disposition = Policy::Quarantine;
  fail.overrides = {OverrideReason::PolicyTestMode};
  fail.spf = ReportSpf{"mailer.example.org", true, "fail"};
  fail.dkim = {{"mailer.example.org", "m1", "pass"}};
  fail.envelope_from = "mailer.example.org";
  out.push_back(fail);
  out.push_back(make(day_begin + 40, "bar.example.com", "bar.example.com", "2001:db8::25",
                     {"mailto:bar-reports@example.com"}));
  out.push_back(make(day_begin + 50, "norua.example", "norua.example", "192.0.2.3", {}));
  out.push_back(make(day_end + 1, "example.com", "example.com", "192.0.2.1", rua));  // next day
  return out;
}

class AggregateFixture : public ::testing::Test {
 protected:
  void set_up(Backend backend) {
    if (backend == Backend::Postgres && !report_test::postgres_available()) {
      if (std::getenv("CI") != nullptr) FAIL() << "the PostgreSQL test server is missing under CI";
      GTEST_SKIP() << "PostgreSQL tests skipped: postgresql-15 is not installed (or the test "
                      "did not run through tests/report/with_postgres.sh)";
    }
    uri_ = report_test::fresh_store_uri(backend, dir_.path());
    auto zone =
        dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/report/report.zone");
    ASSERT_TRUE(zone) << zone.error().message;
    resolver_ = std::move(*zone);
    evaluator_ = std::make_unique<Evaluator>(*resolver_);
    out_ = dir_.path() / "out";
    std::filesystem::create_directory(out_);
    options_.reporter = {"Receiver Org", "dmarc-noreply@Receiver.Example", "", "mailauth test"};
    options_.begin = day_begin;
    options_.end = day_end;
    options_.out_dir = out_;
  }

  std::unique_ptr<ReportStore> filled_store(const std::string& uri) {
    auto store = ReportStore::open(uri);
    EXPECT_TRUE(store);
    for (const auto& r : example_records()) EXPECT_TRUE((*store)->add(r));
    EXPECT_TRUE((*store)->flush());
    return std::move(*store);
  }

  // A stand-in for /usr/sbin/sendmail that keeps its arguments and each message, and exits
  // with `status`.
  std::string stand_in_sendmail(int status) {
    const auto script = dir_.path() / ("sendmail-" + std::to_string(status));
    std::ofstream(script) << "#!/bin/sh\n"
                          << "echo \"$*\" >> '" << (dir_.path() / "sendmail.args").string() << "'\n"
                          << "cat > '" << (dir_.path() / "sent").string() << "'.$$\n"
                          << "exit " << status << "\n";
    ::chmod(script.c_str(), 0755);
    return script.string();
  }

  std::vector<std::string> sent_messages() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
      if (e.path().filename().string().starts_with("sent."))
        out.push_back(report_test::read_file(e.path()));
    return out;
  }

  Expected<std::vector<AggregateOutcome>> run(ReportStore& store) {
    const FixedClock clock = FixedClock::at_unix(day_end + 3600);
    return run_aggregate(store, *evaluator_, options_, clock);
  }

  report_test::TempDir dir_;
  std::string uri_;
  std::unique_ptr<dns::ZoneResolver> resolver_;
  std::unique_ptr<Evaluator> evaluator_;
  std::filesystem::path out_;
  AggregateRunOptions options_;
};

class AggregateTest : public AggregateFixture, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override { set_up(GetParam()); }
};

const AggregateOutcome* outcome_for(const std::vector<AggregateOutcome>& all,
                                    std::string_view domain) {
  for (const auto& o : all)
    if (o.policy_domain == domain) return &o;
  return nullptr;
}

TEST_P(AggregateTest, OneReportPerPolicyDomainAsInTheRfcExample) {
  auto store = filled_store(uri_);
  auto outcomes = run(*store);
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 3u);
  const auto* ex = outcome_for(*outcomes, "example.com");
  const auto* bar = outcome_for(*outcomes, "bar.example.com");
  const auto* norua = outcome_for(*outcomes, "norua.example");
  ASSERT_TRUE(ex && bar && norua);
  EXPECT_EQ(ex->action, AggregateOutcome::Action::Written);
  EXPECT_EQ(bar->action, AggregateOutcome::Action::Written);
  EXPECT_EQ(norua->action, AggregateOutcome::Action::NoRua);

  // File names: receiver!policy-domain!begin!end.xml.gz, receiver = the domain of --email.
  EXPECT_EQ(ex->report.file_name, "receiver.example!example.com!1700006400!1700092799.xml.gz");
  EXPECT_EQ(ex->xml_gz_path, out_ / ex->report.file_name);
  EXPECT_EQ(ex->eml_path, out_ / "receiver.example!example.com!1700006400!1700092799.eml");
  EXPECT_EQ(bar->report.file_name, "receiver.example!bar.example.com!1700006400!1700092799.xml.gz");
  EXPECT_TRUE(
      std::regex_match(ex->report.report_id, std::regex("[0-9a-f]{32}@receiver\\.example")));

  // Exactly the authorized mailto: destinations.
  EXPECT_EQ(ex->recipients,
            (std::vector<std::string>{"agg@example.com", "dmarc@reports.example.net"}));
  EXPECT_EQ(bar->recipients, std::vector<std::string>{"bar-reports@example.com"});

  for (const auto* o : {ex, bar}) {
    const std::string gz = report_test::read_file(o->xml_gz_path);
    EXPECT_EQ(gz, o->report.gzip);
    auto xml = gzip_decompress(gz);
    ASSERT_TRUE(xml) << xml.error().message;
    EXPECT_EQ(report_test::xmllint_validate(*xml), "") << *xml;
  }

  // example.com: its own mail and foo.example.com's, one row per (IP, result, identifiers).
  const XmlNode feedback =
      report_test::parse_xml(*gzip_decompress(report_test::read_file(ex->xml_gz_path)));
  EXPECT_EQ(feedback.attributes.at("xmlns"), "urn:ietf:params:xml:ns:dmarc-2.0");
  EXPECT_EQ(feedback.text_at("version"), "1.0");
  EXPECT_EQ(feedback.text_at("report_metadata/org_name"), "Receiver Org");
  EXPECT_EQ(feedback.text_at("report_metadata/email"), "dmarc-noreply@Receiver.Example");
  EXPECT_EQ(feedback.text_at("report_metadata/report_id"), ex->report.report_id);
  EXPECT_EQ(feedback.text_at("report_metadata/date_range/begin"), "1700006400");
  EXPECT_EQ(feedback.text_at("report_metadata/date_range/end"), "1700092799");
  EXPECT_EQ(feedback.text_at("policy_published/domain"), "example.com");
  // The policy as last seen (the t=y record with sp=quarantine), every tag with its value.
  EXPECT_EQ(feedback.text_at("policy_published/p"), "reject");
  EXPECT_EQ(feedback.text_at("policy_published/sp"), "quarantine");
  EXPECT_EQ(feedback.text_at("policy_published/np"), "quarantine");
  EXPECT_EQ(feedback.text_at("policy_published/adkim"), "r");
  EXPECT_EQ(feedback.text_at("policy_published/aspf"), "r");
  EXPECT_EQ(feedback.text_at("policy_published/fo"), "0");
  EXPECT_EQ(feedback.text_at("policy_published/testing"), "y");
  EXPECT_EQ(feedback.text_at("policy_published/discovery_method"), "treewalk");
  const auto records = feedback.all("record");
  ASSERT_EQ(records.size(), 3u);
  std::map<std::string, const XmlNode*> by_ip;
  for (const auto* r : records) by_ip[*r->text_at("row/source_ip")] = r;
  const XmlNode* pass = by_ip.at("192.0.2.1");
  EXPECT_EQ(pass->text_at("row/count"), "3");
  EXPECT_EQ(pass->text_at("row/policy_evaluated/disposition"), "pass");
  EXPECT_EQ(pass->text_at("row/policy_evaluated/dkim"), "pass");
  EXPECT_EQ(pass->text_at("identifiers/header_from"), "example.com");
  EXPECT_EQ(pass->text_at("identifiers/envelope_to"), "receiver.example");
  EXPECT_EQ(pass->text_at("auth_results/dkim/selector"), "sel1");
  EXPECT_EQ(pass->text_at("auth_results/spf/scope"), "mfrom");
  const XmlNode* failed = by_ip.at("198.51.100.9");
  EXPECT_EQ(failed->text_at("row/count"), "1");
  EXPECT_EQ(failed->text_at("row/policy_evaluated/disposition"), "quarantine");
  EXPECT_EQ(failed->text_at("row/policy_evaluated/spf"), "fail");
  EXPECT_EQ(failed->text_at("row/policy_evaluated/reason/type"), "policy_test_mode");
  EXPECT_EQ(failed->text_at("identifiers/envelope_from"), "mailer.example.org");
  EXPECT_EQ(failed->text_at("auth_results/spf/result"), "fail");
  const XmlNode* foo = by_ip.at("192.0.2.2");
  EXPECT_EQ(foo->text_at("identifiers/header_from"), "foo.example.com");
  EXPECT_EQ(foo->text_at("row/count"), "2");

  // bar.example.com: its own report with its one message (an IPv6 source).
  const XmlNode bar_xml = report_test::parse_xml(bar->report.xml);
  EXPECT_EQ(bar_xml.text_at("policy_published/domain"), "bar.example.com");
  ASSERT_EQ(bar_xml.all("record").size(), 1u);
  EXPECT_EQ(bar_xml.text_at("record/row/source_ip"), "2001:db8::25");
}

TEST_P(AggregateTest, TheMessageCarriesTheReportForTheAuthorizedRecipients) {
  auto store = filled_store(uri_);
  auto outcomes = run(*store);
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  const auto* ex = outcome_for(*outcomes, "example.com");
  ASSERT_TRUE(ex);
  const MimeEntity m = report_test::parse_mime(report_test::read_file(ex->eml_path));
  EXPECT_EQ(
      m.field("Subject"),
      "Report Domain: example.com Submitter: receiver.example Report-ID: " + ex->report.report_id);
  EXPECT_EQ(m.field("To"), "<agg@example.com>, <dmarc@reports.example.net>");
  EXPECT_EQ(m.field("From"), "Receiver Org <dmarc-noreply@Receiver.Example>");
  EXPECT_EQ(m.field("Message-ID"), "<" + ex->report.report_id + ">");
  EXPECT_EQ(m.field("MIME-Version"), "1.0");
  EXPECT_EQ(m.media_type(), "multipart/mixed");
  ASSERT_EQ(m.parts.size(), 2u);
  EXPECT_EQ(m.parts[0].media_type(), "text/plain");
  const MimeEntity& attachment = m.parts[1];
  EXPECT_EQ(attachment.media_type(), "application/gzip");
  EXPECT_EQ(attachment.parameter("Content-Disposition", "filename"), ex->report.file_name);
  EXPECT_EQ(attachment.parameter("Content-Type", "name"), ex->report.file_name);
  EXPECT_EQ(attachment.decoded_body(), report_test::read_file(ex->xml_gz_path));
  // Every line ends in CRLF.
  const std::string text = report_test::read_file(ex->eml_path);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST_P(AggregateTest, AReportedPeriodIsNotReportedAgainAndKeepsItsIds) {
  auto store = filled_store(uri_);
  auto first = run(*store);
  ASSERT_TRUE(first) << first.error().message;
  const std::string id = outcome_for(*first, "example.com")->report.report_id;
  const auto before =
      std::filesystem::last_write_time(outcome_for(*first, "example.com")->xml_gz_path);

  auto again = run(*store);
  ASSERT_TRUE(again) << again.error().message;
  const auto* ex = outcome_for(*again, "example.com");
  EXPECT_EQ(ex->action, AggregateOutcome::Action::AlreadyReported);
  EXPECT_EQ(ex->report.report_id, id);
  EXPECT_EQ(outcome_for(*again, "bar.example.com")->action,
            AggregateOutcome::Action::AlreadyReported);
  EXPECT_EQ(std::filesystem::last_write_time(out_ / ex->report.file_name), before);

  // Sending later (re-run with send): the same Report-ID and file name go out, once.
  options_.send = true;
  options_.sendmail = stand_in_sendmail(0);
  auto sent = run(*store);
  ASSERT_TRUE(sent) << sent.error().message;
  const auto* sent_ex = outcome_for(*sent, "example.com");
  EXPECT_EQ(sent_ex->action, AggregateOutcome::Action::Written);
  EXPECT_TRUE(sent_ex->sent);
  EXPECT_EQ(sent_ex->report.report_id, id);
  EXPECT_EQ(sent_ex->report.file_name, "receiver.example!example.com!1700006400!1700092799.xml.gz");
  EXPECT_EQ(sent_messages().size(), 2u);
  EXPECT_EQ(report_test::read_file(dir_.path() / "sendmail.args"), "-oi -t\n-oi -t\n");
  auto third = run(*store);
  ASSERT_TRUE(third);
  EXPECT_EQ(outcome_for(*third, "example.com")->action, AggregateOutcome::Action::AlreadyReported);
  EXPECT_EQ(sent_messages().size(), 2u);
}

TEST_P(AggregateTest, AFailedHandOffIsRetriedWithTheSameReportId) {
  auto store = filled_store(uri_);
  options_.send = true;
  options_.sendmail = stand_in_sendmail(75);  // EX_TEMPFAIL
  auto failed = run(*store);
  ASSERT_TRUE(failed) << failed.error().message;
  const auto* ex = outcome_for(*failed, "example.com");
  EXPECT_EQ(ex->action, AggregateOutcome::Action::Deferred);
  EXPECT_NE(ex->detail.find("exit status 75"), std::string::npos) << ex->detail;
  const std::string id = ex->report.report_id;

  options_.sendmail = stand_in_sendmail(0);
  auto retried = run(*store);
  ASSERT_TRUE(retried) << retried.error().message;
  const auto* again = outcome_for(*retried, "example.com");
  EXPECT_TRUE(again->sent);
  EXPECT_EQ(again->report.report_id, id);
  // The message handed over is the report (sendmail gets LF line endings).
  bool found = false;
  for (const auto& m : sent_messages())
    if (m.find("Report-ID: " + id + "\n") != std::string::npos) found = true;
  EXPECT_TRUE(found);
}

// Not a parameterized case: it needs both stores (it runs with the Postgres instances).
class PostgresAndSqlite : public AggregateFixture {
 protected:
  void SetUp() override { set_up(Backend::Postgres); }
};

TEST_F(PostgresAndSqlite, GiveTheSameReports) {
  auto pg = filled_store(uri_);
  auto lite = filled_store("sqlite:" + (dir_.path() / "same.db").string());
  for (auto [b, e] :
       {std::pair{day_begin, day_end}, std::pair{std::int64_t{0}, std::int64_t{4000000000}}}) {
    auto pg_policies = pg->policies(b, e), lite_policies = lite->policies(b, e);
    auto pg_groups = pg->groups(b, e), lite_groups = lite->groups(b, e);
    ASSERT_TRUE(pg_policies && lite_policies && pg_groups && lite_groups);
    ASSERT_EQ(*pg_policies, *lite_policies);
    ASSERT_EQ(pg_groups->size(), lite_groups->size());
    for (const auto& policy : *pg_policies) {
      std::vector<StoredGroup> a, c;
      for (const auto& g : *pg_groups)
        if (g.policy_domain == policy.domain) a.push_back(g);
      for (const auto& g : *lite_groups)
        if (g.policy_domain == policy.domain) c.push_back(g);
      EXPECT_EQ(aggregate_xml(options_.reporter, policy, "id@x", b, e, a),
                aggregate_xml(options_.reporter, policy, "id@x", b, e, c));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AggregateTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, AggregateTest, ::testing::Values(Backend::Postgres));

TEST(AggregateXml, HostileValuesStayWellFormedAndValid) {
  PublishedPolicy p;
  p.domain = "example.com";
  p.p = Policy::None;
  p.errors = {"unknown tag <x>=\"&\""};
  StoredGroup g;
  g.policy_domain = "example.com";
  g.header_from = "example.com";
  g.source_ip = "192.0.2.1";
  g.count = 1;
  g.dkim = {{"example.com", std::string("s\x01<&>\xff\xfe", 7), "fail"}};
  const ReporterInfo reporter{"A & B <Org>", "r@receiver.example", "", "mailauth"};
  const std::string xml = aggregate_xml(reporter, p, "id@receiver.example", 0, 86399,
                                        std::span<const StoredGroup>(&g, 1));
  EXPECT_EQ(report_test::xmllint_validate(xml), "") << xml;
  const XmlNode doc = report_test::parse_xml(xml);
  EXPECT_EQ(doc.text_at("report_metadata/org_name"), "A & B <Org>");
  EXPECT_EQ(doc.text_at("record/auth_results/dkim/selector"), "s?<&>??");
  EXPECT_EQ(doc.text_at("report_metadata/error"), "unknown tag <x>=\"&\"");
}

TEST(Gzip, RoundTripAndCorruption) {
  const std::string text(100000, 'x');
  auto gz = gzip_compress(text);
  ASSERT_TRUE(gz);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_LT(gz->size(), 1000u);
  EXPECT_EQ(gzip_decompress(*gz).value_or(""), text);
  EXPECT_FALSE(gzip_decompress(gz->substr(0, gz->size() / 2)));
  EXPECT_FALSE(gzip_decompress(*gz, 1000));                   // bounded
  EXPECT_EQ(*gzip_compress("same"), *gzip_compress("same"));  // no time stamp in the header
}

}  // namespace
}  // namespace auth::dmarc
