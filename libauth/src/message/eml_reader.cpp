// read_eml: feeds a .eml file (or any stream) through a MessageParser; errors name the file.
#include <auth/message.hpp>

#include <array>
#include <cerrno>
#include <fstream>
#include <istream>
#include <system_error>

namespace auth::message {

namespace {

std::unexpected<Error> with_name(std::string_view name, Error error) {
  return std::unexpected<Error>(
      Error{error.code, std::string(name) + ": " + std::move(error.message)});
}

}  // namespace

Expected<void> read_eml(std::istream& in, std::string_view name_for_errors, MessageHandler& handler,
                        const Limits& limits) {
  MessageParser parser(handler, limits);
  std::array<char, 64 * 1024> buffer;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    if (auto r = parser.feed(std::string_view(buffer.data(), got)); !r) {
      return with_name(name_for_errors, std::move(r.error()));
    }
  }
  if (in.bad()) {
    return fail(ErrorCode::Io, std::string(name_for_errors) + ": read error");
  }
  if (auto r = parser.finish(); !r) return with_name(name_for_errors, std::move(r.error()));
  return {};
}

Expected<void> read_eml(const std::filesystem::path& path, MessageHandler& handler,
                        const Limits& limits) {
  const std::string name = path.string();
  std::error_code ec;
  // An ifstream opens a directory without complaint and then fails to read; say it plainly.
  if (std::filesystem::is_directory(path, ec)) {
    return fail(ErrorCode::Io, name + ": is a directory, not a message file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int saved = errno;
    return fail(ErrorCode::Io, name + ": cannot open: " +
                                   (saved != 0 ? std::generic_category().message(saved)
                                               : std::string("unknown error")));
  }
  return read_eml(file, name, handler, limits);
}

}  // namespace auth::message
