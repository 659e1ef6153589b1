// Private to auth::authres: character classes of RFC 8601 §2.2 and the RFCs it builds on
// (RFC 2045 token, RFC 5322 atext/qtext, RFC 6376 domain-name), shared by builder and parser.
#pragma once

#include <string_view>

namespace auth::authres::grammar {

constexpr bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7F; }

// RFC 2045 tspecials.
constexpr bool is_tspecial(unsigned char c) {
  return std::string_view("()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) != std::string_view::npos;
}

// RFC 2045 token character: US-ASCII, not SPACE, not CTL, not tspecial.
constexpr bool is_token_char(unsigned char c) { return c > 0x20 && c < 0x7F && !is_tspecial(c); }

constexpr bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Keyword (ldh-str) characters; '_' is accepted as well because deployed software uses it.
constexpr bool is_keyword_char(unsigned char c) { return is_alnum(c) || c == '-' || c == '_'; }

// RFC 5322 atext.
constexpr bool is_atext(unsigned char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
                            std::string_view::npos;
}

constexpr bool is_wsp(unsigned char c) { return c == ' ' || c == '\t'; }

// Bytes of a value written without quotes by a lenient sender: everything visible except the
// delimiters of the header's own structure.
constexpr bool is_bare_value_char(unsigned char c) {
  return c > 0x20 && c != 0x7F && c != ';' && c != '(' && c != ')' && c != '"';
}

bool is_token(std::string_view s);
// RFC 6376 domain-name: at least two dot-separated labels of letters, digits and hyphens.
bool is_domain_name(std::string_view s);
// pvalue without quoting (RFC 8601 §2.2): a token, or [ local-part ] "@" domain-name where the
// local-part is a dot-atom or a quoted-string.
bool is_bare_pvalue(std::string_view s);

}  // namespace auth::authres::grammar
