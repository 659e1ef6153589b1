// Helpers for error messages: excerpt() renders untrusted bytes short and printable; concat()
// joins parts (GCC 12 warns falsely, -Wrestrict, on `"literal" + std::string` temporaries).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace auth::message {

// At most `max_shown` bytes; control and 8-bit bytes as \xHH; "..." when cut.
std::string excerpt(std::string_view text, std::size_t max_shown = 40);
// The same, appended to `out` (reasons built in one string).
void append_excerpt(std::string& out, std::string_view text, std::size_t max_shown = 40);

// excerpt() between two `mark` characters: how error reasons quote bytes they did not write.
inline void append_quoted_excerpt(std::string& out, std::string_view text, char mark = '"',
                                  std::size_t max_shown = 40) {
  out += mark;
  append_excerpt(out, text, max_shown);
  out += mark;
}
inline std::string quoted_excerpt(std::string_view text, char mark = '"',
                                  std::size_t max_shown = 40) {
  std::string out;
  append_quoted_excerpt(out, text, mark, max_shown);
  return out;
}

inline std::string concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  std::size_t size = 0;
  for (const auto part : parts) size += part.size();
  out.reserve(size);
  for (const auto part : parts) out.append(part);
  return out;
}

}  // namespace auth::message
