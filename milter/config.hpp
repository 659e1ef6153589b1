// mailauth-milter's configuration: one table of parameters, read from the command line and an
// optional file with the same (Postfix-style) names. Built-in defaults need no file at all.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace mailauth::milter {

enum class Mode { Verify, Sign, Both };
enum class FailureMode { Accept, Tempfail };  // answer to the MTA when the milter itself fails
enum class LogLevel { Error, Warning, Info, Debug };

struct Config {
  std::string socket = "inet:8891@127.0.0.1";
  std::string authserv_id;  // default: this host's name
  Mode mode = Mode::Verify;
  FailureMode failure_mode = FailureMode::Accept;
  std::string user;  // empty: keep the user we were started as
  LogLevel log_level = LogLevel::Info;
  std::chrono::milliseconds dns_timeout{5000};
  std::string config_file;  // where the file parameters came from, if any
};

// Exit codes of mailauth-milter (documented in --help).
inline constexpr int exit_ok = 0;       // stopped by SIGTERM or SIGINT
inline constexpr int exit_runtime = 1;  // socket, privileges or libmilter failed
inline constexpr int exit_usage = 2;    // bad option, parameter value or configuration file

// What the command line asks for.
struct Invocation {
  enum class Action { Run, Help, Version, PrintConfig };
  Action action = Action::Run;
  Config config;
};

// Parses argv and the configuration file it names (--config); command-line values win.
// Throws std::runtime_error with a message naming the parameter (and file) at fault.
Invocation parse_invocation(int argc, const char* const* argv);

void print_help(std::ostream& out);
// `name = value` lines, in the configuration file format.
void print_config(const Config& config, std::ostream& out);

// "5s", "500ms", "2m", "5" (seconds) -> milliseconds. Throws std::runtime_error.
std::chrono::milliseconds parse_duration(const std::string& text);

std::string host_name();  // gethostname(), or "localhost" if that fails

const char* to_string(Mode mode);
const char* to_string(FailureMode mode);
const char* to_string(LogLevel level);

}  // namespace mailauth::milter
