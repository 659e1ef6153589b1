// Fuzzes arc::Validator on a whole message, against the keys of testdata/arc/arc.zone at a fixed
// time. The message is validated twice: alone, and sharing its body hashes and a caller-owned
// header list with a DKIM verifier fed the same events. Invariants: both runs agree; a pass names
// every set and no reason; a fail or temperror has a reason and a code; every text of the result
// is printable.
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

namespace {

// Keeps the fields in a caller-owned list, as the pipeline does for the verifier and validator.
struct HeaderCollector {
  auth::message::HeaderList& headers;
  void header(const auth::message::HeaderField& field) { headers.add(field.name, field.raw_value); }
  void end_of_headers() {}
  void body(std::string_view) {}
};

}  // namespace

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
  auth::message::HeaderList headers;
  auth::arc::Validator validator(*zone, clock, {},
                                 {.shared_body_hashes = &shared, .shared_headers = &headers});
  auth::dkim::Verifier verifier(*zone, clock, {},
                                {.shared_body_hashes = &shared, .shared_headers = &headers});
  HeaderCollector collector(headers);
  auth::fuzz::feed_message(text, split, collector, verifier, validator);
  (void)verifier.finish();
  const auto result = validator.finish();

  FUZZ_CHECK(result.result == expected.result);
  FUZZ_CHECK(result.instances == expected.instances);
  FUZZ_CHECK(result.oldest_pass == expected.oldest_pass);
  FUZZ_CHECK(result.reason == expected.reason);
  FUZZ_CHECK(result.reason_code == expected.reason_code);
  FUZZ_CHECK((result.result == auth::arc::ChainResult::Pass ||
              result.result == auth::arc::ChainResult::None) ==
             (result.reason_code == auth::ReasonCode::None));
  auto printable = [](std::string_view s) {
    for (const char c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
  };
  FUZZ_CHECK(printable(result.reason));
  for (const auto& set : result.sets)
    for (const std::string* field :
         {&set.seal_domain, &set.seal_selector, &set.cv, &set.ams_domain, &set.ams_selector,
          &set.authserv_id, &set.authentication_results})
      FUZZ_CHECK(printable(*field));
  FUZZ_CHECK(result.sets.size() == expected.sets.size());
  if (result.result == auth::arc::ChainResult::Pass) {
    FUZZ_CHECK(result.reason.empty());
    FUZZ_CHECK(result.sets.size() == result.instances);
    FUZZ_CHECK(result.oldest_pass <= result.instances);
  }
  (void)result.sealing_domains();
  return 0;
}
