// mailauth-milter's parameters: defaults, units, bounds, repeated lines, file versus command
// line, and errors that name the line at fault.
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

// The errors of a parse, one text each.
std::vector<std::string> errors_of(std::vector<const char*> args) {
  std::vector<std::string> out;
  for (const ConfigError& e : parse(std::move(args)).errors) out.push_back(e.text());
  return out;
}

std::string error_of(std::vector<const char*> args) {
  const auto errors = errors_of(std::move(args));
  return errors.empty() ? "(no error)" : errors.front();
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
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
}

TEST(MilterConfig, DefaultsNeedNoFile) {
  const Invocation inv = parse({});
  EXPECT_TRUE(inv.errors.empty());
  EXPECT_EQ(inv.action, Invocation::Action::Run);
  const Config& c = inv.config;
  EXPECT_EQ(c.socket, "inet:8891@127.0.0.1");
  EXPECT_EQ(c.authserv_id, host_name());
  EXPECT_EQ(c.mode, Mode::Verify);
  EXPECT_EQ(c.log_level, LogLevel::Info);
  EXPECT_EQ(c.dns_timeout, milliseconds(5000));
  EXPECT_TRUE(c.user.empty());
  EXPECT_EQ(c.on_dmarc_reject, RejectAction::Accept);
  EXPECT_EQ(c.on_dmarc_quarantine, QuarantineAction::Accept);
  EXPECT_EQ(c.on_bad_from, BadFromAction::Reject);
  EXPECT_EQ(c.on_temperror, ErrorAnswer::Tempfail);
  EXPECT_EQ(c.on_internal_error, ErrorAnswer::Accept);
  EXPECT_FALSE(c.dry_run);
  EXPECT_FALSE(c.add_received_spf);
  ASSERT_EQ(c.internal_hosts.size(), 2u);
  EXPECT_EQ(c.internal_hosts[0].str(), "127.0.0.0/8");
  EXPECT_EQ(c.internal_hosts[1].str(), "::1");
  EXPECT_TRUE(c.signers.empty());
  EXPECT_TRUE(c.metrics.empty());
}

TEST(MilterConfig, CommandLineValues) {
  const Invocation inv =
      parse({"--socket", "unix:/run/m.sock", "--mode", "both", "--on_internal_error", "tempfail",
             "--log_level", "debug", "--dns_timeout", "100ms", "--authserv_id", "mx.example",
             "--signer", "example.com:s1:/k/1.pem", "--signer", "example.com:s2:/k/2.pem",
             "--internal_hosts", "10.0.0.0/8 2001:db8::/32,192.0.2.7", "--dry_run", "yes",
             "--on_dmarc_reject", "quarantine", "--trusted_arc_sealers", "a.example, b.example"});
  ASSERT_TRUE(inv.errors.empty()) << inv.errors.front().text();
  const Config& c = inv.config;
  EXPECT_EQ(c.socket, "unix:/run/m.sock");
  EXPECT_EQ(c.mode, Mode::Both);
  EXPECT_EQ(c.on_internal_error, ErrorAnswer::Tempfail);
  EXPECT_EQ(c.log_level, LogLevel::Debug);
  EXPECT_EQ(c.dns_timeout, milliseconds(100));
  EXPECT_EQ(c.authserv_id, "mx.example");
  ASSERT_EQ(c.signers.size(), 2u);
  EXPECT_EQ(c.signers[1], (KeySpec{"example.com", "s2", "/k/2.pem", "command line"}));
  ASSERT_EQ(c.internal_hosts.size(), 3u);
  EXPECT_TRUE(c.internal_hosts[0].contains(auth::IpAddress::parse("10.1.2.3").value()));
  EXPECT_FALSE(c.internal_hosts[0].contains(auth::IpAddress::parse("11.1.2.3").value()));
  EXPECT_TRUE(c.internal_hosts[1].contains(auth::IpAddress::parse("2001:db8:1::5").value()));
  EXPECT_TRUE(c.internal_hosts[2].contains(auth::IpAddress::parse("::ffff:192.0.2.7").value()));
  EXPECT_FALSE(c.internal_hosts[2].contains(auth::IpAddress::parse("192.0.2.8").value()));
  EXPECT_TRUE(c.dry_run);
  EXPECT_EQ(c.on_dmarc_reject, RejectAction::Quarantine);
  EXPECT_EQ(c.trusted_arc_sealers, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(parse({"--help"}).action, Invocation::Action::Help);
  EXPECT_EQ(parse({"-V"}).action, Invocation::Action::Version);
  EXPECT_EQ(parse({"--print-config"}).action, Invocation::Action::PrintConfig);
  EXPECT_EQ(parse({"--check"}).action, Invocation::Action::Check);
  EXPECT_TRUE(parse({"--check", "--check-dns"}).check_dns);
}

TEST(MilterConfig, FileValuesRepeatedLinesAndCommandLineWins) {
  const ConfigFile file(
      "# comment\nmode = sign\nsocket = inet:9999@127.0.0.1\ndns_timeout = 2s\n"
      "user = mailauth\nsigner = a.example:s:/k/a.pem\n\nsigner = b.example:s:/k/b.pem\n"
      "  seal = mx.example:arc:/k/arc.pem  \n");
  const Invocation inv = parse({"--config", file.path.c_str(), "--socket", "inet:7777@127.0.0.1"});
  ASSERT_TRUE(inv.errors.empty()) << inv.errors.front().text();
  const Config& c = inv.config;
  EXPECT_EQ(c.mode, Mode::Sign);
  EXPECT_EQ(c.socket, "inet:7777@127.0.0.1");
  EXPECT_EQ(c.dns_timeout, milliseconds(2000));
  EXPECT_EQ(c.user, "mailauth");
  EXPECT_EQ(c.config_file, file.path);
  ASSERT_EQ(c.signers.size(), 2u);
  EXPECT_EQ(c.signers[0].origin, file.path + " line 6");
  EXPECT_EQ(c.signers[1].domain, "b.example");
  ASSERT_EQ(c.seals.size(), 1u);
  EXPECT_EQ(c.seals[0].key_file, "/k/arc.pem");
  // A repeated parameter on the command line replaces the file's list.
  const Invocation replaced = parse({"--config", file.path.c_str(), "--signer", "c.example:t:/k"});
  ASSERT_EQ(replaced.config.signers.size(), 1u);
  EXPECT_EQ(replaced.config.signers[0].domain, "c.example");
  // The name before 0.2 still works.
  EXPECT_EQ(parse({"--failure_mode", "tempfail"}).config.on_internal_error, ErrorAnswer::Tempfail);
}

TEST(MilterConfig, ErrorsNameTheParameterAndLine) {
  EXPECT_EQ(error_of({"--mode", "relay"}), "mode: 'relay' is not one of verify, sign, both");
  EXPECT_EQ(error_of({"--dns_timeout", "50ms"}), "dns_timeout: '50ms' is outside 100ms..60s");
  EXPECT_EQ(error_of({"--dns_timeout", "61s"}), "dns_timeout: '61s' is outside 100ms..60s");
  EXPECT_EQ(error_of({"--on_internal_error", "reject"}),
            "on_internal_error: 'reject' is not one of accept, tempfail");
  EXPECT_EQ(error_of({"--socket", ""}),
            "socket: '' is not inet:PORT@HOST, inet6:PORT@HOST or unix:PATH");
  EXPECT_EQ(error_of({"--dry_run", "maybe"}), "dry_run: 'maybe' is not yes or no");
  EXPECT_EQ(error_of({"--internal_hosts", "10.0.0.0/40"}),
            "internal_hosts: '10.0.0.0/40' has a bad prefix length");
  EXPECT_EQ(error_of({"--seal", "mx.example::/k"}),
            "seal: 'mx.example::/k' is not DOMAIN:SELECTOR:KEYFILE");
  EXPECT_EQ(error_of({"--mode", "both"}), "mode both needs at least one signer");
  EXPECT_EQ(error_of({"--check-dns"}), "--check-dns goes with --check");
  EXPECT_NE(error_of({"--bogus"}).find("bogus"), std::string::npos);

  // Every problem of a file is reported, each with its line.
  const ConfigFile file(
      "mode = verify\nsmtpd_milters = inet:1@x\nno equals sign here\nlog_level = loud\n");
  const auto errors = errors_of({"--config", file.path.c_str()});
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], file.path + " line 2: unknown parameter 'smtpd_milters'");
  EXPECT_EQ(errors[1], file.path + " line 3: expected `name = value`, got 'no equals sign here'");
  EXPECT_EQ(errors[2],
            file.path + " line 4: log_level: 'loud' is not one of error, warning, info, debug");
  EXPECT_EQ(error_of({"--config", "/nonexistent/x.conf"}),
            "cannot read configuration file /nonexistent/x.conf");
}

}  // namespace
}  // namespace mailauth::milter
