// RFC 7208 §4.6.4 limits, each tested at and over the bound, and through auth::Limits.
#include <gtest/gtest.h>

#include <auth/spf.hpp>

#include "fake_resolver.hpp"

namespace auth::spf {
namespace {

using test::FakeResolver;

IpAddress ip(std::string_view text) { return IpAddress::parse(text).value(); }

SpfResult check(FakeResolver& dns, std::string_view client, std::string_view sender,
                Limits limits = {}) {
  const auto clock = FixedClock::at_unix(0);
  return Checker(dns, limits, clock).check_mail_from(ip(client), sender, "helo.example");
}

// "v=spf1 a:h1.example ... a:hN.example ip4:192.0.2.1 -all" with every h name existing.
FakeResolver terms(unsigned n) {
  FakeResolver dns;
  std::string record = "v=spf1";
  for (unsigned i = 1; i <= n; ++i) {
    const std::string host = "h" + std::to_string(i) + ".example";
    record += " a:" + host;
    dns.address(host, "198.51.100.1");
  }
  dns.txt("example.com", record + " ip4:192.0.2.1 -all");
  return dns;
}

TEST(SpfLimits, TenDnsTermsPassElevenPermerror) {
  auto ten = terms(10);
  auto r = check(ten, "192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.lookups, 10u);
  auto eleven = terms(11);
  r = check(eleven, "192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.lookups, 11u);
  EXPECT_NE(r.reason.find("more than 10"), std::string::npos) << r.reason;
  // The bound comes from auth::Limits.
  Limits wide;
  wide.spf_dns_lookups = 11;
  EXPECT_EQ(check(eleven, "192.0.2.1", "a@example.com", wide).result, Result::Pass);
}

TEST(SpfLimits, IncludeChainsCountEveryTerm) {
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 include:i1.example -all");
  for (int i = 1; i <= 10; ++i)
    dns.txt("i" + std::to_string(i) + ".example",
            "v=spf1 include:i" + std::to_string(i + 1) + ".example");
  dns.txt("i11.example", "v=spf1 +all");
  const auto r = check(dns, "192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.lookups, 11u);
}

TEST(SpfLimits, TwoVoidLookupsAllowedThirdPermerror) {
  FakeResolver dns;
  dns.txt("two.example", "v=spf1 a:nx1.example mx:nx2.example ?all")
      .txt("three.example", "v=spf1 a:nx1.example mx:nx2.example exists:nx3.example ?all");
  auto r = check(dns, "192.0.2.1", "a@two.example");
  EXPECT_EQ(r.result, Result::Neutral);
  EXPECT_EQ(r.void_lookups, 2u);
  r = check(dns, "192.0.2.1", "a@three.example");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.void_lookups, 3u);
  Limits lenient;
  lenient.spf_void_lookups = 3;
  EXPECT_EQ(check(dns, "192.0.2.1", "a@three.example", lenient).result, Result::Neutral);
}

TEST(SpfLimits, TenMxHostsLookedUpEleventhPermerror) {
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 mx -all");
  for (std::uint16_t i = 0; i < 11; ++i) {
    const std::string host = "mx" + std::to_string(i) + ".example.com";
    dns.mx("example.com", i, host).address(host, "198.51.100." + std::to_string(i + 1));
  }
  // The tenth host (preference 9) matches before the limit.
  EXPECT_EQ(check(dns, "198.51.100.10", "a@example.com").result, Result::Pass);
  // Reaching the eleventh exceeds it.
  EXPECT_EQ(check(dns, "198.51.100.11", "a@example.com").result, Result::PermError);
  EXPECT_EQ(check(dns, "192.0.2.1", "a@example.com").result, Result::PermError);
}

TEST(SpfLimits, OnlyTenPtrNamesConsidered) {
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 ptr -all");
  for (int i = 1; i <= 10; ++i) {
    const std::string host = "h" + std::to_string(i) + ".elsewhere.example";
    dns.ptr("192.0.2.1", host).address(host, "192.0.2.1");
  }
  dns.ptr("192.0.2.1", "mail.example.com").address("mail.example.com", "192.0.2.1");
  EXPECT_EQ(check(dns, "192.0.2.1", "a@example.com").result, Result::Fail);
  Limits more;
  more.spf_ptr_names = 11;
  EXPECT_EQ(check(dns, "192.0.2.1", "a@example.com", more).result, Result::Pass);
}

}  // namespace
}  // namespace auth::spf
