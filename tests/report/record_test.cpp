// make_report_record (what the pipeline hands to the store) and the store's text encodings.
#include <auth/report.hpp>

#include <gtest/gtest.h>

#include "report/codes.hpp"
#include "report_test_support.hpp"

namespace auth::dmarc {
namespace {

DmarcResult failing_verdict() {
  DmarcResult d;
  d.result = Result::Fail;
  d.author_domain = "example.com";
  d.policy_domain = "example.com";
  d.organizational_domain = "example.com";
  d.requested_policy = Policy::Reject;
  d.policy = Policy::Reject;
  d.disposition = Policy::Reject;
  d.record =
      report_test::sample_policy_record({"mailto:agg@example.com"}, {"mailto:f@example.com"});
  d.record->sp = Policy::Quarantine;
  d.record->adkim = AlignmentMode::Strict;
  d.record->fo_text = "1:d";
  d.record->warnings = {"unknown tag foo="};
  return d;
}

TEST(MakeReportRecord, NoRecordNoReportRecord) {
  DmarcResult none;
  none.author_domain = "example.com";
  EXPECT_FALSE(make_report_record(none, nullptr, {}, std::nullopt, std::nullopt, {}, TimePoint{}));
}

TEST(MakeReportRecord, TakesThePiecesOfTheMessage) {
  const DmarcResult d = failing_verdict();
  spf::SpfResult spf;
  spf.result = spf::Result::SoftFail;
  spf.domain = "Bounce.Example.ORG";
  std::vector<dkim::DkimResult> dkim(1);
  dkim[0].result = dkim::Result::Fail;
  dkim[0].domain = "Example.com";
  dkim[0].selector = "Sel";
  const std::vector<std::string> rcpt = {"<>", "<User@Receiver.EXAMPLE>", "<x@second.example>"};
  auto r = make_report_record(d, &spf, dkim, IpAddress::parse("::ffff:192.0.2.1").value(),
                              std::string("<Bounce@Bounce.Example.ORG>"), rcpt,
                              TimePoint(std::chrono::seconds(1700000000)));
  ASSERT_TRUE(r);
  EXPECT_EQ(to_unix(r->time), 1700000000);
  EXPECT_EQ(r->source_ip, "192.0.2.1");  // IPv4-mapped made IPv4
  EXPECT_EQ(r->header_from, "example.com");
  EXPECT_EQ(r->envelope_from, "bounce.example.org");
  EXPECT_EQ(r->envelope_to, "receiver.example");
  EXPECT_EQ(r->policy.domain, "example.com");
  EXPECT_EQ(r->policy.p, Policy::Reject);
  EXPECT_EQ(r->policy.sp, Policy::Quarantine);
  EXPECT_EQ(r->policy.adkim, AlignmentMode::Strict);
  EXPECT_EQ(r->policy.fo, "1:d");
  EXPECT_EQ(r->policy.rua, std::vector<std::string>{"mailto:agg@example.com"});
  EXPECT_EQ(r->policy.ruf, std::vector<std::string>{"mailto:f@example.com"});
  EXPECT_EQ(r->policy.errors, std::vector<std::string>{"unknown tag foo="});
  EXPECT_EQ(r->result, Result::Fail);
  EXPECT_EQ(r->disposition, Policy::Reject);
  EXPECT_TRUE(r->overrides.empty());  // the policy was applied as published
  ASSERT_TRUE(r->spf);
  EXPECT_EQ(*r->spf, (ReportSpf{"bounce.example.org", true, "softfail"}));
  ASSERT_EQ(r->dkim.size(), 1u);
  EXPECT_EQ(r->dkim[0], (ReportDkim{"example.com", "Sel", "fail"}));
}

TEST(MakeReportRecord, NullReversePathAndUnknownClient) {
  auto r = make_report_record(failing_verdict(), nullptr, {}, std::nullopt, std::string("<>"), {},
                              TimePoint{});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->envelope_from, std::optional<std::string>(""));
  EXPECT_EQ(r->envelope_to, std::nullopt);
  EXPECT_EQ(r->source_ip, "");
  EXPECT_FALSE(r->spf);
}

TEST(MakeReportRecord, AFailNotAppliedAsPublishedCarriesAReason) {
  DmarcResult tested = failing_verdict();
  tested.record->testing = true;
  tested.policy = Policy::Quarantine;  // t=y lowered reject one level
  tested.disposition = Policy::Quarantine;
  auto r = make_report_record(tested, nullptr, {}, std::nullopt, std::nullopt, {}, TimePoint{});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->overrides, std::vector<OverrideReason>{OverrideReason::PolicyTestMode});

  DmarcResult local = failing_verdict();
  local.disposition = Policy::None;
  r = make_report_record(local, nullptr, {}, std::nullopt, std::nullopt, {}, TimePoint{});
  EXPECT_EQ(r->overrides, std::vector<OverrideReason>{OverrideReason::Other});

  DmarcResult forwarded = failing_verdict();
  forwarded.disposition = Policy::None;
  forwarded.overrides = {OverrideReason::TrustedForwarder};
  r = make_report_record(forwarded, nullptr, {}, std::nullopt, std::nullopt, {}, TimePoint{});
  EXPECT_EQ(r->overrides, std::vector<OverrideReason>{OverrideReason::TrustedForwarder});
}

TEST(MakeReportRecord, AtMostOneHundredSignaturesPassesFirst) {
  std::vector<dkim::DkimResult> dkim(120);
  for (std::size_t i = 0; i < dkim.size(); ++i) {
    dkim[i].domain = "d" + std::to_string(i) + ".example";
    dkim[i].result = i >= 110 ? dkim::Result::Pass : dkim::Result::Fail;
  }
  auto r = make_report_record(failing_verdict(), nullptr, dkim, std::nullopt, std::nullopt, {},
                              TimePoint{});
  ASSERT_EQ(r->dkim.size(), 100u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(r->dkim[i].result, "pass");
  EXPECT_EQ(r->dkim[10].domain, "d0.example");
}

TEST(ReportCodes, ListsKeepAnyBytes) {
  using namespace report_codes;
  const std::vector<std::vector<std::string>> items = {
      {"a b", "c,d", "100%"}, {"", "\n\t\x01"}, {"plain"}};
  EXPECT_EQ(decode_list(encode_list(items)), items);
  EXPECT_EQ(decode_words(encode_words({"mailto:a@b", "mailto:c%2Cd@e"})),
            (std::vector<std::string>{"mailto:a@b", "mailto:c%2Cd@e"}));
  EXPECT_TRUE(decode_list("").empty());
  for (auto p : {Policy::None, Policy::Quarantine, Policy::Reject})
    EXPECT_EQ(parse_policy(word(p)), p);
  for (auto o : {OverrideReason::LocalPolicy, OverrideReason::MailingList, OverrideReason::Other,
                 OverrideReason::PolicyTestMode, OverrideReason::TrustedForwarder})
    EXPECT_EQ(parse_override(word(o)), o);
  EXPECT_EQ(word(OverrideReason::PolicyTestMode), "policy_test_mode");
  EXPECT_FALSE(parse_policy("sampled_out"));
}

}  // namespace
}  // namespace auth::dmarc
