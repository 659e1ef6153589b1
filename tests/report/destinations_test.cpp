// The external destination check (RFC 9990 §4) and report URI parsing.
#include <auth/report.hpp>

#include <gtest/gtest.h>

#include "report_test_support.hpp"

namespace auth::dmarc {
namespace {

// Stands in for the evaluator's Organizational Domain in these unit tests: the last two labels
// (every name here is under a two-label registered domain).
std::string last_two_labels(std::string_view name) {
  const auto last = name.rfind('.');
  if (last == std::string_view::npos || last == 0) return std::string(name);
  const auto second = name.rfind('.', last - 1);
  return std::string(second == std::string_view::npos ? name : name.substr(second + 1));
}

class Destinations : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zone = dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/report/report.zone");
    ASSERT_TRUE(zone) << zone.error().message;
    resolver_ = std::move(*zone);
  }
  std::vector<Destination> check(std::vector<std::string> uris,
                                 ReportKind kind = ReportKind::Aggregate,
                                 std::string policy_domain = "example.com") {
    return check_destinations(*resolver_, last_two_labels, policy_domain, uris, kind);
  }
  std::unique_ptr<dns::ZoneResolver> resolver_;
};

TEST(ReportUri, MailtoTakenApart) {
  const ReportUri u = parse_report_uri(" mailto:Dmarc%2BRUA@Example.COM!10m ");
  EXPECT_EQ(u.scheme, "mailto");
  EXPECT_EQ(u.uri, "mailto:Dmarc%2BRUA@Example.COM");
  EXPECT_EQ(u.address, "Dmarc+RUA@Example.COM");
  EXPECT_EQ(u.host, "example.com");
  const ReportUri h = parse_report_uri("https://user@reports.example.org:8443/dmarc");
  EXPECT_EQ(h.scheme, "https");
  EXPECT_TRUE(h.address.empty());
  EXPECT_EQ(h.host, "reports.example.org");
  EXPECT_TRUE(parse_report_uri("mailto:no-at-sign").address.empty());
}

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
  EXPECT_EQ(other[0].detail, "no v=DMARC1 record at example.org._report._dmarc.thirdparty.example");
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
  EXPECT_NE(d[0].detail.find("names another host"), std::string::npos);
}

TEST_F(Destinations, MissingNonDmarcFailingAndTooLongNames) {
  const std::string long_label(60, 'a');
  const auto d = check({"mailto:r@unknown.example", "mailto:r@junk.example", "mailto:r@broken.example",
                        "https://reports.example.net/x",
                        "mailto:r@" + long_label + "." + long_label + "." + long_label + "." + long_label + ".example"});
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].status, DestinationStatus::NotAuthorized);
  EXPECT_EQ(d[1].status, DestinationStatus::NotAuthorized);
  EXPECT_EQ(d[2].status, DestinationStatus::TempError);
  EXPECT_EQ(d[3].status, DestinationStatus::NotMailto);
  EXPECT_EQ(d[4].status, DestinationStatus::NameTooLong);
}

TEST_F(Destinations, DuplicatesAreCheckedOnce) {
  const auto d = check({"mailto:a@example.com", "mailto:a@example.com"});
  EXPECT_EQ(d.size(), 1u);
}

}  // namespace
}  // namespace auth::dmarc
