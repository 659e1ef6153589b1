// Received-SPF (RFC 7208 §9.1) and the Authentication-Results spf method (RFC 8601).
#include <gtest/gtest.h>

#include <auth/spf.hpp>

#include "fake_resolver.hpp"  // PrintTo(Result)

namespace auth::spf {
namespace {

SpfResult sample(Result result) {
  SpfResult r;
  r.result = result;
  r.identity = Identity::MailFrom;
  r.domain = "example.com";
  r.sender = "alice@example.com";
  r.ip = IpAddress::parse("192.0.2.1").value();
  r.helo = "mail.example.com";
  r.mechanism = "ip4:192.0.2.0/24";
  return r;
}

TEST(SpfOutput, ResultNames) {
  EXPECT_EQ(to_string(Result::None), "none");
  EXPECT_EQ(to_string(Result::Neutral), "neutral");
  EXPECT_EQ(to_string(Result::Pass), "pass");
  EXPECT_EQ(to_string(Result::Fail), "fail");
  EXPECT_EQ(to_string(Result::SoftFail), "softfail");
  EXPECT_EQ(to_string(Result::TempError), "temperror");
  EXPECT_EQ(to_string(Result::PermError), "permerror");
}

TEST(SpfOutput, ReceivedSpfPass) {
  EXPECT_EQ(
      received_spf(sample(Result::Pass), "mx.example.org"),
      "pass (mx.example.org: domain of alice@example.com designates 192.0.2.1 as permitted "
      "sender) client-ip=192.0.2.1; envelope-from=\"alice@example.com\"; helo=mail.example.com; "
      "receiver=mx.example.org; identity=mailfrom; mechanism=\"ip4:192.0.2.0/24\"");
}

TEST(SpfOutput, ReceivedSpfQuotesAndEscapes) {
  auto r = sample(Result::PermError);
  r.sender = "\"odd (local)\"@example.com";
  r.mechanism.clear();
  r.reason = "unknown mechanism 'moo'";
  EXPECT_EQ(
      received_spf(r, "mx.example.org"),
      "permerror (mx.example.org: permanent error in SPF policy of example.com: unknown "
      "mechanism 'moo') client-ip=192.0.2.1; envelope-from=\"\\\"odd (local)\\\"@example.com\"; "
      "helo=mail.example.com; receiver=mx.example.org; identity=mailfrom; "
      "problem=\"unknown mechanism 'moo'\"");
  r.result = Result::Neutral;
  r.reason = "a (b) \\ c";
  r.sender = "alice@example.com";
  EXPECT_EQ(
      received_spf(r, "mx"),
      "neutral (mx: 192.0.2.1 is neither permitted nor denied by domain of alice@example.com) "
      "client-ip=192.0.2.1; envelope-from=\"alice@example.com\"; helo=mail.example.com; "
      "receiver=mx; identity=mailfrom");
}

TEST(SpfOutput, ReceivedSpfHeloIdentityAndIpv6) {
  auto r = sample(Result::Fail);
  r.identity = Identity::Helo;
  r.ip = IpAddress::parse("2001:db8::1").value();
  r.mechanism = "-all";
  EXPECT_EQ(received_spf(r, "mx.example.org"),
            "fail (mx.example.org: domain of mail.example.com does not designate 2001:db8::1 as "
            "permitted sender) client-ip=\"2001:db8::1\"; helo=mail.example.com; "
            "receiver=mx.example.org; identity=helo; mechanism=-all");
}

TEST(SpfOutput, MethodResultForMailFromAndHelo) {
  auto m = to_method_result(sample(Result::Pass));
  EXPECT_EQ(m.method, "spf");
  EXPECT_EQ(m.result, "pass");
  EXPECT_TRUE(m.reason.empty());
  ASSERT_EQ(m.properties.size(), 1u);
  EXPECT_EQ(m.properties[0], (authres::Property{"smtp", "mailfrom", "alice@example.com", {}}));

  auto helo = sample(Result::TempError);
  helo.identity = Identity::Helo;
  helo.reason = "DNS timeout for example.com";
  m = to_method_result(helo);
  EXPECT_EQ(m.result, "temperror");
  EXPECT_EQ(m.reason, "DNS timeout for example.com");
  ASSERT_EQ(m.properties.size(), 1u);
  EXPECT_EQ(m.properties[0], (authres::Property{"smtp", "helo", "mail.example.com", {}}));
}

}  // namespace
}  // namespace auth::spf
