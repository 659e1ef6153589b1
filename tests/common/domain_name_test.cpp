#include <auth/domain_name.hpp>

#include <gtest/gtest.h>

#include <string>

namespace auth {
namespace {

TEST(DomainName, LowersAndDropsTrailingDot) {
  auto d = DomainName::parse("Mail.Example.COM.");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->str(), "mail.example.com");
  EXPECT_EQ(d->label_count(), 3u);
  ASSERT_EQ(d->labels().size(), 3u);
  EXPECT_EQ(d->labels()[0], "mail");
}

TEST(DomainName, AcceptsServiceLabelsAndULabels) {
  EXPECT_TRUE(DomainName::parse("sel._domainkey.example.com").has_value());
  EXPECT_TRUE(DomainName::parse("_dmarc.example.org").has_value());
  EXPECT_TRUE(DomainName::parse("b\xC3\xBC\x63her.example").has_value());
}

TEST(DomainName, RejectsMalformedNames) {
  EXPECT_FALSE(DomainName::parse("").has_value());
  EXPECT_FALSE(DomainName::parse(".").has_value());
  EXPECT_FALSE(DomainName::parse("a..b").has_value());
  EXPECT_FALSE(DomainName::parse(".example.com").has_value());
  EXPECT_FALSE(DomainName::parse("exa mple.com").has_value());
  EXPECT_FALSE(DomainName::parse("exa@mple.com").has_value());
  EXPECT_FALSE(DomainName::parse(std::string(64, 'a') + ".com").has_value());
  EXPECT_TRUE(DomainName::parse(std::string(63, 'a') + ".com").has_value());
}

TEST(DomainName, LengthLimitIs253Octets) {
  std::string name;
  while (name.size() < 253) name += "abcdefghi.";
  name.resize(253);
  if (name.back() == '.') name.back() = 'x';
  EXPECT_TRUE(DomainName::parse(name).has_value());
  EXPECT_FALSE(DomainName::parse(name + "x").has_value());
  auto err = DomainName::parse(name + "x").error();
  EXPECT_EQ(err.code, ErrorCode::Syntax);
  EXPECT_NE(err.message.find("253"), std::string::npos);
}

TEST(DomainName, SubdomainIsLabelWise) {
  const auto parent = *DomainName::parse("example.com");
  EXPECT_TRUE(DomainName::parse("example.com")->is_subdomain_of(parent));
  EXPECT_TRUE(DomainName::parse("MAIL.example.com")->is_subdomain_of(parent));
  EXPECT_TRUE(DomainName::parse("a.b.example.com")->is_subdomain_of(parent));
  EXPECT_FALSE(DomainName::parse("badexample.com")->is_subdomain_of(parent));
  EXPECT_FALSE(DomainName::parse("com")->is_subdomain_of(parent));
  EXPECT_FALSE(parent.is_subdomain_of(*DomainName::parse("mail.example.com")));
}

TEST(DomainName, ParentAndEquality) {
  const auto d = *DomainName::parse("a.Example.com");
  EXPECT_EQ(d.parent().str(), "example.com");
  EXPECT_EQ(d.parent().parent().str(), "com");
  EXPECT_EQ(d.parent().parent().parent().str(), "com");
  EXPECT_EQ(*DomainName::parse("EXAMPLE.com"), *DomainName::parse("example.COM."));
}

TEST(CaseInsensitive, IequalsAndToLower) {
  EXPECT_TRUE(iequals("DKIM-Signature", "dkim-signature"));
  EXPECT_FALSE(iequals("From", "Fro"));
  EXPECT_FALSE(iequals("From", "Frnm"));
  EXPECT_EQ(to_lower("AbC-1"), "abc-1");
}

}  // namespace
}  // namespace auth
