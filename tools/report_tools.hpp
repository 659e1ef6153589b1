// The pieces of `mailauth report` (tools/report_command.cpp dispatches): each action in its own
// file, the store and time helpers they share.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>

#include "options.hpp"

namespace mailauth::cli::report {

int run_init(const std::vector<std::string>& args);
int run_aggregate(const std::vector<std::string>& args);
int run_prune(const std::vector<std::string>& args);
int run_failure(const std::vector<std::string>& args);

// The exit code for a store error: 3 when a database server could not be reached (try again),
// else 2 (a bad URI, an unusable file, a schema this build refuses).
int store_error(std::string_view command, const std::string& uri, const auth::Error& error);

// "30d", "12h", "90m", "3600s", "2w" as seconds; nullopt when not of that form.
std::optional<std::int64_t> parse_age(std::string_view text);

}  // namespace mailauth::cli::report
