// End to end through the real resolvers: testdata/spf/provider.zone (the benchmark's data) via
// ZoneResolver behind CachingResolver, and the spf= result through the authres builder.
#include <gtest/gtest.h>

#include <auth/authres.hpp>
#include <auth/dns.hpp>
#include <auth/spf.hpp>

#include "fake_resolver.hpp"  // PrintTo(Result)

namespace auth::spf {
namespace {

class SpfProviderZone : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded =
        dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/spf/provider.zone");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    zone_ = std::move(*loaded);
    cache_ = std::make_unique<dns::CachingResolver>(*zone_, clock_);
  }
  SpfResult check(std::string_view client) {
    Checker checker(*cache_, Limits{}, clock_,
                    CheckerOptions{"mx.receiver.example", "not allowed"});
    return checker.check_mail_from(IpAddress::parse(client).value(), "alice@example.com",
                                   "mail.example.org");
  }
  FixedClock clock_ = FixedClock::at_unix(1700000000);
  std::unique_ptr<dns::ZoneResolver> zone_;
  std::unique_ptr<dns::CachingResolver> cache_;
};

TEST_F(SpfProviderZone, EachPathGivesItsResultAndLookupCount) {
  struct Expect {
    const char* client;
    Result result;
    const char* mechanism;
    unsigned lookups;
  };
  for (const Expect& e :
       {Expect{"192.0.2.10", Result::Pass, "a", 1}, Expect{"2001:db8::25", Result::Pass, "mx", 2},
        Expect{"192.0.2.26", Result::Pass, "mx", 2},
        Expect{"74.125.1.1", Result::Pass, "include:_spf.mailprovider.example", 4},
        Expect{"198.51.100.77", Result::Pass, "include:_spf.mailprovider.example", 5},
        Expect{"2001:db8:ffff::1", Result::Pass, "include:_spf.mailprovider.example", 5},
        Expect{"198.19.0.1", Result::Pass, "include:spf.crm.example", 6},
        Expect{"192.0.2.200", Result::Fail, "-all", 6}}) {
    const SpfResult r = check(e.client);
    EXPECT_EQ(r.result, e.result) << e.client << ": " << r.reason;
    EXPECT_EQ(r.mechanism, e.mechanism) << e.client;
    EXPECT_EQ(r.lookups, e.lookups) << e.client;
  }
  EXPECT_EQ(check("192.0.2.200").explanation, "not allowed");
  // Every answer after the first round comes from the cache.
  const auto before = cache_->stats().misses;
  check("192.0.2.200");
  EXPECT_EQ(cache_->stats().misses, before);
}

TEST_F(SpfProviderZone, AuthenticationResultsText) {
  authres::AuthenticationResults ar;
  ar.authserv_id = "mx.receiver.example";
  ar.results.push_back(to_method_result(check("192.0.2.10")));
  const std::string text = authres::format_unfolded(ar);
  EXPECT_NE(text.find("spf=pass"), std::string::npos) << text;
  EXPECT_NE(text.find("smtp.mailfrom=alice@example.com"), std::string::npos) << text;
}

}  // namespace
}  // namespace auth::spf
