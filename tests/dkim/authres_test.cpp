#include <auth/dkim.hpp>

#include <gtest/gtest.h>

using namespace auth;
using namespace auth::dkim;

TEST(DkimAuthres, PassEntry) {
  DkimResult r;
  r.result = Result::Pass;
  r.domain = "football.example.com";
  r.selector = "brisbane";
  r.algorithm = "ed25519-sha256";
  r.auid = "@football.example.com";
  r.header_b = "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus";
  r.reason = "ignored for pass";
  const authres::MethodResult m = to_method_result(r);
  EXPECT_EQ(m.method, "dkim");
  EXPECT_EQ(m.result, "pass");
  EXPECT_EQ(m.reason, "");
  ASSERT_EQ(m.properties.size(), 5u);
  EXPECT_EQ(m.properties[0], (authres::Property{"header", "d", "football.example.com", ""}));
  EXPECT_EQ(m.properties[1], (authres::Property{"header", "i", "@football.example.com", ""}));
  EXPECT_EQ(m.properties[2], (authres::Property{"header", "s", "brisbane", ""}));
  EXPECT_EQ(m.properties[3], (authres::Property{"header", "a", "ed25519-sha256", ""}));
  EXPECT_EQ(m.properties[4], (authres::Property{"header", "b", "/gCrinpc", ""}));
}

TEST(DkimAuthres, FailureCarriesReasonAndSkipsUnknownValues) {
  DkimResult r;
  r.result = Result::PermError;
  r.reason = "key revoked";
  r.domain = "example.com";
  r.testing = true;
  const authres::MethodResult m = to_method_result(r);
  EXPECT_EQ(m.result, "permerror");
  EXPECT_EQ(m.reason, "key revoked");
  EXPECT_EQ(m.result_comment, "test key");
  ASSERT_EQ(m.properties.size(), 1u);
  EXPECT_EQ(m.properties[0].property, "d");
}
