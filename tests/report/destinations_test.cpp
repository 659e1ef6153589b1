// The external destination check (RFC 9990 §4) and report URI parsing.
#include <auth/report.hpp>

#include <gtest/gtest.h>

#include "report_test_support.hpp"

namespace auth::dmarc {
namespace {

class Destinations : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zone =
        dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/report/report.zone");
    ASSERT_TRUE(zone) << zone.error().message;
    resolver_ = std::move(*zone);
    evaluator_ = std::make_unique<Evaluator>(*resolver_);
  }
  std::vector<Destination> check(std::vector<std::string> uris,
                                 ReportKind kind = ReportKind::Aggregate,
                                 std::string policy_domain = "example.com") {
    return check_destinations(*evaluator_, policy_domain, uris, kind);
  }
  std::unique_ptr<dns::ZoneResolver> resolver_;
  std::unique_ptr<Evaluator> evaluator_;
};

TEST_F(Destinations, SameOrganizationalDomainNeedsNoRecord) {
  const auto d = check({"mailto:agg@example.com", "mailto:agg@mail.example.com"});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].status, DestinationStatus::Authorized);
  EXPECT_EQ(d[1].status, DestinationStatus::Authorized);
}

TEST_F(Destinations, WildcardAuthorizationWorksForAnyPolicyDomain) {
  for (const char* domain : {"example.com", "bar.example.org", "x.y.example.edu"}) {
    const auto d = check({"mailto:dmarc@reports.example.net"}, ReportKind::Aggregate, domain);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].status, DestinationStatus::Authorized) << domain << ": " << d[0].detail;
    EXPECT_EQ(d[0].uri.address, "dmarc@reports.example.net");
  }
}

TEST_F(Destinations, AuthorizationIsPerPolicyDomain) {
  EXPECT_EQ(check({"mailto:r@thirdparty.example"})[0].status, DestinationStatus::Authorized);
  const auto other = check({"mailto:r@thirdparty.example"}, ReportKind::Aggregate, "example.org");
  EXPECT_EQ(other[0].status, DestinationStatus::NotAuthorized);
  EXPECT_NE(other[0].detail.find(
                "no v=DMARC1 TXT record at example.org._report._dmarc.thirdparty.example"),
            std::string::npos)
      << other[0].detail;
}

TEST_F(Destinations, ARecordOnTheSameHostReplacesTheUri) {
  auto d = check({"mailto:r@replace.example"});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].status, DestinationStatus::Authorized);
  EXPECT_EQ(d[0].uri.address, "other-box@replace.example");
  d = check({"mailto:r@replace.example"}, ReportKind::Failure);  // ruf= for failure reports
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].uri.address, "ruf-box@replace.example");
}

TEST_F(Destinations, ARecordNamingAnotherHostAuthorizesNeither) {
  const auto d = check({"mailto:r@elsewhere.example"});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].status, DestinationStatus::NotAuthorized);
  EXPECT_NE(d[0].detail.find("redirects reports to another host"), std::string::npos)
      << d[0].detail;
}

TEST_F(Destinations, MissingNonDmarcFailingAndTooLongNames) {
  const std::string long_label(60, 'a');
  const auto d = check({"mailto:r@unknown.example", "mailto:r@junk.example",
                        "mailto:r@broken.example", "https://reports.example.net/x",
                        "mailto:r@" + long_label + "." + long_label + "." + long_label + "." +
                            long_label + ".example"});
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].status, DestinationStatus::NotAuthorized);
  EXPECT_EQ(d[1].status, DestinationStatus::NotAuthorized);
  EXPECT_EQ(d[2].status, DestinationStatus::TempError);
  EXPECT_EQ(d[3].status, DestinationStatus::NotMailto);
  EXPECT_EQ(d[4].status, DestinationStatus::NotAuthorized);
  EXPECT_NE(d[4].detail.find("too long for DNS"), std::string::npos) << d[4].detail;
}

TEST_F(Destinations, UnparsableAndAddresslessUrisAreRefused) {
  const auto d = check({"mailto:a,b@example.com", "mailto:no-at-sign"});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].status, DestinationStatus::NotAuthorized);
  EXPECT_EQ(d[1].status, DestinationStatus::NotAuthorized);
  EXPECT_EQ(d[1].detail, "no address in the URI");
}

TEST_F(Destinations, DuplicatesAreCheckedOnce) {
  const auto d = check({"mailto:a@example.com", "mailto:a@example.com"});
  EXPECT_EQ(d.size(), 1u);
}

}  // namespace
}  // namespace auth::dmarc
