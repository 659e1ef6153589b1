// Logging to stderr, one line per event, safe from any libmilter thread. Runs in the
// foreground under a supervisor (systemd, runit, a terminal) that keeps stderr.
#pragma once

#include <string_view>

#include "config.hpp"

namespace mailauth::milter {

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
// Never throws, so it is safe in catch blocks and in noexcept libmilter callbacks.
void log(LogLevel level, std::string_view message) noexcept;

}  // namespace mailauth::milter
