#include "message/excerpt.hpp"

#include <algorithm>
#include <cstdio>

namespace auth::message {

void append_excerpt(std::string& out, std::string_view text, std::size_t max_shown) {
  out.reserve(out.size() + std::min(text.size(), max_shown) + 3);
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      (void)std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned>(c));  // 4 of 8 bytes
      out += hex;
    }
  }
  if (text.size() > max_shown) out += "...";
}

std::string excerpt(std::string_view text, std::size_t max_shown) {
  std::string out;
  append_excerpt(out, text, max_shown);
  return out;
}

}  // namespace auth::message
