// mailauth-milter's parameters: defaults, units, bounds, and file versus command line.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "config.hpp"

namespace mailauth::milter {
namespace {

using std::chrono::milliseconds;

Invocation parse(std::vector<const char*> args) {
  args.insert(args.begin(), "mailauth-milter");
  return parse_invocation(static_cast<int>(args.size()), args.data());
}

std::string error_of(std::vector<const char*> args) {
  try {
    parse(std::move(args));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

struct ConfigFile {
  std::string path = "/tmp/mailauth-milter-config-test-" + std::to_string(getpid()) + ".conf";
  explicit ConfigFile(const std::string& text) { std::ofstream(path) << text; }
  ~ConfigFile() { std::remove(path.c_str()); }
};

TEST(MilterConfig, DurationsTakeUnits) {
  EXPECT_EQ(parse_duration("5s"), milliseconds(5000));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120000));
  EXPECT_EQ(parse_duration("7"), milliseconds(7000));  // Postfix: a bare number is seconds
  for (const char* bad : {"", "s", "-1s", "5 s", "5h", "5sec", "1.5s", "99999999999s"})
    EXPECT_THROW(parse_duration(bad), std::runtime_error) << bad;
}

TEST(MilterConfig, DefaultsNeedNoFile) {
  const Invocation inv = parse({});
  EXPECT_EQ(inv.action, Invocation::Action::Run);
  EXPECT_EQ(inv.config.socket, "inet:8891@127.0.0.1");
  EXPECT_EQ(inv.config.authserv_id, host_name());
  EXPECT_EQ(inv.config.mode, Mode::Verify);
  EXPECT_EQ(inv.config.failure_mode, FailureMode::Accept);
  EXPECT_EQ(inv.config.log_level, LogLevel::Info);
  EXPECT_EQ(inv.config.dns_timeout, milliseconds(5000));
  EXPECT_TRUE(inv.config.user.empty());
}

TEST(MilterConfig, CommandLineValues) {
  const Invocation inv =
      parse({"--socket", "unix:/run/m.sock", "--mode", "both", "--failure_mode", "tempfail",
             "--log_level", "debug", "--dns_timeout", "100ms", "--authserv_id", "mx.example"});
  EXPECT_EQ(inv.config.socket, "unix:/run/m.sock");
  EXPECT_EQ(inv.config.mode, Mode::Both);
  EXPECT_EQ(inv.config.failure_mode, FailureMode::Tempfail);
  EXPECT_EQ(inv.config.log_level, LogLevel::Debug);
  EXPECT_EQ(inv.config.dns_timeout, milliseconds(100));
  EXPECT_EQ(inv.config.authserv_id, "mx.example");
  EXPECT_EQ(parse({"--help"}).action, Invocation::Action::Help);
  EXPECT_EQ(parse({"-V"}).action, Invocation::Action::Version);
  EXPECT_EQ(parse({"--print-config"}).action, Invocation::Action::PrintConfig);
}

TEST(MilterConfig, FileValuesAndCommandLineWins) {
  const ConfigFile file(
      "# comment\nmode = sign\nsocket = inet:9999@127.0.0.1\ndns_timeout = 2s\n"
      "user = mailauth\n");
  const Invocation inv = parse({"--config", file.path.c_str(), "--socket", "inet:7777@127.0.0.1"});
  EXPECT_EQ(inv.config.mode, Mode::Sign);
  EXPECT_EQ(inv.config.socket, "inet:7777@127.0.0.1");
  EXPECT_EQ(inv.config.dns_timeout, milliseconds(2000));
  EXPECT_EQ(inv.config.user, "mailauth");
  EXPECT_EQ(inv.config.config_file, file.path);
}

TEST(MilterConfig, ErrorsNameTheParameterAndFile) {
  EXPECT_EQ(error_of({"--mode", "relay"}), "mode: 'relay' is not one of verify, sign, both");
  EXPECT_EQ(error_of({"--dns_timeout", "50ms"}), "dns_timeout: '50ms' is outside 100ms..60s");
  EXPECT_EQ(error_of({"--dns_timeout", "61s"}), "dns_timeout: '61s' is outside 100ms..60s");
  EXPECT_NE(error_of({"--failure_mode", "reject"}).find("failure_mode: 'reject'"),
            std::string::npos);
  EXPECT_NE(error_of({"--socket", ""}).find("socket"), std::string::npos);
  EXPECT_NE(error_of({"--bogus"}).find("bogus"), std::string::npos);

  const ConfigFile file("mode = verify\nsmtpd_milters = inet:1@x\n");
  const std::string error = error_of({"--config", file.path.c_str()});
  EXPECT_EQ(error.rfind(file.path + ": ", 0), 0u) << error;
  EXPECT_NE(error.find("smtpd_milters"), std::string::npos) << error;
  EXPECT_EQ(error_of({"--config", "/nonexistent/x.conf"}),
            "cannot read configuration file /nonexistent/x.conf");
}

}  // namespace
}  // namespace mailauth::milter
