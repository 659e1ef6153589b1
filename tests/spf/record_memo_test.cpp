// The parsed SPF record is kept with its cached TXT answer (dns::SharedAnswer's memo): a warm
// check_host() reuses it, and a new answer after the TTL gets a new parse.
#include <gtest/gtest.h>

#include <auth/dns.hpp>
#include <auth/spf.hpp>

#include "fake_resolver.hpp"  // PrintTo(Result)

namespace auth::spf {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<dns::ZoneResolver> zone(std::string_view text) {
  auto loaded = dns::ZoneResolver::from_string(text);
  EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().message);
  return std::move(*loaded);
}

// Answers from whichever zone it currently points at.
class SwitchableResolver final : public dns::Resolver {
 public:
  explicit SwitchableResolver(dns::Resolver& r) : target_(&r) {}
  void point_at(dns::Resolver& r) { target_ = &r; }
  dns::Answer query(std::string_view name, dns::RrType type) override {
    return target_->query(name, type);
  }

 private:
  dns::Resolver* target_;
};

struct ForeignMemo final : dns::AnswerMemo {};

class SpfRecordMemo : public ::testing::Test {
 protected:
  SpfResult check(dns::Resolver& resolver, std::string_view client) {
    const Checker checker(resolver, Limits{}, clock_);
    return checker.check_host(IpAddress::parse(client).value(), "example.com", "a@example.com");
  }
  FixedClock clock_ = FixedClock::at_unix(1'700'000'000);
  dns::CacheOptions options_ = [] {
    dns::CacheOptions o;
    o.prefetch_threads = 0;
    return o;
  }();
};

TEST_F(SpfRecordMemo, WarmEvaluationReusesTheParsedRecords) {
  auto upstream = zone(
      "example.com. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 include:inc.example -all\"\n"
      "example.com. 300 IN TXT \"unrelated text\"\n"
      "inc.example. 300 IN TXT \"v=spf1 a:host.inc.example -all\"\n"
      "host.inc.example. 300 IN A 192.0.2.7\n");
  dns::CachingResolver cache(*upstream, clock_, options_);
  EXPECT_EQ(check(cache, "192.0.2.7").result, Result::Pass);
  const auto outer = cache.query_shared("example.com", dns::RrType::TXT);
  const auto inner = cache.query_shared("inc.example", dns::RrType::TXT);
  ASSERT_NE(outer->memo(), nullptr);
  ASSERT_NE(inner->memo(), nullptr);
  const dns::AnswerMemo* outer_memo = outer->memo();
  const dns::AnswerMemo* inner_memo = inner->memo();
  const auto warm = check(cache, "192.0.2.7");
  EXPECT_EQ(warm.result, Result::Pass);
  EXPECT_EQ(warm.mechanism, "include:inc.example");
  EXPECT_EQ(check(cache, "192.0.2.8").result, Result::Fail);
  EXPECT_EQ(cache.query_shared("example.com", dns::RrType::TXT)->memo(), outer_memo);
  EXPECT_EQ(cache.query_shared("inc.example", dns::RrType::TXT)->memo(), inner_memo);
}

TEST_F(SpfRecordMemo, ANewAnswerAfterTheTtlIsParsedAnew) {
  auto before = zone("example.com. 60 IN TXT \"v=spf1 -all\"\n");
  auto after = zone("example.com. 60 IN TXT \"v=spf1 +all\"\n");
  SwitchableResolver upstream(*before);
  dns::CachingResolver cache(upstream, clock_, options_);
  EXPECT_EQ(check(cache, "192.0.2.1").result, Result::Fail);
  upstream.point_at(*after);
  EXPECT_EQ(check(cache, "192.0.2.1").result, Result::Fail);  // still the cached record
  clock_.advance(60s);
  EXPECT_EQ(check(cache, "192.0.2.1").result, Result::Pass);
}

TEST_F(SpfRecordMemo, SyntaxErrorsAndDuplicatesAreKeptToo) {
  auto upstream = zone(
      "example.com. 300 IN TXT \"v=spf1 ip4:192.0.2.0/33 -all\"\n"
      "two.example. 300 IN TXT \"v=spf1 -all\"\n"
      "two.example. 300 IN TXT \"v=spf1 +all\"\n");
  dns::CachingResolver cache(*upstream, clock_, options_);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(check(cache, "192.0.2.1").result, Result::PermError);
    const Checker checker(cache, Limits{}, clock_);
    EXPECT_EQ(checker.check_host(IpAddress::parse("192.0.2.1").value(), "two.example", "").result,
              Result::PermError);
  }
  EXPECT_NE(cache.query_shared("example.com", dns::RrType::TXT)->memo(), nullptr);
  EXPECT_NE(cache.query_shared("two.example", dns::RrType::TXT)->memo(), nullptr);
}

// Another component's memo on the same answer is left alone; SPF parses on its own then.
TEST_F(SpfRecordMemo, AForeignMemoIsNotTakenForARecord) {
  auto upstream = zone("example.com. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n");
  dns::CachingResolver cache(*upstream, clock_, options_);
  const auto txt = cache.query_shared("example.com", dns::RrType::TXT);
  const dns::AnswerMemo* foreign = txt->attach(std::make_unique<ForeignMemo>());
  EXPECT_EQ(check(cache, "192.0.2.1").result, Result::Pass);
  EXPECT_EQ(check(cache, "198.51.100.1").result, Result::Fail);
  EXPECT_EQ(txt->memo(), foreign);
}

// Resolvers that do not cache hand out a fresh answer each time; evaluation is the same.
TEST_F(SpfRecordMemo, UncachedResolversStillEvaluate) {
  auto upstream = zone("example.com. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n");
  EXPECT_EQ(check(*upstream, "192.0.2.1").result, Result::Pass);
  EXPECT_EQ(upstream->query_shared("example.com", dns::RrType::TXT)->memo(), nullptr);
}

}  // namespace
}  // namespace auth::spf
