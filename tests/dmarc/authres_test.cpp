// The dmarc method of Authentication-Results (RFC 9989 §9.1, RFC 8601).
#include <gtest/gtest.h>

#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

std::string header(const DmarcResult& r) {
  authres::AuthenticationResults ar;
  ar.authserv_id = "mx.example.org";
  ar.results.push_back(to_method_result(r));
  return authres::format_unfolded(ar);
}

TEST(DmarcAuthres, FailWithPolicy) {
  // The RFC 9989 §9.1 example.
  DmarcResult r;
  r.result = Result::Fail;
  r.author_domain = "example.com";
  r.policy = Policy::Quarantine;
  r.disposition = Policy::Quarantine;
  r.reason = "SPF fail; no DKIM signature";
  EXPECT_EQ(header(r),
            " mx.example.org; dmarc=fail header.from=example.com policy.dmarc=quarantine");
}

TEST(DmarcAuthres, PassNoneTempErrorPermError) {
  DmarcResult pass;
  pass.result = Result::Pass;
  pass.author_domain = "example.com";
  pass.policy = Policy::Reject;
  EXPECT_EQ(header(pass),
            " mx.example.org; dmarc=pass header.from=example.com policy.dmarc=reject");

  DmarcResult none;
  none.author_domain = "example.net";
  EXPECT_EQ(header(none), " mx.example.org; dmarc=none header.from=example.net");

  DmarcResult temp;
  temp.result = Result::TempError;
  temp.author_domain = "example.net";
  temp.reason = "DNS timeout looking up TXT _dmarc.example.net";
  EXPECT_EQ(header(temp),
            " mx.example.org; dmarc=temperror reason=\"DNS timeout looking up TXT "
            "_dmarc.example.net\" header.from=example.net");

  DmarcResult perm;
  perm.result = Result::PermError;
  perm.reason = "several From header fields (2)";
  EXPECT_EQ(header(perm),
            " mx.example.org; dmarc=permerror reason=\"several From header fields (2)\"");
}

TEST(DmarcAuthres, TestModeShowsTheEvaluatedPolicy) {
  auto zone =
      dns::ZoneResolver::from_string("_dmarc.example.com. IN TXT \"v=DMARC1; p=reject; t=y\"\n");
  ASSERT_TRUE(zone);
  Evaluator evaluator(**zone);
  const auto r = evaluator.evaluate_domain("example.com", test::ids(std::nullopt));
  EXPECT_EQ(header(r),
            " mx.example.org; dmarc=fail header.from=example.com policy.dmarc=quarantine");
}

TEST(DmarcAuthres, Identities) {
  spf::SpfResult s;
  s.result = spf::Result::Pass;
  s.domain = "bounce.example.com";
  EXPECT_EQ(spf_identity(s).domain, "bounce.example.com");
  EXPECT_EQ(spf_identity(s).result, spf::Result::Pass);
  dkim::DkimResult d;
  d.result = dkim::Result::Pass;
  d.domain = "example.com";
  d.selector = "sel";
  const auto id = dkim_identity(d);
  EXPECT_EQ(id.domain, "example.com");
  EXPECT_EQ(id.selector, "sel");
  EXPECT_EQ(id.result, dkim::Result::Pass);
}

}  // namespace
}  // namespace auth::dmarc
