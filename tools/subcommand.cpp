#include "subcommand.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace mailauth::cli {
namespace {

// Function-local so that registrations from other translation units, which run during static
// initialization in any order, always find it constructed.
std::vector<Subcommand>& registry() {
  static std::vector<Subcommand> commands;
  return commands;
}

}  // namespace

const std::vector<Subcommand>& subcommands() { return registry(); }

Registration::Registration(Subcommand command) {
  auto& commands = registry();
  const auto at =
      std::lower_bound(commands.begin(), commands.end(), command.name,
                       [](const Subcommand& c, std::string_view name) { return c.name < name; });
  if ((at != commands.end() && at->name == command.name) || command.run == nullptr ||
      command.name.empty() || command.name.front() == '-' || command.name == "help") {
    // A programming error in a *_command.cpp file: fail loudly at start-up.
    std::cerr << "mailauth: invalid or duplicate subcommand registration '" << command.name
              << "'\n";
    std::abort();
  }
  commands.insert(at, command);
}

}  // namespace mailauth::cli
