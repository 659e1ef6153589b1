// parse(): RFC 8601 §2.2 grammar with CFWS (comments, folding) allowed between any two
// elements. Lenient where deployed software is sloppy but the meaning is clear (unquoted values
// with '/' or ':', a trailing ';', "name=value" without a ptype, reason= after properties);
// everything else is a Syntax error naming the offset. Linear time, no recursion.
#include <string>

#include <auth/authres.hpp>
#include <auth/domain_name.hpp>

#include "authres/grammar.hpp"

namespace auth::authres {
namespace {

// Bounds the version numbers; nothing legitimate comes close.
constexpr std::size_t kMaxVersionDigits = 9;

// Control characters other than HTAB (obsolete syntax, or escaped) become spaces, as the
// builder writes them: a parsed value never carries one into a header we write.
char printable(char c) {
  return grammar::is_ctl(static_cast<unsigned char>(c)) && c != '\t' ? ' ' : c;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Expected<std::string> authserv_id() {
    if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
    if (at_end()) return error("empty header: expected an authserv-id");
    auto id = read_value("authserv-id", /*lenient=*/false);
    if (!id) return id;
    if (id->empty()) return error("empty authserv-id");
    return id;
  }

  Expected<AuthenticationResults> run() {
    AuthenticationResults out;
    auto id = authserv_id();
    if (!id) return std::unexpected(id.error());
    out.authserv_id = std::move(*id);
    if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
    if (!at_end() && grammar::is_digit(peek())) {
      const std::size_t start = pos_;
      auto version = read_number("authres-version");
      if (!version) return std::unexpected(version.error());
      // Version 1 is the only one defined; a field of another version is not ours to read.
      if (*version != 1) {
        return fail(ErrorCode::Unsupported, "Authentication-Results: version " +
                                                std::to_string(*version) + " at offset " +
                                                std::to_string(start) + " is not 1");
      }
      out.version = *version;
      if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
    }
    // Some senders write the authserv-id alone; it says as much as "; none".
    if (at_end()) return out;
    if (peek() != ';') return error("expected ';' after the authserv-id");
    ++pos_;

    bool first = true;
    while (true) {
      if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
      if (at_end()) break;
      if (peek() == ';') {  // empty resinfo, as in a trailing ";;"
        ++pos_;
        continue;
      }
      const std::size_t start = pos_;
      auto result = read_resinfo();
      if (!result) return std::unexpected(result.error());
      if (!result->has_value()) {  // "none"
        if (!first) return error_at(start, "'none' cannot follow results");
        if (auto ok = skip_trailer(); !ok) return std::unexpected(ok.error());
        break;
      }
      out.results.push_back(std::move(**result));
      first = false;
      if (!at_end()) ++pos_;  // the ';' that ended this resinfo
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  unsigned char peek() const { return static_cast<unsigned char>(text_[pos_]); }

  std::unexpected<Error> error_at(std::size_t offset, std::string_view what) const {
    return fail(ErrorCode::Syntax, "Authentication-Results: " + std::string(what) + " at offset " +
                                       std::to_string(offset));
  }
  std::unexpected<Error> error(std::string_view what) const { return error_at(pos_, what); }

  // Skips white space, line breaks of folding and comments. Comment text (quoted-pairs
  // resolved, nested parentheses kept, line breaks dropped) is appended to `comments`,
  // several comments joined by a space.
  Expected<void> skip_cfws(std::string* comments) {
    while (!at_end()) {
      const unsigned char c = peek();
      if (grammar::is_wsp(c) || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        const std::size_t start = pos_++;
        std::string text;
        std::size_t depth = 1;
        while (true) {
          if (at_end()) return error_at(start, "unterminated comment");
          const char d = text_[pos_++];
          if (d == '\\') {
            if (at_end()) return error_at(start, "unterminated comment");
            text += printable(text_[pos_++]);
            continue;
          }
          if (d == '(') {
            ++depth;
          } else if (d == ')' && --depth == 0) {
            break;
          }
          if (d != '\r' && d != '\n') text += printable(d);
        }
        if (comments != nullptr) {
          if (!comments->empty()) *comments += ' ';
          *comments += text;
        }
      } else {
        break;
      }
    }
    return {};
  }

  // After "none": only CFWS and ';' may follow.
  Expected<void> skip_trailer() {
    while (true) {
      if (auto ok = skip_cfws(nullptr); !ok) return ok;
      if (at_end()) return {};
      if (peek() != ';') return error("unexpected text after 'none'");
      ++pos_;
    }
  }

  Expected<std::string> read_keyword(std::string_view what) {
    const std::size_t start = pos_;
    std::string out;
    while (!at_end() && grammar::is_keyword_char(peek())) out += ascii_lower(text_[pos_++]);
    if (out.empty()) {
      if (at_end()) return error_at(start, "expected " + std::string(what) + ", found the end");
      return error_at(start, "expected " + std::string(what));
    }
    return out;
  }

  Expected<unsigned> read_number(std::string_view what) {
    const std::size_t start = pos_;
    unsigned value = 0;
    std::size_t digits = 0;
    while (!at_end() && grammar::is_digit(peek())) {
      if (++digits > kMaxVersionDigits) return error_at(start, std::string(what) + " too long");
      value = value * 10 + static_cast<unsigned>(peek() - '0');
      ++pos_;
    }
    if (digits == 0) return error_at(start, "expected " + std::string(what));
    return value;
  }

  // At '"': the quoted-string's content with quoted-pairs resolved and folding line breaks
  // dropped.
  Expected<std::string> read_quoted_string() {
    const std::size_t start = pos_++;
    std::string out;
    while (true) {
      if (at_end()) return error_at(start, "unterminated quoted string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (at_end()) return error_at(start, "unterminated quoted string");
        out += printable(text_[pos_++]);
      } else if (c != '\r' && c != '\n') {
        out += printable(c);
      }
    }
  }

  // value = token / quoted-string. Lenient values also take any run of visible characters
  // other than the header's delimiters (";", "(", ")", '"'), e.g. an unquoted
  // "policy.iprev=2001:db8::1" or "header.b=ab/cd"; they may be empty.
  Expected<std::string> read_value(std::string_view what, bool lenient) {
    if (!at_end() && peek() == '"') {
      const std::size_t start = pos_;
      auto quoted = read_quoted_string();
      if (!quoted) return quoted;
      // A quoted local-part of an address: keep the address as written, quotes and escapes
      // included, but without the folding line breaks and control bytes a value never keeps.
      if (lenient && !at_end() && peek() == '@') {
        std::string address;
        for (const char c : text_.substr(start, pos_ - start))
          if (c != '\r' && c != '\n') address += printable(c);
        while (!at_end() && grammar::is_bare_value_char(peek())) address += text_[pos_++];
        return address;
      }
      return quoted;
    }
    const std::size_t start = pos_;
    if (lenient) {
      while (!at_end() && grammar::is_bare_value_char(peek())) ++pos_;
    } else {
      while (!at_end() && grammar::is_token_char(peek())) ++pos_;
      if (pos_ == start) return error("expected " + std::string(what));
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  Expected<void> expect(char c, std::string_view context) {
    if (at_end() || peek() != static_cast<unsigned char>(c)) {
      return error("expected '" + std::string(1, c) + "' " + std::string(context));
    }
    ++pos_;
    return {};
  }

  // One resinfo, up to (not including) the ';' that ends it or the end of the text. Empty
  // optional for the no-result form "none".
  Expected<std::optional<MethodResult>> read_resinfo() {
    MethodResult r;
    auto method = read_keyword("a method name");
    if (!method) return std::unexpected(method.error());
    if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
    if (*method == "none" && (at_end() || (peek() != '=' && peek() != '/'))) {
      return std::optional<MethodResult>{};
    }
    r.method = std::move(*method);
    if (!at_end() && peek() == '/') {
      ++pos_;
      if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
      auto version = read_number("method version");
      if (!version) return std::unexpected(version.error());
      r.version = *version;
      if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
    }
    if (auto ok = expect('=', "after method '" + r.method + "'"); !ok) {
      return std::unexpected(ok.error());
    }
    if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
    auto result = read_keyword("a result for method '" + r.method + "'");
    if (!result) return std::unexpected(result.error());
    r.result = std::move(*result);
    if (auto ok = skip_cfws(&r.result_comment); !ok) return std::unexpected(ok.error());

    bool have_reason = false;
    while (!at_end() && peek() != ';') {
      const std::size_t start = pos_;
      auto name = read_keyword("a property or reason");
      if (!name) return std::unexpected(name.error());
      if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
      Property p;
      if (!at_end() && peek() == '.') {
        ++pos_;
        if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
        auto property = read_keyword("a property name after '" + *name + ".'");
        if (!property) return std::unexpected(property.error());
        p.ptype = std::move(*name);
        p.property = std::move(*property);
        if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
      } else if (*name == "reason") {
        if (have_reason) return error_at(start, "second reason for method '" + r.method + "'");
        have_reason = true;
        if (auto ok = expect('=', "after 'reason'"); !ok) return std::unexpected(ok.error());
        if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
        auto reason = read_value("a reason", /*lenient=*/true);
        if (!reason) return std::unexpected(reason.error());
        r.reason = std::move(*reason);
        if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
        continue;
      } else {
        p.property = std::move(*name);  // "name=value" without a ptype
      }
      if (auto ok = expect('=', "after property '" + p.property + "'"); !ok) {
        return std::unexpected(ok.error());
      }
      if (auto ok = skip_cfws(nullptr); !ok) return std::unexpected(ok.error());
      auto value = read_value("a property value", /*lenient=*/true);
      if (!value) return std::unexpected(value.error());
      p.value = std::move(*value);
      if (auto ok = skip_cfws(&p.comment); !ok) return std::unexpected(ok.error());
      r.properties.push_back(std::move(p));
    }
    return std::optional<MethodResult>(std::move(r));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Expected<AuthenticationResults> parse(std::string_view raw_value) {
  return Parser(raw_value).run();
}

Expected<std::string> parse_authserv_id(std::string_view raw_value) {
  return Parser(raw_value).authserv_id();
}

}  // namespace auth::authres
