// This hop's Authentication-Results, consolidated for its ARC-Authentication-Results: every
// field carrying our authserv-id, in message order, its results joined (the convention of the
// ValiMail signing suite's SUITE-SCHEMA "AR Consolidation").
#include <auth/arc.hpp>
#include <auth/authres.hpp>
#include <auth/domain_name.hpp>

#include "arc/fields.hpp"

namespace auth::arc {
namespace {

// Splits at ';' outside comments and quoted strings.
std::vector<std::string_view> split_results(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t semicolon = detail::find_top_level_semicolon(text, start);
       semicolon != std::string_view::npos;
       semicolon = detail::find_top_level_semicolon(text, start)) {
    out.push_back(text.substr(start, semicolon - start));
    start = semicolon + 1;
  }
  out.push_back(text.substr(std::min(start, text.size())));
  return out;
}

}  // namespace

std::optional<std::string> collect_authentication_results(
    std::span<const message::HeaderField> fields, std::string_view authserv_id) {
  std::vector<std::string> results;
  bool found = false;
  for (const message::HeaderField& field : fields) {
    if (!field.is("Authentication-Results")) continue;
    auto id = authres::parse_authserv_id(field.raw_value);
    if (!id || !iequals(*id, authserv_id)) continue;
    found = true;
    const std::string value = message::unfold(field.raw_value);
    const std::vector<std::string_view> pieces = split_results(value);
    // The first piece is the authserv-id (and its version); "none" says there is no result.
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      const std::string_view piece = dkim::trim_fws(pieces[i]);
      if (piece.empty() || iequals(piece, "none")) continue;
      results.emplace_back(piece);
    }
  }
  if (!found) return std::nullopt;
  std::string out(authserv_id);
  out += ";";
  if (results.empty()) return out + " none";
  for (std::size_t i = 0; i < results.size(); ++i) out += (i == 0 ? " " : "; ") + results[i];
  return out;
}

}  // namespace auth::arc
