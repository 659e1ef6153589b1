// How SPF reasons quote record text: records come from DNS and reasons go to logs and headers,
// so the text is shown printable (message::excerpt) and at most 255 bytes long.
#pragma once

#include <string>
#include <string_view>

#include "message/excerpt.hpp"

namespace auth::spf {

inline std::string quote(std::string_view text, char mark = '\'') {
  return message::quoted_excerpt(text, mark, 255);
}
inline void append_quoted(std::string& out, std::string_view text, char mark = '\'') {
  message::append_quoted_excerpt(out, text, mark, 255);
}

}  // namespace auth::spf
