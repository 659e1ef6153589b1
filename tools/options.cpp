#include "options.hpp"

#include <iostream>
#include <map>

#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

// The option a word names ("--dns-zone", "--dns-zone=F", "-h"), or null when Boost would not
// know it (Boost reports those itself).
const po::option_description* option_named(const po::options_description& options,
                                           std::string_view name, bool is_long) {
  try {
    // Long names may be abbreviated (Boost's default allow_guessing style); short ones not.
    return options.find_nothrow(std::string(is_long ? "" : "-") + std::string(name), is_long);
  } catch (const po::error&) {
    return nullptr;  // ambiguous abbreviation: Boost explains it
  }
}

bool takes_value(const po::option_description* option) {
  return option != nullptr && option->semantic()->min_tokens() > 0;
}

// Splits the words into the option words (with the values that follow them), given to Boost,
// and the positional words, collected here in one pass: Boost.Program_options erases each
// positional word from the front of a vector, quadratic in their number (a batch of a million
// files). "--" ends the options; "-" alone is a positional word (standard input).
void split_words(const po::options_description& options, const std::vector<std::string>& args,
                 std::vector<std::string>& option_words, std::vector<std::string>& positionals) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") {
      positionals.insert(positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                         args.end());
      return;
    }
    if (word.size() < 2 || word.front() != '-') {
      positionals.push_back(word);
      continue;
    }
    option_words.push_back(word);
    bool value_follows = false;
    if (word[1] == '-') {
      if (word.find('=') == std::string::npos)
        value_follows = takes_value(option_named(options, std::string_view(word).substr(2), true));
    } else {
      // "-abc": switches, until one that takes a value takes the rest of the word (or the next).
      for (std::size_t at = 1; at < word.size(); ++at) {
        if (takes_value(option_named(options, std::string_view(word).substr(at, 1), false))) {
          value_follows = at + 1 == word.size();
          break;
        }
      }
    }
    // A value is the next word unless that looks like an option: Boost then reports the value
    // as missing, as it always did.
    if (value_follows && i + 1 < args.size() &&
        (args[i + 1].size() < 2 || args[i + 1].front() != '-'))
      option_words.push_back(args[++i]);
  }
}

}  // namespace

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
  std::vector<std::string> option_words, positionals;
  split_words(all, args, option_words, positionals);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(option_words).options(all).run(), vm);
    if (vm.count("help") != 0 && vm["help"].as<bool>()) {
      print_help(cl, std::cout);
      return std::unexpected(exit_ok);
    }
    // Each positional word goes to the name declared for its position, as Boost would place it.
    if (positionals.size() > cl.positional.max_total_count())
      throw po::too_many_positional_options_error();
    std::map<std::string, std::vector<std::string>> by_name;
    for (std::size_t i = 0; i < positionals.size(); ++i)
      by_name[cl.positional.name_for_position(static_cast<unsigned>(i))].push_back(
          std::move(positionals[i]));
    for (auto& [name, words] : by_name) {
      if (vm.count(name) != 0) throw po::multiple_occurrences();  // also given as --name
      vm.insert({name, po::variable_value(boost::any(std::move(words)), false)});
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return std::unexpected(usage_error(cl.name, e.what()));
  }
  return vm;
}

}  // namespace mailauth::cli
