// Fuzzes arc::Validator on a whole message, against the keys of testdata/arc/arc.zone at a fixed
// time. The message is validated twice: alone, and sharing its body hashes with a DKIM verifier
// fed the same events. Invariants: both runs agree; a pass names every set and no reason.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include <auth/arc.hpp>
#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>

#include "fuzz_check.hpp"
#include "message_feed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<auth::dns::ZoneResolver> zone = [] {
    auto loaded = auth::dns::ZoneResolver::from_file(MAILAUTH_TESTDATA "/arc/arc.zone");
    if (!loaded) auth::fuzz::invariant_failed("arc.zone loads", __FILE__, __LINE__);
    return std::move(*loaded);
  }();
  const auto text = auth::fuzz::as_text(data, size);
  // chain3-20k.eml was sealed at 1795860000..1795860120.
  const auto clock = auth::FixedClock::at_unix(1795860200);
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);

  auth::arc::Validator alone(*zone, clock);
  auth::fuzz::feed_message(text, split, alone);
  const auto expected = alone.finish();

  auth::dkim::BodyHashSet shared;
  auth::arc::Validator validator(*zone, clock, {}, {.shared_body_hashes = &shared});
  auth::dkim::Verifier verifier(*zone, clock, {}, {.shared_body_hashes = &shared});
  auth::fuzz::feed_message(text, split, verifier, validator);
  (void)verifier.finish();
  const auto result = validator.finish();

  FUZZ_CHECK(result.result == expected.result);
  FUZZ_CHECK(result.instances == expected.instances);
  FUZZ_CHECK(result.oldest_pass == expected.oldest_pass);
  FUZZ_CHECK(result.reason == expected.reason);
  FUZZ_CHECK(result.sets.size() == expected.sets.size());
  if (result.result == auth::arc::ChainResult::Pass) {
    FUZZ_CHECK(result.reason.empty());
    FUZZ_CHECK(result.sets.size() == result.instances);
    FUZZ_CHECK(result.oldest_pass <= result.instances);
  }
  (void)result.sealing_domains();
  return 0;
}
