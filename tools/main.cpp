// mailauth: the command-line front end. Global options come before the subcommand; everything
// after the subcommand name belongs to the subcommand (tools/<name>_command.cpp).
#include <boost/program_options.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "subcommand.hpp"

namespace po = boost::program_options;
using namespace mailauth::cli;

namespace {

po::options_description global_options() {
  po::options_description options("Global options");
  options.add_options()                       //
      ("help,h", "print this help and exit")  //
      ("version,V", "print the version and exit");
  return options;
}

const Subcommand* find_subcommand(std::string_view name) {
  for (const auto& command : subcommands())
    if (command.name == name) return &command;
  return nullptr;
}

void print_help(std::ostream& out) {
  out << "Usage: mailauth [global options] <subcommand> [options] [arguments]\n"
         "\n"
         "Email authentication from the command line: DKIM, SPF, DMARC and ARC.\n"
         "\n"
         "Subcommands:\n";
  std::size_t width = 4;  // "help"
  for (const auto& command : subcommands()) width = std::max(width, command.name.size());
  for (const auto& command : subcommands())
    out << "  " << command.name << std::string(width - command.name.size() + 2, ' ')
        << command.summary << '\n';
  out << "  help" << std::string(width - 4 + 2, ' ') << "show a subcommand's options\n"
      << "\n"
      << global_options() << "\n"
      << "Run 'mailauth help <subcommand>' or 'mailauth <subcommand> --help' for its options.\n"
         "\n"
         "Exit codes (every subcommand):\n"
      << "  " << exit_ok << "  success: every check passed, or the work was done\n"
      << "  " << exit_fail << "  an authentication check failed\n"
      << "  " << exit_usage << "  bad usage or unreadable input\n"
      << "  " << exit_temporary << "  only temporary errors (DNS) prevented a verdict\n";
}

int unknown_subcommand(std::string_view name) {
  std::cerr << "mailauth: unknown subcommand '" << name << "'; see 'mailauth --help'\n";
  return exit_usage;
}

int run_subcommand(const Subcommand& command, const std::vector<std::string>& args) {
  // Exceptions are for start-up failures (unreadable key, bad option value): report them in
  // words rather than letting std::terminate print them.
  try {
    return command.run(args);
  } catch (const std::exception& e) {
    std::cerr << "mailauth " << command.name << ": " << e.what() << '\n';
  } catch (...) {
    std::cerr << "mailauth " << command.name << ": unexpected error\n";
  }
  return exit_usage;
}

// `mailauth help [<subcommand>]`
int help_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    print_help(std::cout);
    return exit_ok;
  }
  if (args.size() > 1) {
    std::cerr << "mailauth help: expected one subcommand name; see 'mailauth --help'\n";
    return exit_usage;
  }
  const Subcommand* command = find_subcommand(args.front());
  if (command == nullptr) return unknown_subcommand(args.front());
  return run_subcommand(*command, {"--help"});
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  // Global options are the words before the first one that is not an option.
  std::size_t split = 0;
  while (split < words.size() && words[split].size() > 1 && words[split].front() == '-' &&
         words[split] != "--")
    ++split;
  const std::vector<std::string> global(words.begin(),
                                        words.begin() + static_cast<std::ptrdiff_t>(split));
  if (split < words.size() && words[split] == "--") ++split;

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(global).options(global_options()).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mailauth: " << e.what() << "; see 'mailauth --help'\n";
    return exit_usage;
  }
  if (vm.count("help") != 0) {
    print_help(std::cout);
    return exit_ok;
  }
  if (vm.count("version") != 0) {
    std::cout << "mailauth " << MAILAUTH_VERSION << '\n';
    return exit_ok;
  }
  if (split == words.size()) {
    std::cerr << "mailauth: missing subcommand; see 'mailauth --help'\n";
    return exit_usage;
  }

  const std::string& name = words[split];
  const std::vector<std::string> args(words.begin() + static_cast<std::ptrdiff_t>(split) + 1,
                                      words.end());
  if (name == "help") return help_command(args);
  const Subcommand* command = find_subcommand(name);
  if (command == nullptr) return unknown_subcommand(name);
  return run_subcommand(*command, args);
}
