#include "spf/record.hpp"

#include <gtest/gtest.h>

namespace auth::spf {
namespace {

TEST(SpfRecord, SelectsVersionCaseInsensitivelyFollowedBySpaceOrEnd) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf_record("V=SpF1 ~all"));
  EXPECT_FALSE(is_spf_record("v=spf10"));
  EXPECT_FALSE(is_spf_record("v=spf1mx"));
  EXPECT_FALSE(is_spf_record("v=spf"));
  EXPECT_FALSE(is_spf_record(" v=spf1 -all"));
  EXPECT_FALSE(is_spf_record("v=DMARC1; p=none"));
}

TEST(SpfRecord, ParsesEveryMechanismWithQualifiersAndCidrs) {
  auto r = parse_record(
      "v=spf1 +a -mx:mail.example.com/24 ~ptr ?ip4:192.0.2.0/24 ip6:2001:db8::/32 "
      "include:_spf.example.net exists:%{i}.bl.example.org a:x.example.com/28//64 MX//48 all");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->directives.size(), 10u);
  const auto& d = r->directives;
  EXPECT_EQ(d[0].kind, MechanismKind::A);
  EXPECT_EQ(d[0].qualifier, Qualifier::Pass);
  EXPECT_EQ(d[0].domain_spec, "");
  EXPECT_EQ(d[1].kind, MechanismKind::Mx);
  EXPECT_EQ(d[1].qualifier, Qualifier::Fail);
  EXPECT_EQ(d[1].domain_spec, "mail.example.com");
  EXPECT_EQ(d[1].cidr4, 24u);
  EXPECT_EQ(d[1].cidr6, 128u);
  EXPECT_EQ(d[2].kind, MechanismKind::Ptr);
  EXPECT_EQ(d[2].qualifier, Qualifier::SoftFail);
  EXPECT_EQ(d[3].kind, MechanismKind::Ip4);
  EXPECT_EQ(d[3].qualifier, Qualifier::Neutral);
  EXPECT_EQ(d[3].network, IpAddress::parse("192.0.2.0").value());
  EXPECT_EQ(d[3].cidr4, 24u);
  EXPECT_EQ(d[4].kind, MechanismKind::Ip6);
  EXPECT_EQ(d[4].cidr6, 32u);
  EXPECT_EQ(d[5].kind, MechanismKind::Include);
  EXPECT_EQ(d[5].domain_spec, "_spf.example.net");
  EXPECT_EQ(d[6].kind, MechanismKind::Exists);
  EXPECT_EQ(d[6].domain_spec, "%{i}.bl.example.org");
  EXPECT_EQ(d[7].cidr4, 28u);
  EXPECT_EQ(d[7].cidr6, 64u);
  EXPECT_EQ(d[7].domain_spec, "x.example.com");
  EXPECT_EQ(d[8].kind, MechanismKind::Mx);  // names are case-insensitive
  EXPECT_EQ(d[8].cidr4, 32u);
  EXPECT_EQ(d[8].cidr6, 48u);
  EXPECT_EQ(d[8].text, "MX//48");
  EXPECT_EQ(d[9].kind, MechanismKind::All);
  EXPECT_FALSE(r->redirect.has_value());
}

TEST(SpfRecord, ModifiersAnywhereUnknownOnesIgnored) {
  auto r =
      parse_record("v=spf1 redirect=_spf.example.com exp=why.%{d} -a moo.cow-far_out=man:dog/cat");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->directives.size(), 1u);
  EXPECT_EQ(r->redirect, "_spf.example.com");
  EXPECT_EQ(r->exp, "why.%{d}");
}

TEST(SpfRecord, ExtraSpacesAreAllowed) {
  auto r = parse_record("v=spf1  a   -all  ");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->directives.size(), 2u);
}

TEST(SpfRecord, DomainSpecAcceptsTrailingDotMacroEndAndDashedTopLabel) {
  for (const char* text : {"v=spf1 a:example.com.", "v=spf1 a:%{d}", "v=spf1 a:foo.%{d2}",
                           "v=spf1 a:foo.example.xn--zckzah", "v=spf1 a:foo:bar/baz.example.com",
                           "v=spf1 exists:%{l}.%%.%_.%-.example.com"}) {
    EXPECT_TRUE(parse_record(text).has_value()) << text;
  }
}

// Records come from DNS and reasons go to logs and headers: quoted terms are shown printable.
TEST(SpfRecord, ErrorsQuoteRecordBytesPrintably) {
  auto r = parse_record("v=spf1 ip4:192.0.2.1/3\r\nX-Evil: 1 -all");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message.find_first_of("\r\n"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("not visible ASCII"), std::string::npos) << r.error().message;
}

class SpfRecordSyntaxError : public ::testing::TestWithParam<const char*> {};

TEST_P(SpfRecordSyntaxError, IsRejected) {
  auto r = parse_record(GetParam());
  ASSERT_FALSE(r.has_value()) << GetParam();
  EXPECT_EQ(r.error().code, ErrorCode::Syntax);
  EXPECT_FALSE(r.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Records, SpfRecordSyntaxError,
    ::testing::Values("v=spf1 -all moo",  // unknown mechanism after all
                      "v=spf1 -all.", "v=spf1 -all:foo", "v=spf1 all/8", "v=spf1 a/33",
                      "v=spf1 a//129", "v=spf1 a/24/64", "v=spf1 ip4:1.2.3.4/032",
                      "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4:8080", "v=spf1 ip4:1.2.3.4//32",
                      "v=spf1 ip4", "v=spf1 ip6", "v=spf1 ip6::CAFE::BABE", "v=spf1 ip6:::1/129",
                      "v=spf1 ip4:::1", "v=spf1 ip6:1.2.3.4",
                      "v=spf1 a:", "v=spf1 include:", "v=spf1 include", "v=spf1 exists",
                      "v=spf1 exists:example.com/24", "v=spf1 include:example.com/24",
                      "v=spf1 ptr/0", "v=spf1 a:museum", "v=spf1 a:museum.", "v=spf1 a:abc.123",
                      "v=spf1 a:example.-com", "v=spf1 a:example.com:8080",
                      "v=spf1 redirect:example.com",  // redirect is a modifier
                      "v=spf1 redirect=a.example.com redirect=b.example.com",
                      "v=spf1 exp=a.example.com exp=b.example.com",
                      "v=spf1 exp=", "v=spf1 redirect=", "v=spf1 exp=-all", "v=spf1 1up=foo",
                      "v=spf1 =all", "v=spf1 foo=%abc", "v=spf1 moo.cow/far_out=man:dog/cat",
                      "v=spf1 a:%{c}.example.com", "v=spf1 a:%{r}.example.com",
                      "v=spf1 a:%{t}.example.com", "v=spf1 a:%{x}.example.com",
                      "v=spf1 a:%{d0}.example.com", "v=spf1 a:%{d}x", "v=spf1 a:foo%.example.com",
                      "v=spf1 a:%(ir).example.com", "v=spf1 a:example.com\rptr",
                      "v=spf1 ip4:192.0.2.5\n", "v=spf1 a:foo.example.com\t-all",
                      "v=spf1 \x80"
                      "a -all",
                      "v=spf1 +", "v=spf1 ax", "spf1 -all"));

TEST(SpfRecord, NulByteIsRejected) {
  const std::string text("v=spf1 a:foo.example.com\0", 25);
  EXPECT_FALSE(parse_record(text).has_value());
}

}  // namespace
}  // namespace auth::spf
