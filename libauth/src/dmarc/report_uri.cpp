#include "dmarc/report_uri.hpp"

#include <auth/domain_name.hpp>

#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

// RFC 3986 §2: unreserved, sub-delims, gen-delims other than the fragment's own rules. ',' and
// '!' are sub-delims, but RFC 9989 §4.8 wants them %-encoded inside a dmarc-uri.
bool uri_char(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':  // unreserved
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':  // sub-delims
    case ';':
    case '=':
    case ':':
    case '/':
    case '?':
    case '#':
    case '[':
    case ']':
    case '@':  // gen-delims
      return true;
    default:
      return false;
  }
}

std::unexpected<Error> bad(std::string_view what, std::string_view uri) {
  return fail(ErrorCode::Syntax, message::concat({what, " in URI ", message::quoted_excerpt(uri)}));
}

// obs-dmarc-report-size = "!" 1*DIGIT [ "k" / "m" / "g" / "t" ]
bool valid_size_suffix(std::string_view s) {
  if (s.empty()) return false;
  if (const char last = static_cast<char>(s.back() | 0x20);
      last == 'k' || last == 'm' || last == 'g' || last == 't')
    s.remove_suffix(1);
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The host of an RFC 3986 authority: after any userinfo "@", before any ":port".
std::string authority_host(std::string_view rest) {
  if (!rest.starts_with("//")) return {};
  rest.remove_prefix(2);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (rest.starts_with('[')) return to_lower(rest.substr(0, rest.find(']') + 1));
  return to_lower(rest.substr(0, rest.find(':')));
}

}  // namespace

Expected<ReportUri> parse_report_uri(std::string_view text) {
  if (text.empty()) return fail(ErrorCode::Syntax, "empty URI");
  std::string_view uri = text;
  if (const auto bang = uri.find('!'); bang != std::string_view::npos) {
    if (!valid_size_suffix(uri.substr(bang + 1)))
      return bad("'!' not followed by a size (it must be %-encoded)", text);
    uri = uri.substr(0, bang);  // the obsolete size limit is ignored (RFC 9989 §4.8)
  }
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return bad("no scheme", text);
  const auto scheme = uri.substr(0, colon);
  if (!is_alpha(scheme.front())) return bad("scheme not starting with a letter", text);
  for (char c : scheme)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
      return bad("invalid scheme", text);
  for (std::size_t i = colon + 1; i < uri.size(); ++i) {
    if (uri[i] == '%') {
      if (i + 2 >= uri.size() || !is_hex(uri[i + 1]) || !is_hex(uri[i + 2]))
        return bad("bad %-escape", text);
      i += 2;
    } else if (uri[i] == ',') {
      return bad("',' not %-encoded", text);
    } else if (!uri_char(uri[i])) {
      return bad("character not allowed", text);
    }
  }
  const auto rest = uri.substr(colon + 1);
  if (rest.empty()) return bad("nothing after the scheme", text);

  ReportUri out;
  out.uri = std::string(uri);
  out.scheme = to_lower(scheme);
  if (out.scheme == "mailto") {
    // RFC 6068: mailto:addr-spec[?hfields]. One address per URI here; rua lists use commas.
    std::string address = percent_decode(rest.substr(0, rest.find('?')));
    const auto at = address.rfind('@');
    if (at != std::string::npos && at > 0 && at + 1 < address.size()) {
      out.host = to_lower(std::string_view(address).substr(at + 1));
      out.address = std::move(address);
    }
  } else {
    out.host = authority_host(rest);
  }
  return out;
}

}  // namespace auth::dmarc
