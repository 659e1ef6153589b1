#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <auth/dns.hpp>

namespace auth::dns {
namespace {

using namespace std::chrono_literals;

// An upstream that answers from a table and counts what it was asked.
class CountingResolver final : public Resolver {
 public:
  void set(const std::string& name, RrType type, Answer answer) {
    std::lock_guard lock(mutex_);
    answers_[{name, type}] = std::move(answer);
  }
  Answer query(std::string_view name, RrType type) override {
    {
      std::unique_lock lock(mutex_);
      ++calls_[{std::string(name), type}];
      ++total_;
      ++running_;
      max_running_ = std::max(max_running_, running_);
      if (running_ >= gate_) gate_open_ = true;
      changed_.notify_all();
      // Hold each call until `gate_` callers are inside at once (or a bounded wait passes).
      changed_.wait_for(lock, 2s, [&] { return gate_open_; });
    }
    if (delay_ > 0ms) std::this_thread::sleep_for(delay_);
    std::lock_guard lock(mutex_);
    --running_;
    const auto it = answers_.find({std::string(name), type});
    if (it != answers_.end()) return it->second;
    Answer nx;
    nx.status = Status::NxDomain;
    nx.ttl = 60;
    return nx;
  }
  int calls(const std::string& name, RrType type) const {
    std::lock_guard lock(mutex_);
    const auto it = calls_.find({name, type});
    return it == calls_.end() ? 0 : it->second;
  }
  int total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }
  int max_running() const {
    std::lock_guard lock(mutex_);
    return max_running_;
  }
  void set_gate(int callers) { gate_ = callers; }
  void set_delay(std::chrono::milliseconds d) { delay_ = d; }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::pair<std::string, RrType>, Answer> answers_;
  std::map<std::pair<std::string, RrType>, int> calls_;
  int total_ = 0, running_ = 0, max_running_ = 0;
  int gate_ = 1;
  bool gate_open_ = false;
  std::chrono::milliseconds delay_{0};
};

Answer txt_answer(std::string text, std::uint32_t ttl) {
  Answer a;
  a.ttl = ttl;
  a.txt.push_back(std::move(text));
  return a;
}

Answer status_answer(Status status, std::uint32_t ttl) {
  Answer a;
  a.status = status;
  a.ttl = ttl;
  return a;
}

class CachingResolverTest : public ::testing::Test {
 protected:
  CachingResolverTest() { upstream_.set("a.example", RrType::TXT, txt_answer("v=spf1 -all", 300)); }
  CacheOptions options(unsigned prefetch_threads = 0) {
    CacheOptions o;
    o.prefetch_threads = prefetch_threads;
    return o;
  }
  CountingResolver upstream_;
  FixedClock clock_ = FixedClock::at_unix(1'700'000'000);
};

TEST_F(CachingResolverTest, SecondQueryIsAHit) {
  CachingResolver cache(upstream_, clock_, options());
  EXPECT_EQ(cache.query("a.example", RrType::TXT).txt, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_EQ(cache.query("a.example", RrType::TXT).txt, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_EQ(upstream_.calls("a.example", RrType::TXT), 1);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST_F(CachingResolverTest, KeyIgnoresCaseAndTrailingDotButNotType) {
  CachingResolver cache(upstream_, clock_, options());
  cache.query("a.example", RrType::TXT);
  cache.query("A.Example.", RrType::TXT);
  EXPECT_EQ(upstream_.calls("a.example", RrType::TXT), 1);
  cache.query("a.example", RrType::A);
  EXPECT_EQ(upstream_.calls("a.example", RrType::A), 1);
}

TEST_F(CachingResolverTest, RemainingTtlFallsWithTheClockAndExpiresExactlyAtTtl) {
  CachingResolver cache(upstream_, clock_, options());
  EXPECT_EQ(cache.query("a.example", RrType::TXT).ttl, 300u);
  clock_.advance(100s);
  EXPECT_EQ(cache.query("a.example", RrType::TXT).ttl, 200u);
  clock_.advance(199s);
  EXPECT_EQ(cache.query("a.example", RrType::TXT).ttl, 1u);
  EXPECT_EQ(upstream_.calls("a.example", RrType::TXT), 1);
  clock_.advance(1s);  // now exactly 300 s after caching
  EXPECT_EQ(cache.query("a.example", RrType::TXT).ttl, 300u);
  EXPECT_EQ(upstream_.calls("a.example", RrType::TXT), 2);
}

TEST_F(CachingResolverTest, TtlIsCappedByMaxTtl) {
  upstream_.set("long.example", RrType::A, txt_answer("x", 1'000'000));
  auto o = options();
  o.max_ttl = 3600s;
  CachingResolver cache(upstream_, clock_, o);
  EXPECT_EQ(cache.query("long.example", RrType::A).ttl, 3600u);
  clock_.advance(3599s);
  cache.query("long.example", RrType::A);
  EXPECT_EQ(upstream_.calls("long.example", RrType::A), 1);
  clock_.advance(1s);
  cache.query("long.example", RrType::A);
  EXPECT_EQ(upstream_.calls("long.example", RrType::A), 2);
}

TEST_F(CachingResolverTest, ZeroTtlIsNotCached) {
  upstream_.set("zero.example", RrType::TXT, txt_answer("x", 0));
  CachingResolver cache(upstream_, clock_, options());
  cache.query("zero.example", RrType::TXT);
  cache.query("zero.example", RrType::TXT);
  EXPECT_EQ(upstream_.calls("zero.example", RrType::TXT), 2);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST_F(CachingResolverTest, NxDomainCachedForItsTtl) {
  upstream_.set("gone.example", RrType::TXT, status_answer(Status::NxDomain, 120));
  CachingResolver cache(upstream_, clock_, options());
  EXPECT_EQ(cache.query("gone.example", RrType::TXT).status, Status::NxDomain);
  clock_.advance(119s);
  const Answer again = cache.query("gone.example", RrType::TXT);
  EXPECT_EQ(again.status, Status::NxDomain);
  EXPECT_EQ(again.ttl, 1u);
  EXPECT_EQ(upstream_.calls("gone.example", RrType::TXT), 1);
  clock_.advance(1s);
  cache.query("gone.example", RrType::TXT);
  EXPECT_EQ(upstream_.calls("gone.example", RrType::TXT), 2);
}

TEST_F(CachingResolverTest, NegativeTtlIsFlooredByMinNegativeTtl) {
  upstream_.set("nodata.example", RrType::MX, status_answer(Status::Ok, 5));  // NODATA, TTL 5
  auto o = options();
  o.min_negative_ttl = 30s;
  CachingResolver cache(upstream_, clock_, o);
  const Answer first = cache.query("nodata.example", RrType::MX);
  EXPECT_TRUE(first.is_nodata());
  EXPECT_EQ(first.ttl, 30u);
  clock_.advance(29s);
  EXPECT_TRUE(cache.query("nodata.example", RrType::MX).is_nodata());
  EXPECT_EQ(upstream_.calls("nodata.example", RrType::MX), 1);
  clock_.advance(1s);
  cache.query("nodata.example", RrType::MX);
  EXPECT_EQ(upstream_.calls("nodata.example", RrType::MX), 2);
}

TEST_F(CachingResolverTest, FailuresCachedForFailureTtl) {
  upstream_.set("bad.example", RrType::TXT, status_answer(Status::ServFail, 0));
  upstream_.set("slow.example", RrType::TXT, status_answer(Status::Timeout, 0));
  auto o = options();
  o.failure_ttl = 5s;
  CachingResolver cache(upstream_, clock_, o);
  EXPECT_EQ(cache.query("bad.example", RrType::TXT).status, Status::ServFail);
  EXPECT_EQ(cache.query("slow.example", RrType::TXT).status, Status::Timeout);
  clock_.advance(4s);
  EXPECT_EQ(cache.query("bad.example", RrType::TXT).status, Status::ServFail);
  EXPECT_EQ(cache.query("slow.example", RrType::TXT).status, Status::Timeout);
  EXPECT_EQ(upstream_.total(), 2);
  clock_.advance(1s);
  cache.query("bad.example", RrType::TXT);
  EXPECT_EQ(upstream_.calls("bad.example", RrType::TXT), 2);
}

TEST_F(CachingResolverTest, FailureTtlZeroNeverCaches) {
  upstream_.set("bad.example", RrType::TXT, status_answer(Status::ServFail, 0));
  auto o = options();
  o.failure_ttl = 0s;
  CachingResolver cache(upstream_, clock_, o);
  cache.query("bad.example", RrType::TXT);
  cache.query("bad.example", RrType::TXT);
  EXPECT_EQ(upstream_.calls("bad.example", RrType::TXT), 2);
}

TEST_F(CachingResolverTest, LeastRecentlyUsedIsEvictedAtTheBound) {
  for (const char* n : {"n1.example", "n2.example", "n3.example", "n4.example"})
    upstream_.set(n, RrType::TXT, txt_answer(n, 300));
  auto o = options();
  o.max_entries = 3;
  CachingResolver cache(upstream_, clock_, o);
  cache.query("n1.example", RrType::TXT);
  cache.query("n2.example", RrType::TXT);
  cache.query("n3.example", RrType::TXT);
  EXPECT_EQ(cache.stats().entries, 3u);
  EXPECT_EQ(cache.stats().evictions, 0u);
  cache.query("n1.example", RrType::TXT);  // n1 is now the most recent; n2 the least
  cache.query("n4.example", RrType::TXT);  // evicts n2
  EXPECT_EQ(cache.stats().entries, 3u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  cache.query("n1.example", RrType::TXT);
  cache.query("n3.example", RrType::TXT);
  cache.query("n4.example", RrType::TXT);
  EXPECT_EQ(upstream_.total(), 4);
  cache.query("n2.example", RrType::TXT);
  EXPECT_EQ(upstream_.calls("n2.example", RrType::TXT), 2);
}

TEST_F(CachingResolverTest, DifferentNamesQueryUpstreamConcurrently) {
  constexpr int threads = 4;
  for (int i = 0; i < threads; ++i)
    upstream_.set("t" + std::to_string(i) + ".example", RrType::TXT, txt_answer("x", 300));
  upstream_.set_gate(threads);  // each upstream call waits until all four are inside
  CachingResolver cache(upstream_, clock_, options());
  std::vector<std::jthread> workers;
  for (int i = 0; i < threads; ++i)
    workers.emplace_back(
        [&, i] { cache.query("t" + std::to_string(i) + ".example", RrType::TXT); });
  workers.clear();
  EXPECT_EQ(upstream_.max_running(), threads);
  EXPECT_EQ(cache.stats().entries, static_cast<std::size_t>(threads));
}

TEST_F(CachingResolverTest, ManyThreadsOneNameShareOneUpstreamQuery) {
  upstream_.set_delay(50ms);
  CachingResolver cache(upstream_, clock_, options());
  std::atomic<int> good{0};
  std::vector<std::jthread> workers;
  for (int i = 0; i < 8; ++i)
    workers.emplace_back([&] {
      for (int j = 0; j < 50; ++j)
        if (cache.query("a.example", RrType::TXT).txt == std::vector<std::string>{"v=spf1 -all"})
          ++good;
    });
  workers.clear();
  EXPECT_EQ(good.load(), 400);
  EXPECT_EQ(upstream_.calls("a.example", RrType::TXT), 1);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, 400u);
}

TEST_F(CachingResolverTest, ConcurrentMixedQueriesStayConsistent) {
  for (int i = 0; i < 40; ++i)
    upstream_.set("m" + std::to_string(i) + ".example", RrType::TXT,
                  txt_answer("r" + std::to_string(i), 300));
  auto o = options(2);
  o.max_entries = 16;  // force evictions while threads race
  CachingResolver cache(upstream_, clock_, o);
  std::atomic<int> wrong{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < 6; ++t)
    workers.emplace_back([&, t] {
      for (int j = 0; j < 300; ++j) {
        const int i = (j * 7 + t) % 40;
        const std::string name = "m" + std::to_string(i) + ".example";
        if (j % 5 == 0) cache.prefetch(name, RrType::TXT);
        if (cache.query(name, RrType::TXT).txt != std::vector<std::string>{"r" + std::to_string(i)})
          ++wrong;
      }
    });
  workers.clear();
  cache.drain_prefetches();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.stats().entries, 16u);
  EXPECT_GT(cache.stats().evictions, 0u);
}

TEST_F(CachingResolverTest, PrefetchMakesTheLaterQueryAHit) {
  upstream_.set("key._domainkey.example", RrType::TXT, txt_answer("v=DKIM1; p=abc", 3600));
  CachingResolver cache(upstream_, clock_, options(2));
  cache.prefetch("key._domainkey.example", RrType::TXT);
  cache.prefetch("a.example", RrType::TXT);
  cache.drain_prefetches();
  EXPECT_EQ(upstream_.total(), 2);
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.query("key._domainkey.example", RrType::TXT).txt,
            std::vector<std::string>{"v=DKIM1; p=abc"});
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 0u);
  EXPECT_EQ(upstream_.total(), 2);
}

TEST_F(CachingResolverTest, PrefetchOfACachedNameDoesNothing) {
  CachingResolver cache(upstream_, clock_, options(1));
  cache.query("a.example", RrType::TXT);
  cache.prefetch("a.example", RrType::TXT);
  cache.prefetch("A.EXAMPLE.", RrType::TXT);
  cache.drain_prefetches();
  EXPECT_EQ(upstream_.total(), 1);
}

TEST_F(CachingResolverTest, PrefetchWithoutThreadsIsIgnored) {
  CachingResolver cache(upstream_, clock_, options(0));
  cache.prefetch("a.example", RrType::TXT);
  cache.drain_prefetches();
  EXPECT_EQ(upstream_.total(), 0);
  cache.query("a.example", RrType::TXT);
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST_F(CachingResolverTest, DestructionWithPendingPrefetchesIsClean) {
  upstream_.set_delay(20ms);
  {
    CachingResolver cache(upstream_, clock_, options(2));
    for (int i = 0; i < 20; ++i) cache.prefetch("p" + std::to_string(i) + ".example", RrType::A);
  }
  EXPECT_LE(upstream_.total(), 4);  // queued hints are dropped, only running ones finish
}

TEST_F(CachingResolverTest, WorksInFrontOfAZoneResolver) {
  auto zone = ZoneResolver::from_string("x.example. 100 IN A 192.0.2.1\n");
  ASSERT_TRUE(zone.has_value());
  CachingResolver cache(**zone, clock_, options());
  EXPECT_EQ(cache.query("x.example", RrType::A).ttl, 100u);
  clock_.advance(40s);
  EXPECT_EQ(cache.query("x.example", RrType::A).ttl, 60u);
  EXPECT_EQ(cache.query("y.example", RrType::A).status, Status::NxDomain);
}

}  // namespace
}  // namespace auth::dns

namespace auth::dns {
namespace {

struct TextMemo final : AnswerMemo {
  explicit TextMemo(std::string t) : text(std::move(t)) {}
  std::string text;
};

TEST_F(CachingResolverTest, SharedAnswerIsTheCachedOneWithItsMemoUntilExpiry) {
  CachingResolver cache(upstream_, clock_, options());
  const auto first = cache.query_shared("a.example", RrType::TXT);
  EXPECT_EQ(first->answer().txt, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_EQ(first->answer().ttl, 300u);
  EXPECT_EQ(first->memo(), nullptr);
  const AnswerMemo* kept = first->attach(std::make_unique<TextMemo>("parsed"));
  EXPECT_EQ(first->attach(std::make_unique<TextMemo>("second")), kept);  // the first one stays
  const auto again = cache.query_shared("A.Example.", RrType::TXT);
  EXPECT_EQ(&again->answer(), &first->answer());
  ASSERT_NE(again->memo(), nullptr);
  EXPECT_EQ(dynamic_cast<const TextMemo&>(*again->memo()).text, "parsed");
  EXPECT_EQ(upstream_.total(), 1);
  clock_.advance(300s);
  const auto fresh = cache.query_shared("a.example", RrType::TXT);
  EXPECT_EQ(upstream_.total(), 2);
  EXPECT_EQ(fresh->memo(), nullptr);  // the memo went with the expired answer
  EXPECT_EQ(dynamic_cast<const TextMemo&>(*first->memo()).text, "parsed");  // still held here
}

TEST_F(CachingResolverTest, MemoAttachedByManyThreadsKeepsOne) {
  CachingResolver cache(upstream_, clock_, options());
  std::vector<const AnswerMemo*> seen(8);
  std::vector<std::jthread> workers;
  for (std::size_t i = 0; i < seen.size(); ++i)
    workers.emplace_back([&, i] {
      const auto shared = cache.query_shared("a.example", RrType::TXT);
      seen[i] = shared->attach(std::make_unique<TextMemo>(std::to_string(i)));
    });
  workers.clear();
  for (const AnswerMemo* m : seen) EXPECT_EQ(m, seen[0]);
  EXPECT_EQ(cache.query_shared("a.example", RrType::TXT)->memo(), seen[0]);
  EXPECT_EQ(upstream_.total(), 1);
}

TEST_F(CachingResolverTest, UncachedAnswersPassThroughWithTheirTtl) {
  upstream_.set("zero.example", RrType::TXT, txt_answer("x", 0));
  CachingResolver cache(upstream_, clock_, options());
  EXPECT_EQ(cache.query_shared("zero.example", RrType::TXT)->answer().txt,
            std::vector<std::string>{"x"});
  EXPECT_EQ(cache.query_shared("zero.example", RrType::TXT)->answer().ttl, 0u);
  EXPECT_EQ(upstream_.calls("zero.example", RrType::TXT), 2);
  EXPECT_EQ(cache.stats().entries, 0u);
}

// Large caches are split into shards; the bound holds over all of them, and every answer stays
// right while entries come and go.
TEST_F(CachingResolverTest, ShardedCacheKeepsItsBound) {
  for (int i = 0; i < 3000; ++i)
    upstream_.set("s" + std::to_string(i) + ".example", RrType::A, [&] {
      Answer a;
      a.ttl = 300;
      a.addresses.push_back(IpAddress::v4({192, 0, 2, static_cast<std::uint8_t>(i % 256)}));
      return a;
    }());
  auto o = options();
  o.max_entries = 2048;  // eight shards of 256
  CachingResolver cache(upstream_, clock_, o);
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 3000; ++i) {
      const auto a = cache.query("s" + std::to_string(i) + ".example", RrType::A);
      ASSERT_EQ(a.addresses.size(), 1u);
      EXPECT_EQ(a.addresses[0], IpAddress::v4({192, 0, 2, static_cast<std::uint8_t>(i % 256)}));
    }
  const auto stats = cache.stats();
  EXPECT_LE(stats.entries, 2048u);
  EXPECT_GT(stats.entries, 1900u);  // shards fill evenly enough
  EXPECT_EQ(stats.evictions, static_cast<std::uint64_t>(upstream_.total()) - stats.entries);
  EXPECT_EQ(stats.hits + stats.misses, 6000u);
}

// Without per-thread tables every hit goes through the shards: same answers, same counts.
TEST_F(CachingResolverTest, WorksWithoutPerThreadTables) {
  auto o = options();
  o.per_thread_entries = 0;
  o.max_entries = 3;
  for (const char* n : {"n1.example", "n2.example", "n3.example", "n4.example"})
    upstream_.set(n, RrType::TXT, txt_answer(n, 300));
  CachingResolver cache(upstream_, clock_, o);
  for (const char* n : {"n1.example", "n2.example", "n3.example", "n1.example", "n4.example"})
    EXPECT_EQ(cache.query(n, RrType::TXT).txt, std::vector<std::string>{n});
  EXPECT_EQ(cache.stats().evictions, 1u);
  cache.query("n1.example", RrType::TXT);
  cache.query("n2.example", RrType::TXT);  // n2 was the one evicted
  EXPECT_EQ(upstream_.calls("n2.example", RrType::TXT), 2);
  EXPECT_EQ(upstream_.calls("n1.example", RrType::TXT), 1);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 5u);
}

// Hot entries read by several threads at once while other threads force evictions: every answer
// matches its name and the bound holds.
TEST_F(CachingResolverTest, ConcurrentHitsAndEvictions) {
  for (int i = 0; i < 64; ++i)
    upstream_.set("h" + std::to_string(i) + ".example", RrType::TXT,
                  txt_answer("h" + std::to_string(i), 300));
  auto o = options();
  o.max_entries = 32;
  o.per_thread_entries = 16;
  CachingResolver cache(upstream_, clock_, o);
  std::atomic<int> wrong{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([&, t] {
      for (int j = 0; j < 2000; ++j) {
        const int i = t < 2 ? j % 4 : (j * 13 + t) % 64;  // two readers of hot keys, two churners
        const std::string name = "h" + std::to_string(i) + ".example";
        const auto shared = cache.query_shared(name, RrType::TXT);
        if (shared->answer().txt != std::vector<std::string>{"h" + std::to_string(i)}) ++wrong;
      }
    });
  workers.clear();
  EXPECT_EQ(wrong.load(), 0);
  const auto stats = cache.stats();
  EXPECT_LE(stats.entries, 32u);
  EXPECT_EQ(stats.hits + stats.misses, 8000u);
  // Callers that waited for a query already under way count as misses too.
  EXPECT_GE(stats.misses, static_cast<std::uint64_t>(upstream_.total()));
}

}  // namespace
}  // namespace auth::dns
