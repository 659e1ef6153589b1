#include "config.hpp"

#include <unistd.h>

#include <boost/program_options.hpp>

#include <array>
#include <charconv>
#include <climits>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <stdexcept>

namespace mailauth::milter {
namespace po = boost::program_options;
namespace {

// The parameter table: the single source of the names, defaults and meanings that --help
// prints, that the configuration file accepts and that README.md documents.
struct Parameter {
  const char* name;
  const char* default_text;
  const char* description;
};
constexpr std::array parameters{
    Parameter{"socket", "inet:8891@127.0.0.1", "inet:PORT@HOST, inet6:PORT@HOST or unix:PATH"},
    Parameter{"authserv_id", "(host name)", "authserv-id written in Authentication-Results"},
    Parameter{"mode", "verify", "verify (inbound), sign (outbound) or both"},
    Parameter{"failure_mode", "accept", "on an internal failure: accept or tempfail the message"},
    Parameter{"user", "(none)", "switch to this user after opening the socket (as root)"},
    Parameter{"log_level", "info", "error, warning, info or debug; logs go to stderr"},
    Parameter{"dns_timeout", "5s", "DNS query timeout, unit ms, s or m (100ms..60s)"},
};

template <class Enum, std::size_t N>
Enum parse_choice(const char* parameter, const std::string& value,
                  const std::array<Enum, N>& choices) {
  for (Enum choice : choices)
    if (value == to_string(choice)) return choice;
  std::string allowed;
  for (Enum choice : choices)
    allowed += std::string(allowed.empty() ? "" : ", ") + to_string(choice);
  throw std::runtime_error(std::string(parameter) + ": '" + value + "' is not one of " + allowed);
}

po::options_description file_options() {
  po::options_description options;
  for (const auto& p : parameters) options.add_options()(p.name, po::value<std::string>());
  return options;
}

}  // namespace

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::Verify:
      return "verify";
    case Mode::Sign:
      return "sign";
    case Mode::Both:
      return "both";
  }
  return "?";
}

const char* to_string(FailureMode mode) {
  return mode == FailureMode::Accept ? "accept" : "tempfail";
}

const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Error:
      return "error";
    case LogLevel::Warning:
      return "warning";
    case LogLevel::Info:
      return "info";
    case LogLevel::Debug:
      return "debug";
  }
  return "?";
}

std::string host_name() {
  std::array<char, HOST_NAME_MAX + 1> name{};
  if (gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  return name.data();
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  long long number = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, number);
  const std::string unit(end, last);
  const auto bad = [&] {
    return std::runtime_error("'" + text + "' is not a time (a number with unit ms, s or m)");
  };
  if (ec != std::errc{} || end == first || number < 0 || number > 1'000'000) throw bad();
  if (unit == "ms") return std::chrono::milliseconds(number);
  if (unit.empty() || unit == "s") return std::chrono::seconds(number);
  if (unit == "m") return std::chrono::minutes(number);
  throw bad();
}

Invocation parse_invocation(int argc, const char* const* argv) {
  po::options_description command_line;
  command_line.add_options()("help,h", "")("version,V", "")("print-config", "")(
      "config,c", po::value<std::string>());
  command_line.add(file_options());

  po::variables_map vm;
  try {
    // Stored first, so command-line values win over the file's.
    po::store(po::parse_command_line(argc, argv, command_line), vm);
  } catch (const po::error& e) {
    throw std::runtime_error(e.what());
  }

  Invocation invocation;
  if (vm.count("help"))
    invocation.action = Invocation::Action::Help;
  else if (vm.count("version"))
    invocation.action = Invocation::Action::Version;
  else if (vm.count("print-config"))
    invocation.action = Invocation::Action::PrintConfig;
  if (invocation.action == Invocation::Action::Help ||
      invocation.action == Invocation::Action::Version)
    return invocation;

  Config& config = invocation.config;
  if (vm.count("config")) {
    config.config_file = vm["config"].as<std::string>();
    std::ifstream file(config.config_file);
    if (!file) throw std::runtime_error("cannot read configuration file " + config.config_file);
    try {
      po::store(po::parse_config_file(file, file_options()), vm);
    } catch (const po::error& e) {
      throw std::runtime_error(config.config_file + ": " + e.what());
    }
  }

  const auto value = [&](const char* name) -> const std::string* {
    return vm.count(name) ? &vm[name].as<std::string>() : nullptr;
  };
  if (auto v = value("socket")) {
    if (v->empty()) throw std::runtime_error("socket: must not be empty");
    config.socket = *v;
  }
  if (auto v = value("authserv_id")) config.authserv_id = *v;
  if (config.authserv_id.empty()) config.authserv_id = host_name();
  if (auto v = value("mode"))
    config.mode = parse_choice("mode", *v, std::array{Mode::Verify, Mode::Sign, Mode::Both});
  if (auto v = value("failure_mode"))
    config.failure_mode =
        parse_choice("failure_mode", *v, std::array{FailureMode::Accept, FailureMode::Tempfail});
  if (auto v = value("user")) config.user = *v;
  if (auto v = value("log_level"))
    config.log_level = parse_choice(
        "log_level", *v,
        std::array{LogLevel::Error, LogLevel::Warning, LogLevel::Info, LogLevel::Debug});
  if (auto v = value("dns_timeout")) {
    try {
      config.dns_timeout = parse_duration(*v);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string("dns_timeout: ") + e.what());
    }
    using std::chrono::milliseconds;
    if (config.dns_timeout < milliseconds(100) || config.dns_timeout > milliseconds(60'000))
      throw std::runtime_error("dns_timeout: '" + *v + "' is outside 100ms..60s");
  }
  return invocation;
}

void print_help(std::ostream& out) {
  out << "Usage: mailauth-milter [--config FILE] [--PARAMETER VALUE]...\n"
         "       mailauth-milter --help | --version | --print-config\n"
         "\n"
         "Email authentication milter (DKIM, SPF, DMARC, ARC) for Postfix and Sendmail.\n"
         "Runs in the foreground; stop it with SIGTERM or SIGINT. Without a configuration\n"
         "file it verifies inbound mail on inet:8891@127.0.0.1.\n"
         "\n"
         "Parameters (--name VALUE on the command line, or `name = VALUE` lines in the\n"
         "configuration file; the command line wins):\n";
  out << "  " << std::left << std::setw(14) << "name" << std::setw(22) << "default"
      << "meaning\n";
  for (const auto& p : parameters)
    out << "  " << std::left << std::setw(14) << p.name << std::setw(22) << p.default_text
        << p.description << '\n';
  out << "\n"
         "Options:\n"
         "  -c, --config FILE  read parameters from FILE (`#` starts a comment)\n"
         "  --print-config     print the effective parameters and exit\n"
         "  -h, --help         print this help and exit\n"
         "  -V, --version      print the version and exit\n"
         "\n"
         "Exit codes: 0 stopped by a signal, 1 socket/privilege/libmilter failure,\n"
         "2 bad option, parameter value or configuration file.\n";
}

void print_config(const Config& config, std::ostream& out) {
  out << "socket = " << config.socket << '\n'
      << "authserv_id = " << config.authserv_id << '\n'
      << "mode = " << to_string(config.mode) << '\n'
      << "failure_mode = " << to_string(config.failure_mode) << '\n'
      << "user = " << config.user << '\n'
      << "log_level = " << to_string(config.log_level) << '\n'
      << "dns_timeout = " << config.dns_timeout.count() << "ms\n";
}

}  // namespace mailauth::milter
