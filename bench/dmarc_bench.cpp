// DMARC evaluations per second (RFC 9989) with a warm CachingResolver over a ZoneResolver
// (testdata/dmarc/appendix-b.zone), so only the evaluator and the cache are measured: the
// record parse, the tree walks, alignment and policy selection.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <auth/dmarc.hpp>
#include <auth/dns.hpp>

namespace {

namespace dmarc = auth::dmarc;

struct DmarcFixture {
  DmarcFixture() {
    auto loaded = auth::dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) +
                                                     "/dmarc/appendix-b.zone");
    if (!loaded) {
      std::cerr << "dmarc_bench: " << loaded.error().message << '\n';
      std::abort();
    }
    zone = std::move(*loaded);
    auth::dns::CacheOptions options;
    options.prefetch_threads = 0;
    cache = std::make_unique<auth::dns::CachingResolver>(*zone, clock, options);
  }
  auth::FixedClock clock = auth::FixedClock::at_unix(1700000000);
  std::unique_ptr<auth::dns::ZoneResolver> zone;
  std::unique_ptr<auth::dns::CachingResolver> cache;
};

DmarcFixture& fixture() {
  static DmarcFixture f;
  return f;
}

dmarc::Identifiers identifiers(std::string spf_domain, std::vector<std::string> dkim_domains) {
  dmarc::Identifiers ids;
  ids.spf = dmarc::SpfIdentity{auth::spf::Result::Pass, std::move(spf_domain)};
  for (auto& d : dkim_domains) ids.dkim.push_back({auth::dkim::Result::Pass, std::move(d), "s1"});
  return ids;
}

template <class Evaluate>
void run(benchmark::State& state, dmarc::Result expected, Evaluate evaluate) {
  auto& f = fixture();
  const dmarc::Evaluator evaluator(*f.cache);
  if (evaluate(evaluator).result != expected) {  // also warms the cache
    state.SkipWithError("unexpected DMARC result");
    return;
  }
  for (auto _ : state) {
    auto r = evaluate(evaluator);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// The common case: From, MAIL FROM and d= all example.com, which has its own record (RFC 9989
// §4.10.2: no alignment walk, one query).
void BM_DmarcPassSameDomain(benchmark::State& state) {
  const auto ids = identifiers("example.com", {"example.com"});
  run(state, dmarc::Result::Pass,
      [&](const dmarc::Evaluator& e) { return e.evaluate_domain("example.com", ids); });
}

// The same from the raw From header value, as the pipeline calls it.
void BM_DmarcPassFromHeader(benchmark::State& state) {
  const auto ids = identifiers("example.com", {"example.com"});
  const std::vector<std::string> from = {" Example Sender <sender@example.com>"};
  run(state, dmarc::Result::Pass, [&](const dmarc::Evaluator& e) { return e.evaluate(from, ids); });
}

// Relaxed alignment (RFC 9989 B.4.1): the author's walk plus a DKIM identifier's walk.
void BM_DmarcPassRelaxed(benchmark::State& state) {
  const auto ids = identifiers("mail.example.com", {"signing.example.com"});
  run(state, dmarc::Result::Pass,
      [&](const dmarc::Evaluator& e) { return e.evaluate_domain("example.com", ids); });
}

// Nothing aligns at a 13-label Author Domain (B.4.2): an 8-query walk, then policy selection.
void BM_DmarcFailDeepWalk(benchmark::State& state) {
  const auto ids = identifiers("example.net", {"example.net"});
  run(state, dmarc::Result::Fail, [&](const dmarc::Evaluator& e) {
    return e.evaluate_domain("a.b.c.d.e.f.g.h.i.j.k.example.com", ids);
  });
}

BENCHMARK(BM_DmarcPassSameDomain);
BENCHMARK(BM_DmarcPassFromHeader);
BENCHMARK(BM_DmarcPassRelaxed);
BENCHMARK(BM_DmarcFailDeepWalk);

}  // namespace
