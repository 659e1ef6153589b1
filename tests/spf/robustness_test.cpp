// Hostile input: malformed records never crash, hang or throw; every outcome is a result.
#include <gtest/gtest.h>

#include <random>

#include <auth/spf.hpp>

#include "fake_resolver.hpp"
#include "spf/record.hpp"

namespace auth::spf {
namespace {

using test::FakeResolver;

IpAddress ip(std::string_view text) { return IpAddress::parse(text).value(); }

TEST(SpfRobustness, RandomRecordsGiveAResult) {
  static constexpr const char* pieces[] = {"v=spf1",
                                           " ",
                                           "  ",
                                           "a",
                                           "mx",
                                           "ptr",
                                           "ip4:",
                                           "ip6:",
                                           "include:",
                                           "exists:",
                                           "all",
                                           "-",
                                           "+",
                                           "~",
                                           "?",
                                           "redirect=",
                                           "exp=",
                                           "/",
                                           "//",
                                           "24",
                                           "0",
                                           "129",
                                           ":",
                                           ".",
                                           "example.com",
                                           "%{",
                                           "}",
                                           "%%",
                                           "%_",
                                           "%-",
                                           "%{d}",
                                           "%{ir}",
                                           "%{l1r-}",
                                           "%{p}",
                                           "%{c}",
                                           "x",
                                           "=",
                                           "\x80",
                                           "\t",
                                           "192.0.2.1",
                                           "::1",
                                           "r.example",
                                           "loop.example",
                                           "%"};
  std::mt19937 rng(7208);
  FakeResolver dns;
  dns.txt("r.example", "v=spf1 include:r.example")
      .txt("loop.example", "v=spf1 redirect=loop.example")
      .address("example.com", "192.0.2.1")
      .mx("example.com", 1, "example.com")
      .ptr("192.0.2.1", "example.com");
  const auto clock = FixedClock::at_unix(0);
  std::size_t permerrors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string record = "v=spf1";
    const int n = static_cast<int>(rng() % 12);
    for (int j = 0; j < n; ++j) record += pieces[rng() % std::size(pieces)];
    FakeResolver local = dns;
    local.txt("target.example", record);
    Checker c(local, Limits{}, clock);
    const SpfResult r =
        c.check_mail_from(ip(i % 2 ? "192.0.2.1" : "2001:db8::1"), "u@target.example", "h.example");
    EXPECT_LE(r.lookups, 11u) << record;
    if (r.result == Result::PermError) {
      ++permerrors;
      EXPECT_FALSE(r.reason.empty()) << record;
    }
    // The parser's verdict and the evaluator's agree on syntax errors.
    if (is_spf_record(record) && !parse_record(record).has_value()) {
      EXPECT_EQ(r.result, Result::PermError) << record;
    }
  }
  EXPECT_GT(permerrors, 0u);
}

TEST(SpfRobustness, NestingIsBoundedEvenWithHugeLimits) {
  FakeResolver dns;
  dns.txt("loop.example", "v=spf1 include:loop.example -all");
  Limits huge;
  huge.spf_dns_lookups = 1000000;
  const auto clock = FixedClock::at_unix(0);
  const auto r =
      Checker(dns, huge, clock).check_mail_from(ip("192.0.2.1"), "a@loop.example", "h.example");
  EXPECT_EQ(r.result, Result::PermError);
  EXPECT_LT(r.lookups, 100u);
}

TEST(SpfRobustness, HugeExpansionsAreRefused) {
  std::string exp;
  for (int i = 0; i < 2000; ++i) exp += "%{s}";
  FakeResolver dns;
  dns.txt("example.com", "v=spf1 -all exp=e.example.com").txt("e.example.com", exp);
  const auto clock = FixedClock::at_unix(0);
  CheckerOptions options;
  options.default_explanation = "fallback";
  const std::string local(60, 'x');
  const auto r = Checker(dns, Limits{}, clock, options)
                     .check_mail_from(ip("192.0.2.1"), local + "@example.com", "h.example");
  EXPECT_EQ(r.result, Result::Fail);
  EXPECT_EQ(r.explanation, "fallback");
}

}  // namespace
}  // namespace auth::spf
