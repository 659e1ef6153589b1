// Two subcommands registered only in the test build of the dispatcher (mailauth-cli-fixture),
// so the registry, `help <sub>` and the shared option helper are tested before the real
// subcommands exist.
#include <iostream>
#include <stdexcept>

#include "options.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

// echo [--upper] [--repeat N] WORD...: prints the words, joined by spaces.
int run_echo(const std::vector<std::string>& args) {
  bool upper = false;
  int repeat = 1;
  CommonOptions common;
  CommandLine cl{"echo", "[options] WORD...", "Prints its words."};
  cl.options.add_options()                                       //
      ("upper", po::bool_switch(&upper), "print in upper case")  //
      ("repeat", po::value(&repeat)->value_name("N"), "print N times");
  add_common_options(cl, common);
  cl.add_positional("word", -1, "words to print");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (repeat < 1) return usage_error(cl.name, "--repeat must be at least 1");

  std::string line;
  if (vm->count("word") != 0)
    for (const auto& w : (*vm)["word"].as<std::vector<std::string>>())
      line += (line.empty() ? "" : " ") + w;
  if (upper)
    for (auto& c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (common.json) line = "{\"text\":\"" + line + "\"}";
  for (int i = 0; i < repeat; ++i) std::cout << line << '\n';
  return exit_ok;
}

// Fails at start-up the way a subcommand with an unreadable key file would.
int run_broken(const std::vector<std::string>&) {
  throw std::runtime_error("cannot read key file 'missing.pem'");
}

const Registration echo{{"echo", "print the words given", run_echo}};
const Registration broken{{"broken", "always fails to start", run_broken}};

}  // namespace
}  // namespace mailauth::cli
