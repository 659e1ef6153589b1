// Fuzzes DKIM parsing and verification: the input is parsed as a tag list, a DKIM-Signature
// value, a key record (and, line by line, a key RRset), then verified as a whole message against
// the RFC 8463 keys (testdata/dkim/rfc8463.zone) at a fixed time. Invariants: tag offsets lie
// inside the text, a pass has no reason (and code None), a failure has both, every text of a
// result and of a parse failure is printable, and each result's Authentication-Results entry
// parses back equal (control characters aside, see authres_check.hpp).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <auth/authres.hpp>
#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>

#include "authres_check.hpp"
#include "dkim/shared.hpp"
#include "fuzz_check.hpp"
#include "message_feed.hpp"

namespace {

bool printable(std::string_view text) {
  for (const char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

void check_tags(std::string_view text) {
  const auto tags = auth::dkim::parse_tag_list(text);
  if (!tags) return;
  for (const auto& tag : *tags) {
    FUZZ_CHECK(tag.value_begin <= tag.value_end && tag.value_end <= text.size());
    FUZZ_CHECK(auth::dkim::find_tag(*tags, tag.name) != nullptr);
  }
}

void check_signature(std::string_view text) {
  for (const auto kind :
       {auth::dkim::SignatureKind::Dkim, auth::dkim::SignatureKind::ArcMessageSignature,
        auth::dkim::SignatureKind::ArcSeal}) {
    const auto parsed = auth::dkim::parse_signature(text, kind);
    if (!parsed) {
      FUZZ_CHECK(parsed.error().code != auth::ReasonCode::None);
      FUZZ_CHECK(!parsed.error().text.empty() && printable(parsed.error().text));
    }
  }
  const auto signature = auth::dkim::parse_signature(text, auth::dkim::SignatureKind::Dkim);
  if (!signature) return;
  FUZZ_CHECK(printable(signature->domain) && printable(signature->selector) &&
             printable(signature->auid));
  FUZZ_CHECK(signature->b_tag.value_begin <= signature->b_tag.value_end &&
             signature->b_tag.value_end <= text.size());
  (void)signature->key_name();
}

void check_key_records(std::string_view text) {
  if (const auto record = auth::dkim::parse_key_record(text); !record)
    FUZZ_CHECK(printable(record.error().message));
  std::vector<std::string> rrset;
  while (rrset.size() < 8) {
    const auto end = text.find('\n');
    rrset.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  if (const auto record = auth::dkim::select_key_record(rrset); !record)
    FUZZ_CHECK(printable(record.error().message));
}

void check_results(const std::vector<auth::dkim::DkimResult>& results) {
  auth::authres::AuthenticationResults header;
  header.authserv_id = "mx.example.org";
  for (const auto& result : results) {
    FUZZ_CHECK(result.result != auth::dkim::Result::Pass || result.reason.empty());
    FUZZ_CHECK((result.result == auth::dkim::Result::Pass) ==
               (result.reason_code == auth::ReasonCode::None));
    // Every text goes to logs, JSON and the CLI: never a raw control byte from the message.
    for (const std::string* field : {&result.reason, &result.domain, &result.selector,
                                     &result.algorithm, &result.auid, &result.header_b})
      FUZZ_CHECK(printable(*field));
    header.results.push_back(auth::dkim::to_method_result(result));
  }
  auth::fuzz::check_round_trip(header);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<auth::dns::ZoneResolver> zone = [] {
    auto loaded = auth::dns::ZoneResolver::from_file(MAILAUTH_TESTDATA "/dkim/rfc8463.zone");
    if (!loaded) auth::fuzz::invariant_failed("rfc8463.zone loads", __FILE__, __LINE__);
    return std::move(*loaded);
  }();
  const auto text = auth::fuzz::as_text(data, size);
  check_tags(text);
  check_signature(text);
  check_key_records(text);
  (void)auth::dkim::parse_canonicalization(text);
  (void)auth::dkim::parse_algorithm(text);

  // The RFC 8463 signatures were made at t=1528637909.
  const auto clock = auth::FixedClock::at_unix(1528637909 + 3600);
  auth::dkim::Verifier verifier(*zone, clock);
  auth::fuzz::feed_message(text, size == 0 ? 0 : data[size - 1] % (size + 1), verifier);
  check_results(verifier.finish());
  return 0;
}
