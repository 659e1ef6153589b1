// mailauth-milter's configuration: one table of parameters, read from the command line and an
// optional file with the same (Postfix-style) names. Built-in defaults need no file at all.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include <auth/ip_address.hpp>

namespace mailauth::milter {

enum class Mode { Verify, Sign, Both };
enum class LogLevel { Error, Warning, Info, Debug };
// What the MTA is told when DNS (on_temperror) or the milter itself (on_internal_error) left the
// message undecided.
enum class ErrorAnswer { Accept, Tempfail };
// What to do with a DMARC failure whose evaluated policy is reject / quarantine, and with a
// message whose From field is missing, repeated or unparsable.
enum class RejectAction { Reject, Quarantine, Accept };
enum class QuarantineAction { Quarantine, Accept };
enum class BadFromAction { Reject, Accept };

// signer = DOMAIN:SELECTOR:KEYFILE and seal = DOMAIN:SELECTOR:KEYFILE.
struct KeySpec {
  std::string domain;
  std::string selector;
  std::string key_file;
  std::string origin;  // where it was given: "FILE line N" or "command line"
  friend bool operator==(const KeySpec&, const KeySpec&) = default;
};

// An IPv4 or IPv6 network of internal_hosts.
struct Network {
  auth::IpAddress address;
  unsigned prefix_length = 0;
  bool contains(const auth::IpAddress& ip) const;
  std::string str() const;  // "127.0.0.0/8"
};

struct Config {
  std::string socket = "inet:8891@127.0.0.1";
  std::string authserv_id;  // default: this host's name
  Mode mode = Mode::Verify;
  std::string user;  // empty: keep the user we were started as
  LogLevel log_level = LogLevel::Info;
  std::chrono::milliseconds dns_timeout{5000};
  std::vector<std::string> dns_servers;  // empty: /etc/resolv.conf
  std::string dns_zone;                  // answer DNS from this zone file instead
  std::vector<Network> internal_hosts;   // default 127.0.0.0/8, ::1
  std::vector<KeySpec> signers;
  std::vector<KeySpec> seals;
  bool add_received_spf = false;
  RejectAction on_dmarc_reject = RejectAction::Accept;
  QuarantineAction on_dmarc_quarantine = QuarantineAction::Accept;
  BadFromAction on_bad_from = BadFromAction::Reject;
  ErrorAnswer on_temperror = ErrorAnswer::Tempfail;
  ErrorAnswer on_internal_error = ErrorAnswer::Accept;
  std::vector<std::string> trusted_arc_sealers;
  bool dry_run = false;
  std::string public_suffix_list;  // set: DMARC finds Organizational Domains with this PSL
  std::string report_store;        // DMARC report records: sqlite:PATH or postgresql://...
  std::string failure_reports = "off";  // off, spool:DIR or sendmail[:PATH]
  std::string report_from;              // From of failure reports; default postmaster@authserv_id
  std::string metrics;             // inet:PORT@HOST for the Prometheus endpoint; empty: off
  unsigned min_rsa_bits = 1024;
  unsigned max_signatures = 10;
  std::string config_file;  // where the file parameters came from, if any

  Config();
};

// Exit codes of mailauth-milter (documented in --help).
inline constexpr int exit_ok = 0;       // stopped by SIGTERM or SIGINT; --check found no error
inline constexpr int exit_runtime = 1;  // socket, privileges or libmilter failed
inline constexpr int exit_usage = 2;    // bad option, parameter value, configuration file or key

// One problem with the configuration, with where it was found.
struct ConfigError {
  std::string origin;   // "FILE line N", "FILE", or "" for the command line
  std::string message;  // "mode: 'relay' is not one of verify, sign, both"
  std::string text() const { return origin.empty() ? message : origin + ": " + message; }
};

// What the command line asks for.
struct Invocation {
  enum class Action { Run, Help, Version, PrintConfig, Check };
  Action action = Action::Run;
  bool check_dns = false;  // --check-dns: --check also looks the keys up in DNS
  Config config;
  std::vector<ConfigError> errors;  // every problem found; empty when the configuration is good
};

// Parses argv and the configuration file it names (--config); command-line values win (for a
// repeated parameter, the command line's values replace the file's). Never throws for bad input:
// problems are collected in `errors`.
Invocation parse_invocation(int argc, const char* const* argv);

void print_help(std::ostream& out);
// Every parameter as `name = value` lines, in the configuration file format.
void print_config(const Config& config, std::ostream& out);
// The parameter table as Markdown rows (README.md's table is checked against it).
void print_parameter_table(std::ostream& out);

// "5s", "500ms", "2m", "5" (seconds) -> milliseconds. Throws std::invalid_argument.
std::chrono::milliseconds parse_duration(const std::string& text);

std::string host_name();  // gethostname(), or "localhost" if that fails

const char* to_string(Mode mode);
const char* to_string(LogLevel level);
const char* to_string(ErrorAnswer answer);
const char* to_string(RejectAction action);
const char* to_string(QuarantineAction action);
const char* to_string(BadFromAction action);

}  // namespace mailauth::milter
