// Fuzzes authres::parse and parse_authserv_id. Invariant: what parses formats back (folded and
// unfolded) to text that parses to the same value (control characters, which the parser keeps in
// values, become spaces), and parse_authserv_id agrees with parse.
#include <cstddef>
#include <cstdint>

#include <auth/authres.hpp>

#include "authres_check.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = auth::fuzz::as_text(data, size);
  const auto id = auth::authres::parse_authserv_id(text);
  const auto parsed = auth::authres::parse(text);
  if (!parsed) return 0;
  FUZZ_CHECK(id.has_value() && *id == parsed->authserv_id);
  auth::fuzz::check_round_trip(*parsed);
  // ARC-Authentication-Results leaves less room on the first line.
  auth::fuzz::check_round_trip(*parsed, 34);
  auth::fuzz::check_round_trip(*parsed, 0);
  return 0;
}
