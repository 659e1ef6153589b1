// The lexical layer of RFC 5322 structured header values (§3.2): atoms, quoted strings, domain
// literals and specials, with comments and folding white space removed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>

namespace auth::message {

struct Token {
  enum class Kind { Atom, QuotedString, DomainLiteral, Special };
  Kind kind;
  std::string text;  // atom; quoted-string content unquoted; literal with brackets; one special
  bool space_before = false;  // white space or a comment separates it from the token before
  std::size_t offset = 0;     // where it starts in the tokenized text, for error messages

  bool is_special(char c) const {
    return kind == Kind::Special && text.size() == 1 && text[0] == c;
  }
  bool is_word() const { return kind == Kind::Atom || kind == Kind::QuotedString; }
};

// Tokenizes an unfolded structured value. Fails on unterminated quoted strings, comments and
// domain literals, on stray ')' ']' '\', and on control characters.
Expected<std::vector<Token>> tokenize_structured(std::string_view text);

}  // namespace auth::message
