// Internal to libauth: the one line folder for header field values that libauth writes
// (DKIM-Signature, the ARC fields, Authentication-Results).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace auth::message {

// Builds a folded field value from pieces: a piece follows the previous one after a space (or
// directly), or after CRLF TAB when the line would otherwise pass 78 columns (RFC 5322 §2.1.1).
// A tab counts as 8 columns, so a line fits 78 columns on a terminal as well as 78 characters.
// A line never folds before its first piece: a piece longer than a line stays whole on a line
// of its own. Folding only where a space would stand (or at a fold the signer made itself)
// leaves what relaxed canonicalization sees unchanged.
class LineFolder {
 public:
  static constexpr std::size_t max_columns = 78;
  static constexpr std::size_t tab_columns = 8;

  // `start_column`: what the line holds before the value ("Name:" is 5 columns).
  explicit LineFolder(std::size_t start_column) : column_(start_column) {}

  // Appends `text` whole, after a space when `space` (unless a fold comes first).
  void piece(std::string_view text, bool space = true);
  // Appends text that may be broken anywhere (base64), filling each line to 78 columns.
  void breakable(std::string_view text);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void fold();
  std::string out_;
  std::size_t column_;
  bool line_has_piece_ = false;
};

}  // namespace auth::message
