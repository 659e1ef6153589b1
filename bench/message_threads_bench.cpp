// One message's checks, SPF (the typical record of testdata/spf/typical.zone) then DKIM (an
// rsa-sha256 2048-bit signature over a 4 KiB body), on 1, 2, 4 and 16 threads sharing one
// CachingResolver and one KeyCache, as milter connections share them. It stands in for the
// full verdict pipeline (auth::MessageAuth) until that is built; items_per_second is messages
// per second over all threads, so on 2 cores 2 threads should reach about twice 1 thread.
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/spf.hpp>

#include "support/typical_spf.hpp"

namespace {

using namespace auth;

const FixedClock clock_now = FixedClock::at_unix(1'795'000'000);

const std::vector<std::pair<std::string, std::string>> headers = {
    {"From", " Alice <alice@example.com>"},   {"To", " Bob <bob@example.net>"},
    {"Subject", " quarterly figures"},        {"Date", " Sat, 28 Nov 2026 12:00:00 +0000"},
    {"Message-ID", " <threads@example.com>"},
};

struct Shared {
  Shared() {
    for (int i = 0; body.size() < 4096; ++i)
      body += "line " + std::to_string(i) + " of the body\r\n";
    auto key = std::make_shared<const crypto::PrivateKey>(*crypto::PrivateKey::generate_rsa(2048));
    dkim::SignerOptions o;
    o.domain = "example.com";
    o.selector = "rsa";
    o.key = key;
    auto signer = dkim::Signer::create(o, clock_now);
    for (const auto& [name, value] : headers) signer->header(name, value);
    signer->end_of_headers();
    signer->body(body);
    signature = *signer->finish();

    std::ifstream in(bench::typical_zone_path());
    std::stringstream zone;
    zone << in.rdbuf();
    const std::string record = "v=DKIM1; k=rsa; p=" + crypto::base64_encode(key->public_key_dkim());
    zone << "rsa._domainkey.example.com. 3600 IN TXT (";
    for (std::size_t at = 0; at < record.size(); at += 255)
      zone << " \"" << record.substr(at, 255) << '"';
    zone << " )\n";
    upstream = std::move(*dns::ZoneResolver::from_string(zone.str()));
    dns::CacheOptions options;
    options.prefetch_threads = 0;
    resolver = std::make_unique<dns::CachingResolver>(*upstream, clock_now, options);
  }
  std::string body;
  std::vector<message::HeaderField> signature;
  std::unique_ptr<dns::ZoneResolver> upstream;
  std::unique_ptr<dns::CachingResolver> resolver;
  dkim::KeyCache keys;
};

Shared& shared() {
  static Shared s;
  return s;
}

bool check_message(Shared& s, const spf::Checker& checker, const IpAddress& ip) {
  const auto spf = checker.check_mail_from(ip, bench::typical_sender, bench::typical_helo);
  dkim::VerifyOptions options;
  options.key_cache = &s.keys;
  dkim::Verifier verifier(*s.resolver, clock_now, {}, options);
  for (const auto& field : s.signature) verifier.header(field);
  for (const auto& [name, value] : headers) verifier.header(name, value);
  verifier.end_of_headers();
  verifier.body(s.body);
  const auto dkim = verifier.finish();
  return spf.result == spf::Result::Pass && dkim.size() == 1 &&
         dkim[0].result == dkim::Result::Pass;
}

void BM_MessageSpfDkimThreads(benchmark::State& state) {
  Shared& s = shared();
  const spf::Checker checker(*s.resolver, Limits{}, clock_now);
  const auto ip = IpAddress::parse(bench::typical_client).value();
  for (auto _ : state) {
    if (!check_message(s, checker, ip)) {
      state.SkipWithError("a check did not pass");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MessageSpfDkimThreads)->Threads(1)->Threads(2)->Threads(4)->Threads(16)->UseRealTime();

}  // namespace
