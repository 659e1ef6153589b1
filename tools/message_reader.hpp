// Reading whole message files with as few copies and system calls as sensible: a regular file
// is read with one read(2) into a buffer sized by fstat(2) and reused by the next file; a pipe
// or terminal (standard input) in 64 KiB steps into the same buffer. One reader per thread.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

namespace mailauth::cli {

class MessageReader {
 public:
  // The bytes of `file` ("-": standard input), valid until the next read(). On failure, the
  // reason in words, naming the file as read_eml() does: "<file>: cannot open: <why>",
  // "<file>: is a directory, not a message file", "<file>: read error: <why>" ("standard input"
  // for "-").
  std::expected<std::string_view, std::string> read(const std::string& file);

  // How `file` is named in messages: the path, or "standard input" for "-".
  static std::string display_name(const std::string& file);

 private:
  std::expected<std::string_view, std::string> read_fd(int fd, const std::string& file,
                                                       std::size_t size_hint);
  void reserve(std::size_t size, std::size_t keep);

  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
};

}  // namespace mailauth::cli
