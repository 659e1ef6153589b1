#include <auth/ip_address.hpp>

#include <gtest/gtest.h>

namespace auth {
namespace {

TEST(IpAddress, ParsesAndFormatsIpv4) {
  auto ip = IpAddress::parse("192.0.2.10");
  ASSERT_TRUE(ip.has_value());
  EXPECT_TRUE(ip->is_v4());
  EXPECT_EQ(ip->str(), "192.0.2.10");
  EXPECT_EQ(ip->reverse_name(), "10.2.0.192.in-addr.arpa");
  EXPECT_EQ(ip->spf_dotted(), "192.0.2.10");
}

TEST(IpAddress, RejectsMalformedAddresses) {
  EXPECT_FALSE(IpAddress::parse("192.0.2").has_value());
  EXPECT_FALSE(IpAddress::parse("192.0.2.256").has_value());
  EXPECT_FALSE(IpAddress::parse("1.2.3.4.5").has_value());
  EXPECT_FALSE(IpAddress::parse("").has_value());
  EXPECT_FALSE(IpAddress::parse("2001:db8::1::2").has_value());
  EXPECT_FALSE(IpAddress::parse("example.com").has_value());
}

TEST(IpAddress, ParsesIpv6InCanonicalForm) {
  auto ip = IpAddress::parse("2001:DB8:0:0:0:0:0:1");
  ASSERT_TRUE(ip.has_value());
  EXPECT_FALSE(ip->is_v4());
  EXPECT_EQ(ip->str(), "2001:db8::1");
  EXPECT_EQ(ip->reverse_name(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  EXPECT_EQ(ip->spf_dotted(), "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1");
}

TEST(IpAddress, MappedIpv4BecomesIpv4) {
  auto ip = IpAddress::parse("::ffff:192.0.2.1");
  ASSERT_TRUE(ip.has_value());
  EXPECT_FALSE(ip->is_v4());
  EXPECT_EQ(ip->unmapped(), *IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->unmapped(), *IpAddress::parse("2001:db8::1"));
}

TEST(IpAddress, CidrMatching) {
  const auto ip = *IpAddress::parse("192.0.2.130");
  EXPECT_TRUE(ip.in_network(*IpAddress::parse("192.0.2.128"), 25));
  EXPECT_FALSE(ip.in_network(*IpAddress::parse("192.0.2.0"), 25));
  EXPECT_TRUE(ip.in_network(*IpAddress::parse("10.0.0.0"), 0));
  EXPECT_TRUE(ip.in_network(ip, 32));
  EXPECT_FALSE(ip.in_network(*IpAddress::parse("192.0.2.131"), 32));
  EXPECT_FALSE(ip.in_network(*IpAddress::parse("::"), 0));  // families never match
  const auto v6 = *IpAddress::parse("2001:db8:1234::1");
  EXPECT_TRUE(v6.in_network(*IpAddress::parse("2001:db8::"), 32));
  EXPECT_FALSE(v6.in_network(*IpAddress::parse("2001:db8::"), 48));
  EXPECT_TRUE(v6.in_network(*IpAddress::parse("2001:db8:1230::"), 44));
}

}  // namespace
}  // namespace auth
