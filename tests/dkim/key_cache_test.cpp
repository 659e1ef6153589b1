#include <auth/dkim.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

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
  EXPECT_EQ(cache.find("a", t0), nullptr);  // the least recently used went first
  EXPECT_NE(cache.find("c", t0), nullptr);
  KeyCache none(0);
  none.insert("a", revoked_key(), t0 + std::chrono::seconds(10));
  EXPECT_EQ(none.size(), 0u);
}

// A refresh of a cached key replaces it in place; it must not push another entry out.
TEST(KeyCache, RefreshingAKeyEvictsNothingElse) {
  KeyCache cache(2);
  const auto a1 = revoked_key(), a2 = revoked_key(), b = revoked_key();
  cache.insert("a", a1, t0 + std::chrono::seconds(10));
  cache.insert("b", b, t0 + std::chrono::seconds(5));
  cache.insert("A", a2, t0 + std::chrono::seconds(20));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("b", t0), b);
  EXPECT_EQ(cache.find("a", t0 + std::chrono::seconds(15)), a2);
}

// Eviction follows use, not expiry: a key just used stays even when it expires sooner.
TEST(KeyCache, LeastRecentlyUsedIsEvicted) {
  KeyCache cache(2);
  const auto a = revoked_key(), b = revoked_key(), c = revoked_key();
  cache.insert("a", a, t0 + std::chrono::seconds(100));
  cache.insert("b", b, t0 + std::chrono::seconds(200));
  EXPECT_EQ(cache.find("a", t0), a);
  cache.insert("c", c, t0 + std::chrono::seconds(300));
  EXPECT_EQ(cache.find("a", t0), a);
  EXPECT_EQ(cache.find("b", t0), nullptr);
  EXPECT_EQ(cache.find("c", t0), c);
}

TEST(KeyCache, ExpiredEntriesLeaveWhenFound) {
  KeyCache cache;
  cache.insert("a", revoked_key(), t0 + std::chrono::seconds(10));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find("a", t0 + std::chrono::seconds(10)), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

// Large caches are split into shards: the bound holds over all of them.
TEST(KeyCache, ShardedBoundHolds) {
  KeyCache cache(4096);
  std::map<std::string, std::shared_ptr<const ParsedKey>> keys;
  for (int i = 0; i < 10000; ++i) {
    const std::string name = "s" + std::to_string(i) + "._domainkey.example";
    keys[name] = revoked_key();
    cache.insert(name, keys[name], t0 + std::chrono::seconds(60));
  }
  EXPECT_LE(cache.size(), 4096u);
  EXPECT_GT(cache.size(), 3800u);
  std::size_t found = 0;
  for (const auto& [name, key] : keys) {
    const auto hit = cache.find(name, t0);
    if (hit == nullptr) continue;
    ++found;
    EXPECT_EQ(hit, key) << name;
  }
  EXPECT_EQ(found, cache.size());
}

// Many threads finding, inserting and refreshing a small set of names over a smaller cache:
// every hit is the key inserted under that name, and the bound holds (run under TSan in CI).
TEST(KeyCache, ConcurrentFindAndInsert) {
  constexpr int names = 48;
  std::vector<std::shared_ptr<const ParsedKey>> keys;
  for (int i = 0; i < names; ++i) keys.push_back(revoked_key());
  KeyCache cache(32);
  std::atomic<int> wrong{0}, hits{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < 8; ++t)
    workers.emplace_back([&, t] {
      for (int j = 0; j < 3000; ++j) {
        const int i = (j * 7 + t * 5) % names;
        const std::string name = "k" + std::to_string(i) + "._domainkey.example";
        if (const auto hit = cache.find(name, t0)) {
          ++hits;
          if (hit != keys[i]) ++wrong;
        } else {
          cache.insert(name, keys[i], t0 + std::chrono::seconds(60 + j % 7));
        }
      }
    });
  workers.clear();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(cache.size(), 32u);
}

// A thread keeps references to the entries it found; they must never outlive a refresh, an
// eviction or an expiry in what find() returns.
TEST(KeyCache, ThreadTableNeverServesReplacedOrEvictedEntries) {
  KeyCache cache(2);
  const auto a1 = revoked_key(), a2 = revoked_key();
  cache.insert("a", a1, t0 + std::chrono::seconds(100));
  EXPECT_EQ(cache.find("a", t0), a1);  // now in this thread's table
  EXPECT_EQ(cache.find("A", t0), a1);
  cache.insert("a", a2, t0 + std::chrono::seconds(50));
  EXPECT_EQ(cache.find("a", t0), a2);
  EXPECT_EQ(cache.find("a", t0 + std::chrono::seconds(50)), nullptr);  // expired

  cache.insert("a", a1, t0 + std::chrono::seconds(100));
  EXPECT_EQ(cache.find("a", t0), a1);
  // a was found: its second chance keeps it past b, then c and d push it out.
  cache.insert("b", revoked_key(), t0 + std::chrono::seconds(100));
  cache.insert("c", revoked_key(), t0 + std::chrono::seconds(100));
  cache.insert("d", revoked_key(), t0 + std::chrono::seconds(100));
  cache.insert("e", revoked_key(), t0 + std::chrono::seconds(100));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("a", t0), nullptr);
}

// Keys found by several threads through their own tables are the cached ones, and a refresh is
// seen by every thread.
TEST(KeyCache, EveryThreadSeesARefresh) {
  KeyCache cache;
  const auto old_key = revoked_key(), new_key = revoked_key();
  cache.insert("popular._domainkey.example", old_key, t0 + std::chrono::seconds(60));
  std::atomic<int> phase{0}, ready{0}, wrong{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (cache.find("popular._domainkey.example", t0) != old_key) ++wrong;
      ++ready;
      while (phase.load() == 0) std::this_thread::yield();
      for (int i = 0; i < 100; ++i)
        if (cache.find("Popular._DomainKey.Example", t0) != new_key) ++wrong;
    });
  while (ready.load() < 4) std::this_thread::yield();
  cache.insert("popular._domainkey.example", new_key, t0 + std::chrono::seconds(60));
  phase = 1;
  workers.clear();
  EXPECT_EQ(wrong.load(), 0);
}
