// The administrator's record check and external report destinations (RFC 9990 §4, RFC 9989
// Appendix B.2.3 and B.2.4), over testdata/dmarc/reports.zone and treewalk.zone.
#include <gtest/gtest.h>

#include <algorithm>

#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

using test::Zone;

bool has(const std::vector<std::string>& warnings, std::string_view part) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

ReportUri mailto(std::string address) {
  return parse_record("v=DMARC1; rua=mailto:" + address).value().rua.at(0);
}

class Reports : public ::testing::Test {
 protected:
  Zone zone{"reports.zone"};
  Evaluator evaluator{zone.dns};
};

TEST_F(Reports, SameOrganizationNeedsNoCheck) {
  const auto d =
      evaluator.authorize_report_uri("example.com", mailto("dmarc-feedback@example.com"));
  EXPECT_EQ(d.authorization, ReportAuthorization::SameOrganization);
  EXPECT_TRUE(d.query.empty());
  // A subdomain's host in the same organization.
  EXPECT_EQ(evaluator.authorize_report_uri("a.example.com", mailto("r@reports.example.com"))
                .authorization,
            ReportAuthorization::SameOrganization);
}

TEST_F(Reports, AppendixB24Override) {
  auto d = evaluator.authorize_report_uri("example.com", mailto("agg@thirdparty.example.net"));
  EXPECT_EQ(d.authorization, ReportAuthorization::Authorized);
  EXPECT_EQ(d.query, "example.com._report._dmarc.thirdparty.example.net");
  ASSERT_EQ(d.replacements.size(), 1u);
  EXPECT_EQ(d.replacements[0].address, "aggregate-reports@thirdparty.example.net");
  d = evaluator.authorize_report_uri("example.com", mailto("auth-reports@thirdparty.example.net"),
                                     true);
  ASSERT_EQ(d.replacements.size(), 1u);
  EXPECT_EQ(d.replacements[0].address, "failure-reports@thirdparty.example.net");
}

TEST_F(Reports, MissingAuthorizationRedirectionWildcardAndTimeout) {
  auto d = evaluator.authorize_report_uri("example.com", mailto("x@nowhere.example.org"));
  EXPECT_EQ(d.authorization, ReportAuthorization::NotAuthorized);
  EXPECT_EQ(d.reason,
            "nowhere.example.org does not authorize reports for example.com: no v=DMARC1 TXT "
            "record at example.com._report._dmarc.nowhere.example.org");
  d = evaluator.authorize_report_uri("redirect.example", mailto("r@loop.example.org"));
  EXPECT_EQ(d.authorization, ReportAuthorization::NotAuthorized);
  EXPECT_TRUE(d.replacements.empty());
  EXPECT_NE(d.reason.find("redirects reports to another host (victim.example)"), std::string::npos);
  d = evaluator.authorize_report_uri("wild.example", mailto("r@any.example.org"));
  EXPECT_EQ(d.authorization, ReportAuthorization::Authorized);
  d = evaluator.authorize_report_uri("slowcheck.example", mailto("r@slow.example.org"));
  EXPECT_EQ(d.authorization, ReportAuthorization::TempError);
  EXPECT_EQ(d.reason,
            "DNS timeout looking up TXT slowcheck.example._report._dmarc.slow.example.org");
  ReportUri no_host;
  no_host.uri = "mailto:nobody";
  no_host.scheme = "mailto";
  EXPECT_EQ(evaluator.authorize_report_uri("example.com", no_host).authorization,
            ReportAuthorization::NotAuthorized);
}

TEST_F(Reports, RecordCheckListsDestinationsAndWarnings) {
  const auto c = evaluator.check_record("example.com");
  ASSERT_TRUE(c.discovery.record);
  EXPECT_EQ(c.discovery.policy_domain, "example.com");
  EXPECT_EQ(c.policy, Policy::None);
  ASSERT_EQ(c.rua.size(), 2u);
  EXPECT_EQ(c.rua[0].authorization, ReportAuthorization::SameOrganization);
  EXPECT_EQ(c.rua[1].authorization, ReportAuthorization::Authorized);
  ASSERT_EQ(c.ruf.size(), 2u);
  EXPECT_EQ(c.ruf[0].authorization, ReportAuthorization::Authorized);
  EXPECT_EQ(c.ruf[1].authorization, ReportAuthorization::NotAuthorized);
  EXPECT_TRUE(has(c.warnings,
                  "ruf= URI mailto:x@nowhere.example.org: nowhere.example.org does "
                  "not authorize reports for example.com"));
  EXPECT_EQ(c.warnings.size(), 1u);
}

TEST(RecordCheck, PolicyWarningsAndPsdAgainstTheList) {
  Zone zone("treewalk.zone");
  EvaluatorOptions options;
  options.psl = PublicSuffixList::from_string("example\npsd.example\nco.psd.example\n").value();
  Evaluator evaluator(zone.dns, {}, options);
  // co.psd.example is on this list: psd=y there is right; psd=n at own.brand... is right too.
  auto c = evaluator.check_record("x.own.brand.co.psd.example");
  EXPECT_FALSE(has(c.warnings, "psd="));
  EXPECT_EQ(c.requested_policy, Policy::Quarantine);
  // forgot.example is a suffix by the list, so its psd=u is not flagged but psd=n below it is fine;
  // dup.multi.example: two records discarded.
  c = evaluator.check_record("dup.multi.example");
  EXPECT_TRUE(has(c.warnings, "2 DMARC records at _dmarc.dup.multi.example"));
  EXPECT_EQ(c.domain_exists, true);  // _dmarc.dup.multi.example answered: the name exists
  // psd=y on a name the list does not call a suffix.
  options.psl = PublicSuffixList::from_string("example\n").value();
  Evaluator other(zone.dns, {}, options);
  c = other.check_record("shop.nobrand.co.psd.example");
  EXPECT_TRUE(has(c.warnings,
                  "psd=y at _dmarc.co.psd.example, but co.psd.example is not a "
                  "public suffix on the public suffix list"));
  EXPECT_EQ(c.domain_exists, true);
  EXPECT_EQ(c.requested_policy, Policy::Quarantine);  // sp of the PSD record
  options.psl =
      PublicSuffixList::from_string("example\nbrand.co.psd.example\nown.brand.co.psd.example\n")
          .value();
  Evaluator third(zone.dns, {}, options);
  c = third.check_record("own.brand.co.psd.example");
  EXPECT_TRUE(has(c.warnings,
                  "psd=n at _dmarc.own.brand.co.psd.example, but "
                  "own.brand.co.psd.example is a public suffix"));
}

TEST(RecordCheck, NonExistentDomainGetsNp) {
  Zone zone("treewalk.zone");
  Evaluator evaluator(zone.dns);
  const auto c = evaluator.check_record("ghost.nobrand.co.psd.example");
  EXPECT_EQ(c.discovery.policy_domain, "co.psd.example");
  EXPECT_EQ(c.domain_exists, false);
  EXPECT_EQ(c.requested_policy, Policy::Reject);  // np=reject
}

TEST(RecordCheck, MissingPolicyAndInvalidValues) {
  Zone zone("policy.zone");
  Evaluator evaluator(zone.dns);
  auto c = evaluator.check_record("norua.example");
  EXPECT_TRUE(has(c.warnings, "_dmarc.norua.example: no p= tag"));
  EXPECT_TRUE(has(c.warnings, "the record does not apply"));
  EXPECT_FALSE(c.policy);
  c = evaluator.check_record("rua.example");
  EXPECT_TRUE(has(c.warnings, "invalid value 'bogus' for p= ignored"));
  EXPECT_TRUE(has(c.warnings, "counts as p=none"));
  EXPECT_EQ(c.policy, Policy::None);
  c = evaluator.check_record("test.example");
  EXPECT_EQ(c.requested_policy, Policy::Reject);
  EXPECT_EQ(c.policy, Policy::Quarantine);
  c = evaluator.check_record("servfail.example");
  EXPECT_TRUE(c.discovery.temporary_failure);
  EXPECT_TRUE(has(c.warnings, "DNS SERVFAIL looking up TXT _dmarc.servfail.example"));
}

}  // namespace
}  // namespace auth::dmarc
