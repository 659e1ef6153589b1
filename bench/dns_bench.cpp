// DNS answer rates: ZoneResolver lookups, and CachingResolver hits (the milter's steady state).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <auth/dns.hpp>

namespace {

using auth::dns::RrType;

std::unique_ptr<auth::dns::ZoneResolver> load_records_zone() {
  auto zone =
      auth::dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/zones/records.zone");
  if (!zone) throw std::runtime_error(zone.error().message);
  return std::move(*zone);
}

// Direct lookups: an exact TXT hit, a three-link CNAME chain, and an NXDOMAIN.
void BM_ZoneResolverQuery(benchmark::State& state) {
  auto zone = load_records_zone();
  const char* names[] = {"sel._domainkey.example.com", "www.example.com", "nope.example.com"};
  const RrType types[] = {RrType::TXT, RrType::A, RrType::TXT};
  const auto which = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(zone->query(names[which], types[which]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ZoneResolverQuery)->Arg(0)->Arg(1)->Arg(2);

// Cache hits over `range(0)` distinct keys, from one or more threads sharing the cache.
void BM_CachingResolverHit(benchmark::State& state) {
  static auto zone = load_records_zone();
  static const auth::FixedClock clock = auth::FixedClock::at_unix(1'700'000'000);
  static auth::dns::CachingResolver* cache = nullptr;
  static std::vector<std::string> names;
  if (state.thread_index() == 0) {
    auth::dns::CacheOptions options;
    options.prefetch_threads = 0;
    cache = new auth::dns::CachingResolver(*zone, clock, options);
    names.clear();
    for (int i = 0; i < state.range(0); ++i) {
      // Appended piecewise: GCC 12 -O3 warns falsely (-Wrestrict) on "n" + to_string(i) + "...".
      std::string name = "n";
      name += std::to_string(i);
      name += ".example.com";
      names.push_back(std::move(name));
    }
    for (const auto& n : names) cache->query(n, RrType::TXT);  // warm: NXDOMAIN, cached
  }
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache->query(names[i % names.size()], RrType::TXT));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete cache;
    cache = nullptr;
  }
}
BENCHMARK(BM_CachingResolverHit)->Arg(1000)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
