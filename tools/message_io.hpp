// Reading a message for a subcommand, feeding it to a handler and writing it back with new
// header fields on top, in the input's own line-ending convention (sign, seal).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <auth/limits.hpp>
#include <auth/message.hpp>

namespace mailauth::cli {

// The whole of `file` ("-": standard input). On failure prints "mailauth <command>: cannot read
// <file>" and returns exit_usage.
std::expected<std::string, int> read_message(std::string_view command, const std::string& file);

// Runs `message` through a MessageParser into `handler`. On a parse error prints
// "mailauth <command>: <file or 'standard input'>: <error>" and returns exit_usage.
std::expected<void, int> parse_message(std::string_view command, const std::string& file,
                                       std::string_view message,
                                       auth::message::MessageHandler& handler,
                                       const auth::Limits& limits = {});

// Writes `fields` (top first) then `message` to standard output. The fields end in CRLF, or in
// LF when the message's first line does. Returns exit_ok, or exit_usage when writing failed.
int write_with_fields(const std::vector<auth::message::HeaderField>& fields,
                      std::string_view message);

}  // namespace mailauth::cli
