// Small pieces of message building shared by aggregate and failure reports.
#pragma once

#include <string>
#include <string_view>

#include <auth/clock.hpp>

namespace auth::dmarc::mime {

// RFC 5322 date-time in UTC: "Tue, 05 Oct 2021 04:37:02 +0000".
std::string date(TimePoint t);
// Base64 in lines of 76 characters, each ending in CRLF.
std::string base64_lines(std::string_view data);
// n random bytes as lower-case hex (getrandom).
std::string random_hex(std::size_t bytes);
// A display name as an RFC 5322 quoted-string when it needs one; non-ASCII as an RFC 2047
// encoded word.
std::string display_name(std::string_view name);
// Replaces CR, LF and other control bytes by spaces (header field values from input).
std::string header_safe(std::string_view text);
// CRLF line endings to LF, for handing a message to sendmail.
std::string to_lf(std::string_view message);

}  // namespace auth::dmarc::mime
