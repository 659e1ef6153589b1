#include "spf/macro.hpp"

#include <algorithm>
#include <vector>
#include "spf/quote.hpp"

#include <auth/domain_name.hpp>

namespace auth::spf {
namespace {

constexpr std::size_t max_name_octets = 253;
constexpr std::size_t max_label_octets = 63;
// %{d9999999999}: keep the transformer count bounded; any value above the label count keeps all.
constexpr unsigned max_transformer_digits = 1000;
// A remote record can repeat %{s} thousands of times; bound what one expansion may build.
constexpr std::size_t max_expansion_octets = 16 * 1024;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

bool is_delimiter(char c) {
  return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

// macro-literal = %x21-24 / %x26-7E; explanations also allow SP (§6.2).
bool is_literal(char c, MacroContext context) {
  const auto u = static_cast<unsigned char>(c);
  if (u == ' ') return context == MacroContext::Explanation;
  return u >= 0x21 && u <= 0x7e && c != '%';
}

struct MacroExpand {
  char letter = 0;  // lower case
  bool upper = false;
  unsigned digits = 0;  // 0: keep all parts
  bool reverse = false;
  std::string_view delimiters;
};

// One token of a macro-string: either a literal run or a macro-expand.
struct Token {
  enum class Kind { Literal, Expand } kind = Kind::Literal;
  std::string_view literal;  // Literal: the text ("%%" gives "%", "%_" " ", "%-" "%20")
  MacroExpand expand;
};

// Reads the token at `pos`, advancing it.
Expected<Token> next_token(std::string_view text, std::size_t& pos, MacroContext context) {
  Token token;
  if (text[pos] != '%') {
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] != '%') {
      if (!is_literal(text[pos], context))
        return fail(ErrorCode::Syntax, "invalid character in macro string " + quote(text, '"'));
      ++pos;
    }
    token.literal = text.substr(start, pos - start);
    return token;
  }
  if (pos + 1 >= text.size())
    return fail(ErrorCode::Syntax, "'%' at the end of macro string " + quote(text, '"'));
  const char next = text[pos + 1];
  if (next == '%' || next == '_' || next == '-') {
    token.literal = next == '%' ? "%" : next == '_' ? " " : "%20";
    pos += 2;
    return token;
  }
  if (next != '{')
    return fail(ErrorCode::Syntax,
                "'%' not followed by '{', '%', '_' or '-' in " + quote(text, '"'));
  pos += 2;
  if (pos >= text.size())
    return fail(ErrorCode::Syntax, "unterminated macro in " + quote(text, '"'));
  token.kind = Token::Kind::Expand;
  MacroExpand& m = token.expand;
  const char letter = text[pos];
  m.letter = ascii_lower(letter);
  m.upper = letter != m.letter;
  static constexpr std::string_view domain_letters = "slodipvh";
  static constexpr std::string_view exp_letters = "slodipvhcrt";
  const std::string_view allowed =
      context == MacroContext::Explanation ? exp_letters : domain_letters;
  if (!is_alpha(letter) || allowed.find(m.letter) == std::string_view::npos)
    return fail(ErrorCode::Syntax,
                std::string("macro letter '") + letter + "' not allowed in " +
                    (context == MacroContext::Explanation ? "explanation " : "domain-spec ") +
                    quote(text, '"'));
  ++pos;
  if (pos < text.size() && is_digit(text[pos])) {
    unsigned value = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      value = std::min(max_transformer_digits, value * 10 + static_cast<unsigned>(text[pos] - '0'));
      ++pos;
    }
    // §7.3: "If a DIGIT is specified, the value MUST be nonzero."
    if (value == 0) return fail(ErrorCode::Syntax, "macro transformer 0 in " + quote(text, '"'));
    m.digits = value;
  }
  if (pos < text.size() && (text[pos] == 'r' || text[pos] == 'R')) {
    m.reverse = true;
    ++pos;
  }
  const std::size_t delimiters_start = pos;
  while (pos < text.size() && is_delimiter(text[pos])) ++pos;
  m.delimiters = text.substr(delimiters_start, pos - delimiters_start);
  if (pos >= text.size() || text[pos] != '}')
    return fail(ErrorCode::Syntax, "malformed macro in " + quote(text, '"'));
  ++pos;
  return token;
}

bool is_toplabel(std::string_view label) {
  // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
  if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
  bool has_alpha = false, has_dash = false;
  for (char c : label) {
    if (c == '-')
      has_dash = true;
    else if (is_alpha(c))
      has_alpha = true;
    else if (!is_digit(c))
      return false;
  }
  return has_alpha || has_dash;
}

std::string url_escape(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xf];
    }
  }
  return out;
}

// %{i}: dotted quad, or 32 dot-separated nibbles for IPv6. Upper-case hex digits, as the
// OpenSPF suite expects in explanations (DNS names compare case-insensitively either way).
std::string dotted_ip(const IpAddress& ip) {
  if (ip.is_v4()) return ip.str();
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(63);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i) out += '.';
    out += hex[ip.data()[i] >> 4];
    out += '.';
    out += hex[ip.data()[i] & 0xf];
  }
  return out;
}

std::string macro_value(const MacroExpand& m, const MacroValues& v) {
  switch (m.letter) {
    case 's':
      return std::string(v.sender);
    case 'l':
      return std::string(v.local_part);
    case 'o':
      return std::string(v.sender_domain);
    case 'd':
      return std::string(v.domain);
    case 'i':
      return dotted_ip(v.ip);
    case 'p':
      return v.validated_name ? v.validated_name() : std::string("unknown");
    case 'v':
      return v.ip.is_v4() ? "in-addr" : "ip6";
    case 'h':
      return std::string(v.helo);
    case 'c':
      return v.ip.str();
    case 'r':
      return std::string(v.receiving_host);
    case 't':
      return std::to_string(v.timestamp);
    default:  // parse_macro accepts only the letters above
      break;
  }
  return {};
}

// §7.3: split on the delimiters (default "."), optionally reverse, keep the right-most
// `digits` parts, join with ".".
std::string transform(std::string_view value, const MacroExpand& m) {
  if (m.digits == 0 && !m.reverse && (m.delimiters.empty() || m.delimiters == ".")) {
    return std::string(value);
  }
  const std::string_view delimiters = m.delimiters.empty() ? "." : m.delimiters;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || delimiters.find(value[i]) != std::string_view::npos) {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (m.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (m.digits != 0 && m.digits < parts.size()) first = parts.size() - m.digits;
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i != first) out += '.';
    out += parts[i];
  }
  return out;
}

}  // namespace

Expected<void> check_macro_string(std::string_view text, MacroContext context) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto token = next_token(text, pos, context);
    if (!token) return std::unexpected(std::move(token.error()));
  }
  return {};
}

Expected<void> check_domain_spec(std::string_view text) {
  if (text.empty()) return fail(ErrorCode::Syntax, "empty domain-spec");
  std::size_t pos = 0;
  Token last;
  std::size_t last_start = 0;
  while (pos < text.size()) {
    last_start = pos;
    auto token = next_token(text, pos, MacroContext::DomainSpec);
    if (!token) return std::unexpected(std::move(token.error()));
    last = *token;
  }
  // domain-end is a macro-expand (any form), or a literal "." toplabel ["."].
  if (last.kind == Token::Kind::Expand || text[last_start] == '%') return {};
  std::string_view tail = last.literal;
  if (!tail.empty() && tail.back() == '.') tail.remove_suffix(1);
  const auto dot = tail.rfind('.');
  if (dot == std::string_view::npos || !is_toplabel(tail.substr(dot + 1)))
    return fail(ErrorCode::Syntax,
                "domain-spec " + quote(text, '"') + " does not end in a valid top label");
  return {};
}

Expected<std::string> expand(std::string_view text, MacroContext context,
                             const MacroValues& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto token = next_token(text, pos, context);
    if (!token) return std::unexpected(std::move(token.error()));
    if (token->kind == Token::Kind::Literal) {
      out += token->literal;
      continue;
    }
    std::string value = transform(macro_value(token->expand, values), token->expand);
    out += token->expand.upper ? url_escape(value) : value;
    if (out.size() > max_expansion_octets)
      return fail(ErrorCode::LimitExceeded, "macro expansion longer than " +
                                                std::to_string(max_expansion_octets) + " octets");
  }
  return out;
}

Expected<std::string> expand_domain(std::string_view domain_spec, const MacroValues& values) {
  auto name = expand(domain_spec, MacroContext::DomainSpec, values);
  if (!name) return name;
  if (!name->empty() && name->back() == '.') name->pop_back();
  // §4.8: drop labels from the left until the name fits.
  while (name->size() > max_name_octets) {
    const auto dot = name->find('.');
    if (dot == std::string::npos) break;
    name->erase(0, dot + 1);
  }
  return name;
}

bool is_queryable_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_octets) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (++label > max_label_octets) {
      return false;
    }
  }
  return label != 0;
}

}  // namespace auth::spf
