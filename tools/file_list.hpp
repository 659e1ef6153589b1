// The inputs of a batch subcommand (verify, sign, seal): the FILE arguments, then the paths of
// --files-from FILE (one a line; "-" reads the list from standard input). The list is read as
// the batch goes, so that a million paths are never all held in memory.
#pragma once

#include <cstddef>
#include <cstdio>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mailauth::cli {

class FileList {
 public:
  FileList() = default;
  FileList(FileList&& other) noexcept;
  FileList& operator=(FileList&&) = delete;
  ~FileList();

  // `list` empty: no --files-from. With neither files nor a list, the one input is standard
  // input ("-"). Fails, with the reason in words, when the list cannot be opened, or when it is
  // standard input and a FILE argument is "-" too.
  static std::expected<FileList, std::string> open(std::vector<std::string> files,
                                                   const std::string& list);

  // The next path into `path`; false at the end of the inputs, or when the list could not be
  // read on (error() says why). Empty lines of the list are skipped.
  bool next(std::string& path);

  // How many paths there are, when that is known without holding them: the arguments plus
  // the lines of a list that is a regular file (counted once beforehand).
  std::optional<std::size_t> total() const { return total_; }

  // The list itself is standard input: a "-" in it cannot be a message too.
  bool list_is_standard_input() const { return list_is_stdin_; }

  // Set when reading the list failed part-way ("--files-from F: read error: ...").
  const std::string& error() const { return error_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const;
  };

  std::vector<std::string> files_;
  std::size_t next_file_ = 0;
  std::unique_ptr<std::FILE, FileCloser> list_;
  std::string list_name_;
  bool list_is_stdin_ = false;
  char* line_ = nullptr;  // getline(3)'s buffer, reused for every line
  std::size_t line_capacity_ = 0;
  std::optional<std::size_t> total_;
  std::string error_;
};

}  // namespace mailauth::cli
