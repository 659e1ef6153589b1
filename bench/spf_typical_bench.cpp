// SPF check_host() on a typical record costing 7 queries (testdata/spf/typical.zone: TXT, MX,
// A, A, A, TXT, TXT), the figures issue 14 sets goals for:
//   BM_SpfTypicalWarm/threads:1 and /threads:2   one CachingResolver shared by the threads,
//                                                 warm: every query a hit (goal: 2 threads
//                                                 >= 1.6 x 1 thread on 2 cores)
//   BM_SpfTypicalUncached                         LdnsResolver straight to a DNS server on
//                                                 loopback, no cache: 7 UDP exchanges
// and, when libspf2 was found at configure time (bench/libspf2_bench.cpp), the same checks
// through libspf2. bench/ratios.py turns one run's JSON output into the goal ratios.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include <auth/dns.hpp>
#include <auth/spf.hpp>

#include "support/loopback_dns_server.hpp"
#include "support/typical_spf.hpp"

namespace {

using auth::bench::typical_zone_path;

struct WarmFixture {
  WarmFixture() {
    auto loaded = auth::dns::ZoneResolver::from_file(typical_zone_path());
    if (!loaded) {
      std::cerr << "spf_typical_bench: " << loaded.error().message << '\n';
      std::abort();
    }
    zone = std::move(*loaded);
    auth::dns::CacheOptions options;
    options.prefetch_threads = 0;
    cache = std::make_unique<auth::dns::CachingResolver>(*zone, clock, options);
  }
  auth::FixedClock clock = auth::FixedClock::at_unix(1'700'000'000);
  std::unique_ptr<auth::dns::ZoneResolver> zone;
  std::unique_ptr<auth::dns::CachingResolver> cache;
};

WarmFixture& warm() {
  static WarmFixture f;
  return f;
}

bool check(const auth::spf::Checker& checker, const auth::IpAddress& ip) {
  const auto r =
      checker.check_mail_from(ip, auth::bench::typical_sender, auth::bench::typical_helo);
  return r.result == auth::spf::Result::Pass && r.lookups == 4;  // mx a include include
}

void BM_SpfTypicalWarm(benchmark::State& state) {
  auto& f = warm();
  const auth::spf::Checker checker(*f.cache, auth::Limits{}, f.clock);
  const auto ip = auth::IpAddress::parse(auth::bench::typical_client).value();
  if (!check(checker, ip)) {  // warms the cache (each thread its own table, too)
    state.SkipWithError("unexpected SPF result");
    return;
  }
  for (auto _ : state) {
    if (!check(checker, ip)) {
      state.SkipWithError("unexpected SPF result");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpfTypicalWarm)->Threads(1)->Threads(2)->UseRealTime();

void BM_SpfTypicalUncached(benchmark::State& state) {
  auth::bench::LoopbackDnsServer server(typical_zone_path());
  auth::dns::LdnsOptions options;
  options.servers = {server.address()};
  auto resolver = auth::dns::LdnsResolver::create(options);
  if (!resolver) {
    state.SkipWithError(resolver.error().message.c_str());
    return;
  }
  const auth::FixedClock clock = auth::FixedClock::at_unix(1'700'000'000);
  const auth::spf::Checker checker(**resolver, auth::Limits{}, clock);
  const auto ip = auth::IpAddress::parse(auth::bench::typical_client).value();
  for (auto _ : state) {
    if (!check(checker, ip)) {
      state.SkipWithError("unexpected SPF result");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["queries_per_check"] = benchmark::Counter(static_cast<double>(server.queries()) /
                                                           static_cast<double>(state.iterations()));
}
BENCHMARK(BM_SpfTypicalUncached)->UseRealTime();

}  // namespace
