// Internal to libauth: RFC 6376 §3.2 tag=value lists ("a=1; b=2"), the syntax of DKIM-Signature,
// ARC-Message-Signature, ARC-Seal and DKIM key records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>

namespace auth::dkim {

struct Tag {
  std::string_view name;   // case-sensitive, as written
  std::string_view value;  // without the surrounding white space; internal FWS kept
  // Offsets in the parsed text: just after '=', and at the ';' ending the tag (or the end).
  // [value_begin, value_end) is what RFC 6376 §3.7 deletes for b= ("b=" becomes empty).
  std::size_t value_begin = 0;
  std::size_t value_end = 0;
};

// Parses a tag list. Views point into `text`. Errors (Syntax) name the problem printably: a tag
// without '=', a bad tag name, a byte not allowed in a value, a duplicate tag. `comparisons`,
// when given, gains the number of tag name comparisons made (tests bound the work on hostile
// input with it).
Expected<std::vector<Tag>> parse_tag_list(std::string_view text,
                                          std::uint64_t* comparisons = nullptr);
// The tag named `name`, or nullptr.
const Tag* find_tag(std::span<const Tag> tags, std::string_view name);
// Removes every FWS byte (SP, HTAB, CR, LF): for base64 values and colon-separated lists.
std::string remove_whitespace(std::string_view text);
// `text` without leading and trailing FWS bytes (SP, HTAB, CR, LF).
std::string_view trim_fws(std::string_view text);
// Splits "a : b:c" at ':' and trims FWS around each item; an empty item is kept as "".
std::vector<std::string_view> split_colon_list(std::string_view text);

}  // namespace auth::dkim
