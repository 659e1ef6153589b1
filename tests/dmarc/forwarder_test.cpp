// The trusted-forwarder override: a DMARC fail accepted when a trusted ARC sealer's
// ARC-Authentication-Results vouch for the message (EvaluatorOptions::trusted_arc_sealers).
#include <gtest/gtest.h>

#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

using test::dkim;
using test::ids;
using test::spf;

arc::SetResult set(unsigned instance, std::string sealer, std::string aar) {
  arc::SetResult s;
  s.instance = instance;
  s.seal_domain = std::move(sealer);
  s.ams_domain = s.seal_domain;
  s.cv = instance == 1 ? "none" : "pass";
  s.authentication_results = std::move(aar);
  s.ams_valid = true;
  s.seal_valid = true;
  return s;
}

arc::ArcResult chain(std::vector<arc::SetResult> sets, unsigned oldest_pass = 0) {
  arc::ArcResult a;
  a.result = arc::ChainResult::Pass;
  a.instances = static_cast<unsigned>(sets.size());
  a.oldest_pass = oldest_pass;
  a.sets = std::move(sets);
  return a;
}

class TrustedForwarder : public ::testing::Test {
 protected:
  std::unique_ptr<dns::ZoneResolver> zone =
      dns::ZoneResolver::from_string(
          "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n"
          "_dmarc.strict.example. IN TXT \"v=DMARC1; p=quarantine; adkim=s; aspf=s\"\n")
          .value();
  EvaluatorOptions options() {
    EvaluatorOptions o;
    o.trusted_arc_sealers = {"lists.example.org"};
    return o;
  }
  // The message as forwarded: the list broke the signature and SPF is the list's.
  Identifiers broken(const arc::ArcResult* arc) {
    Identifiers i = ids(spf(auth::spf::Result::Pass, "lists.example.org"),
                        {dkim(auth::dkim::Result::Fail, "example.com")});
    i.arc = arc;
    return i;
  }
};

TEST_F(TrustedForwarder, DmarcPassAtTheFirstHop) {
  Evaluator evaluator(*zone, {}, options());
  const auto arc = chain({set(1, "lists.example.org",
                              "mx.lists.example.org; dkim=fail header.d=example.com header.s=s1; "
                              "dmarc=pass header.from=example.com")});
  const auto r = evaluator.evaluate_domain("example.com", broken(&arc));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.policy, Policy::Reject);
  EXPECT_EQ(r.disposition, Policy::None);
  EXPECT_EQ(r.overrides, (std::vector<OverrideReason>{OverrideReason::TrustedForwarder}));
  EXPECT_EQ(r.reason_code, ReasonCode::DmarcTrustedForwarder);
  EXPECT_NE(r.reason.find("accepted: ARC set i=1 sealed by trusted lists.example.org says "
                          "dmarc=pass"),
            std::string::npos)
      << r.reason;
  // The A-R entry keeps fail and the policy, and says why it was accepted.
  const auto m = to_method_result(r);
  EXPECT_EQ(m.result, "fail");
  EXPECT_EQ(m.reason, r.reason);
}

TEST_F(TrustedForwarder, AlignedDkimOrSpfPassAtTheOldestPassingSet) {
  Evaluator evaluator(*zone, {}, options());
  // Relaxed: header.d below the Author Domain's Organizational Domain.
  auto arc =
      chain({set(1, "lists.example.org", "lists.example.org; dkim=pass header.d=mail.example.com"),
             set(2, "other.example.net", "other.example.net; arc=pass")});
  EXPECT_EQ(evaluator.evaluate_domain("example.com", broken(&arc)).disposition, Policy::None);
  arc = chain({set(1, "lists.example.org",
                   "lists.example.org; spf=pass smtp.mailfrom=bounce@example.com")});
  EXPECT_EQ(evaluator.evaluate_domain("example.com", broken(&arc)).disposition, Policy::None);
  // oldest_pass names the set whose word counts: here instance 2, sealed by an untrusted hop.
  arc =
      chain({set(1, "lists.example.org", "lists.example.org; dmarc=pass header.from=example.com"),
             set(2, "other.example.net", "other.example.net; dmarc=pass header.from=example.com")},
            2);
  EXPECT_EQ(evaluator.evaluate_domain("example.com", broken(&arc)).disposition, Policy::Reject);
}

TEST_F(TrustedForwarder, NoOverrideWithoutEveryCondition) {
  Evaluator evaluator(*zone, {}, options());
  const auto good = "lists.example.org; dmarc=pass header.from=example.com";
  auto arc = chain({set(1, "untrusted.example.net", good)});
  EXPECT_EQ(evaluator.evaluate_domain("example.com", broken(&arc)).disposition, Policy::Reject);
  arc = chain({set(1, "lists.example.org", good)});
  arc.result = arc::ChainResult::Fail;
  EXPECT_EQ(evaluator.evaluate_domain("example.com", broken(&arc)).disposition, Policy::Reject);
  // The sealer says the message failed, or passed for another domain, or an unaligned pass.
  for (const char* aar : {"lists.example.org; dmarc=fail header.from=example.com",
                          "lists.example.org; dmarc=pass header.from=example.net",
                          "lists.example.org; dkim=pass header.d=example.net",
                          "lists.example.org; spf=pass smtp.mailfrom=a@example.net",
                          "lists.example.org; dkim=fail header.d=example.com",
                          "not an authentication results value ;;"}) {
    arc = chain({set(1, "lists.example.org", aar)});
    EXPECT_EQ(evaluator.evaluate_domain("example.com", broken(&arc)).disposition, Policy::Reject)
        << aar;
  }
  // No trusted sealers configured.
  Evaluator plain(*zone);
  arc = chain({set(1, "lists.example.org", good)});
  EXPECT_EQ(plain.evaluate_domain("example.com", broken(&arc)).disposition, Policy::Reject);
  // A pass is never touched.
  auto ok = broken(&arc);
  ok.dkim[0].result = auth::dkim::Result::Pass;
  const auto pass = evaluator.evaluate_domain("example.com", ok);
  EXPECT_EQ(pass.result, Result::Pass);
  EXPECT_TRUE(pass.overrides.empty());
}

TEST_F(TrustedForwarder, StrictRecordsNeedStrictAlignmentInTheSealersResults) {
  Evaluator evaluator(*zone, {}, options());
  auto arc = chain(
      {set(1, "lists.example.org", "lists.example.org; dkim=pass header.d=a.strict.example")});
  EXPECT_EQ(evaluator.evaluate_domain("strict.example", broken(&arc)).disposition,
            Policy::Quarantine);
  arc =
      chain({set(1, "LISTS.example.org", "lists.example.org; dkim=pass header.i=@strict.example")});
  EXPECT_EQ(evaluator.evaluate_domain("strict.example", broken(&arc)).disposition, Policy::None);
}

}  // namespace
}  // namespace auth::dmarc
