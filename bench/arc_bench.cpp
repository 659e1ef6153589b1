// ARC chain validation (RFC 8617 §5.2) of a 3-set chain (rsa-sha256, ed25519-sha256, rsa-sha256)
// on a 20 KB message, testdata/arc/chain3-20k.eml with DNS from testdata/arc/arc.zone; beside
// it, DKIM verification of one rsa-sha256 signature on the same message. Messages/s is the
// items_per_second counter. "KeyCache" runs keep decoded keys across messages, as the milter
// does; the others decode every key per message.
#include <benchmark/benchmark.h>

#include <auth/arc.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/message.hpp>

#include "../tests/arc/arc_test_support.hpp"
#include "../tests/support/heap_tracker.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_testdata(const std::string& relative) {
  std::ifstream in(std::string(MAILAUTH_TESTDATA) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Split {
  std::vector<auth::message::HeaderField> headers;
  std::string body;
};

class Collector final : public auth::message::MessageHandler {
 public:
  Split split;
  void header(const auth::message::HeaderField& field) override { split.headers.push_back(field); }
  void end_of_headers() override {}
  void body(std::string_view chunk) override { split.body.append(chunk); }
  void end_of_message() override {}
};

struct Fixture {
  std::unique_ptr<auth::dns::ZoneResolver> zone;
  Split message;
  std::string error;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    auto zone =
        auth::dns::ZoneResolver::from_file(std::string(MAILAUTH_TESTDATA) + "/arc/arc.zone");
    if (!zone) {
      out.error = zone.error().message;
      return out;
    }
    out.zone = std::move(*zone);
    const std::string text = read_testdata("arc/chain3-20k.eml");
    Collector collector;
    auth::message::MessageParser parser(collector);
    if (text.empty() || !parser.feed(text) || !parser.finish()) {
      out.error = "testdata/arc/chain3-20k.eml not found or unreadable";
      return out;
    }
    out.message = std::move(collector.split);
    return out;
  }();
  return f;
}

template <class Consumer>
void feed(Consumer& consumer, const Split& message) {
  for (const auto& h : message.headers) consumer.header(h);
  consumer.end_of_headers();
  consumer.body(message.body);
}

void BM_ArcValidate3Sets20k(benchmark::State& state) {
  const Fixture& f = fixture();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const bool cached = state.range(0) != 0;
  const auto clock = auth::FixedClock::at_unix(1795860200);
  auth::dkim::KeyCache cache;
  auth::arc::ValidatorOptions options;
  if (cached) options.key_cache = &cache;
  for (auto _ : state) {
    auth::arc::Validator validator(*f.zone, clock, {}, options);
    feed(validator, f.message);
    const auth::arc::ArcResult result = validator.finish();
    if (result.result != auth::arc::ChainResult::Pass) {
      state.SkipWithError(("chain does not pass: " + result.reason).c_str());
      return;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f.message.body.size()));
}
BENCHMARK(BM_ArcValidate3Sets20k)->ArgName("KeyCache")->Arg(0)->Arg(1);

// The same message with one DKIM-Signature (rsa-sha256, relaxed/relaxed, the ARC sets' key).
void BM_ArcBesideDkimVerify20k(benchmark::State& state) {
  const Fixture& f = fixture();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const auto clock = auth::FixedClock::at_unix(1795860200);
  auto key = auth::crypto::PrivateKey::from_file(std::string(MAILAUTH_TESTDATA) +
                                                 "/keys/rsa2048.pkcs8.pem");
  if (!key) {
    state.SkipWithError(key.error().message.c_str());
    return;
  }
  auth::dkim::SignerOptions signing;
  signing.domain = "lists.example.org";
  signing.selector = "arc";  // the zone's key record serves DKIM too
  signing.key = std::make_shared<const auth::crypto::PrivateKey>(std::move(*key));
  auto signer = auth::dkim::Signer::create(signing, clock);
  if (!signer) {
    state.SkipWithError(signer.error().message.c_str());
    return;
  }
  feed(*signer, f.message);
  auto signature = signer->finish();
  if (!signature || signature->empty()) {
    state.SkipWithError("signing failed");
    return;
  }
  Split signed_message = f.message;
  signed_message.headers.insert(signed_message.headers.begin(), signature->front());
  const bool cached = state.range(0) != 0;
  auth::dkim::KeyCache cache;
  auth::dkim::VerifyOptions options;
  if (cached) options.key_cache = &cache;
  for (auto _ : state) {
    auth::dkim::Verifier verifier(*f.zone, clock, {}, options);
    feed(verifier, signed_message);
    const auto results = verifier.finish();
    if (results.empty() || results.front().result != auth::dkim::Result::Pass) {
      state.SkipWithError("DKIM signature does not pass");
      return;
    }
    benchmark::DoNotOptimize(results);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(f.message.body.size()));
}
BENCHMARK(BM_ArcBesideDkimVerify20k)->ArgName("KeyCache")->Arg(0)->Arg(1);

// A valid hostile chain (tests/arc/arc_test_support.hpp: 50 sets over a 0.8 MB header). Counters:
// heap bytes allocated per message and the peak of heap bytes live during one validation
// (tests/support/heap_tracker.hpp).
struct HostileChain {
  auth::test_support::SplitMessage message;
  std::string error;
};

const HostileChain& hostile_chain() {
  static const HostileChain h = [] {
    HostileChain out;
    out.message = auth::arc::testing::hostile_chain();
    if (out.message.headers.empty()) out.error = "making the hostile chain failed";
    return out;
  }();
  return h;
}

void BM_ArcValidateHostile50Sets(benchmark::State& state) {
  const Fixture& f = fixture();
  const HostileChain& h = hostile_chain();
  if (!f.error.empty() || !h.error.empty()) {
    state.SkipWithError((f.error + h.error).c_str());
    return;
  }
  const auto clock = auth::FixedClock::at_unix(1795860200);
  auth::dkim::KeyCache cache;
  auth::arc::ValidatorOptions options;
  options.key_cache = &cache;
  std::int64_t allocated = 0, peak = 0;
  for (auto _ : state) {
    const auth::test_support::HeapTracker heap;
    {
      auth::arc::Validator validator(*f.zone, clock, {}, options);
      feed(validator, h.message);
      const auth::arc::ArcResult result = validator.finish();
      if (result.result != auth::arc::ChainResult::Pass || result.instances != 50) {
        state.SkipWithError(("chain does not pass: " + result.reason).c_str());
        return;
      }
      benchmark::DoNotOptimize(result);
    }
    allocated += heap.allocated_bytes();
    peak = std::max(peak, heap.peak_bytes());
  }
  state.SetItemsProcessed(state.iterations());
  const double per_message = static_cast<double>(state.iterations());
  state.counters["heap_alloc_MiB"] = static_cast<double>(allocated) / per_message / (1 << 20);
  state.counters["heap_peak_MiB"] = static_cast<double>(peak) / (1 << 20);
}
BENCHMARK(BM_ArcValidateHostile50Sets)->Unit(benchmark::kMillisecond);

}  // namespace
