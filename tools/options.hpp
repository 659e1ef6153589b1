// Option parsing shared by every subcommand, so that a tools/<name>_command.cpp file only declares
// its options and does its work:
//
//   int run(const std::vector<std::string>& args) {
//     std::string key;
//     CommandLine cl{"sign", "[options] FILE...", "Sign messages with DKIM."};
//     cl.options.add_options()("key", po::value(&key)->required(), "private key (PEM)");
//     cl.add_positional("file", -1, "message files (- for standard input)");
//     auto vm = parse_options(cl, args);
//     if (!vm) return vm.error();  // --help printed (0) or usage error explained (2)
//     ...
//   }
#pragma once

#include <boost/program_options.hpp>

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace mailauth::cli {

namespace po = boost::program_options;

struct CommandLine {
  CommandLine(std::string_view name_, std::string_view usage_, std::string_view description_)
      : name(name_), usage(usage_), description(description_) {}

  std::string_view name;         // the subcommand, for messages: "sign"
  std::string_view usage;        // what follows "mailauth <name> " in the usage line
  std::string_view description;  // a sentence or two printed by --help
  po::options_description options{"Options"};
  po::options_description hidden;  // positional arguments: parsed, not listed under Options
  po::positional_options_description positional;

  // Declares a positional argument (max_count -1: any number) stored in the variables map
  // under `key` as std::vector<std::string>.
  void add_positional(const char* key, int max_count, const char* text);
};

// Options most subcommands take (docs/architecture.md: offline DNS and JSON output).
struct CommonOptions {
  std::string dns_zone;  // empty: real DNS
  bool json = false;
};
void add_common_options(CommandLine& cl, CommonOptions& out);

// Parses `args` (the words after the subcommand name). Adds --help/-h. On success returns the
// variables map with notify() already run. Otherwise returns the exit code to return at once:
// exit_ok after printing help to stdout, exit_usage after explaining the error on stderr.
std::expected<po::variables_map, int> parse_options(CommandLine& cl,
                                                    const std::vector<std::string>& args);

// Prints "mailauth <name>: <message>" and the --help hint to stderr; returns exit_usage.
// For checks parse_options cannot make (conflicting options, a bad value format).
int usage_error(std::string_view name, std::string_view message);

// Prints the subcommand's help (usage, description, options) to `out`.
void print_help(const CommandLine& cl, std::ostream& out);

}  // namespace mailauth::cli
