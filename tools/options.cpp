#include "options.hpp"

#include <iostream>

#include "subcommand.hpp"

namespace mailauth::cli {

void CommandLine::add_positional(const char* key, int max_count, const char* text) {
  hidden.add_options()(key, po::value<std::vector<std::string>>(), text);
  positional.add(key, max_count);
}

void add_common_options(CommandLine& cl, CommonOptions& out) {
  cl.options.add_options()                                                        //
      ("dns-zone", po::value(&out.dns_zone)->value_name("FILE"),                  //
       "answer DNS queries from this RFC 1035 zone file instead of the network")  //
      ("json", po::bool_switch(&out.json), "print one JSON object per input, one per line");
}

void print_help(const CommandLine& cl, std::ostream& out) {
  out << "Usage: mailauth " << cl.name << ' ' << cl.usage << "\n\n";
  if (!cl.description.empty()) out << cl.description << "\n\n";
  out << cl.options << "\nExit codes: see 'mailauth --help'.\n";
}

int usage_error(std::string_view name, std::string_view message) {
  std::cerr << "mailauth " << name << ": " << message << "; see 'mailauth " << name << " --help'\n";
  return exit_usage;
}

std::expected<po::variables_map, int> parse_options(CommandLine& cl,
                                                    const std::vector<std::string>& args) {
  // --help is checked before required options and value checks, so it always works.
  if (cl.options.find_nothrow("help", false) == nullptr)
    cl.options.add_options()("help,h", po::bool_switch(), "print this help");

  po::options_description all;
  all.add(cl.options).add(cl.hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(cl.positional).run(), vm);
    if (vm.count("help") != 0 && vm["help"].as<bool>()) {
      print_help(cl, std::cout);
      return std::unexpected(exit_ok);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return std::unexpected(usage_error(cl.name, e.what()));
  }
  return vm;
}

}  // namespace mailauth::cli
