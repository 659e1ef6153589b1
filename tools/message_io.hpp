// Feeding a message to a handler and writing it back with new header fields on top, in the
// input's own line-ending convention (sign, seal).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <auth/limits.hpp>
#include <auth/message.hpp>

namespace mailauth::cli {

// Runs `message` through a MessageParser into `handler`. A parse error is returned in words:
// "<file or 'standard input'>: <error>".
std::expected<void, std::string> parse_message(const std::string& file, std::string_view message,
                                               auth::message::MessageHandler& handler,
                                               const auth::Limits& limits = {});

// Writes `fields` (top first) then `message` to standard output. The fields end in CRLF, or in
// LF when the message's first line does. Returns exit_ok, or exit_usage when writing failed.
int write_with_fields(const std::vector<auth::message::HeaderField>& fields,
                      std::string_view message);

// The text of `fields` (top first) as write_with_fields() writes it before `message`.
std::string fields_text(const std::vector<auth::message::HeaderField>& fields,
                        std::string_view message);

// Writes `head` then `message` to a new file `path` (mode 0666 less the umask) with one
// writev(2). An existing file is never replaced; a file left half written is removed. On
// failure returns the reason in words, naming the file.
std::expected<void, std::string> write_new_file(const std::string& path, std::string_view head,
                                                std::string_view message);

// Where --output-dir DIR puts the message read from `file`: DIR/<file's last name>. Fails, in
// words, for standard input and for a path with no file name.
std::expected<std::string, std::string> output_path(const std::string& dir,
                                                    const std::string& file);

}  // namespace mailauth::cli
