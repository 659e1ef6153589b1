#include "file_list.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <utility>

namespace mailauth::cli {
namespace {

std::string why(int error) { return std::generic_category().message(error); }

// Non-empty lines of `f` (a line may lack its final newline); rewinds `f`. nullopt when the
// file cannot be read through.
std::optional<std::size_t> count_paths(std::FILE* f) {
  char block[64 * 1024];
  std::size_t count = 0;
  bool in_line = false;
  std::size_t got;
  while ((got = std::fread(block, 1, sizeof block, f)) > 0) {
    for (std::size_t i = 0; i < got; ++i) {
      if (block[i] == '\n') {
        count += in_line ? 1 : 0;
        in_line = false;
      } else {
        in_line = true;
      }
    }
  }
  // fseek, unlike rewind, says when the stream cannot go back: the list would then read as empty.
  if (std::ferror(f) != 0 || std::fseek(f, 0, SEEK_SET) != 0) return std::nullopt;
  return count + (in_line ? 1 : 0);
}

}  // namespace

void FileList::FileCloser::operator()(std::FILE* f) const {
  if (f != stdin) (void)std::fclose(f);  // a list only read from: nothing is lost
}

FileList::FileList(FileList&& other) noexcept
    : files_(std::move(other.files_)),
      next_file_(other.next_file_),
      list_(std::move(other.list_)),
      list_name_(std::move(other.list_name_)),
      list_is_stdin_(other.list_is_stdin_),
      line_(std::exchange(other.line_, nullptr)),
      line_capacity_(std::exchange(other.line_capacity_, 0)),
      total_(other.total_),
      error_(std::move(other.error_)) {}

FileList::~FileList() { std::free(line_); }  // getline(3) allocates with malloc

std::expected<FileList, std::string> FileList::open(std::vector<std::string> files,
                                                    const std::string& list) {
  FileList out;
  if (list.empty()) {
    if (files.empty()) files.emplace_back("-");
    out.total_ = files.size();
    out.files_ = std::move(files);
    return out;
  }
  out.list_name_ = list;
  if (list == "-") {
    if (std::find(files.begin(), files.end(), "-") != files.end())
      return std::unexpected(
          "--files-from - reads the list from standard input, which cannot also be a message");
    out.list_.reset(stdin);
    out.list_is_stdin_ = true;
  } else {
    std::FILE* f = std::fopen(list.c_str(), "re");
    if (f == nullptr)
      return std::unexpected("--files-from: cannot read " + list + ": " + why(errno));
    out.list_.reset(f);
    struct stat st {};
    if (::fstat(fileno(f), &st) != 0)
      return std::unexpected("--files-from: cannot read " + list + ": " + why(errno));
    if (S_ISDIR(st.st_mode))
      return std::unexpected("--files-from: " + list + " is a directory, not a list of files");
    if (S_ISREG(st.st_mode)) {
      const auto listed = count_paths(f);
      if (!listed) return std::unexpected("--files-from: cannot read " + list);
      out.total_ = files.size() + *listed;
    }
  }
  out.files_ = std::move(files);
  return out;
}

bool FileList::next(std::string& path) {
  if (next_file_ < files_.size()) {
    path = std::move(files_[next_file_]);
    files_[next_file_++].clear();  // nothing read twice; no copy kept
    return true;
  }
  if (!list_) return false;
  while (true) {
    errno = 0;
    const ssize_t got = ::getline(&line_, &line_capacity_, list_.get());
    if (got < 0) {
      if (std::ferror(list_.get()) != 0)
        error_ = "--files-from: read error on " + (list_is_stdin_ ? "standard input" : list_name_) +
                 (errno != 0 ? ": " + why(errno) : std::string());
      list_.reset();
      return false;
    }
    std::size_t length = static_cast<std::size_t>(got);
    if (length > 0 && line_[length - 1] == '\n') --length;
    if (length == 0) continue;
    path.assign(line_, length);
    return true;
  }
}

}  // namespace mailauth::cli
