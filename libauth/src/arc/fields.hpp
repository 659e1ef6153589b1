// The three ARC header fields parsed (RFC 8617 §4.1): instance tags, ARC-Message-Signature and
// ARC-Seal tag lists. Errors are the reasons a chain fails.
#pragma once

#include <auth/dkim.hpp>
#include <auth/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth::arc::detail {

inline constexpr std::string_view aar_name = "ARC-Authentication-Results";
inline constexpr std::string_view ams_name = "ARC-Message-Signature";
inline constexpr std::string_view seal_name = "ARC-Seal";

enum class FieldKind { Aar, Ams, Seal };
std::optional<FieldKind> kind_of(std::string_view field_name);
std::string_view name_of(FieldKind kind);

// An instance value (RFC 8617 §4.2.1): 1*DIGIT, 1 to `max_instance`.
Expected<unsigned> parse_instance(std::string_view text, unsigned max_instance);

// In an Authentication-Results payload: the first ';' at or after `from` that is outside
// comments and quoted strings (where a backslash escapes the next character), or npos. `from`
// must be outside both, as it is at the start and just after such a ';'.
std::size_t find_top_level_semicolon(std::string_view text, std::size_t from);

// ARC-Authentication-Results: "i=N;" then an RFC 8601 payload (§4.1.1).
struct Aar {
  unsigned instance = 0;
  std::string authserv_id;  // empty when the payload does not parse
};
Expected<Aar> parse_aar(std::string_view raw_value, unsigned max_instance);

struct Ams {
  unsigned instance = 0;
  dkim::Algorithm algorithm = dkim::Algorithm::RsaSha256;
  crypto::Bytes b;
  crypto::Bytes bh;
  dkim::CanonicalizationPair
      canonicalization;                    // c=; RFC 6376 §3.5 default simple/simple when absent
  std::string domain;                      // d=, lower case
  std::string selector;                    // s=, lower case
  std::vector<std::string> headers;        // h=, lower case
  std::optional<std::uint64_t> length;     // l=
  std::optional<std::int64_t> timestamp;   // t=
  std::optional<std::int64_t> expiration;  // x=
  dkim::Tag b_tag;                         // offsets into the raw value
  std::string key_name() const { return selector + "._domainkey." + domain; }
};

struct Seal {
  unsigned instance = 0;
  dkim::Algorithm algorithm = dkim::Algorithm::RsaSha256;
  crypto::Bytes b;
  std::string cv;  // "none", "pass" or "fail"
  std::string domain;
  std::string selector;
  std::optional<std::int64_t> timestamp;
  dkim::Tag b_tag;
  std::string key_name() const { return selector + "._domainkey." + domain; }
};

struct ParseOptions {
  unsigned max_instance = 50;
  bool allow_ed25519 = true;
};

// Only the i= tag of an AMS or AS (for collecting the sets before full parsing).
Expected<unsigned> parse_signature_instance(std::string_view raw_value, unsigned max_instance);
Expected<Ams> parse_ams(std::string_view raw_value, const ParseOptions& options);
Expected<Seal> parse_seal(std::string_view raw_value, const ParseOptions& options);

}  // namespace auth::arc::detail
