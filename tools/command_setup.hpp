// What several subcommands build from their options: the DNS resolver (--dns-zone or real DNS),
// the clock (--now or the system clock) and colon-separated lists (--headers).
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <auth/clock.hpp>
#include <auth/dns.hpp>

#include "options.hpp"

namespace mailauth::cli {

// A ZoneResolver over common.dns_zone when given, else an LdnsResolver. On failure explains it
// with usage_error() and returns its exit code.
std::expected<std::unique_ptr<auth::dns::Resolver>, int> make_resolver(const CommandLine& cl,
                                                                       const CommonOptions& common);

// A FixedClock at `now` (Unix seconds) when given, else the system clock.
std::unique_ptr<auth::Clock> make_clock(std::optional<std::int64_t> now);

// The non-empty items of `text` split at `separator`.
std::vector<std::string> split_list(const std::string& text, char separator);

}  // namespace mailauth::cli
