// DMARC evaluation (RFC 9989 §4.4, §4.10, §5.3): Appendix B, the alignment matrix, policy
// selection, temperror paths and several Author Domains.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

using test::dkim;
using test::ids;
using test::spf;
using test::Zone;
using DR = auth::dkim::Result;
using SR = auth::spf::Result;

class AppendixB : public ::testing::Test {
 protected:
  Zone zone{"appendix-b.zone"};
  Evaluator evaluator{zone.dns};
};

TEST_F(AppendixB, B11SpfStrictRelaxedAndNone) {
  // Example 1: MAIL FROM and From both example.com.
  auto r = evaluator.evaluate_domain("example.com", ids(spf(SR::Pass, "example.com")));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.spf_aligned);
  // Example 2: MAIL FROM child.example.com, From example.com: relaxed.
  r = evaluator.evaluate_domain("example.com", ids(spf(SR::Pass, "child.example.com")));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.spf_aligned);
  // Example 3: MAIL FROM example.net, From child.example.com: no alignment.
  r = evaluator.evaluate_domain("child.example.com", ids(spf(SR::Pass, "example.net")));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_FALSE(r.spf_aligned);
  EXPECT_EQ(r.reason_code, ReasonCode::DmarcNotAligned);
}

TEST_F(AppendixB, B12DkimStrictRelaxedAndNone) {
  auto r =
      evaluator.evaluate_domain("example.com", ids(std::nullopt, {dkim(DR::Pass, "example.com")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.dkim_aligned);
  EXPECT_EQ(r.dkim_domain, "example.com");
  r = evaluator.evaluate_domain("child.example.com",
                                ids(std::nullopt, {dkim(DR::Pass, "example.com")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.dkim_aligned);
  r = evaluator.evaluate_domain("child.example.com",
                                ids(std::nullopt, {dkim(DR::Pass, "example.net")}));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_FALSE(r.dkim_aligned);
}

TEST_F(AppendixB, B31ReceiverSample) {
  // SPF mail.example.com and DKIM example.com both align; p=reject is avoided.
  auto r = evaluator.evaluate_domain(
      "example.com", ids(spf(SR::Pass, "mail.example.com"), {dkim(DR::Pass, "example.com")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.spf_aligned);
  EXPECT_TRUE(r.dkim_aligned);
  EXPECT_EQ(r.policy, Policy::Reject);
  EXPECT_EQ(r.disposition, Policy::None);
  EXPECT_EQ(r.policy_domain, "example.com");
  EXPECT_EQ(r.organizational_domain, "example.com");
  // Nothing aligned: the Domain Owner Assessment Policy applies.
  r = evaluator.evaluate_domain("example.com",
                                ids(spf(SR::Fail, "example.com"), {dkim(DR::Fail, "example.com")}));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.disposition, Policy::Reject);
  EXPECT_EQ(r.reason, "SPF fail; no DKIM signature passed");
}

TEST_F(AppendixB, B41SimpleOrganizationalAndPolicy) {
  auto r = evaluator.evaluate_domain(
      "example.com", ids(spf(SR::Pass, "example.com"), {dkim(DR::Pass, "signing.example.com")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.spf_aligned);
  EXPECT_TRUE(r.dkim_aligned);
  EXPECT_EQ(r.policy_domain, "example.com");
  EXPECT_EQ(r.organizational_domain, "example.com");
  // The walks of B.4.1: the author's (example.com, com) and the DKIM identifier's.
  EXPECT_EQ(zone.dns.take(), (std::vector<std::string>{"_dmarc.example.com TXT", "_dmarc.com TXT",
                                                       "_dmarc.signing.example.com TXT"}));
}

TEST_F(AppendixB, B42DeepTreeWalk) {
  auto r = evaluator.evaluate_domain(
      "a.b.c.d.e.f.g.h.i.j.k.example.com",
      ids(spf(SR::Pass, "example.com"), {dkim(DR::Pass, "signing.example.com")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.spf_aligned);
  EXPECT_TRUE(r.dkim_aligned);
  EXPECT_EQ(r.policy_domain, "example.com");
  EXPECT_EQ(r.organizational_domain, "example.com");
  // Failing: the policy domain's sp (none here, so p) for a non-existent subdomain.
  r = evaluator.evaluate_domain("a.b.c.d.e.f.g.h.i.j.k.example.com", ids(spf(SR::Fail, "x")));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.policy, Policy::Reject);
}

TEST_F(AppendixB, B43PsdRecord) {
  auto r = evaluator.evaluate_domain(
      "giant.bank.example",
      ids(spf(SR::Pass, "mail.giant.bank.example"), {dkim(DR::Pass, "mail.mega.bank.example")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.spf_aligned);
  EXPECT_FALSE(r.dkim_aligned);
  EXPECT_EQ(r.organizational_domain, "giant.bank.example");
  EXPECT_EQ(r.policy_domain, "giant.bank.example");
  EXPECT_EQ(r.policy, Policy::Quarantine);
  // Without the SPF pass, DKIM alone does not align.
  r = evaluator.evaluate_domain("giant.bank.example",
                                ids(std::nullopt, {dkim(DR::Pass, "mail.mega.bank.example")}));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.disposition, Policy::Quarantine);
}

TEST_F(AppendixB, RecordAtAuthorAndSameIdentifiersNeedNoWalk) {
  // RFC 9989 §4.10.2 note: all identifiers the Author Domain, with a record there.
  evaluator.evaluate_domain("example.com",
                            ids(spf(SR::Pass, "example.com"), {dkim(DR::Pass, "EXAMPLE.com")}));
  EXPECT_EQ(zone.dns.take(), (std::vector<std::string>{"_dmarc.example.com TXT"}));
}

// The alignment matrix: identifier relation x mode x mechanism result.
struct MatrixCase {
  const char* identifier;
  bool relaxed_aligned;
  bool strict_aligned;
};

TEST(AlignmentMatrix, RelationsModesAndResults) {
  auto z = dns::ZoneResolver::from_string(
      "_dmarc.news.example.com. IN TXT \"v=DMARC1; p=reject; adkim=r; aspf=r\"\n"
      "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n"
      "_dmarc.s.example.com. IN TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n"
      "_dmarc.other.example.com. IN TXT \"v=DMARC1; p=none; psd=n\"\n");
  ASSERT_TRUE(z);
  Evaluator evaluator(**z);
  // RFC 9989 §4.4 Table 1 plus parents, children, siblings and a separate organization below.
  const MatrixCase cases[] = {
      {"news.example.com", true, true},       // identical
      {"foo.example.com", true, false},       // sibling, same OD
      {"example.com", true, false},           // parent
      {"a.news.example.com", true, false},    // child
      {"foo.example.net", false, false},      // other organization
      {"x.other.example.com", false, false},  // below a psd=n record: OD other.example.com
      {"com", false, false},                  // the TLD
  };
  for (const auto& c : cases) {
    for (const bool strict : {false, true}) {
      const std::string author = strict ? "s.example.com" : "news.example.com";
      std::string id = c.identifier;
      if (strict && id.find("news.example.com") != std::string::npos)
        id.replace(id.find("news.example.com"), 16, "s.example.com");
      const bool want = strict ? c.strict_aligned : c.relaxed_aligned;
      for (const SR spf_result : {SR::Pass, SR::Fail, SR::SoftFail, SR::TempError, SR::None}) {
        auto r = evaluator.evaluate_domain(author, ids(spf(spf_result, id)));
        const bool aligned = want && spf_result == SR::Pass;
        EXPECT_EQ(r.spf_aligned, aligned)
            << id << " spf " << spf::to_string(spf_result) << (strict ? " strict" : " relaxed");
        EXPECT_EQ(r.result, aligned ? Result::Pass : Result::Fail) << id;
      }
      for (const DR dkim_result : {DR::Pass, DR::Fail, DR::Neutral, DR::TempError, DR::PermError}) {
        auto r = evaluator.evaluate_domain(author, ids(std::nullopt, {dkim(dkim_result, id)}));
        const bool aligned = want && dkim_result == DR::Pass;
        EXPECT_EQ(r.dkim_aligned, aligned)
            << id << " dkim " << dkim::to_string(dkim_result) << (strict ? " strict" : " relaxed");
        EXPECT_EQ(r.result, aligned ? Result::Pass : Result::Fail) << id;
      }
    }
  }
}

TEST(AlignmentMatrix, OneAlignedSignatureIsEnough) {
  Zone zone("appendix-b.zone");
  Evaluator evaluator(zone.dns);
  auto r = evaluator.evaluate_domain(
      "example.com", ids(spf(SR::Pass, "example.net"),
                         {dkim(DR::Pass, "example.net"), dkim(DR::Fail, "example.com"),
                          dkim(DR::Pass, "signing.example.com")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_FALSE(r.spf_aligned);
  EXPECT_TRUE(r.dkim_aligned);
  EXPECT_EQ(r.dkim_domain, "signing.example.com");
  EXPECT_EQ(r.spf_domain, "example.net");
}

class PolicyTest : public ::testing::Test {
 protected:
  Zone zone{"policy.zone"};
  Evaluator evaluator{zone.dns};
  DmarcResult fail(std::string_view domain) {
    return evaluator.evaluate_domain(domain, ids(spf(SR::Fail, "attacker.example")));
  }
};

TEST_F(PolicyTest, PAtTheDomainSpBelowNpWhenMissing) {
  auto r = fail("pol.example");
  EXPECT_EQ(r.requested_policy, Policy::Reject);
  EXPECT_EQ(r.disposition, Policy::Reject);
  r = fail("exists.pol.example");
  EXPECT_EQ(r.requested_policy, Policy::Quarantine);
  EXPECT_EQ(r.policy_domain, "pol.example");
  r = fail("ghost.pol.example");  // NXDOMAIN: np
  EXPECT_EQ(r.requested_policy, Policy::None);
  EXPECT_EQ(r.disposition, Policy::None);
  EXPECT_EQ(r.result, Result::Fail);
  r = fail("ent.pol.example");  // an empty non-terminal exists
  EXPECT_EQ(r.requested_policy, Policy::Quarantine);
}

TEST_F(PolicyTest, ExistenceIsAskedOnlyWhenNpMatters) {
  fail("real.np.example");
  EXPECT_EQ(zone.dns.take(),
            (std::vector<std::string>{"_dmarc.real.np.example TXT", "_dmarc.np.example TXT",
                                      "_dmarc.example TXT", "real.np.example TXT"}));
  auto r = fail("real.np.example");
  EXPECT_EQ(r.requested_policy, Policy::Quarantine);  // exists: sp absent, so p
  r = fail("gone.np.example");
  EXPECT_EQ(r.requested_policy, Policy::Reject);  // np
  // No np=: existence cannot change the policy, so it is not asked.
  zone.dns.take();
  fail("ghost.test.example");
  for (const auto& q : zone.dns.take()) EXPECT_NE(q, "ghost.test.example TXT");
}

TEST_F(PolicyTest, TestModeLowersOneLevel) {
  auto r = fail("test.example");
  EXPECT_EQ(r.requested_policy, Policy::Reject);
  EXPECT_EQ(r.policy, Policy::Quarantine);
  EXPECT_EQ(r.disposition, Policy::Quarantine);
  EXPECT_EQ(r.overrides, (std::vector<OverrideReason>{OverrideReason::PolicyTestMode}));
  r = fail("sub.test.example");
  EXPECT_EQ(r.requested_policy, Policy::Quarantine);
  EXPECT_EQ(r.policy, Policy::None);
  EXPECT_EQ(r.disposition, Policy::None);
}

TEST_F(PolicyTest, UnusableRecordsEndWithNone) {
  auto r = fail("norua.example");
  EXPECT_EQ(r.result, Result::None);
  EXPECT_EQ(r.reason_code, ReasonCode::DmarcRecordUnusable);
  EXPECT_EQ(r.policy_domain, "norua.example");
  EXPECT_FALSE(r.policy);
  r = fail("badsp.example");
  EXPECT_EQ(r.result, Result::None);
  EXPECT_EQ(r.reason_code, ReasonCode::DmarcRecordUnusable);
  // With a valid rua: evaluated as p=none.
  r = fail("rua.example");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.policy, Policy::None);
  EXPECT_EQ(r.disposition, Policy::None);
  r = fail("badsprua.example");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.policy, Policy::None);
}

TEST_F(PolicyTest, NoRecordIsNone) {
  auto r = fail("nothing.example");
  EXPECT_EQ(r.result, Result::None);
  EXPECT_EQ(r.reason_code, ReasonCode::DmarcNoRecord);
  EXPECT_EQ(r.author_domain, "nothing.example");
  EXPECT_EQ(r.organizational_domain, "nothing.example");
  EXPECT_EQ(r.policy_domain, "");
  EXPECT_FALSE(r.policy);
  EXPECT_EQ(r.disposition, Policy::None);
}

TEST_F(PolicyTest, StrictModes) {
  auto r = evaluator.evaluate_domain("strict.example", ids(spf(SR::Pass, "mail.strict.example"),
                                                           {dkim(DR::Pass, "a.strict.example")}));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.reason,
            "SPF pass for mail.strict.example not aligned (aspf=s); DKIM pass for "
            "d=a.strict.example not aligned (adkim=s)");
  // Strict alignment needs no walk beyond the record.
  zone.dns.take();
  evaluator.evaluate_domain("strict.example", ids(spf(SR::Pass, "mail.strict.example")));
  EXPECT_EQ(zone.dns.take(), (std::vector<std::string>{"_dmarc.strict.example TXT"}));
}

TEST_F(PolicyTest, TempErrorWhenThePolicyRecordQueryFails) {
  auto r = fail("servfail.example");
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::DnsServerFailure);
  EXPECT_EQ(r.reason, "DNS SERVFAIL looking up TXT _dmarc.servfail.example");
  EXPECT_EQ(r.disposition, Policy::None);
  r = evaluator.evaluate_domain("timeout.example", ids(spf(SR::Pass, "timeout.example")));
  EXPECT_EQ(r.result, Result::TempError);  // even an exact pass: a record may or may not apply
  EXPECT_EQ(r.reason_code, ReasonCode::DnsTimeout);
  r = fail("sub.timeout.example");
  EXPECT_EQ(r.result, Result::TempError);
}

TEST_F(PolicyTest, FailedLookupsThatCannotChangeTheVerdict) {
  // The walk above upfail.broken times out, but nothing aligns: fail stays fail.
  auto r = fail("upfail.broken");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.disposition, Policy::Reject);
  // An exact pass needs no Organizational Domain: pass stays pass.
  r = evaluator.evaluate_domain("upfail.broken", ids(spf(SR::Pass, "upfail.broken")));
  EXPECT_EQ(r.result, Result::Pass);
  // Relaxed alignment needs the failed walk: temperror.
  r = evaluator.evaluate_domain("upfail.broken", ids(spf(SR::Pass, "mail.upfail.broken")));
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::DnsTimeout);
  EXPECT_EQ(r.reason, "alignment undecided: DNS timeout looking up TXT _dmarc.broken");
  // ... unless another identifier aligns anyway.
  r = evaluator.evaluate_domain(
      "upfail.broken", ids(spf(SR::Pass, "mail.upfail.broken"), {dkim(DR::Pass, "upfail.broken")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_TRUE(r.dkim_aligned);
  EXPECT_FALSE(r.spf_aligned);
  // An identifier at another TLD cannot align whatever the walk says.
  r = evaluator.evaluate_domain("upfail.broken", ids(spf(SR::Pass, "upfail.example")));
  EXPECT_EQ(r.result, Result::Fail);
}

TEST_F(PolicyTest, IdentifierWalkFailure) {
  auto r = evaluator.evaluate_domain("idfail.example", ids(spf(SR::Pass, "slow.idfail.example")));
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::DnsTimeout);
  EXPECT_EQ(r.reason, "alignment undecided: DNS timeout looking up TXT _dmarc.slow.idfail.example");
  EXPECT_EQ(r.organizational_domain, "idfail.example");
}

TEST_F(PolicyTest, ExistenceQueryFailure) {
  // sp=quarantine or np=reject depends on a failed query: a fail becomes temperror ...
  auto r = fail("gone.exfail.example");
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::DnsServerFailure);
  // ... a pass stays a pass.
  r = evaluator.evaluate_domain("gone.exfail.example", ids(spf(SR::Pass, "exfail.example")));
  EXPECT_EQ(r.result, Result::Pass);
}

TEST_F(PolicyTest, SpfOrDkimTempErrorIsNotAPass) {
  auto r = evaluator.evaluate_domain(
      "pol.example", ids(spf(SR::TempError, "pol.example"), {dkim(DR::TempError, "pol.example")}));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.disposition, Policy::Reject);
}

TEST(MultipleAuthorDomains, StrictestFailingPolicyApplies) {
  Zone zone("policy.zone");
  Evaluator evaluator(zone.dns);
  const std::vector<std::string> from = {
      " a@pol.example, b@test.example, c@nothing.example, d@np.example"};
  auto r = evaluator.evaluate(from, ids(spf(SR::Pass, "np.example")));
  // pol.example fails with reject; test.example fails with quarantine (t=y); np.example passes.
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.author_domain, "pol.example");
  EXPECT_EQ(r.disposition, Policy::Reject);
  EXPECT_EQ(r.author_domains, (std::vector<std::string>{"pol.example", "test.example",
                                                        "nothing.example", "np.example"}));
  // All pass or none: pass wins over none.
  r = evaluator.evaluate(std::vector<std::string>{"a@np.example, b@nothing.example"},
                         ids(spf(SR::Pass, "np.example")));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.author_domain, "np.example");
  // A temperror outranks a fail that asks for nothing, not one that asks for quarantine.
  r = evaluator.evaluate(std::vector<std::string>{"a@servfail.example, b@sub.test.example"},
                         ids(std::nullopt));
  EXPECT_EQ(r.result, Result::TempError);
  r = evaluator.evaluate(std::vector<std::string>{"a@servfail.example, b@test.example"},
                         ids(std::nullopt));
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.author_domain, "test.example");
}

TEST(MultipleAuthorDomains, LimitGivesPermError) {
  Zone zone("policy.zone");
  Limits limits;
  limits.max_dmarc_author_domains = 2;
  Evaluator evaluator(zone.dns, limits);
  auto r = evaluator.evaluate(std::vector<std::string>{"a@x.example, b@y.example, A@X.example"},
                              ids(std::nullopt));
  EXPECT_EQ(r.result, Result::None);  // two distinct domains: at the limit
  EXPECT_FALSE(zone.dns.take().empty());
  r = evaluator.evaluate(std::vector<std::string>{"a@x.example, b@y.example, c@z.example"},
                         ids(std::nullopt));
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.reason_code, ReasonCode::DmarcTooManyDomains);
  EXPECT_TRUE(zone.dns.take().empty());  // refused before any query
}

TEST(Threads, OneEvaluatorManyThreadsOverOneCache) {
  Zone zone("appendix-b.zone");
  const FixedClock clock = FixedClock::at_unix(1700000000);
  dns::CachingResolver cache(*zone.zone, clock);
  const Evaluator evaluator(cache);
  const auto relaxed =
      ids(spf(SR::Pass, "mail.example.com"), {dkim(DR::Pass, "signing.example.com")});
  const auto deep = ids(spf(SR::Fail, "example.net"));
  const auto want_pass = evaluator.evaluate_domain("example.com", relaxed);
  const auto want_fail = evaluator.evaluate_domain("a.b.c.d.e.f.g.h.i.j.k.example.com", deep);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const auto p = evaluator.evaluate_domain("example.com", relaxed);
        const auto f = evaluator.evaluate_domain("a.b.c.d.e.f.g.h.i.j.k.example.com", deep);
        if (p.result != want_pass.result ||
            p.organizational_domain != want_pass.organizational_domain ||
            f.result != want_fail.result || f.disposition != want_fail.disposition)
          ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(want_pass.result, Result::Pass);
  EXPECT_EQ(want_fail.disposition, Policy::Reject);
}

TEST(Prefetch, StartsTheFirstLookup) {
  Zone zone("appendix-b.zone");
  Evaluator evaluator(zone.dns);
  evaluator.prefetch("Bücher.Example.com");
  EXPECT_EQ(zone.dns.prefetched(),
            (std::vector<std::string>{"_dmarc.xn--bcher-kva.example.com TXT"}));
  EXPECT_TRUE(zone.dns.take().empty());
}

TEST(UnicodeAuthorDomain, ConvertedToALabels) {
  auto z = dns::ZoneResolver::from_string(
      "_dmarc.xn--bcher-kva.example. IN TXT \"v=DMARC1; p=reject\"\n");
  ASSERT_TRUE(z);
  Evaluator evaluator(**z);
  auto r = evaluator.evaluate(std::vector<std::string>{"Buchladen <info@BÜCHER.example>"},
                              ids(std::nullopt, {dkim(DR::Pass, "xn--bcher-kva.example")}));
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.author_domain, "xn--bcher-kva.example");
  // A U-label d= compares equal to its A-label.
  r = evaluator.evaluate_domain("xn--bcher-kva.example",
                                ids(std::nullopt, {dkim(DR::Pass, "bücher.example")}));
  EXPECT_EQ(r.result, Result::Pass);
}

}  // namespace
}  // namespace auth::dmarc
