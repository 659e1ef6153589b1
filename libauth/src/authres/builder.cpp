// format(): the one place that quotes, escapes and folds Authentication-Results values.
#include <string>
#include <vector>

#include <auth/authres.hpp>

#include "authres/grammar.hpp"
#include "message/folding.hpp"

namespace auth::authres {
namespace {

// Keywords (method, result, ptype, property) cannot be quoted; keep only their characters so
// that nothing a caller passes can break the header's structure.
std::string keyword(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (grammar::is_keyword_char(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// Control characters (CR and LF above all) cannot appear in a header value, not even escaped:
// they become spaces. HTAB is white space and stays.
char printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return grammar::is_ctl(u) && c != '\t' ? ' ' : c;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += printable(c);
  }
  out += '"';
  return out;
}

std::string value(std::string_view s) { return grammar::is_token(s) ? std::string(s) : quoted(s); }

std::string pvalue(std::string_view s) {
  return grammar::is_bare_pvalue(s) ? std::string(s) : quoted(s);
}

std::string comment(std::string_view s) {
  std::string out = "(";
  for (char c : s) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += printable(c);
  }
  out += ')';
  return out;
}

// The header as units that must stay whole; a single space separates consecutive units and is
// where folding may happen.
std::vector<std::string> units(const AuthenticationResults& results) {
  std::vector<std::string> out;
  out.push_back(value(results.authserv_id));
  if (results.version) out.push_back(std::to_string(*results.version));
  if (results.results.empty()) {
    out.back() += ';';
    out.emplace_back("none");
    return out;
  }
  for (const MethodResult& r : results.results) {
    out.back() += ';';
    std::string spec = keyword(r.method);
    if (r.version) spec += '/' + std::to_string(*r.version);
    spec += '=';
    spec += keyword(r.result);
    out.push_back(std::move(spec));
    if (!r.result_comment.empty()) out.push_back(comment(r.result_comment));
    if (!r.reason.empty()) out.push_back("reason=" + value(r.reason));
    for (const Property& p : r.properties) {
      // An empty ptype is how the parser keeps a "name=value" some senders write without one.
      std::string prop = p.ptype.empty() ? "" : keyword(p.ptype) + '.';
      prop += keyword(p.property);
      prop += '=';
      prop += pvalue(p.value);
      out.push_back(std::move(prop));
      if (!p.comment.empty()) out.push_back(comment(p.comment));
    }
  }
  return out;
}

}  // namespace

std::string format(const AuthenticationResults& results, std::size_t first_line_used) {
  // A unit longer than a line stays whole on its own continuation line.
  message::LineFolder folder(first_line_used);
  for (const std::string& part : units(results)) folder.piece(part);
  return folder.take();
}

std::string format_unfolded(const AuthenticationResults& results) {
  std::string out;
  for (const std::string& part : units(results)) {
    out += ' ';
    out += part;
  }
  return out;
}

}  // namespace auth::authres
