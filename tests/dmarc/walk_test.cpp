// The DNS Tree Walk (RFC 9989 §4.10) and the Organizational Domain rules (§4.10.2), over
// testdata/dmarc/treewalk.zone and appendix-b.zone.
#include <gtest/gtest.h>

#include <auth/clock.hpp>

#include "dmarc/walk.hpp"
#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

using test::Zone;

std::vector<std::string> txt_queries(const std::vector<std::string_view>& names) {
  std::vector<std::string> out;
  for (auto n : names) out.push_back("_dmarc." + std::string(n) + " TXT");
  return out;
}

TEST(WalkNames, ThirteenLabelsJumpToSeven) {
  // RFC 9989 §4.10's own illustration.
  const auto names = walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com");
  EXPECT_EQ(names, (std::vector<std::string_view>{
                       "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
                       "h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
                       "mail.example.com", "example.com", "com"}));
}

TEST(WalkNames, ShortNamesLoseOneLabelAtATime) {
  EXPECT_EQ(walk_names("com"), (std::vector<std::string_view>{"com"}));
  EXPECT_EQ(walk_names("a.mail.example.com"),
            (std::vector<std::string_view>{"a.mail.example.com", "mail.example.com", "example.com",
                                           "com"}));
  // 8 labels: 8 queries, one label less each time (x >= 8 keeps the rightmost 7).
  EXPECT_EQ(walk_names("a.b.c.d.e.f.g.h").size(), 8u);
  EXPECT_EQ(walk_names("a.b.c.d.e.f.g.h")[1], "b.c.d.e.f.g.h");
  // 9 and 40 labels: still 8 queries.
  EXPECT_EQ(walk_names("z.a.b.c.d.e.f.g.h").size(), 8u);
  std::string deep = "com";
  for (int i = 0; i < 39; ++i) deep = "x" + std::to_string(i) + "." + deep;
  const auto names = walk_names(deep);
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(names[1], "x5.x4.x3.x2.x1.x0.com");
}

class TreeWalkTest : public ::testing::Test {
 protected:
  Zone zone{"treewalk.zone"};
  Evaluator evaluator{zone.dns};
};

TEST_F(TreeWalkTest, DeepNameSkipsLabelsAndQueriesTheTld) {
  const auto d = evaluator.discover("a.b.c.d.e.f.g.h.i.j.mail.deep.example");
  EXPECT_EQ(zone.dns.take(), txt_queries(walk_names("a.b.c.d.e.f.g.h.i.j.mail.deep.example")));
  EXPECT_EQ(d.queries, 8u);
  ASSERT_EQ(d.steps.size(), 8u);
  EXPECT_EQ(d.steps.back().name, "_dmarc.example");
  // Found at j.mail.deep.example (psd=u) and deep.example: the fewest labels wins.
  EXPECT_EQ(d.organizational_domain, "deep.example");
  EXPECT_EQ(d.policy_domain, "deep.example");
  ASSERT_TRUE(d.record);
  EXPECT_EQ(d.record->p, Policy::Reject);
  EXPECT_FALSE(d.temporary_failure);
}

TEST_F(TreeWalkTest, RecordBeyondTheCapIsNeverSeen) {
  // The psd=n record at b.c.d.e.f.g.h.i.j.mail.deep.example (12 labels) would make it the
  // Organizational Domain, but the walk from 13 labels jumps to 7.
  const auto d = evaluator.discover("a.b.c.d.e.f.g.h.i.j.mail.deep.example");
  for (const auto& step : d.steps)
    EXPECT_NE(step.name, "_dmarc.b.c.d.e.f.g.h.i.j.mail.deep.example");
  EXPECT_EQ(d.organizational_domain, "deep.example");
  // RFC 9989 §5.1.8's case: 11 labels, psd=n at 8 labels is skipped.
  const auto c = evaluator.discover("mail.a.b.c.d.e.f.g.cap.example");
  EXPECT_EQ(c.queries, 8u);
  EXPECT_EQ(c.organizational_domain, "cap.example");
  EXPECT_EQ(c.policy_domain, "cap.example");
}

TEST_F(TreeWalkTest, RecordAtTheExactDeepName) {
  const auto d = evaluator.discover("x.b.c.d.e.f.g.h.i.j.mail.deep.example");
  EXPECT_EQ(d.queries, 1u);  // psd=n at the start stops the walk
  EXPECT_EQ(d.policy_domain, "x.b.c.d.e.f.g.h.i.j.mail.deep.example");
  EXPECT_EQ(d.organizational_domain, "x.b.c.d.e.f.g.h.i.j.mail.deep.example");
  EXPECT_EQ(d.record->p, Policy::Quarantine);
}

TEST_F(TreeWalkTest, PsdYesAtAMultiLabelSuffix) {
  // shop.nobrand.co.psd.example: psd=y at co.psd.example; OD one label below it.
  const auto d = evaluator.discover("shop.nobrand.co.psd.example");
  EXPECT_EQ(zone.dns.take(), (std::vector<std::string>{"_dmarc.shop.nobrand.co.psd.example TXT",
                                                       "_dmarc.nobrand.co.psd.example TXT",
                                                       "_dmarc.co.psd.example TXT"}));
  EXPECT_EQ(d.organizational_domain, "nobrand.co.psd.example");
  EXPECT_EQ(d.policy_domain, "co.psd.example");  // the OD has no record: the PSD's applies
  EXPECT_EQ(d.record->psd, PsdFlag::Yes);
}

TEST_F(TreeWalkTest, PsdYesBelowAnOrganizationWithItsRecord) {
  const auto d = evaluator.discover("mail.brand.co.psd.example");
  EXPECT_EQ(d.organizational_domain, "brand.co.psd.example");
  EXPECT_EQ(d.policy_domain, "brand.co.psd.example");
  EXPECT_EQ(d.record->p, Policy::None);
}

TEST_F(TreeWalkTest, PsdNoMakesTheOrganizationalDomain) {
  const auto d = evaluator.discover("a.b.own.brand.co.psd.example");
  EXPECT_EQ(d.queries, 3u);  // stops at own.brand.co.psd.example
  EXPECT_EQ(d.organizational_domain, "own.brand.co.psd.example");
  EXPECT_EQ(d.policy_domain, "own.brand.co.psd.example");
  // Its own start name with psd=y: the start is its own Organizational Domain (rule 2 excludes
  // the start, rule 3 picks it).
  const auto psd = evaluator.discover("co.psd.example");
  EXPECT_EQ(psd.organizational_domain, "co.psd.example");
  EXPECT_EQ(psd.policy_domain, "co.psd.example");
}

TEST_F(TreeWalkTest, ForgottenPsdFlagAndTheProtectionAgainstIt) {
  // forgot.example publishes psu=u: it has the fewest labels, so it is everyone's OD.
  const auto d = evaluator.discover("x.org.forgot.example");
  EXPECT_EQ(d.organizational_domain, "forgot.example");
  EXPECT_EQ(d.policy_domain, "forgot.example");
  // psd=n at safe.forgot.example protects it (RFC 9989 §11.8).
  const auto safe = evaluator.discover("x.safe.forgot.example");
  EXPECT_EQ(safe.organizational_domain, "safe.forgot.example");
  EXPECT_EQ(safe.policy_domain, "safe.forgot.example");
}

TEST_F(TreeWalkTest, IntermediateRecordsDoNotApply) {
  // mail.mid.example and mid.example both publish (psd=u): mid.example applies.
  const auto d = evaluator.discover("a.mail.mid.example");
  EXPECT_EQ(d.organizational_domain, "mid.example");
  EXPECT_EQ(d.policy_domain, "mid.example");
  EXPECT_EQ(d.record->p, Policy::Reject);
  // At the intermediate name itself, its own record applies (RFC 9989 §4.10.1).
  const auto m = evaluator.discover("mail.mid.example");
  EXPECT_EQ(m.policy_domain, "mail.mid.example");
  EXPECT_EQ(m.organizational_domain, "mid.example");
}

TEST_F(TreeWalkTest, SeveralRecordsAtOneNameAreDiscarded) {
  const auto d = evaluator.discover("dup.multi.example");
  EXPECT_EQ(d.policy_domain, "multi.example");
  EXPECT_EQ(d.record->p, Policy::Quarantine);
  ASSERT_GE(d.steps.size(), 1u);
  EXPECT_EQ(d.steps[0].dmarc_records, 2u);
  ASSERT_FALSE(d.warnings.empty());
  EXPECT_EQ(
      d.warnings[0],
      "2 DMARC records at _dmarc.dup.multi.example; all are discarded (RFC 9989 §4.10 step 2)");
}

TEST_F(TreeWalkTest, OtherTxtRecordsAreIgnored) {
  const auto d = evaluator.discover("other.multi.example");
  EXPECT_EQ(d.policy_domain, "other.multi.example");
  EXPECT_EQ(d.record->p, Policy::Reject);
  EXPECT_EQ(d.steps[0].txt_records, 2u);
  EXPECT_EQ(d.steps[0].dmarc_records, 1u);
}

TEST_F(TreeWalkTest, CharacterStringsAreJoined) {
  const auto d = evaluator.discover("split.multi.example");
  ASSERT_TRUE(d.record);
  EXPECT_EQ(d.record->p, Policy::Reject);
  EXPECT_EQ(d.record->adkim, AlignmentMode::Strict);
}

// Over a cache, the records of a TXT answer are parsed once and kept in the answer's memo: a
// second evaluation reads them from there and gives the same verdict.
TEST_F(TreeWalkTest, CachedAnswersKeepTheirParsedRecords) {
  auto clock = FixedClock::at_unix(1700000000);
  dns::CacheOptions options;
  options.prefetch_threads = 0;
  dns::CachingResolver cache(zone.dns, clock, options);
  const Evaluator cached(cache);
  const auto first = cached.discover("other.multi.example");
  const auto answer = cache.query_shared("_dmarc.other.multi.example", dns::RrType::TXT);
  const auto* memo = dynamic_cast<const SelectedDmarcRecord*>(answer->memo());
  ASSERT_NE(memo, nullptr);
  EXPECT_EQ(memo->dmarc_records, 1u);
  ASSERT_TRUE(memo->single);
  EXPECT_EQ(memo->single->p, Policy::Reject);
  EXPECT_EQ(memo->not_dmarc.size(), 1u);  // the other TXT string, with why

  const auto second = cached.discover("other.multi.example");
  ASSERT_TRUE(first.record && second.record);
  EXPECT_EQ(second.record->text, first.record->text);
  EXPECT_EQ(second.warnings, first.warnings);
  EXPECT_EQ(second.policy_domain, "other.multi.example");
}

// An answer whose memo slot another protocol filled first still gives its DMARC records.
TEST_F(TreeWalkTest, ForeignMemoInTheSlotIsLeftAlone) {
  struct OtherMemo final : dns::AnswerMemo {};
  auto clock = FixedClock::at_unix(1700000000);
  dns::CacheOptions options;
  options.prefetch_threads = 0;
  dns::CachingResolver cache(zone.dns, clock, options);
  const auto answer = cache.query_shared("_dmarc.dup.multi.example", dns::RrType::TXT);
  const auto* other = answer->attach(std::make_unique<OtherMemo>());
  const auto d = Evaluator(cache).discover("dup.multi.example");
  EXPECT_EQ(answer->memo(), other);
  // Two records at dup.multi.example: both discarded, multi.example's applies.
  EXPECT_EQ(d.policy_domain, "multi.example");
  ASSERT_TRUE(d.record);
  EXPECT_EQ(d.record->p, Policy::Quarantine);
  ASSERT_GE(d.steps.size(), 1u);
  EXPECT_EQ(d.steps[0].dmarc_records, 2u);
  const auto one = cache.query_shared("_dmarc.other.multi.example", dns::RrType::TXT);
  one->attach(std::make_unique<OtherMemo>());
  const auto found = Evaluator(cache).discover("other.multi.example");
  ASSERT_TRUE(found.record);
  EXPECT_EQ(found.record->p, Policy::Reject);
}

TEST_F(TreeWalkTest, NothingFound) {
  const auto d = evaluator.discover("Nothing.Here.Example");
  EXPECT_EQ(d.domain, "nothing.here.example");
  EXPECT_FALSE(d.record);
  EXPECT_EQ(d.policy_domain, "");
  EXPECT_EQ(d.organizational_domain, "nothing.here.example");  // always filled
  EXPECT_EQ(d.queries, 3u);
  EXPECT_EQ(d.reason_code, ReasonCode::DmarcNoRecord);
}

TEST(AppendixB4, OrganizationalDomains) {
  Zone zone("appendix-b.zone");
  Evaluator evaluator(zone.dns);
  // B.4.1: example.com is the OD of example.com and of signing.example.com.
  EXPECT_EQ(evaluator.organizational_domain("example.com"), "example.com");
  EXPECT_EQ(evaluator.organizational_domain("signing.example.com"), "example.com");
  // B.4.2: 13 labels; example.com is the last element with a record.
  const auto deep = evaluator.discover("a.b.c.d.e.f.g.h.i.j.k.example.com");
  EXPECT_EQ(deep.queries, 8u);
  EXPECT_EQ(deep.steps[1].name, "_dmarc.g.h.i.j.k.example.com");
  EXPECT_EQ(deep.organizational_domain, "example.com");
  EXPECT_EQ(deep.policy_domain, "example.com");
  // B.4.3: psd=y at bank.example.
  EXPECT_EQ(evaluator.organizational_domain("giant.bank.example"), "giant.bank.example");
  EXPECT_EQ(evaluator.organizational_domain("mail.giant.bank.example"), "giant.bank.example");
  EXPECT_EQ(evaluator.organizational_domain("mail.mega.bank.example"), "mega.bank.example");
  zone.dns.take();
  evaluator.organizational_domain("mail.mega.bank.example");
  EXPECT_EQ(zone.dns.take(),
            (std::vector<std::string>{"_dmarc.mail.mega.bank.example TXT",
                                      "_dmarc.mega.bank.example TXT", "_dmarc.bank.example TXT"}));
}

TEST(TreeWalkFailures, FailureStopsTheWalkAndIsReported) {
  auto z = dns::ZoneResolver::from_string(
      "_dmarc.example.org. IN TXT \"v=DMARC1; p=reject\"\n$TIMEOUT _dmarc.b.example.org TXT\n");
  ASSERT_TRUE(z);
  Evaluator evaluator(**z);
  const auto d = evaluator.discover("a.b.example.org");
  EXPECT_TRUE(d.temporary_failure);
  EXPECT_EQ(d.reason_code, ReasonCode::DnsTimeout);
  EXPECT_EQ(d.reason, "DNS timeout looking up TXT _dmarc.b.example.org");
  EXPECT_EQ(d.queries, 2u);
  EXPECT_FALSE(d.record);
}

}  // namespace
}  // namespace auth::dmarc
