#include "message/address_tokens.hpp"

#include "message/excerpt.hpp"

namespace auth::message {

namespace {

// RFC 5322 §3.2.3 atext, plus 8-bit bytes for RFC 6532 (UTF-8) addresses.
bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view others = "!#$%&'*+-/=?^_`{|}~";
  return others.find(static_cast<char>(c)) != std::string_view::npos;
}

// CR and LF only remain when a value was not folded properly; treat them as white space.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::unexpected<Error> syntax(std::string_view text, std::size_t offset, const std::string& what) {
  return fail(ErrorCode::Syntax, concat({what, " at offset ", std::to_string(offset), " in \"",
                                         excerpt(text, 80), "\""}));
}

}  // namespace

Expected<std::vector<Token>> tokenize_structured(std::string_view text) {
  std::vector<Token> tokens;
  bool space = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (is_space(c)) {
      space = true;
      ++i;
      continue;
    }
    if (c == '(') {
      // Comments nest (§3.2.2); a depth counter instead of recursion keeps hostile input flat.
      const std::size_t start = i;
      std::size_t depth = 0;
      for (; i < text.size(); ++i) {
        if (text[i] == '\\') {
          ++i;
        } else if (text[i] == '(') {
          ++depth;
        } else if (text[i] == ')' && --depth == 0) {
          break;
        }
      }
      if (i >= text.size()) return syntax(text, start, "unterminated comment");
      ++i;
      space = true;
      continue;
    }
    Token token{Token::Kind::Special, {}, space, i};
    space = false;
    if (c == '"') {
      token.kind = Token::Kind::QuotedString;
      ++i;
      for (;; ++i) {
        if (i >= text.size()) return syntax(text, token.offset, "unterminated quoted string");
        if (text[i] == '"') break;
        if (text[i] == '\\') {
          if (++i >= text.size()) return syntax(text, token.offset, "unterminated quoted string");
        }
        token.text.push_back(text[i]);
      }
      ++i;
    } else if (c == '[') {
      token.kind = Token::Kind::DomainLiteral;
      const std::size_t start = i++;
      for (;; ++i) {
        if (i >= text.size()) return syntax(text, start, "unterminated domain literal");
        if (text[i] == ']') break;
        if (text[i] == '[') return syntax(text, i, "'[' inside a domain literal");
        if (text[i] == '\\') {
          ++i;
          if (i >= text.size()) return syntax(text, start, "unterminated domain literal");
        }
      }
      ++i;
      token.text.assign(text.substr(start, i - start));
    } else if (is_atext(u)) {
      token.kind = Token::Kind::Atom;
      const std::size_t start = i;
      while (i < text.size() && is_atext(static_cast<unsigned char>(text[i]))) ++i;
      token.text.assign(text.substr(start, i - start));
    } else if (c == '<' || c == '>' || c == ':' || c == ';' || c == '@' || c == ',' || c == '.') {
      token.text.assign(1, c);
      ++i;
    } else if (c == ')' || c == ']' || c == '\\') {
      return syntax(text, i, std::string("unexpected '") + c + "'");
    } else {
      return syntax(text, i, "control character");
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace auth::message
