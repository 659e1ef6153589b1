// SPF check_host() evaluations per second on a record shaped like a large provider's (include
// chain three deep, 28 ip4/ip6 ranges, a, mx), answered by ZoneResolver behind CachingResolver
// so only the evaluator and the cache are measured.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include <auth/dns.hpp>
#include <auth/spf.hpp>

namespace {

struct SpfFixture {
  SpfFixture() {
    auto loaded =
        auth::dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/spf/provider.zone");
    if (!loaded) {
      std::cerr << "spf_bench: " << loaded.error().message << '\n';
      std::abort();
    }
    zone = std::move(*loaded);
    cache = std::make_unique<auth::dns::CachingResolver>(*zone, clock);
  }
  auth::FixedClock clock = auth::FixedClock::at_unix(1700000000);
  std::unique_ptr<auth::dns::ZoneResolver> zone;
  std::unique_ptr<auth::dns::CachingResolver> cache;
};

SpfFixture& fixture() {
  static SpfFixture f;
  return f;
}

void run(benchmark::State& state, const char* client, auth::spf::Result expected) {
  auto& f = fixture();
  const auth::spf::Checker checker(*f.cache, auth::Limits{}, f.clock);
  const auto ip = auth::IpAddress::parse(client).value();
  for (auto _ : state) {
    auto r = checker.check_mail_from(ip, "alice@example.com", "mail.example.org");
    if (r.result != expected) {
      state.SkipWithError("unexpected SPF result");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// Matches `a` on the first term: one A query.
void BM_SpfPassFirstTerm(benchmark::State& state) {
  run(state, "192.0.2.10", auth::spf::Result::Pass);
}
// Matches `mx`: MX query plus the exchanges' A queries.
void BM_SpfPassMx(benchmark::State& state) { run(state, "192.0.2.26", auth::spf::Result::Pass); }
// Matches an ip4 range three includes deep.
void BM_SpfPassDeepIp4(benchmark::State& state) {
  run(state, "198.51.100.77", auth::spf::Result::Pass);
}
// Matches an ip6 range three includes deep (AAAA lookups for a/mx).
void BM_SpfPassDeepIp6(benchmark::State& state) {
  run(state, "2001:db8:ffff::1", auth::spf::Result::Pass);
}
// Matches nothing: every term evaluated, then -all with the default explanation expanded.
void BM_SpfFailAll(benchmark::State& state) { run(state, "192.0.2.200", auth::spf::Result::Fail); }

BENCHMARK(BM_SpfPassFirstTerm);
BENCHMARK(BM_SpfPassMx);
BENCHMARK(BM_SpfPassDeepIp4);
BENCHMARK(BM_SpfPassDeepIp6);
BENCHMARK(BM_SpfFailAll);

}  // namespace
