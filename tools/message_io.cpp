// Message input and output shared by the subcommands that rewrite a message.
#include "message_io.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "subcommand.hpp"

namespace mailauth::cli {

std::expected<void, std::string> parse_message(const std::string& file, std::string_view message,
                                               auth::message::MessageHandler& handler,
                                               const auth::Limits& limits) {
  auth::message::MessageParser parser(handler, limits);
  auto fed = parser.feed(message);
  if (fed) fed = parser.finish();
  if (!fed)
    return std::unexpected((file == "-" ? "standard input" : file) + ": " + fed.error().message);
  return {};
}

std::string fields_text(const std::vector<auth::message::HeaderField>& fields,
                        std::string_view message) {
  // Keep the input's line-ending convention.
  const std::size_t first_lf = message.find('\n');
  const bool crlf = first_lf != std::string::npos && first_lf > 0 && message[first_lf - 1] == '\r';
  std::string text;
  for (const auto& field : fields) {
    text += field.name;
    text += ':';
    for (const char c : field.raw_value)
      if (crlf || c != '\r') text += c;
    text += crlf ? "\r\n" : "\n";
  }
  return text;
}

int write_with_fields(const std::vector<auth::message::HeaderField>& fields,
                      std::string_view message) {
  std::cout << fields_text(fields, message) << message;
  std::cout.flush();
  return std::cout ? exit_ok : exit_usage;
}

std::expected<void, std::string> write_new_file(const std::string& path, std::string_view head,
                                                std::string_view message) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) return std::unexpected(path + ": exists; not replaced");
    return std::unexpected(path + ": cannot create: " + std::generic_category().message(error));
  }
  // writev(2) may write less than asked (a full disk, a signal): continue where it stopped.
  iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                    {const_cast<char*>(message.data()), message.size()}};
  iovec* next = parts;
  int count = 2;
  int error = 0;
  while (count > 0) {
    const ssize_t n = ::writev(fd, next, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    auto left = static_cast<std::size_t>(n);
    while (count > 0 && left >= next->iov_len) {
      left -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + left;
      next->iov_len -= left;
    }
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());
    return std::unexpected(path + ": cannot write: " + std::generic_category().message(error));
  }
  return {};
}

std::expected<std::string, std::string> output_path(const std::string& dir,
                                                    const std::string& file) {
  if (file == "-")
    return std::unexpected("standard input has no file name to write under --output-dir");
  const std::filesystem::path name = std::filesystem::path(file).filename();
  if (name.empty() || name == "." || name == "..")
    return std::unexpected(file + ": no file name to write under --output-dir");
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace mailauth::cli
