// The mailauth CLI's subcommand registry: each subcommand lives in its own file
// (tools/<name>_command.cpp) and registers itself with a static Registration.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mailauth::cli {

// Exit codes shared by every subcommand (documented in `mailauth --help`).
inline constexpr int exit_ok = 0;
inline constexpr int exit_fail = 1;       // an authentication check failed
inline constexpr int exit_usage = 2;      // bad usage or unreadable input
inline constexpr int exit_temporary = 3;  // only temporary errors prevented a verdict

struct Subcommand {
  std::string_view name;
  std::string_view summary;  // one line for `mailauth --help`
  // Receives the arguments after the subcommand name; prints its own --help.
  int (*run)(const std::vector<std::string>& args);
};

// All registered subcommands, sorted by name.
const std::vector<Subcommand>& subcommands();

struct Registration {
  explicit Registration(Subcommand command);
};

}  // namespace mailauth::cli
