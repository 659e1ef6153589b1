#include "message_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace mailauth::cli {
namespace {

constexpr std::size_t stream_step = 64 * 1024;

std::string why(int error) { return std::generic_category().message(error); }

// Closes the descriptor it owns.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string MessageReader::display_name(const std::string& file) {
  return file == "-" ? "standard input" : file;
}

void MessageReader::reserve(std::size_t size, std::size_t keep) {
  if (size <= capacity_) return;
  // Uninitialized: every byte handed out was written by read(2) first.
  auto bigger = std::make_unique_for_overwrite<char[]>(size);
  if (keep != 0) std::memcpy(bigger.get(), buffer_.get(), keep);
  buffer_ = std::move(bigger);
  capacity_ = size;
}

std::expected<std::string_view, std::string> MessageReader::read(const std::string& file) {
  if (file == "-") return read_fd(STDIN_FILENO, file, 0);
  const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return std::unexpected(file + ": cannot open: " + why(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(file + ": cannot open: " + why(errno));
  if (S_ISDIR(st.st_mode)) return std::unexpected(file + ": is a directory, not a message file");
  return read_fd(fd.get(), file, S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0);
}

std::expected<std::string_view, std::string> MessageReader::read_fd(int fd, const std::string& file,
                                                                    std::size_t size_hint) {
  // One byte more than fstat said: a read that comes back short is the end of a regular file,
  // so the usual case is a single read(2). A file that grew meanwhile is read to its end.
  const bool regular = size_hint != 0;
  reserve(regular ? size_hint + 1 : stream_step, 0);
  std::size_t size = 0;
  while (true) {
    if (size == capacity_) reserve(capacity_ * 2, size);
    const ssize_t got = ::read(fd, buffer_.get() + size, capacity_ - size);
    if (got < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(display_name(file) + ": read error: " + why(errno));
    }
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
    if (regular && size < capacity_) break;
  }
  return std::string_view(buffer_.get(), size);
}

}  // namespace mailauth::cli
