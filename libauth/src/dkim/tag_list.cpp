// RFC 6376 §3.2 tag=value lists.
#include "dkim/tag_list.hpp"

#include "message/excerpt.hpp"

#include <algorithm>

namespace auth::dkim {
namespace {

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// VALCHAR is %x21-3A / %x3C-7E; bytes >= 0x80 are tolerated (UTF-8 in z= or n= copies).
bool is_value_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x21 && u != 0x3B && u != 0x7F);
}

}  // namespace

std::string_view trim_fws(std::string_view text) {
  while (!text.empty() && is_fws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_fws(text.back())) text.remove_suffix(1);
  return text;
}

Expected<std::vector<Tag>> parse_tag_list(std::string_view text, std::uint64_t* comparisons) {
  std::vector<Tag> tags;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find(';', pos), text.size());
    const std::string_view spec = text.substr(pos, end - pos);
    if (trim_fws(spec).empty()) {
      // Only a trailing ';' (then white space) is allowed to leave an empty spec.
      if (end >= text.size()) break;
      return fail(ErrorCode::Syntax, "empty tag in tag list");
    }
    const std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos)
      return fail(ErrorCode::Syntax, "tag without '=': " + message::quoted_excerpt(trim_fws(spec)));
    const std::string_view name = trim_fws(spec.substr(0, eq));
    if (name.empty() || !is_alpha(name.front()))
      return fail(ErrorCode::Syntax, "bad tag name " + message::quoted_excerpt(name));
    for (char c : name)
      if (!is_alpha(c) && !is_digit(c) && c != '_')
        return fail(ErrorCode::Syntax, "bad tag name " + message::quoted_excerpt(name));
    const std::string_view value = trim_fws(spec.substr(eq + 1));
    for (char c : value)
      if (!is_fws(c) && !is_value_byte(c))
        return fail(ErrorCode::Syntax, "bad character in value of tag " + std::string(name) + "=");
    tags.push_back(Tag{name, value, pos + eq + 1, end});
    pos = end + 1;
  }
  // Duplicates, found on sorted names so that a hostile list of many tags costs n log n.
  std::vector<std::string_view> names;
  names.reserve(tags.size());
  for (const Tag& tag : tags) names.push_back(tag.name);
  std::uint64_t compared = 0;
  std::sort(names.begin(), names.end(), [&](std::string_view a, std::string_view b) {
    ++compared;
    return a < b;
  });
  if (comparisons != nullptr) *comparisons += compared + names.size();
  const auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end())
    return fail(ErrorCode::Syntax, "duplicate tag " + std::string(*dup) + "=");
  return tags;
}

const Tag* find_tag(std::span<const Tag> tags, std::string_view name) {
  for (const Tag& tag : tags)
    if (tag.name == name) return &tag;
  return nullptr;
}

std::string remove_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (!is_fws(c)) out.push_back(c);
  return out;
}

std::vector<std::string_view> split_colon_list(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = std::min(text.find(':', pos), text.size());
    items.push_back(trim_fws(text.substr(pos, end - pos)));
    if (end >= text.size()) break;
    pos = end + 1;
  }
  return items;
}

}  // namespace auth::dkim
