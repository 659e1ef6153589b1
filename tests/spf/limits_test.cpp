// RFC 7208 §4.6.4 limits, each tested at and over the bound, and through auth::Limits.
#include <gtest/gtest.h>

#include <auth/spf.hpp>

#include "fake_resolver.hpp"

namespace auth::spf {
namespace {

using test::FakeResolver;

IpAddress ip(std::string_view text) { return IpAddress::parse(text).value(); }

SpfResult check(FakeResolver& dns, std::string_view client, std::string_view sender,
                Limits limits = {}) {
  const auto clock = FixedClock::at_unix(0);
  return Checker(dns, limits, clock).check_mail_from(ip(client), sender, "helo.example");
}

// "v=spf1 a:h1.example ... a:hN.example ip4:192.0.2.1 -all" with every h name existing.
FakeResolver terms(unsigned n) {
  FakeResolver dns;
  std::string record = "v=spf1";
  for (unsigned i = 1; i <= n; ++i) {
    const std::string host = "h" + std::to_string(i) + ".example";
    record += " a:" + host;
    dns.address(host, "198.51.100.1");
  }
  dns.txt("example.com", record + " ip4:192.0.2.1 -all");
  return dns;
}

TEST(SpfLimits, TenDnsTermsPassElevenPermerror) {
  auto ten = terms(10);
  auto r = check(ten, "192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::Pass);
  EXPECT_EQ(r.lookups, 10u);
  auto eleven = terms(11);
  r = check(eleven, "192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.lookups, 11u);
  EXPECT_NE(r.reason.find("more than 10"), std::string::npos) << r.reason;
  // The bound comes from auth::Limits.
  Limits wide;
  wide.spf_dns_lookups = 11;
  EXPECT_EQ(check(eleven, "192.0.2.1", "a@example.com", wide).result, Result::Pass);
}

TEST(SpfLimits, IncludeChainsCountEveryTerm) {
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 include:i1.example -all");
  for (int i = 1; i <= 10; ++i)
    dns.txt("i" + std::to_string(i) + ".example",
            "v=spf1 include:i" + std::to_string(i + 1) + ".example");
  dns.txt("i11.example", "v=spf1 +all");
  const auto r = check(dns, "192.0.2.1", "a@example.com");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.lookups, 11u);
}

TEST(SpfLimits, TwoVoidLookupsAllowedThirdPermerror) {
  FakeResolver dns;
  dns.txt("two.example", "v=spf1 a:nx1.example mx:nx2.example ?all")
      .txt("three.example", "v=spf1 a:nx1.example mx:nx2.example exists:nx3.example ?all");
  auto r = check(dns, "192.0.2.1", "a@two.example");
  EXPECT_EQ(r.result, Result::Neutral);
  EXPECT_EQ(r.void_lookups, 2u);
  r = check(dns, "192.0.2.1", "a@three.example");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_EQ(r.void_lookups, 3u);
  Limits lenient;
  lenient.spf_void_lookups = 3;
  EXPECT_EQ(check(dns, "192.0.2.1", "a@three.example", lenient).result, Result::Neutral);
}

TEST(SpfLimits, TenMxHostsLookedUpEleventhPermerror) {
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 mx -all");
  for (std::uint16_t i = 0; i < 11; ++i) {
    const std::string host = "mx" + std::to_string(i) + ".example.com";
    dns.mx("example.com", i, host).address(host, "198.51.100." + std::to_string(i + 1));
  }
  // The tenth host (preference 9) matches before the limit.
  EXPECT_EQ(check(dns, "198.51.100.10", "a@example.com").result, Result::Pass);
  // Reaching the eleventh exceeds it.
  EXPECT_EQ(check(dns, "198.51.100.11", "a@example.com").result, Result::PermError);
  EXPECT_EQ(check(dns, "192.0.2.1", "a@example.com").result, Result::PermError);
}

TEST(SpfLimits, OnlyTenPtrNamesConsidered) {
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 ptr -all");
  for (int i = 1; i <= 10; ++i) {
    const std::string host = "h" + std::to_string(i) + ".elsewhere.example";
    dns.ptr("192.0.2.1", host).address(host, "192.0.2.1");
  }
  dns.ptr("192.0.2.1", "mail.example.com").address("mail.example.com", "192.0.2.1");
  EXPECT_EQ(check(dns, "192.0.2.1", "a@example.com").result, Result::Fail);
  Limits more;
  more.spf_ptr_names = 11;
  EXPECT_EQ(check(dns, "192.0.2.1", "a@example.com", more).result, Result::Pass);
}

// §4.6.4's elapsed-time limit. Time passes only when DNS answers: this resolver advances a
// FixedClock by a set step after every query it answers, like a slow DNS server would.
class SlowResolver final : public dns::Resolver {
 public:
  SlowResolver(FakeResolver& dns, FixedClock& clock, std::chrono::seconds step)
      : dns_(dns), clock_(clock), step_(step) {}
  dns::Answer query(std::string_view name, dns::RrType type) override {
    dns::Answer answer = dns_.query(name, type);
    clock_.advance(step_);
    return answer;
  }

 private:
  FakeResolver& dns_;
  FixedClock& clock_;
  std::chrono::seconds step_;
};

// example.com includes i1.example, which includes i2.example, ... i9.example says +all: ten TXT
// queries for a pass.
FakeResolver include_chain() {
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 include:i1.example -all");
  for (int i = 1; i < 9; ++i)
    dns.txt("i" + std::to_string(i) + ".example",
            "v=spf1 include:i" + std::to_string(i + 1) + ".example -all");
  dns.txt("i9.example", "v=spf1 +all");
  return dns;
}

TEST(SpfLimits, TimeBudgetEndsTheCheckWithTemperror) {
  FakeResolver dns = include_chain();
  auto clock = FixedClock::at_unix(1700000000);
  SlowResolver slow(dns, clock, std::chrono::seconds(3));
  // Default budget, 20 s: queries start at 0, 3, ... 18 s; the eighth (at 21 s) is never sent.
  const SpfResult r = Checker(slow, Limits{}, clock)
                          .check_mail_from(ip("192.0.2.1"), "a@example.com", "helo.example");
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::SpfTimeBudget);
  EXPECT_EQ(r.reason, "SPF check took longer than its time budget (20 s)");
  EXPECT_TRUE(r.mechanism.empty());
  EXPECT_EQ(dns.log().size(), 7u);
  // Through the Authentication-Results method: temperror with the reason.
  EXPECT_EQ(to_method_result(r).result, "temperror");
}

TEST(SpfLimits, TimeBudgetComesFromLimits) {
  FakeResolver dns = include_chain();
  auto clock = FixedClock::at_unix(1700000000);
  SlowResolver slow(dns, clock, std::chrono::seconds(3));
  Limits roomy;
  roomy.spf_time_budget = std::chrono::seconds(28);  // the tenth query starts at 27 s
  SpfResult r =
      Checker(slow, roomy, clock).check_mail_from(ip("192.0.2.1"), "a@example.com", "helo.example");
  EXPECT_EQ(r.result, Result::Pass) << r.reason;
  EXPECT_EQ(r.reason_code, ReasonCode::SpfMatched);
  EXPECT_EQ(dns.log().size(), 10u);

  // At the bound: a budget of 27 s refuses the query that would start at 27 s.
  FakeResolver again = include_chain();
  SlowResolver slow_again(again, clock, std::chrono::seconds(3));
  roomy.spf_time_budget = std::chrono::seconds(27);
  r = Checker(slow_again, roomy, clock)
          .check_mail_from(ip("192.0.2.1"), "a@example.com", "helo.example");
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(again.log().size(), 9u);
}

TEST(SpfLimits, TimeBudgetOverridesLookupsTheRfcWouldIgnore) {
  // §5.5 makes a failed PTR lookup a non-match, so "-all" would give fail; but the check ran out
  // of time, and its answer is temperror.
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 ptr -all");
  dns.ptr("192.0.2.1", "mail.example.com").address("mail.example.com", "192.0.2.1");
  auto clock = FixedClock::at_unix(1700000000);
  SlowResolver slow(dns, clock, std::chrono::seconds(20));
  const SpfResult r = Checker(slow, Limits{}, clock)
                          .check_mail_from(ip("192.0.2.1"), "a@example.com", "helo.example");
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::SpfTimeBudget);
  EXPECT_EQ(dns.log().size(), 1u);  // the TXT record only
  // With time to spare the same record passes.
  FakeResolver quick = dns;
  SlowResolver fast(quick, clock, std::chrono::seconds(1));
  EXPECT_EQ(Checker(fast, Limits{}, clock)
                .check_mail_from(ip("192.0.2.1"), "a@example.com", "helo.example")
                .result,
            Result::Pass);
}

}  // namespace
}  // namespace auth::spf
