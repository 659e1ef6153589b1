// Every SpfResult carries a reason code beside its reason (auth/reason.hpp): one case per code
// check_host() sets.
#include <gtest/gtest.h>

#include <auth/spf.hpp>

#include "fake_resolver.hpp"

namespace auth::spf {
namespace {

using test::FakeResolver;

struct Case {
  std::string name;
  std::vector<std::pair<std::string, std::string>> txt;  // name, record
  std::string sender;
  Result result;
  ReasonCode code;
};

const FixedClock fixed_clock = FixedClock::at_unix(1700000000);

SpfResult check(FakeResolver& dns, const std::string& sender) {
  const Checker checker(dns, Limits{}, fixed_clock);
  return checker.check_mail_from(IpAddress::parse("192.0.2.1").value(), sender, "mail.example.org");
}

TEST(SpfReasonCode, EachOutcomeHasItsCode) {
  std::string ten_includes = "v=spf1";
  for (int i = 0; i < 11; ++i) ten_includes += " include:i" + std::to_string(i) + ".example.com";
  std::vector<std::pair<std::string, std::string>> many{{"example.com", ten_includes + " -all"}};
  for (int i = 0; i < 11; ++i)
    many.emplace_back("i" + std::to_string(i) + ".example.com", "v=spf1 -all");
  const std::vector<Case> cases = {
      {"match",
       {{"example.com", "v=spf1 ip4:192.0.2.0/24 -all"}},
       "a@example.com",
       Result::Pass,
       ReasonCode::SpfMatched},
      {"default",
       {{"example.com", "v=spf1 ip4:198.51.100.1"}},
       "a@example.com",
       Result::Neutral,
       ReasonCode::SpfDefault},
      {"no record",
       {{"example.com", "hello"}},
       "a@example.com",
       Result::None,
       ReasonCode::SpfNoRecord},
      {"no domain", {}, "a@example.com", Result::None, ReasonCode::SpfNoRecord},
      {"bad domain", {}, "a@example", Result::None, ReasonCode::SpfBadDomain},
      {"two records",
       {{"example.com", "v=spf1 -all"}, {"example.com", "v=spf1 +all"}},
       "a@example.com",
       Result::PermError,
       ReasonCode::SpfMultipleRecords},
      {"syntax",
       {{"example.com", "v=spf1 moo -all"}},
       "a@example.com",
       Result::PermError,
       ReasonCode::SpfSyntax},
      {"include none",
       {{"example.com", "v=spf1 include:none.example.com -all"}},
       "a@example.com",
       Result::PermError,
       ReasonCode::SpfIncludeNone},
      {"redirect none",
       {{"example.com", "v=spf1 redirect=none.example.com"}},
       "a@example.com",
       Result::PermError,
       ReasonCode::SpfIncludeNone},
      {"lookup limit", many, "a@example.com", Result::PermError, ReasonCode::SpfLookupLimit},
      {"void lookups",
       {{"example.com", "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com -all"}},
       "a@example.com",
       Result::PermError,
       ReasonCode::SpfVoidLookupLimit},
  };
  for (const Case& c : cases) {
    FakeResolver dns;
    for (const auto& [name, record] : c.txt) dns.txt(name, record);
    const SpfResult r = check(dns, c.sender);
    EXPECT_EQ(r.result, c.result) << c.name << ": " << r.reason;
    EXPECT_EQ(r.reason_code, c.code) << c.name << ": " << r.reason;
    EXPECT_FALSE(r.reason.empty()) << c.name;
  }
}

TEST(SpfReasonCode, DnsFailures) {
  FakeResolver timeout;
  timeout.status("example.com", dns::RrType::TXT, dns::Status::Timeout);
  EXPECT_EQ(check(timeout, "a@example.com").reason_code, ReasonCode::DnsTimeout);
  FakeResolver servfail;
  servfail.status("example.com", dns::RrType::TXT, dns::Status::ServFail);
  EXPECT_EQ(check(servfail, "a@example.com").reason_code, ReasonCode::DnsServerFailure);
  // Deeper down: an include's failure keeps its code.
  FakeResolver nested;
  nested.txt("example.com", "v=spf1 include:inner.example.com -all");
  nested.status("inner.example.com", dns::RrType::TXT, dns::Status::Timeout);
  const SpfResult r = check(nested, "a@example.com");
  EXPECT_EQ(r.result, Result::TempError);
  EXPECT_EQ(r.reason_code, ReasonCode::DnsTimeout);
}

}  // namespace
}  // namespace auth::spf
