// The three ARC header fields (RFC 8617 §4.1): which field a name is, the instance tags, the
// ARC-Authentication-Results prefix. ARC-Message-Signature and ARC-Seal are parsed by DKIM's
// signature parser (dkim/shared.hpp), with what RFC 8617 adds; here only the algorithms ARC
// accepts are added. Failures are the reasons a chain fails.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dkim/shared.hpp"

namespace auth::arc::detail {

using dkim::Checked;
using dkim::Failure;

inline constexpr std::string_view aar_name = "ARC-Authentication-Results";
inline constexpr std::string_view ams_name = "ARC-Message-Signature";
inline constexpr std::string_view seal_name = "ARC-Seal";

enum class FieldKind { Aar, Ams, Seal };
std::optional<FieldKind> kind_of(std::string_view field_name);
std::string_view name_of(FieldKind kind);

// In an Authentication-Results payload: the first ';' at or after `from` that is outside
// comments and quoted strings (where a backslash escapes the next character), or npos. `from`
// must be outside both, as it is at the start and just after such a ';'.
std::size_t find_top_level_semicolon(std::string_view text, std::size_t from);

// ARC-Authentication-Results: "i=N;" then an RFC 8601 payload (§4.1.1).
struct Aar {
  unsigned instance = 0;
  std::string authserv_id;  // empty when the payload does not parse
  // The payload after "i=N;", unfolded and trimmed, control bytes made spaces.
  std::string payload;
};
Checked<Aar> parse_aar(std::string_view raw_value, unsigned max_instance);

struct ParseOptions {
  unsigned max_instance = 50;  // Limits::max_arc_instances
  bool allow_ed25519 = true;
};

// Only the i= tag of an AMS or AS (to collect the sets before parsing them whole).
Checked<unsigned> parse_signature_instance(std::string_view raw_value, unsigned max_instance);
// An ARC-Message-Signature or ARC-Seal: DKIM's parser, then ARC's algorithms (never rsa-sha1,
// RFC 8301; ed25519-sha256 unless refused).
Checked<dkim::Signature> parse_ams(std::string_view raw_value, const ParseOptions& options);
Checked<dkim::Signature> parse_seal(std::string_view raw_value, const ParseOptions& options);

}  // namespace auth::arc::detail
