#include "authres/grammar.hpp"

namespace auth::authres::grammar {
namespace {

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char previous = 0;
  for (char c : s) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!is_atext(static_cast<unsigned char>(c))) {
      return false;
    }
    previous = c;
  }
  return true;
}

// A complete RFC 5322 quoted-string without CFWS: '"' *(qtext / quoted-pair / WSP) '"'.
bool is_quoted_string(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;  // would escape the closing quote
      const auto next = static_cast<unsigned char>(s[++i]);
      if (is_ctl(next) && next != '\t') return false;
    } else if (c == '"' || (is_ctl(c) && c != '\t')) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool is_domain_name(std::string_view s) {
  std::size_t labels = 0;
  while (true) {
    const auto dot = s.find('.');
    const std::string_view label = s.substr(0, dot);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!is_alnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

bool is_bare_pvalue(std::string_view s) {
  if (is_token(s)) return true;
  const auto at = s.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view local = s.substr(0, at);
  const std::string_view domain = s.substr(at + 1);
  if (!is_domain_name(domain)) return false;
  return local.empty() || is_dot_atom(local) || is_quoted_string(local);
}

}  // namespace auth::authres::grammar
