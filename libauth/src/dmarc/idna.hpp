// Domain names as DMARC compares them (RFC 9989 §5.3.1): U-labels converted to A-labels with
// Punycode (RFC 3492), ASCII lower case.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <auth/error.hpp>

namespace auth::dmarc {

// RFC 3492 §6.3 encoding of a sequence of code points (basic code points first, then deltas).
// nullopt when a value would overflow (only for absurd inputs).
std::optional<std::string> punycode_encode(std::u32string_view input);
// RFC 3492 §6.2 decoding; nullopt for malformed input (bad digit, overflow, truncation).
std::optional<std::u32string> punycode_decode(std::string_view input);

// `domain` with every label that holds non-ASCII bytes turned into its A-label ("xn--" +
// Punycode of the label's code points, after the small case mapping below), the rest lower-cased
// ASCII; one trailing dot dropped. Fails (Syntax) on invalid UTF-8, an empty label, a label over
// 63 octets or a name over 253 octets, or bytes a host name cannot hold.
//
// Not a full IDNA2008/UTS #46 processor: no normalization (NFC) and upper case is mapped to lower
// case only for Latin-1, Latin Extended-A, Greek and Cyrillic letters. Mail from a real IDN
// domain is already in the registered (lower case, NFC) form.
Expected<std::string> to_a_labels(std::string_view domain);

}  // namespace auth::dmarc
