// format(): the one place that quotes, escapes and folds Authentication-Results values.
#include <string>
#include <string_view>

#include <auth/authres.hpp>

#include "authres/grammar.hpp"
#include "message/folding.hpp"

namespace auth::authres {
namespace {

// Keywords (method, result, ptype, property) cannot be quoted; keep only their characters so
// that nothing a caller passes can break the header's structure.
void append_keyword(std::string& out, std::string_view s) {
  for (char c : s) {
    if (grammar::is_keyword_char(static_cast<unsigned char>(c))) out += c;
  }
}

// Control characters (CR and LF above all) cannot appear in a header value, not even escaped:
// they become spaces. HTAB is white space and stays.
char printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return grammar::is_ctl(u) && c != '\t' ? ' ' : c;
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += printable(c);
  }
  out += '"';
}

void append_value(std::string& out, std::string_view s) {
  if (grammar::is_token(s))
    out += s;
  else
    append_quoted(out, s);
}

void append_pvalue(std::string& out, std::string_view s) {
  if (grammar::is_bare_pvalue(s))
    out += s;
  else
    append_quoted(out, s);
}

void append_comment(std::string& out, std::string_view s) {
  out += '(';
  for (char c : s) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += printable(c);
  }
  out += ')';
}

// Gives `emit` the header's units, in order: pieces that must stay whole; a single space
// separates consecutive units and is where folding may happen. Each unit is built in one reused
// buffer and handed over only when the next begins, since a ';' may still join it.
template <class Emit>
void for_each_unit(const AuthenticationResults& results, Emit&& emit) {
  std::string unit;
  unit.reserve(128);
  const auto next = [&] {
    emit(std::string_view(unit));
    unit.clear();
  };
  append_value(unit, results.authserv_id);
  if (results.version) {
    next();
    unit += std::to_string(*results.version);
  }
  if (results.results.empty()) {
    unit += ';';
    next();
    unit += "none";
    next();
    return;
  }
  for (const MethodResult& r : results.results) {
    unit += ';';
    next();
    append_keyword(unit, r.method);
    if (r.version) {
      unit += '/';
      unit += std::to_string(*r.version);
    }
    unit += '=';
    append_keyword(unit, r.result);
    if (!r.result_comment.empty()) {
      next();
      append_comment(unit, r.result_comment);
    }
    if (!r.reason.empty()) {
      next();
      unit += "reason=";
      append_value(unit, r.reason);
    }
    for (const Property& p : r.properties) {
      next();
      // An empty ptype is how the parser keeps a "name=value" some senders write without one.
      if (!p.ptype.empty()) {
        append_keyword(unit, p.ptype);
        unit += '.';
      }
      append_keyword(unit, p.property);
      unit += '=';
      append_pvalue(unit, p.value);
      if (!p.comment.empty()) {
        next();
        append_comment(unit, p.comment);
      }
    }
  }
  next();
}

}  // namespace

std::string format(const AuthenticationResults& results, std::size_t first_line_used) {
  // A unit longer than a line stays whole on its own continuation line.
  message::LineFolder folder(first_line_used);
  for_each_unit(results, [&folder](std::string_view part) { folder.piece(part); });
  return folder.take();
}

std::string format_unfolded(const AuthenticationResults& results) {
  std::string out;
  for_each_unit(results, [&out](std::string_view part) {
    out += ' ';
    out += part;
  });
  return out;
}

}  // namespace auth::authres
