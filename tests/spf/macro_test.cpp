#include "spf/macro.hpp"

#include <gtest/gtest.h>

#include <auth/domain_name.hpp>

namespace auth::spf {
namespace {

// RFC 7208 §7.4: sender strong-bad@email.example.com, client 192.0.2.3.
MacroValues rfc_values(std::string_view ip = "192.0.2.3") {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.helo = "mx.example.org";
  v.receiving_host = "mx.example.net";
  v.ip = IpAddress::parse(ip).value();
  v.timestamp = 1700000000;
  v.validated_name = [] { return std::string("mx.example.org"); };
  return v;
}

std::string expanded(std::string_view text, const MacroValues& v,
                     MacroContext context = MacroContext::DomainSpec) {
  auto r = expand(text, context, v);
  return r ? *r : "<error: " + r.error().message + ">";
}

struct Example {
  const char* macro;
  const char* expansion;
};

class SpfMacroRfcExample : public ::testing::TestWithParam<Example> {};

TEST_P(SpfMacroRfcExample, ExpandsAsRfc7208Section7_4) {
  EXPECT_EQ(expanded(GetParam().macro, rfc_values()), GetParam().expansion);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7208, SpfMacroRfcExample,
    ::testing::Values(
        Example{"%{s}", "strong-bad@email.example.com"}, Example{"%{o}", "email.example.com"},
        Example{"%{d}", "email.example.com"}, Example{"%{d4}", "email.example.com"},
        Example{"%{d3}", "email.example.com"}, Example{"%{d2}", "example.com"},
        Example{"%{d1}", "com"}, Example{"%{dr}", "com.example.email"},
        Example{"%{d2r}", "example.email"}, Example{"%{l}", "strong-bad"},
        Example{"%{l-}", "strong.bad"}, Example{"%{lr}", "strong-bad"},
        Example{"%{lr-}", "bad.strong"}, Example{"%{l1r-}", "strong"},
        Example{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
        Example{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
        Example{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
                "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
        Example{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
        Example{"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"}));

TEST(SpfMacro, Ipv6ClientExpandsToNibbles) {
  // §7.4's IPv6 example. Nibbles are written upper case (as the OpenSPF suite's explanations
  // expect); DNS compares names case-insensitively, so the query is the RFC's.
  const auto v = rfc_values("2001:db8::cb01");
  const std::string got = expanded("%{ir}.%{v}._spf.%{d2}", v);
  EXPECT_TRUE(iequals(
      got, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"))
      << got;
  EXPECT_EQ(expanded("%{c}", v, MacroContext::Explanation), "2001:db8::cb01");
  EXPECT_EQ(expanded("%{v}", v), "ip6");
}

TEST(SpfMacro, EscapesAndUrlEncoding) {
  auto v = rfc_values();
  EXPECT_EQ(expanded("a%%b%_c%-d", v), "a%b c%20d");
  v.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(expanded("%{L}", v), "~jack%26jill%3Dup-a_b3.c");
  EXPECT_EQ(expanded("%{l}", v), "~jack&jill=up-a_b3.c");
  EXPECT_EQ(expanded("%{D2}", v), "example.com");
}

TEST(SpfMacro, MultipleDelimitersReverseAndCount) {
  auto v = rfc_values();
  v.local_part = "foo-bar+zip+quux";
  EXPECT_EQ(expanded("%{l2r+-}", v), "bar.foo");
  EXPECT_EQ(expanded("%{l+-}", v), "foo.bar.zip.quux");
  EXPECT_EQ(expanded("%{l100}", v), "foo-bar+zip+quux");
  EXPECT_EQ(expanded("%{d99999999999}", v), "email.example.com");  // huge counts keep all parts
}

TEST(SpfMacro, ExplanationOnlyLettersAndSpaces) {
  const auto v = rfc_values();
  EXPECT_EQ(expanded("%{c} via %{r} at %{t}", v, MacroContext::Explanation),
            "192.0.2.3 via mx.example.net at 1700000000");
  EXPECT_EQ(expanded("from %{p} (%{h})", v, MacroContext::Explanation),
            "from mx.example.org (mx.example.org)");
  EXPECT_FALSE(expand("%{c}", MacroContext::DomainSpec, v).has_value());
  EXPECT_FALSE(expand("%{r}", MacroContext::DomainSpec, v).has_value());
  EXPECT_FALSE(expand("%{t}", MacroContext::DomainSpec, v).has_value());
  EXPECT_FALSE(expand("a b", MacroContext::DomainSpec, v).has_value());
  EXPECT_TRUE(
      check_macro_string("The %{s} is not allowed.", MacroContext::Explanation).has_value());
}

TEST(SpfMacro, InvalidMacrosAreSyntaxErrors) {
  const auto v = rfc_values();
  for (const char* bad :
       {"%", "%a", "%{", "%{d", "%{x}", "%{d0}", "%{d2r+x}", "%{dd}", "%(d)", "x\x80y", "%{}"}) {
    auto r = expand(bad, MacroContext::Explanation, v);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::Syntax);
  }
}

TEST(SpfMacro, DomainSpecEnd) {
  EXPECT_TRUE(check_domain_spec("example.com").has_value());
  EXPECT_TRUE(check_domain_spec("example.com.").has_value());
  EXPECT_TRUE(check_domain_spec("%{d}").has_value());
  EXPECT_TRUE(check_domain_spec("%{ir}.%{v}.%{d}").has_value());
  EXPECT_TRUE(check_domain_spec("x.123-456").has_value());  // dashed numeric toplabel
  EXPECT_FALSE(check_domain_spec("").has_value());
  EXPECT_FALSE(check_domain_spec("com").has_value());
  EXPECT_FALSE(check_domain_spec("a.123").has_value());
  EXPECT_FALSE(check_domain_spec("a.-com").has_value());
  EXPECT_FALSE(check_domain_spec("a.com-").has_value());
  EXPECT_FALSE(check_domain_spec("%{d}com").has_value());
}

TEST(SpfMacro, LongTargetNamesLoseLabelsFromTheLeft) {
  auto v = rfc_values();
  const std::string label(60, 'x');
  const std::string local = label + "." + label + "." + label + "." + label + "." + label;
  v.local_part = local;
  auto name = expand_domain("%{l}.example.com.", v);
  ASSERT_TRUE(name.has_value());
  EXPECT_LE(name->size(), 253u);
  // 316 octets: dropping one label leaves 255, still too long; two leave 194.
  EXPECT_EQ(*name, label + "." + label + "." + label + ".example.com");
  EXPECT_TRUE(is_queryable_name(*name));
}

TEST(SpfMacro, QueryableNames) {
  EXPECT_TRUE(is_queryable_name("example.com"));
  EXPECT_TRUE(is_queryable_name("macro%percent  space%20url-space.example.com"));
  EXPECT_FALSE(is_queryable_name(""));
  EXPECT_FALSE(is_queryable_name("mail.example...com"));
  EXPECT_FALSE(is_queryable_name(".example.com"));
  EXPECT_FALSE(is_queryable_name(std::string(64, 'a') + ".com"));
  EXPECT_TRUE(is_queryable_name(std::string(63, 'a') + ".com"));
}

// The local part of a quoted sender keeps its quotes (as pyspf, libspf2 and Mail::SPF expand
// it); transformers split it like any other value, and %{L} escapes the quotes.
TEST(SpfMacro, QuotedLocalPartKeepsItsQuotes) {
  auto v = rfc_values();
  v.sender = "\"a.b\"@example.com";
  v.local_part = "\"a.b\"";
  EXPECT_EQ(expanded("%{l}", v), "\"a.b\"");
  EXPECT_EQ(expanded("%{s}", v), "\"a.b\"@example.com");
  EXPECT_EQ(expanded("%{lr}", v), "b\".\"a");
  EXPECT_EQ(expanded("%{l1}", v), "b\"");
  EXPECT_EQ(expanded("%{L}", v), "%22a.b%22");
  EXPECT_EQ(expand_domain("%{l}.lp.%{d2}", v).value_or("<error>"), "\"a.b\".lp.example.com");
}

}  // namespace
}  // namespace auth::spf
