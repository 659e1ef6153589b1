#include "dns/zone_directives.hpp"

#include <auth/domain_name.hpp>

#include "dns/names.hpp"

namespace auth::dns {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Whitespace-separated tokens up to a ';' comment.
std::vector<std::string_view> tokens_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i >= line.size() || line[i] == ';') break;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i]) && line[i] != ';') ++i;
    out.push_back(line.substr(start, i - start));
  }
  return out;
}

// A name ending in an unescaped dot is absolute.
bool is_absolute(std::string_view name) {
  if (name.empty() || name.back() != '.') return false;
  std::size_t backslashes = 0;
  for (std::size_t i = name.size() - 1; i > 0 && name[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 0;
}

// Relative names take the current $ORIGIN; without one they are read as absolute.
std::string absolute_name(std::string_view name, const std::string& origin) {
  if (name == "@") return origin.empty() ? "." : origin;
  if (is_absolute(name) || origin.empty()) return std::string(name);
  return std::string(name) + (origin == "." ? "" : ".") + origin;
}

std::string where(std::string_view source_name, std::size_t line_number) {
  return std::string(source_name) + " line " + std::to_string(line_number) + ": ";
}

Expected<FailureDirective> parse_directive(const std::vector<std::string_view>& tokens,
                                           const std::string& origin, Status status) {
  if (tokens.size() < 2 || tokens.size() > 3)
    return fail(ErrorCode::Syntax, std::string(tokens[0]) + " takes a name and an optional type");
  FailureDirective directive;
  directive.status = status;
  std::string_view name = tokens[1];
  if (name == "*") {
    directive.below = true;
    name = "@";
  } else if (name.starts_with("*.")) {
    directive.below = true;
    name.remove_prefix(2);
  }
  auto key = name_key(absolute_name(name, origin));
  if (!key) return fail(ErrorCode::Syntax, "bad name \"" + std::string(tokens[1]) + "\"");
  directive.key = std::move(*key);
  if (tokens.size() == 3) {
    directive.type = parse_rr_type(tokens[2]);
    if (!directive.type)
      return fail(ErrorCode::Syntax, "unsupported type \"" + std::string(tokens[2]) + "\"");
  }
  return directive;
}

}  // namespace

bool FailureDirective::matches(std::string_view name_key, RrType query_type) const {
  if (type && *type != query_type) return false;
  if (!below) return name_key == key;
  // Strictly below: a longer name whose trailing labels are `key` (keys end on a label boundary
  // only when the prefix is made of whole labels, which walking parents guarantees).
  for (std::string_view n = name_key; !n.empty();) {
    n = parent_key(n);
    if (n.size() < key.size()) return false;
    if (n == key) return true;
  }
  return false;
}

std::optional<RrType> parse_rr_type(std::string_view text) {
  for (RrType type : {RrType::A, RrType::AAAA, RrType::CNAME, RrType::MX, RrType::PTR, RrType::TXT})
    if (iequals(text, to_string(type))) return type;
  return std::nullopt;
}

Expected<PreparedZone> extract_directives(std::string_view text, std::string_view source_name) {
  PreparedZone zone;
  zone.text.reserve(text.size());
  std::string origin;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    ++line_number;
    std::size_t end = text.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);  // CRLF files read like LF ones
    start = has_newline ? end + 1 : end;

    bool keep = true;
    if (line.starts_with('$')) {
      const auto tokens = tokens_of(line);
      if (iequals(tokens[0], "$ORIGIN") && tokens.size() >= 2) {
        origin = absolute_name(tokens[1], origin);
        if (!is_absolute(origin)) origin += '.';
        // ldns reads a relative $ORIGIN as absolute; RFC 1035 §5.1 makes it relative to the last.
        zone.text += "$ORIGIN " + origin;
        keep = false;
      } else if (iequals(tokens[0], "$SERVFAIL") || iequals(tokens[0], "$TIMEOUT")) {
        const Status status = iequals(tokens[0], "$SERVFAIL") ? Status::ServFail : Status::Timeout;
        auto directive = parse_directive(tokens, origin, status);
        if (!directive)
          return fail(ErrorCode::Syntax,
                      where(source_name, line_number) + directive.error().message);
        zone.directives.push_back(std::move(*directive));
        keep = false;
      }
    }
    if (keep) zone.text += line;
    if (has_newline) zone.text += '\n';
  }
  return zone;
}

}  // namespace auth::dns
