// The one line folder (folding.hpp).
#include "message/folding.hpp"

#include <algorithm>

namespace auth::message {

void LineFolder::fold() {
  out_.append("\r\n\t");
  column_ = tab_columns;
  line_has_piece_ = false;
}

void LineFolder::piece(std::string_view text, bool space) {
  const std::size_t needed = text.size() + (space ? 1 : 0);
  if (line_has_piece_ && column_ + needed > max_columns) {
    fold();
  } else if (space) {
    out_.push_back(' ');
    ++column_;
  }
  out_.append(text);
  column_ += text.size();
  line_has_piece_ = true;
}

void LineFolder::breakable(std::string_view text) {
  while (!text.empty()) {
    if (column_ >= max_columns) fold();
    const std::size_t take = std::min(text.size(), max_columns - column_);
    out_.append(text.substr(0, take));
    column_ += take;
    line_has_piece_ = true;
    text.remove_prefix(take);
  }
}

}  // namespace auth::message
