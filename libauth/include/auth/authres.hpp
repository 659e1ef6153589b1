// auth::authres: RFC 8601 Authentication-Results values: a builder that quotes and folds, and a
// parser (for ARC-Authentication-Results and to remove forged headers carrying our authserv-id).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>

namespace auth::authres {

// ptype.property=value, e.g. smtp.mailfrom=user@example.com, header.d=example.com.
struct Property {
  std::string ptype;     // smtp, header, body, policy (lower case)
  std::string property;  // mailfrom, d, i, b, ...
  std::string value;     // unquoted
  std::string comment;   // optional comment after the value, without parentheses
  friend bool operator==(const Property&, const Property&) = default;
};

struct MethodResult {
  std::string method;               // dkim, spf, dmarc, arc, auth, iprev, or unknown kept as is
  std::optional<unsigned> version;  // method/version, e.g. dkim/1
  std::string result;               // pass, fail, none, ... (lower case)
  std::string result_comment;       // comment right after the result, without parentheses
  std::string reason;               // reason= value, unquoted
  std::vector<Property> properties;
  friend bool operator==(const MethodResult&, const MethodResult&) = default;
};

struct AuthenticationResults {
  std::string authserv_id;
  std::optional<unsigned> version;    // authserv-id version (1 when written)
  std::vector<MethodResult> results;  // empty means "none"
  friend bool operator==(const AuthenticationResults&, const AuthenticationResults&) = default;
};

// The header value (after "Authentication-Results:"), starting with a space, folded with CRLF+TAB
// so that no line exceeds 78 columns where the tokens allow. Values that are not RFC 2045 tokens
// (or, for properties, not dot-atoms/addresses) are quoted; comments are escaped.
// `first_line_used` is the width of what precedes the value on the first line: 23 for
// "Authentication-Results:", more for "ARC-Authentication-Results: i=1;".
std::string format(const AuthenticationResults& results, std::size_t first_line_used = 23);
// The same without folding, for logs and JSON.
std::string format_unfolded(const AuthenticationResults& results);

// Parses a raw (possibly folded) header value. Comments are kept where the structure above has
// room for them and dropped elsewhere; unknown methods and properties are kept. Malformed text
// is ErrorCode::Syntax; an authres-version other than 1 is ErrorCode::Unsupported.
Expected<AuthenticationResults> parse(std::string_view raw_value);

// Only the leading authserv-id (after any CFWS). RFC 8601 §5 requires removing headers that
// carry our authserv-id even when the rest is malformed, which parse() would reject.
Expected<std::string> parse_authserv_id(std::string_view raw_value);

// True when an Authentication-Results value claims `authserv_id` (RFC 8601 §5: an MTA removes
// such fields arriving from outside): ASCII case-insensitive, CFWS around the id ignored.
bool claims_authserv_id(std::string_view raw_value, std::string_view authserv_id);

}  // namespace auth::authres
