#include "config.hpp"

#include <unistd.h>

#include <boost/program_options.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace mailauth::milter {
namespace po = boost::program_options;
namespace {

using Values = std::vector<std::string>;

// A value that cannot be used; the message says why, without the parameter's name.
[[noreturn]] void bad(const std::string& message) { throw std::invalid_argument(message); }

template <class Enum, std::size_t N>
Enum parse_choice(const std::string& value, const std::array<Enum, N>& choices) {
  for (Enum choice : choices)
    if (value == to_string(choice)) return choice;
  std::string allowed;
  for (Enum choice : choices)
    allowed += std::string(allowed.empty() ? "" : ", ") + to_string(choice);
  bad("'" + value + "' is not one of " + allowed);
}

bool parse_bool(const std::string& value) {
  if (value == "yes" || value == "true" || value == "1") return true;
  if (value == "no" || value == "false" || value == "0") return false;
  bad("'" + value + "' is not yes or no");
}

unsigned parse_unsigned(const std::string& value, unsigned low, unsigned high) {
  unsigned number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc{} || end != value.data() + value.size() || value.empty())
    bad("'" + value + "' is not a whole number");
  if (number < low || number > high)
    bad("'" + value + "' is outside " + std::to_string(low) + ".." + std::to_string(high));
  return number;
}

// Items separated by commas and/or white space.
Values split_items(const std::string& value) {
  Values out;
  std::string item;
  for (char c : value) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!item.empty()) out.push_back(std::move(item));
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  if (!item.empty()) out.push_back(std::move(item));
  return out;
}

std::string join(const Values& items, const char* separator = ", ") {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

Network parse_network(const std::string& text) {
  const std::size_t slash = text.find('/');
  const std::string address_text = text.substr(0, slash);
  auto address = auth::IpAddress::parse(address_text);
  if (!address) bad("'" + text + "' is not an IPv4 or IPv6 address or network");
  Network network{*address, address->is_v4() ? 32u : 128u};
  if (slash != std::string::npos) {
    try {
      network.prefix_length =
          parse_unsigned(text.substr(slash + 1), 0, address->is_v4() ? 32 : 128);
    } catch (const std::invalid_argument&) {
      bad("'" + text + "' has a bad prefix length");
    }
  }
  return network;
}

KeySpec parse_key_spec(const std::string& text) {
  // DOMAIN:SELECTOR:KEYFILE; the file name may itself contain ':'.
  const std::size_t first = text.find(':');
  const std::size_t second = first == std::string::npos ? first : text.find(':', first + 1);
  if (second == std::string::npos || first == 0 || second == first + 1 || second + 1 == text.size())
    bad("'" + text + "' is not DOMAIN:SELECTOR:KEYFILE");
  return KeySpec{text.substr(0, first), text.substr(first + 1, second - first - 1),
                 text.substr(second + 1), ""};
}

std::string socket_value(const std::string& text) {
  const bool known = text.starts_with("inet:") || text.starts_with("inet6:") ||
                     text.starts_with("unix:") || text.starts_with("local:");
  if (!known || text.find(':') + 1 == text.size())
    bad("'" + text + "' is not inet:PORT@HOST, inet6:PORT@HOST or unix:PATH");
  return text;
}

std::string duration_text(std::chrono::milliseconds value) {
  if (value.count() % 1000 == 0) return std::to_string(value.count() / 1000) + "s";
  return std::to_string(value.count()) + "ms";
}

// The parameter table: the single source of the names, defaults and meanings that --help
// prints, that the configuration file accepts, that --print-config shows and that README.md
// documents. `apply` takes one value (called once per value of a repeatable parameter, after
// `reset`); `show` gives the current values.
struct Parameter {
  const char* name;
  const char* default_text;
  const char* description;
  bool repeatable;
  std::function<void(Config&, const std::string&)> apply;
  std::function<Values(const Config&)> show;
  std::function<void(Config&)> reset = nullptr;  // repeatable: clears the list
};

Values one(std::string value) { return Values{std::move(value)}; }

const std::vector<Parameter>& parameters() {
  static const std::vector<Parameter> table = {
      {"socket", "inet:8891@127.0.0.1", "inet:PORT@HOST, inet6:PORT@HOST or unix:PATH", false,
       [](Config& c, const std::string& v) { c.socket = socket_value(v); },
       [](const Config& c) { return one(c.socket); }},
      {"authserv_id", "(host name)", "authserv-id written in Authentication-Results", false,
       [](Config& c, const std::string& v) {
         if (v.empty() || v.find_first_of(" \t;()\"") != std::string::npos)
           bad("'" + v + "' is not a usable authserv-id (a host name)");
         c.authserv_id = v;
       },
       [](const Config& c) { return one(c.authserv_id); }},
      {"mode", "verify", "verify (inbound), sign (outbound) or both", false,
       [](Config& c, const std::string& v) {
         c.mode = parse_choice(v, std::array{Mode::Verify, Mode::Sign, Mode::Both});
       },
       [](const Config& c) { return one(to_string(c.mode)); }},
      {"user", "(none)", "switch to this user after opening the socket (as root)", false,
       [](Config& c, const std::string& v) { c.user = v; },
       [](const Config& c) { return one(c.user); }},
      {"log_level", "info", "error, warning, info or debug; logs go to stderr", false,
       [](Config& c, const std::string& v) {
         c.log_level = parse_choice(
             v, std::array{LogLevel::Error, LogLevel::Warning, LogLevel::Info, LogLevel::Debug});
       },
       [](const Config& c) { return one(to_string(c.log_level)); }},
      {"dns_timeout", "5s", "DNS query timeout, unit ms, s or m (100ms..60s)", false,
       [](Config& c, const std::string& v) {
         const auto timeout = parse_duration(v);
         if (timeout < std::chrono::milliseconds(100) || timeout > std::chrono::seconds(60))
           bad("'" + v + "' is outside 100ms..60s");
         c.dns_timeout = timeout;
       },
       [](const Config& c) { return one(duration_text(c.dns_timeout)); }},
      {"dns_servers", "(resolv.conf)", "DNS servers to ask: ADDR or [ADDR]:PORT, comma-separated",
       false,
       [](Config& c, const std::string& v) {
         Values servers = split_items(v);
         for (const std::string& s : servers) {
           const std::string host =
               s.starts_with("[") ? s.substr(1, s.find(']') - 1) : s.substr(0, s.rfind(':'));
           if (!auth::IpAddress::parse(s) && !auth::IpAddress::parse(host))
             bad("'" + s + "' is not an IP address (optionally with :PORT)");
         }
         c.dns_servers = std::move(servers);
       },
       [](const Config& c) { return one(join(c.dns_servers)); }},
      {"dns_zone", "(none)", "answer DNS from this zone file (tests, offline labs)", false,
       [](Config& c, const std::string& v) { c.dns_zone = v; },
       [](const Config& c) { return one(c.dns_zone); }},
      {"internal_hosts", "127.0.0.0/8, ::1",
       "clients whose mail is outbound (signed): IPv4/IPv6 addresses and CIDR networks", false,
       [](Config& c, const std::string& v) {
         std::vector<Network> networks;
         for (const std::string& item : split_items(v)) networks.push_back(parse_network(item));
         c.internal_hosts = std::move(networks);
       },
       [](const Config& c) {
         Values items;
         for (const Network& n : c.internal_hosts) items.push_back(n.str());
         return one(join(items));
       }},
      {"signer", "(none)", "DOMAIN:SELECTOR:KEYFILE signing outbound mail; may repeat", true,
       [](Config& c, const std::string& v) { c.signers.push_back(parse_key_spec(v)); },
       [](const Config& c) {
         Values items;
         for (const KeySpec& k : c.signers)
           items.push_back(k.domain + ":" + k.selector + ":" + k.key_file);
         return items;
       },
       [](Config& c) { c.signers.clear(); }},
      {"seal", "(none)", "DOMAIN:SELECTOR:KEYFILE sealing inbound mail with ARC; may repeat", true,
       [](Config& c, const std::string& v) { c.seals.push_back(parse_key_spec(v)); },
       [](const Config& c) {
         Values items;
         for (const KeySpec& k : c.seals)
           items.push_back(k.domain + ":" + k.selector + ":" + k.key_file);
         return items;
       },
       [](Config& c) { c.seals.clear(); }},
      {"add_received_spf", "no", "also prepend a Received-SPF field (yes or no)", false,
       [](Config& c, const std::string& v) { c.add_received_spf = parse_bool(v); },
       [](const Config& c) { return one(c.add_received_spf ? "yes" : "no"); }},
      {"on_dmarc_reject", "accept",
       "DMARC fail under p=reject: reject, quarantine or accept (header only)", false,
       [](Config& c, const std::string& v) {
         c.on_dmarc_reject = parse_choice(
             v, std::array{RejectAction::Reject, RejectAction::Quarantine, RejectAction::Accept});
       },
       [](const Config& c) { return one(to_string(c.on_dmarc_reject)); }},
      {"on_dmarc_quarantine", "accept", "DMARC fail under p=quarantine: quarantine or accept",
       false,
       [](Config& c, const std::string& v) {
         c.on_dmarc_quarantine =
             parse_choice(v, std::array{QuarantineAction::Quarantine, QuarantineAction::Accept});
       },
       [](const Config& c) { return one(to_string(c.on_dmarc_quarantine)); }},
      {"on_bad_from", "reject", "From missing, repeated or unparsable: reject or accept", false,
       [](Config& c, const std::string& v) {
         c.on_bad_from = parse_choice(v, std::array{BadFromAction::Reject, BadFromAction::Accept});
       },
       [](const Config& c) { return one(to_string(c.on_bad_from)); }},
      {"on_temperror", "tempfail",
       "a DNS error left DKIM or DMARC open: tempfail (451 4.7.5) or accept", false,
       [](Config& c, const std::string& v) {
         c.on_temperror = parse_choice(v, std::array{ErrorAnswer::Accept, ErrorAnswer::Tempfail});
       },
       [](const Config& c) { return one(to_string(c.on_temperror)); }},
      {"on_internal_error", "accept", "the milter itself failed: accept or tempfail", false,
       [](Config& c, const std::string& v) {
         c.on_internal_error =
             parse_choice(v, std::array{ErrorAnswer::Accept, ErrorAnswer::Tempfail});
       },
       [](const Config& c) { return one(to_string(c.on_internal_error)); }},
      {"trusted_arc_sealers", "(none)",
       "ARC sealers (domains) whose results may override a DMARC fail", false,
       [](Config& c, const std::string& v) { c.trusted_arc_sealers = split_items(v); },
       [](const Config& c) { return one(join(c.trusted_arc_sealers)); }},
      {"dry_run", "no", "log each reject, quarantine or tempfail instead of taking it", false,
       [](Config& c, const std::string& v) { c.dry_run = parse_bool(v); },
       [](const Config& c) { return one(c.dry_run ? "yes" : "no"); }},
      {"public_suffix_list", "(none: tree walk)",
       "DMARC Organizational Domains from this public suffix list (RFC 7489 method)", false,
       [](Config& c, const std::string& v) { c.public_suffix_list = v; },
       [](const Config& c) { return one(c.public_suffix_list); }},
      {"report_store", "(none)", "DMARC report records: sqlite:PATH or postgresql://...", false,
       [](Config& c, const std::string& v) {
         if (!v.empty() && !v.starts_with("sqlite:") && !v.starts_with("postgresql:") &&
             !v.starts_with("postgres:"))
           bad("'" + v + "' is not sqlite:PATH or postgresql://...");
         c.report_store = v;
       },
       [](const Config& c) { return one(c.report_store); }},
      {"failure_reports", "off",
       "DMARC failure reports (RFC 9991): off, spool:DIR or sendmail[:PATH]", false,
       [](Config& c, const std::string& v) {
         if (v != "off" && !(v.starts_with("spool:") && v.size() > 6) && v != "sendmail" &&
             !v.starts_with("sendmail:"))
           bad("'" + v + "' is not off, spool:DIR or sendmail[:PATH]");
         c.failure_reports = v;
       },
       [](const Config& c) { return one(c.failure_reports); }},
      {"report_from", "(postmaster@...)",
       "From address of failure reports (default postmaster@authserv_id)", false,
       [](Config& c, const std::string& v) {
         if (v.find('@') == std::string::npos) bad("'" + v + "' is not an address");
         c.report_from = v;
       },
       [](const Config& c) { return one(c.report_from); }},
      {"metrics", "(off)", "Prometheus metrics endpoint: inet:PORT@HOST", false,
       [](Config& c, const std::string& v) {
         if (!v.empty() && !v.starts_with("inet:") && !v.starts_with("inet6:"))
           bad("'" + v + "' is not inet:PORT@HOST");
         c.metrics = v;
       },
       [](const Config& c) { return one(c.metrics); }},
      {"min_rsa_bits", "1024", "RSA keys below this size give DKIM policy (RFC 8301)", false,
       [](Config& c, const std::string& v) { c.min_rsa_bits = parse_unsigned(v, 512, 16384); },
       [](const Config& c) { return one(std::to_string(c.min_rsa_bits)); }},
      {"max_signatures", "10", "DKIM signatures checked per message (more are neutral)", false,
       [](Config& c, const std::string& v) { c.max_signatures = parse_unsigned(v, 1, 100); },
       [](const Config& c) { return one(std::to_string(c.max_signatures)); }},
  };
  return table;
}

const Parameter* find_parameter(const std::string& name) {
  for (const Parameter& p : parameters())
    if (name == p.name) return &p;
  return nullptr;
}

// One `name = value` (or `--name value`) occurrence, with where it came from.
struct Setting {
  std::string name;
  std::string value;
  std::string origin;
};

std::string trim(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// `name = value` lines; `#` starts a comment line (a value may contain '#').
std::vector<Setting> read_file(const std::string& path, std::vector<ConfigError>& errors) {
  std::vector<Setting> out;
  std::ifstream file(path);
  if (!file) {
    errors.push_back({"", "cannot read configuration file " + path});
    return out;
  }
  std::string line;
  for (unsigned number = 1; std::getline(file, line); ++number) {
    const std::string text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const std::string origin = path + " line " + std::to_string(number);
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos) {
      out.push_back({"", text, origin});  // reported in line order by apply()
      continue;
    }
    out.push_back({trim(text.substr(0, equals)), trim(text.substr(equals + 1)), origin});
  }
  return out;
}

// Applies settings in order; a repeatable parameter's first setting from a new source clears
// the values of earlier sources.
void apply(Config& config, const std::vector<Setting>& settings, std::vector<ConfigError>& errors) {
  std::map<std::string, std::string> source_of;  // repeatable name -> source that owns it
  for (const Setting& s : settings) {
    if (s.name.empty()) {
      errors.push_back({s.origin, "expected `name = value`, got '" + s.value + "'"});
      continue;
    }
    std::string name = s.name;
    if (name == "failure_mode") name = "on_internal_error";  // the name before 0.2
    const Parameter* p = find_parameter(name);
    if (p == nullptr) {
      errors.push_back({s.origin, "unknown parameter '" + s.name + "'"});
      continue;
    }
    try {
      if (p->repeatable) {
        const std::string source = s.origin.substr(0, s.origin.rfind(" line "));
        if (source_of[name] != source) {
          p->reset(config);
          source_of[name] = source;
        }
      }
      p->apply(config, s.value);
      if (name == "signer")
        config.signers.back().origin = s.origin.empty() ? "command line" : s.origin;
      if (name == "seal") config.seals.back().origin = s.origin.empty() ? "command line" : s.origin;
    } catch (const std::exception& e) {
      errors.push_back({s.origin, std::string(p->name) + ": " + e.what()});
    }
  }
}

}  // namespace

bool Network::contains(const auth::IpAddress& ip) const {
  const auth::IpAddress plain = ip.unmapped();
  return plain.family() == address.family() && plain.in_network(address, prefix_length);
}

std::string Network::str() const {
  const unsigned full = address.is_v4() ? 32 : 128;
  return prefix_length == full ? address.str()
                               : address.str() + "/" + std::to_string(prefix_length);
}

Config::Config() : internal_hosts{parse_network("127.0.0.0/8"), parse_network("::1")} {}

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

const char* to_string(ErrorAnswer answer) {
  return answer == ErrorAnswer::Accept ? "accept" : "tempfail";
}

const char* to_string(RejectAction action) {
  switch (action) {
    case RejectAction::Reject:
      return "reject";
    case RejectAction::Quarantine:
      return "quarantine";
    case RejectAction::Accept:
      return "accept";
  }
  return "?";
}

const char* to_string(QuarantineAction action) {
  return action == QuarantineAction::Quarantine ? "quarantine" : "accept";
}

const char* to_string(BadFromAction action) {
  return action == BadFromAction::Reject ? "reject" : "accept";
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
  if (ec != std::errc{} || end == first || number < 0 || number > 1'000'000)
    bad("'" + text + "' is not a time (a number with unit ms, s or m)");
  if (unit == "ms") return std::chrono::milliseconds(number);
  if (unit.empty() || unit == "s") return std::chrono::seconds(number);
  if (unit == "m") return std::chrono::minutes(number);
  bad("'" + text + "' is not a time (a number with unit ms, s or m)");
}

Invocation parse_invocation(int argc, const char* const* argv) {
  po::options_description command_line;
  command_line.add_options()("help,h", "")("version,V", "")("print-config", "")("check", "")(
      "check-dns", "")("config,c", po::value<std::string>());
  for (const Parameter& p : parameters())
    command_line.add_options()(p.name, po::value<std::vector<std::string>>());
  command_line.add_options()("failure_mode", po::value<std::vector<std::string>>());

  Invocation invocation;
  po::parsed_options parsed(&command_line);
  try {
    parsed = po::command_line_parser(argc, argv).options(command_line).run();
  } catch (const po::error& e) {
    invocation.errors.push_back({"", e.what()});
    return invocation;
  }
  po::variables_map vm;
  po::store(parsed, vm);

  if (vm.count("help"))
    invocation.action = Invocation::Action::Help;
  else if (vm.count("version"))
    invocation.action = Invocation::Action::Version;
  else if (vm.count("print-config"))
    invocation.action = Invocation::Action::PrintConfig;
  else if (vm.count("check"))
    invocation.action = Invocation::Action::Check;
  invocation.check_dns = vm.count("check-dns") != 0;
  if (invocation.check_dns && invocation.action != Invocation::Action::Check)
    invocation.errors.push_back({"", "--check-dns goes with --check"});
  if (invocation.action == Invocation::Action::Help ||
      invocation.action == Invocation::Action::Version)
    return invocation;

  std::vector<Setting> settings;
  Config& config = invocation.config;
  if (vm.count("config")) {
    config.config_file = vm["config"].as<std::string>();
    settings = read_file(config.config_file, invocation.errors);
  }
  // Command-line values after the file's, in the order given, so that they win.
  for (const po::option& option : parsed.options) {
    if (option.string_key == "config" || option.string_key == "help" ||
        option.string_key == "version" || option.string_key == "print-config" ||
        option.string_key == "check" || option.string_key == "check-dns")
      continue;
    for (const std::string& value : option.value)
      settings.push_back({option.string_key, value, ""});
  }
  apply(config, settings, invocation.errors);
  if (config.authserv_id.empty()) config.authserv_id = host_name();
  if (config.mode != Mode::Verify && config.signers.empty())
    invocation.errors.push_back(
        {"", std::string("mode ") + to_string(config.mode) + " needs at least one signer"});
  return invocation;
}

void print_help(std::ostream& out) {
  out << "Usage: mailauth-milter [--config FILE] [--PARAMETER VALUE]...\n"
         "       mailauth-milter --config FILE --check [--check-dns]\n"
         "       mailauth-milter --help | --version | --print-config\n"
         "\n"
         "Email authentication milter (DKIM, SPF, DMARC, ARC) for Postfix and Sendmail.\n"
         "Runs in the foreground; SIGTERM or SIGINT stops it after the messages in flight,\n"
         "SIGUSR1 reloads the configuration and keys (a bad new file is logged, the old one\n"
         "kept). Without a configuration file it verifies inbound mail on\n"
         "inet:8891@127.0.0.1.\n"
         "\n"
         "Parameters (--name VALUE on the command line, or `name = VALUE` lines in the\n"
         "configuration file; the command line wins; signer and seal repeat as lines):\n";
  out << "  " << std::left << std::setw(20) << "name" << std::setw(20) << "default"
      << "meaning\n";
  for (const Parameter& p : parameters())
    out << "  " << std::left << std::setw(20) << p.name << std::setw(20) << p.default_text
        << p.description << '\n';
  out << "\n"
         "Options:\n"
         "  -c, --config FILE  read parameters from FILE (`#` starts a comment line)\n"
         "  --check            check the configuration and the key files, print every\n"
         "                     problem with its line, and exit (0 good, 2 otherwise)\n"
         "  --check-dns        with --check: also check each key against its DNS record\n"
         "  --print-config     print the effective parameters and exit\n"
         "  -h, --help         print this help and exit\n"
         "  -V, --version      print the version and exit\n"
         "\n"
         "Exit codes: 0 stopped by a signal (or --check found nothing), 1 socket, privilege\n"
         "or libmilter failure, 2 bad option, parameter value, configuration file or key.\n";
}

void print_config(const Config& config, std::ostream& out) {
  for (const Parameter& p : parameters())
    for (const std::string& value : p.show(config)) out << p.name << " = " << value << '\n';
}

void print_parameter_table(std::ostream& out) {
  for (const Parameter& p : parameters())
    out << "| `" << p.name << "` | `" << p.default_text << "` | " << p.description << " |\n";
}

}  // namespace mailauth::milter
