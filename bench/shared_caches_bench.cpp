// What milter threads share, at 1, 2, 4 and 16 threads (items_per_second is the total over all
// threads; on 2 cores the ideal is twice the 1-thread rate from 2 threads on):
//   BM_KeyCacheFind             dkim::KeyCache hits over 1000 cached keys, each thread walking
//                               all of them (no key twice in a row)
//   BM_KeyCacheFindPopular      the same, with 7 finds in 8 going to 8 keys all threads share
//   BM_KeyCacheInsertWhenFull   inserting into a full cache of range(0) keys: O(1), so a 100
//                               times larger cache costs only its cache misses (the old code
//                               scanned every entry on each insert)
//   BM_RsaVerifySharedKey       one crypto::PublicKey verifying from every thread, through its
//                               pool of verify contexts
//   BM_CachingResolverHotHits   the hits of one SPF check (7 keys) from every thread
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>

namespace {

using namespace auth;

const TimePoint t0 = FixedClock::at_unix(1'700'000'000).now();

std::string key_name(std::size_t i) {
  std::string name = "s";
  name += std::to_string(i);
  name += "._domainkey.example.com";
  return name;
}

// `popular`: 7 finds in 8 go to 8 keys every thread shares (the big senders' keys, as a milter
// sees them), the rest walk all 1000; otherwise every find walks all 1000 keys, so that no
// thread finds the same key twice in a row, the worst case for any per-thread memory.
void key_cache_find(benchmark::State& state, bool popular) {
  static dkim::KeyCache* cache = nullptr;
  static std::vector<std::string> names;
  if (state.thread_index() == 0) {
    cache = new dkim::KeyCache();
    names.clear();
    for (std::size_t i = 0; i < 1000; ++i) {
      names.push_back(key_name(i));
      cache->insert(names.back(), std::make_shared<dkim::ParsedKey>(), t0 + std::chrono::hours(1));
    }
  }
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 97;
  for (auto _ : state) {
    const std::size_t n = popular && i % 8 != 0 ? i % 8 : i % names.size();
    auto key = cache->find(names[n], t0);
    if (!key) state.SkipWithError("key not cached");
    benchmark::DoNotOptimize(key);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete cache;
    cache = nullptr;
  }
}
void BM_KeyCacheFind(benchmark::State& state) { key_cache_find(state, false); }
void BM_KeyCacheFindPopular(benchmark::State& state) { key_cache_find(state, true); }
BENCHMARK(BM_KeyCacheFind)->Threads(1)->Threads(2)->Threads(4)->Threads(16)->UseRealTime();
BENCHMARK(BM_KeyCacheFindPopular)->Threads(1)->Threads(2)->Threads(4)->Threads(16)->UseRealTime();

void BM_KeyCacheInsertWhenFull(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  dkim::KeyCache cache(size);
  const auto key = std::make_shared<dkim::ParsedKey>();
  std::vector<std::string> names;
  for (std::size_t i = 0; i < 2 * size; ++i) names.push_back(key_name(i));
  for (std::size_t i = 0; i < size; ++i) cache.insert(names[i], key, t0 + std::chrono::hours(1));
  std::size_t i = size;
  for (auto _ : state) {
    cache.insert(names[i % names.size()], key, t0 + std::chrono::hours(1));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyCacheInsertWhenFull)->Arg(1000)->Arg(100000);

crypto::Bytes read_key_file(const char* name) {
  std::FILE* f = std::fopen((std::string(MAILAUTH_TESTDATA) + "/keys/" + name).c_str(), "rb");
  crypto::Bytes out;
  if (f == nullptr) return out;
  int c;
  while ((c = std::fgetc(f)) != EOF) out.push_back(static_cast<std::uint8_t>(c));
  std::fclose(f);
  return out;
}

void BM_RsaVerifySharedKey(benchmark::State& state) {
  static const auto key =
      crypto::PublicKey::from_dkim(crypto::KeyType::Rsa, read_key_file("rsa2048.spki.der"));
  static const crypto::Bytes signature = read_key_file("rsa2048.abc.sha256.sig");
  if (!key || signature.empty()) {
    state.SkipWithError("testdata/keys missing");
    return;
  }
  const auto digest = crypto::hash(crypto::HashAlgorithm::Sha256, "abc");
  for (auto _ : state) {
    if (!key->verify(crypto::HashAlgorithm::Sha256, digest.view(), signature))
      state.SkipWithError("signature did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RsaVerifySharedKey)->Threads(1)->Threads(2)->Threads(4)->Threads(16)->UseRealTime();

void BM_CachingResolverHotHits(benchmark::State& state) {
  static std::unique_ptr<dns::ZoneResolver> zone;
  static const FixedClock clock = FixedClock::at_unix(1'700'000'000);
  static dns::CachingResolver* cache = nullptr;
  if (state.thread_index() == 0) {
    zone = std::move(
        *dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/spf/typical.zone"));
    dns::CacheOptions options;
    options.prefetch_threads = 0;
    cache = new dns::CachingResolver(*zone, clock, options);
  }
  const std::pair<const char*, dns::RrType> queries[] = {
      {"example.com", dns::RrType::TXT},    {"example.com", dns::RrType::MX},
      {"mx1.example.com", dns::RrType::A},  {"mx2.example.com", dns::RrType::A},
      {"example.com", dns::RrType::A},      {"_spf.esp.example", dns::RrType::TXT},
      {"spf.crm.example", dns::RrType::TXT}};
  for (auto _ : state)
    for (const auto& [name, type] : queries)
      benchmark::DoNotOptimize(cache->query_shared(name, type));
  state.SetItemsProcessed(state.iterations() * 7);
  if (state.thread_index() == 0) {
    delete cache;
    cache = nullptr;
  }
}
BENCHMARK(BM_CachingResolverHotHits)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime();

}  // namespace
