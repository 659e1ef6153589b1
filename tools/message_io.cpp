// Message input and output shared by the subcommands that rewrite a message.
#include "message_io.hpp"

#include <fstream>
#include <iostream>
#include <iterator>

#include "subcommand.hpp"

namespace mailauth::cli {

std::expected<std::string, int> read_message(std::string_view command, const std::string& file) {
  std::string message;
  if (file == "-") {
    message.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return message;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "mailauth " << command << ": cannot read " << file << '\n';
    return std::unexpected(exit_usage);
  }
  message.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return message;
}

std::expected<void, int> parse_message(std::string_view command, const std::string& file,
                                       std::string_view message,
                                       auth::message::MessageHandler& handler,
                                       const auth::Limits& limits) {
  auth::message::MessageParser parser(handler, limits);
  auto fed = parser.feed(message);
  if (fed) fed = parser.finish();
  if (!fed) {
    std::cerr << "mailauth " << command << ": " << (file == "-" ? "standard input" : file) << ": "
              << fed.error().message << '\n';
    return std::unexpected(exit_usage);
  }
  return {};
}

int write_with_fields(const std::vector<auth::message::HeaderField>& fields,
                      std::string_view message) {
  // Keep the input's line-ending convention.
  const std::size_t first_lf = message.find('\n');
  const bool crlf = first_lf != std::string::npos && first_lf > 0 && message[first_lf - 1] == '\r';
  for (const auto& field : fields) {
    std::string text = field.name + ":" + field.raw_value + "\r\n";
    if (!crlf) {
      std::string lf;
      for (char c : text)
        if (c != '\r') lf.push_back(c);
      text = lf;
    }
    std::cout << text;
  }
  std::cout << message;
  std::cout.flush();
  return std::cout ? exit_ok : exit_usage;
}

}  // namespace mailauth::cli
