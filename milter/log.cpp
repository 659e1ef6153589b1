#include "log.hpp"

#include <atomic>
#include <iostream>
#include <mutex>
#include <string>

namespace mailauth::milter {
namespace {

std::atomic<LogLevel> threshold{LogLevel::Info};
std::mutex output_mutex;

}  // namespace

void set_log_level(LogLevel level) { threshold = level; }

bool log_enabled(LogLevel level) { return level <= threshold.load(); }

void log(LogLevel level, std::string_view message) noexcept {
  if (!log_enabled(level)) return;
  try {
    std::string line = "mailauth-milter: ";
    line += to_string(level);
    line += ": ";
    line += message;
    line += '\n';
    // One write per line, so lines from concurrent connections never interleave.
    const std::lock_guard lock(output_mutex);
    std::cerr << line << std::flush;
  } catch (...) {  // NOLINT(bugprone-empty-catch): see below
    // Out of memory or a broken stderr: losing a log line beats losing the process.
  }
}

}  // namespace mailauth::milter
