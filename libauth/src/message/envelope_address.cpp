// parse_envelope_address: the RFC 5321 §4.1.2 Reverse-path / Forward-path of MAIL FROM and
// RCPT TO, and domain_of().
#include <auth/domain_name.hpp>
#include <auth/message.hpp>

#include "message/excerpt.hpp"

namespace auth::message {

namespace {

bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;  // RFC 6531 SMTPUTF8
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view others = "!#$%&'*+-/=?^_`{|}~";
  return others.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_domain_char(unsigned char c) {
  return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

class EnvelopeParser {
 public:
  explicit EnvelopeParser(std::string_view text) : text_(text) {}

  Expected<EnvelopeAddress> parse() {
    std::string_view t = text_;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.empty()) return error("empty address");
    s_ = t;
    const bool bracketed = s_.front() == '<';
    if (bracketed) {
      ++i_;
      if (peek() == '>') {
        ++i_;
        if (auto r = rest(); !r) return std::unexpected(std::move(r.error()));
        return EnvelopeAddress{};  // "<>": the null reverse-path
      }
      if (peek() == '@') {
        if (auto r = source_route(); !r) return std::unexpected(std::move(r.error()));
      }
    }
    EnvelopeAddress address;
    auto local = local_part();
    if (!local) return std::unexpected(std::move(local.error()));
    address.local_part = std::move(*local);
    if (peek() == '@') {
      ++i_;
      auto d = domain();
      if (!d) return std::unexpected(std::move(d.error()));
      address.domain = std::move(*d);
    } else if (!iequals(address.local_part, "postmaster")) {
      // RFC 5321 §4.1.1.3: only "<Postmaster>" may come without a domain.
      return error("no '@domain'");
    }
    if (bracketed) {
      if (peek() != '>') return error("expected '>'");
      ++i_;
    }
    if (auto r = rest(); !r) return std::unexpected(std::move(r.error()));
    return address;
  }

 private:
  std::string_view text_;  // as given, for messages
  std::string_view s_;     // trimmed
  std::size_t i_ = 0;

  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool at_end() const { return i_ >= s_.size(); }

  std::unexpected<Error> error(const std::string& what) const {
    const std::string where =
        at_end() ? std::string(" at the end") : concat({" at offset ", std::to_string(i_)});
    return fail(ErrorCode::Syntax,
                concat({"envelope address \"", excerpt(text_, 80), "\": ", what, where}));
  }

  // What follows the path: nothing, or ESMTP parameters after a space (ignored here).
  Expected<void> rest() const {
    if (at_end() || s_[i_] == ' ' || s_[i_] == '\t') return {};
    return error("unexpected text after the address");
  }

  // A-d-l = At-domain *( "," At-domain ) ":" ; dropped (RFC 5321 §4.1.2, Appendix C).
  Expected<void> source_route() {
    for (;;) {
      if (peek() != '@') return error("expected '@' in source route");
      ++i_;
      if (auto d = domain(); !d) return std::unexpected(std::move(d.error()));
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() == ':') {
        ++i_;
        return {};
      }
      return error("expected ',' or ':' in source route");
    }
  }

  // Local-part = Dot-string / Quoted-string; quotes and backslashes removed.
  Expected<std::string> local_part() {
    std::string out;
    if (peek() == '"') {
      ++i_;
      for (;; ++i_) {
        if (at_end()) return error("unterminated quoted local part");
        const char c = s_[i_];
        if (c == '"') break;
        if (c == '\\') {
          if (++i_ >= s_.size()) return error("unterminated quoted local part");
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          return error("control character in quoted local part");
        }
        out.push_back(s_[i_]);
      }
      ++i_;
      return out;
    }
    // Dot-string; stray dots are tolerated, as MTAs do.
    while (!at_end() && (is_atext(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) {
      out.push_back(s_[i_++]);
    }
    if (out.find_first_not_of('.') == std::string::npos) return error("empty local part");
    return out;
  }

  // Domain = sub-domain *("." sub-domain) / address-literal
  Expected<std::string> domain() {
    const std::size_t start = i_;
    if (peek() == '[') {
      while (!at_end() && s_[i_] != ']') {
        const auto c = static_cast<unsigned char>(s_[i_]);
        if (c <= 0x20 || c == 0x7f || (i_ > start && c == '[') || c == '\\') {
          return error("bad character in address literal");
        }
        ++i_;
      }
      if (at_end()) return error("unterminated address literal");
      ++i_;
      if (i_ - start == 2) return error("empty address literal");
      return std::string(s_.substr(start, i_ - start));
    }
    for (;;) {
      const std::size_t label = i_;
      while (!at_end() && is_domain_char(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == label) return error(i_ == start ? "missing domain" : "empty label in domain");
      if (peek() != '.') break;
      ++i_;
    }
    return std::string(s_.substr(start, i_ - start));
  }
};

}  // namespace

Expected<EnvelopeAddress> parse_envelope_address(std::string_view text) {
  return EnvelopeParser(text).parse();
}

std::optional<std::string_view> domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return std::nullopt;
  return address.substr(at + 1);
}

}  // namespace auth::message
