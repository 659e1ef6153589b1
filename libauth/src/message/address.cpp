// parse_address_list: RFC 5322 §3.4 address-list / mailbox-list, with the obsolete forms of §4.4
// (routes, CFWS between tokens, empty list elements, unquoted dots in display names).
#include <auth/message.hpp>

#include "message/address_tokens.hpp"
#include "message/excerpt.hpp"

namespace auth::message {

namespace {

class AddressListParser {
 public:
  AddressListParser(std::string_view text, const std::vector<Token>& tokens)
      : text_(text), tokens_(tokens) {}

  // address-list = address *("," address), empty elements allowed (obs-addr-list).
  Expected<std::vector<Mailbox>> address_list() {
    std::vector<Mailbox> out;
    bool any_address = false;
    for (;;) {
      while (at_special(',')) ++pos_;
      if (at_end()) break;
      if (auto r = address(out); !r) return std::unexpected(std::move(r.error()));
      any_address = true;
      if (at_end()) break;
      if (!at_special(',')) return error("expected ',' between addresses");
    }
    if (!any_address)
      return fail(ErrorCode::Syntax, concat({"no address in \"", excerpt(text_), "\""}));
    return out;
  }

 private:
  struct Phrase {
    std::size_t begin;
    std::size_t end;
    bool empty() const { return begin == end; }
  };

  std::string_view text_;
  const std::vector<Token>& tokens_;
  std::size_t pos_ = 0;

  bool at_end() const { return pos_ >= tokens_.size(); }
  bool at_special(char c) const { return !at_end() && tokens_[pos_].is_special(c); }

  std::unexpected<Error> error(const std::string& what) const {
    std::string where;
    if (at_end()) {
      where = " at the end";
    } else {
      where = concat({", found \"", excerpt(tokens_[pos_].text), "\" at offset ",
                      std::to_string(tokens_[pos_].offset)});
    }
    return fail(ErrorCode::Syntax, concat({what, where, " in \"", excerpt(text_, 80), "\""}));
  }

  // Words and dots: a display name (obs-phrase), or a local part when '@' follows.
  Phrase phrase() {
    const std::size_t begin = pos_;
    while (!at_end() && (tokens_[pos_].is_word() || tokens_[pos_].is_special('.'))) ++pos_;
    return {begin, pos_};
  }

  std::string display_name(Phrase p) const {
    std::string out;
    for (std::size_t i = p.begin; i < p.end; ++i) {
      if (i != p.begin && tokens_[i].space_before) out.push_back(' ');
      out += tokens_[i].text;
    }
    return out;
  }

  // local-part = dot-atom / quoted-string / obs-local-part (words joined by dots). Stray dots
  // ("john..doe", "john.") are accepted: real mail carries them and they hide no domain.
  Expected<std::string> local_part(Phrase p) const {
    std::string out;
    bool after_word = false;
    for (std::size_t i = p.begin; i < p.end; ++i) {
      if (tokens_[i].is_special('.')) {
        out.push_back('.');
        after_word = false;
        continue;
      }
      if (after_word) {
        return fail(ErrorCode::Syntax,
                    concat({"local part \"", excerpt(display_name(p)),
                            "\" has words not joined by '.' in \"", excerpt(text_, 80), "\""}));
      }
      out += tokens_[i].text;
      after_word = true;
    }
    if (out.empty() || out.find_first_not_of('.') == std::string::npos) {
      return error("empty local part before '@'");
    }
    return out;
  }

  // domain = dot-atom / domain-literal / obs-domain (atoms with CFWS around the dots).
  Expected<std::string> domain() {
    if (!at_end() && tokens_[pos_].kind == Token::Kind::DomainLiteral) {
      return tokens_[pos_++].text;
    }
    if (at_end() || tokens_[pos_].kind != Token::Kind::Atom) {
      return error("expected a domain after '@'");
    }
    std::string out = tokens_[pos_++].text;
    while (at_special('.')) {
      ++pos_;
      if (at_end() || tokens_[pos_].kind != Token::Kind::Atom) {
        return error(concat({"empty label in domain \"", out, ".\""}));
      }
      out.push_back('.');
      out += tokens_[pos_++].text;
    }
    return out;
  }

  Expected<Mailbox> addr_spec(Phrase local) {
    Mailbox box;
    auto lp = local_part(local);
    if (!lp) return std::unexpected(std::move(lp.error()));
    box.local_part = std::move(*lp);
    ++pos_;  // '@'
    auto d = domain();
    if (!d) return std::unexpected(std::move(d.error()));
    box.domain = std::move(*d);
    return box;
  }

  // angle-addr = "<" [obs-route] addr-spec ">"; the route is dropped.
  Expected<Mailbox> angle_addr() {
    ++pos_;  // '<'
    if (at_special('>')) return error("empty address \"<>\"");
    if (at_special('@') || at_special(',')) {
      // obs-route = obs-domain-list ":" with obs-domain-list = *(CFWS / ",") "@" domain ...
      for (;;) {
        if (at_special(',')) {
          ++pos_;
        } else if (at_special('@')) {
          ++pos_;
          if (auto d = domain(); !d) return std::unexpected(std::move(d.error()));
        } else {
          break;
        }
      }
      if (!at_special(':')) return error("expected ':' after the route in an angle address");
      ++pos_;
    }
    const Phrase local = phrase();
    if (!at_special('@')) return error("expected '@' in angle address");
    auto box = addr_spec(local);
    if (!box) return box;
    if (!at_special('>')) return error("expected '>' to close the angle address");
    ++pos_;
    return box;
  }

  // mailbox = name-addr / addr-spec
  Expected<void> mailbox(std::vector<Mailbox>& out) {
    const Phrase p = phrase();
    if (at_special('<')) {
      auto box = angle_addr();
      if (!box) return std::unexpected(std::move(box.error()));
      box->display_name = display_name(p);
      out.push_back(std::move(*box));
      return {};
    }
    if (at_special('@')) {
      auto box = addr_spec(p);
      if (!box) return std::unexpected(std::move(box.error()));
      out.push_back(std::move(*box));
      return {};
    }
    if (p.empty()) return error("expected an address");
    return error(concat({"\"", excerpt(display_name(p)), "\" is not an address (no '@' or '<')"}));
  }

  // address = mailbox / group; group = display-name ":" [group-list] ";"
  Expected<void> address(std::vector<Mailbox>& out) {
    const std::size_t start = pos_;
    const Phrase p = phrase();
    if (!at_special(':')) {
      pos_ = start;
      return mailbox(out);
    }
    if (p.empty()) return error("group without a display name");
    ++pos_;  // ':'
    for (;;) {
      while (at_special(',')) ++pos_;  // obs-group-list and empty elements
      if (at_special(';')) break;
      if (at_end())
        return error(concat({"group \"", excerpt(display_name(p)), "\" not closed by ';'"}));
      if (auto r = mailbox(out); !r) return r;
      if (!at_special(',') && !at_special(';')) return error("expected ',' or ';' in group");
    }
    ++pos_;  // ';'
    return {};
  }
};

}  // namespace

Expected<std::vector<Mailbox>> parse_address_list(std::string_view raw_value) {
  const std::string text = unfold(raw_value);
  auto tokens = tokenize_structured(text);
  if (!tokens) return std::unexpected(std::move(tokens.error()));
  return AddressListParser(text, *tokens).address_list();
}

}  // namespace auth::message
