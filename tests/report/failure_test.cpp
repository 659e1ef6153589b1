// Failure reports (RFC 9991): the fo= matrix, the ARF message read back field by field with the
// parser that read the stalwart samples, destinations, psd=y, the rate limit with merged
// incidents, and delivery to a spool directory or a stand-in sendmail.
#include <auth/report.hpp>

#include <gtest/gtest.h>

#include <fstream>

#include <sys/stat.h>

#include "report_test_support.hpp"
#include "test_parsers.hpp"

namespace auth::dmarc {
namespace {

using report_test::MimeEntity;

FailureOptions fo(bool all, bool any, bool d, bool s) { return {all, any, d, s}; }

dkim::DkimResult signature(std::string domain, dkim::Result result, std::string reason = {}) {
  dkim::DkimResult r;
  r.domain = std::move(domain);
  r.selector = "s1";
  r.result = result;
  r.reason = std::move(reason);
  r.auid = "@" + r.domain;
  return r;
}

spf::SpfResult spf_result(spf::Result result, std::string domain = "example.com") {
  spf::SpfResult r;
  r.result = result;
  r.domain = std::move(domain);
  r.sender = "bounce@" + r.domain;
  return r;
}

DmarcResult verdict(bool spf_aligned, bool dkim_aligned, Result result = Result::Fail) {
  DmarcResult d;
  d.result = result;
  d.author_domain = "example.com";
  d.policy_domain = "example.com";
  d.organizational_domain = "example.com";
  d.spf_aligned = spf_aligned;
  d.dkim_aligned = dkim_aligned;
  d.requested_policy = Policy::Reject;
  d.policy = Policy::Reject;
  d.disposition = result == Result::Fail ? Policy::Reject : Policy::None;
  d.record = report_test::sample_policy_record({}, {"mailto:ruf@example.com"});
  return d;
}

using Triggers = std::vector<AuthFailure>;

TEST(FailureTriggers, FoMatrix) {
  const std::vector<dkim::DkimResult> none;
  const std::vector<dkim::DkimResult> bodyhash = {
      signature("example.com", dkim::Result::Fail, "body hash mismatch"),
      signature("other.example", dkim::Result::Pass)};
  const std::vector<dkim::DkimResult> revoked = {
      signature("other.example", dkim::Result::PermError, "key revoked")};
  const std::vector<dkim::DkimResult> broken = {
      signature("other.example", dkim::Result::Fail, "signature did not verify")};
  const std::vector<dkim::DkimResult> temp = {
      signature("other.example", dkim::Result::TempError, "dns timeout")};
  const spf::SpfResult spf_fail = spf_result(spf::Result::Fail);
  const spf::SpfResult spf_soft = spf_result(spf::Result::SoftFail);
  const spf::SpfResult spf_pass = spf_result(spf::Result::Pass);
  const spf::SpfResult spf_neutral = spf_result(spf::Result::Neutral);

  // fo=0 (the default): only when no mechanism gave an aligned pass.
  EXPECT_EQ(failure_triggers(fo(true, false, false, false), verdict(false, false), &spf_fail, none),
            Triggers{AuthFailure::Dmarc});
  EXPECT_EQ(failure_triggers(fo(true, false, false, false), verdict(true, false, Result::Pass),
                             &spf_pass, none),
            Triggers{});
  EXPECT_EQ(failure_triggers(fo(true, false, false, false), verdict(false, true, Result::Pass),
                             &spf_fail, none),
            Triggers{});
  // fo=1: when any mechanism failed to give an aligned pass.
  EXPECT_EQ(failure_triggers(fo(false, true, false, false), verdict(true, false, Result::Pass),
                             &spf_pass, none),
            Triggers{AuthFailure::Dmarc});
  EXPECT_EQ(failure_triggers(fo(false, true, false, false), verdict(false, true, Result::Pass),
                             &spf_fail, none),
            Triggers{AuthFailure::Dmarc});
  EXPECT_EQ(failure_triggers(fo(false, true, false, false), verdict(true, true, Result::Pass),
                             &spf_pass, none),
            Triggers{});
  EXPECT_EQ(failure_triggers(fo(false, true, false, false), verdict(false, false), &spf_fail, none),
            Triggers{AuthFailure::Dmarc});
  // fo=d: every failed signature, aligned or not, even when DMARC passed.
  EXPECT_EQ(failure_triggers(fo(false, false, true, false), verdict(true, true, Result::Pass),
                             &spf_pass, bodyhash),
            Triggers{AuthFailure::BodyHash});
  EXPECT_EQ(failure_triggers(fo(false, false, true, false), verdict(true, false, Result::Pass),
                             &spf_pass, revoked),
            Triggers{AuthFailure::Revoked});
  EXPECT_EQ(failure_triggers(fo(false, false, true, false), verdict(true, false, Result::Pass),
                             &spf_pass, broken),
            Triggers{AuthFailure::Signature});
  EXPECT_EQ(failure_triggers(fo(false, false, true, false), verdict(true, false, Result::Pass),
                             &spf_pass, temp),
            Triggers{});
  // fo=s: SPF fail or softfail, aligned or not.
  EXPECT_EQ(failure_triggers(fo(false, false, false, true), verdict(false, true, Result::Pass),
                             &spf_fail, none),
            Triggers{AuthFailure::Spf});
  EXPECT_EQ(failure_triggers(fo(false, false, false, true), verdict(false, true, Result::Pass),
                             &spf_soft, none),
            Triggers{AuthFailure::Spf});
  EXPECT_EQ(failure_triggers(fo(false, false, false, true), verdict(false, true, Result::Pass),
                             &spf_neutral, none),
            Triggers{});
  EXPECT_EQ(failure_triggers(fo(false, false, false, true), verdict(false, true, Result::Pass),
                             nullptr, none),
            Triggers{});
  // fo=1:d:s together.
  EXPECT_EQ(
      failure_triggers(fo(false, true, true, true), verdict(false, false), &spf_fail, bodyhash),
      (Triggers{AuthFailure::Dmarc, AuthFailure::BodyHash, AuthFailure::Spf}));
  // No verdict to report on: temperror, permerror, none.
  for (Result r : {Result::TempError, Result::PermError, Result::None}) {
    EXPECT_EQ(
        failure_triggers(fo(true, true, true, true), verdict(false, false, r), &spf_fail, bodyhash),
        Triggers{});
  }
}

constexpr std::string_view original_header =
    "Received: from mail.example.org (mail.example.org [192.0.2.99])\r\n"
    "\tby mx.receiver.example; Wed, 15 Nov 2023 10:00:00 +0000\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=from:subject;\r\n"
    "\tbh=AAAA; b=BBBB\r\n"
    "From: Someone <someone@example.com>\r\n"
    "To: user@receiver.example\r\n"
    "Subject: Invoice\r\n"
    "\r\n";
constexpr std::string_view original_body = "Please pay.\r\n";

class FailureReporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zone =
        dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/report/report.zone");
    ASSERT_TRUE(zone) << zone.error().message;
    resolver_ = std::move(*zone);
    evaluator_ = std::make_unique<Evaluator>(*resolver_);
    options_.from = "dmarc-failures@receiver.example";
    options_.authserv_id = "mx.receiver.example";
    options_.user_agent = "mailauth/test";
    dmarc_ = verdict(false, false);
    dmarc_.record->fo = fo(false, true, false, false);
    dmarc_.record->fo_text = "1";
    spf_ = spf_result(spf::Result::Fail);
    dkim_ = {signature("example.com", dkim::Result::Fail, "body hash mismatch")};
  }

  FailureIncident incident(std::string ip = "192.0.2.99") {
    FailureIncident i;
    i.dmarc = &dmarc_;
    i.spf = &spf_;
    i.dkim = dkim_;
    i.client_ip = *IpAddress::parse(ip);
    i.mail_from = "<bounce@example.com>";
    i.rcpt_to = {"<user@receiver.example>"};
    i.envelope_id = "4SbXyz1234";
    i.arrival = TimePoint(std::chrono::seconds(1700042400));
    i.header = original_header;
    i.body = original_body;
    return i;
  }

  FailureReporter reporter() { return FailureReporter(*evaluator_, *resolver_, clock_, options_); }

  std::unique_ptr<dns::ZoneResolver> resolver_;
  std::unique_ptr<Evaluator> evaluator_;
  FixedClock clock_ = FixedClock::at_unix(1700042460);
  FailureReportOptions options_;
  DmarcResult dmarc_;
  spf::SpfResult spf_;
  std::vector<dkim::DkimResult> dkim_;
};

TEST_F(FailureReporterTest, TheArfReportCarriesTheRequiredFields) {
  auto r = reporter();
  const FailureOutcome out = r.report(incident());
  ASSERT_EQ(out.reports.size(), 1u) << (out.skipped.empty() ? "" : out.skipped[0]);
  const FailureReport& report = out.reports[0];
  EXPECT_EQ(report.recipient, "ruf@example.com");
  EXPECT_EQ(report.failure, AuthFailure::Dmarc);

  const MimeEntity m = report_test::parse_mime(report.message);
  EXPECT_EQ(m.media_type(), "multipart/report");
  EXPECT_EQ(m.parameter("Content-Type", "report-type"), "feedback-report");
  EXPECT_EQ(m.field("To"), "<ruf@example.com>");
  EXPECT_EQ(m.field("From"), "<dmarc-failures@receiver.example>");
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.parts[0].media_type(), "text/plain");
  EXPECT_EQ(m.parts[1].media_type(), "message/feedback-report");
  EXPECT_EQ(m.parts[2].media_type(), "text/rfc822-headers");

  const auto f = report_test::parse_fields(m.parts[1].body);
  auto get = [&](std::string_view name) -> std::string {
    for (const auto& [n, v] : f)
      if (n == name) return report_test::collapse_whitespace(v);
    return "<missing>";
  };
  EXPECT_EQ(get("Feedback-Type"), "auth-failure");
  EXPECT_EQ(get("Version"), "1");
  EXPECT_EQ(get("User-Agent"), "mailauth/test");
  EXPECT_EQ(get("Auth-Failure"), "dmarc");
  EXPECT_EQ(get("Identity-Alignment"), "dkim, spf");
  EXPECT_EQ(get("Reported-Domain"), "example.com");
  EXPECT_EQ(get("Source-IP"), "192.0.2.99");
  EXPECT_EQ(get("Original-Mail-From"), "<bounce@example.com>");
  EXPECT_EQ(get("Original-Rcpt-To"), "<user@receiver.example>");
  EXPECT_EQ(get("Original-Envelope-Id"), "4SbXyz1234");
  EXPECT_EQ(report_test::parse_date(get("Arrival-Date")), 1700042400);
  EXPECT_EQ(get("Incidents"), "1");
  EXPECT_EQ(get("Delivery-Result"), "reject");
  EXPECT_NE(get("Authentication-Results").find("mx.receiver.example;"), std::string::npos);
  EXPECT_NE(get("Authentication-Results").find("dmarc=fail header.from=example.com"),
            std::string::npos);
  // An aligned DKIM identifier failed: DKIM-Domain, -Identity, -Selector are required.
  EXPECT_EQ(get("DKIM-Domain"), "example.com");
  EXPECT_EQ(get("DKIM-Identity"), "@example.com");
  EXPECT_EQ(get("DKIM-Selector"), "s1");
  // An aligned SPF identifier failed: SPF-DNS is required.
  EXPECT_EQ(get("SPF-DNS"), "txt : example.com : v=spf1 ip4:192.0.2.0/24 -all");

  // The original's header only (text/rfc822-headers), no body. (The test parser gives LF.)
  std::string want(original_header.substr(0, original_header.size() - 2));
  want.erase(std::remove(want.begin(), want.end(), '\r'), want.end());
  EXPECT_EQ(m.parts[2].body, want);
  EXPECT_EQ(report.message.find("Please pay."), std::string::npos);
}

TEST_F(FailureReporterTest, TheBodyWhenConfigured) {
  options_.include_body = true;
  auto r = reporter();
  const FailureOutcome out = r.report(incident());
  ASSERT_EQ(out.reports.size(), 1u);
  const MimeEntity m = report_test::parse_mime(out.reports[0].message);
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.parts[2].media_type(), "message/rfc822");
  const MimeEntity original = report_test::parse_mime(m.parts[2].body);
  EXPECT_EQ(original.field("Subject"), "Invoice");
  EXPECT_EQ(original.body, "Please pay.\n");
}

TEST_F(FailureReporterTest, DkimAndSpfReportsForFoDS) {
  dmarc_.record->fo = fo(false, false, true, true);
  dmarc_.record->fo_text = "d:s";
  auto r = reporter();
  const FailureOutcome out = r.report(incident());
  ASSERT_EQ(out.reports.size(), 2u);
  EXPECT_EQ(out.reports[0].failure, AuthFailure::BodyHash);
  EXPECT_EQ(out.reports[1].failure, AuthFailure::Spf);
  const auto dkim_fields =
      report_test::parse_fields(report_test::parse_mime(out.reports[0].message).parts[1].body);
  bool has_domain = false;
  for (const auto& [n, v] : dkim_fields) {
    if (n == "Auth-Failure") {
      EXPECT_EQ(v, "bodyhash");
    }
    if (n == "DKIM-Domain") has_domain = v == "example.com";
  }
  EXPECT_TRUE(has_domain);
  const auto spf_fields =
      report_test::parse_fields(report_test::parse_mime(out.reports[1].message).parts[1].body);
  bool has_spf_dns = false;
  for (const auto& [n, v] : spf_fields)
    if (n == "SPF-DNS") has_spf_dns = true;
  EXPECT_TRUE(has_spf_dns);
}

TEST_F(FailureReporterTest, NothingWithoutRufOrForAPsdRecordOrWhenFoDoesNotAsk) {
  {
    DmarcResult no_ruf = dmarc_;
    no_ruf.record->ruf.clear();
    auto r = reporter();
    FailureIncident i = incident();
    i.dmarc = &no_ruf;
    const auto out = r.report(i);
    EXPECT_TRUE(out.reports.empty());
    ASSERT_FALSE(out.skipped.empty());
    EXPECT_EQ(out.skipped[0], "the policy record has no ruf");
  }
  {
    DmarcResult psd = dmarc_;
    psd.record->psd = PsdFlag::Yes;
    auto r = reporter();
    FailureIncident i = incident();
    i.dmarc = &psd;
    const auto out = r.report(i);
    EXPECT_TRUE(out.reports.empty());
    EXPECT_NE(out.skipped.at(0).find("psd=y"), std::string::npos);
  }
  {
    DmarcResult passing = verdict(true, true, Result::Pass);
    auto r = reporter();
    FailureIncident i = incident();
    i.dmarc = &passing;
    const auto out = r.report(i);
    EXPECT_TRUE(out.reports.empty());
    EXPECT_EQ(out.skipped.at(0), "fo=0 asks for no report for this message");
  }
}

TEST_F(FailureReporterTest, ExternalDestinationsNeedTheirAuthorization) {
  dmarc_.record = report_test::sample_policy_record(
      {}, {"mailto:ruf@unauthorized.example", "mailto:failures@reports.example.net"});
  dmarc_.record->fo = fo(true, false, false, false);
  auto r = reporter();
  const auto out = r.report(incident());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_EQ(out.reports[0].recipient, "failures@reports.example.net");
  ASSERT_EQ(out.destinations.size(), 2u);
  EXPECT_EQ(out.destinations[0].status, DestinationStatus::NotAuthorized);
  EXPECT_NE(out.skipped.at(0).find("ruf@unauthorized.example"), std::string::npos);
}

TEST_F(FailureReporterTest, RateLimitedPerDestinationWithMergedIncidents) {
  options_.max_per_minute = 3;
  auto r = reporter();
  // A like incident (same IP, domain, failure) within the window is merged, not sent.
  EXPECT_EQ(r.report(incident("192.0.2.1")).reports.size(), 1u);
  const auto merged = r.report(incident("192.0.2.1"));
  EXPECT_TRUE(merged.reports.empty());
  EXPECT_NE(merged.skipped.at(0).find("merged with a like incident"), std::string::npos);
  // Other incidents count against the cap of 3 per minute per destination.
  EXPECT_EQ(r.report(incident("192.0.2.2")).reports.size(), 1u);
  EXPECT_EQ(r.report(incident("192.0.2.3")).reports.size(), 1u);
  const auto capped = r.report(incident("192.0.2.4"));
  EXPECT_TRUE(capped.reports.empty());
  EXPECT_NE(capped.skipped.at(0).find("rate limit of 3 reports per minute"), std::string::npos);
  // A minute later: the next report for 192.0.2.1 counts the incident merged into it.
  clock_.advance(std::chrono::seconds(61));
  const auto later = r.report(incident("192.0.2.1"));
  ASSERT_EQ(later.reports.size(), 1u);
  EXPECT_EQ(later.reports[0].incidents, 2u);
  const auto f =
      report_test::parse_fields(report_test::parse_mime(later.reports[0].message).parts[1].body);
  bool incidents_two = false;
  for (const auto& [n, v] : f)
    if (n == "Incidents") incidents_two = v == "2";
  EXPECT_TRUE(incidents_two);
  // And the capped one went in as well.
  const auto capped_later = r.report(incident("192.0.2.4"));
  ASSERT_EQ(capped_later.reports.size(), 1u);
  EXPECT_EQ(capped_later.reports[0].incidents, 2u);
}

TEST_F(FailureReporterTest, WrittenToTheSpoolOrHandedToSendmail) {
  report_test::TempDir dir;
  options_.spool_dir = dir.path();
  {
    auto r = reporter();
    const auto out = r.report(incident());
    ASSERT_EQ(out.reports.size(), 1u);
    ASSERT_FALSE(out.reports[0].spool_file.empty());
    EXPECT_EQ(out.reports[0].spool_file.parent_path(), dir.path());
    EXPECT_EQ(report_test::read_file(out.reports[0].spool_file), out.reports[0].message);
  }
  options_.spool_dir.clear();
  const auto script = dir.path() / "sendmail";
  std::ofstream(script) << "#!/bin/sh\necho \"$*\" > '" << (dir.path() / "args").string()
                        << "'\ncat > '" << (dir.path() / "mail").string() << "'\n";
  ::chmod(script.c_str(), 0755);
  options_.sendmail = script.string();
  auto r = reporter();
  const auto out = r.report(incident());
  ASSERT_EQ(out.reports.size(), 1u);
  EXPECT_TRUE(out.reports[0].sent);
  EXPECT_EQ(report_test::read_file(dir.path() / "args"), "-oi -t\n");
  const std::string mail = report_test::read_file(dir.path() / "mail");
  EXPECT_NE(mail.find("Feedback-Type: auth-failure\n"), std::string::npos);
  EXPECT_EQ(mail.find('\r'), std::string::npos);  // LF line endings for sendmail

  // A sendmail that fails: the report says so.
  const auto failing = dir.path() / "sendmail-fails";
  std::ofstream(failing) << "#!/bin/sh\ncat >/dev/null\nexit 75\n";
  ::chmod(failing.c_str(), 0755);
  options_.sendmail = failing.string();
  auto r2 = reporter();
  const auto failed = r2.report(incident());
  ASSERT_EQ(failed.reports.size(), 1u);
  EXPECT_FALSE(failed.reports[0].sent);
  EXPECT_NE(failed.reports[0].error.find("exit status 75"), std::string::npos)
      << failed.reports[0].error;
}

}  // namespace
}  // namespace auth::dmarc
