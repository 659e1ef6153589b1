#include <auth/dkim.hpp>

#include <gtest/gtest.h>

using namespace auth;
using namespace auth::dkim;

namespace {
std::shared_ptr<const ParsedKey> revoked_key() {
  auto key = std::make_shared<ParsedKey>();
  return key;
}
const TimePoint t0 = FixedClock::at_unix(1000).now();
}  // namespace

TEST(KeyCache, KeepsEntriesForTheirTtlCaseInsensitively) {
  KeyCache cache;
  const auto key = revoked_key();
  cache.insert("Sel._DomainKey.Example.com", key, t0 + std::chrono::seconds(60));
  EXPECT_EQ(cache.find("sel._domainkey.example.com", t0), key);
  EXPECT_EQ(cache.find("sel._domainkey.example.com", t0 + std::chrono::seconds(59)), key);
  EXPECT_EQ(cache.find("sel._domainkey.example.com", t0 + std::chrono::seconds(60)), nullptr);
  EXPECT_EQ(cache.find("other._domainkey.example.com", t0), nullptr);
}

TEST(KeyCache, BoundedSize) {
  KeyCache cache(2);
  cache.insert("a", revoked_key(), t0 + std::chrono::seconds(10));
  cache.insert("b", revoked_key(), t0 + std::chrono::seconds(20));
  cache.insert("c", revoked_key(), t0 + std::chrono::seconds(30));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("a", t0), nullptr);  // the entry expiring soonest went first
  EXPECT_NE(cache.find("c", t0), nullptr);
  KeyCache none(0);
  none.insert("a", revoked_key(), t0 + std::chrono::seconds(10));
  EXPECT_EQ(none.size(), 0u);
}
