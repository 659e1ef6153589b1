// Runs the built `mailauth` binary, and a build of the same dispatcher with two fixture
// subcommands (fixture_commands.cpp), and checks what they print and their exit codes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "process.hpp"

namespace mailauth::test {
namespace {

ProcessResult cli(std::vector<std::string> args) {
  args.insert(args.begin(), MAILAUTH_CLI);
  return run_process(args);
}

ProcessResult fixture(std::vector<std::string> args) {
  args.insert(args.begin(), MAILAUTH_CLI_FIXTURE);
  return run_process(args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Cli, HelpListsUsageAndExitCodes) {
  for (const char* flag : {"--help", "-h"}) {
    const auto r = cli({flag});
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(r.out.rfind("Usage: mailauth ", 0), 0u) << r.out;
    EXPECT_TRUE(contains(r.out, "Subcommands:\n"));
    EXPECT_TRUE(contains(r.out, "\n  0  success"));
    EXPECT_TRUE(contains(r.out, "\n  1  an authentication check failed"));
    EXPECT_TRUE(contains(r.out, "\n  2  bad usage or unreadable input"));
    EXPECT_TRUE(contains(r.out, "\n  3  only temporary errors"));
  }
}

TEST(Cli, HelpWithoutArgumentIsTheGlobalHelp) {
  const auto r = cli({"help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, cli({"--help"}).out);
}

TEST(Cli, VersionPrintsProjectVersion) {
  for (const char* flag : {"--version", "-V"}) {
    const auto r = cli({flag});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, std::string("mailauth ") + MAILAUTH_VERSION + "\n");
  }
}

TEST(Cli, UnknownSubcommandExitsTwo) {
  const auto r = cli({"frobnicate", "--x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err, "mailauth: unknown subcommand 'frobnicate'; see 'mailauth --help'\n");
}

TEST(Cli, UnknownGlobalOptionExitsTwo) {
  const auto r = cli({"--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "'--frobnicate'")) << r.err;
  EXPECT_TRUE(contains(r.err, "see 'mailauth --help'")) << r.err;
}

TEST(Cli, MissingSubcommandExitsTwo) {
  const auto r = cli({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "mailauth: missing subcommand; see 'mailauth --help'\n");
}

TEST(Cli, HelpForUnknownSubcommandExitsTwo) {
  const auto r = cli({"help", "frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "mailauth: unknown subcommand 'frobnicate'; see 'mailauth --help'\n");
  EXPECT_EQ(cli({"help", "a", "b"}).exit_code, 2);
}

TEST(CliFixture, HelpListsRegisteredSubcommandsSortedWithSummaries) {
  const auto r = fixture({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  const auto broken = r.out.find("\n  broken  always fails to start\n");
  const auto echo = r.out.find("\n  echo    print the words given\n");
  const auto help = r.out.find("\n  help    show a subcommand's options\n");
  ASSERT_NE(broken, std::string::npos) << r.out;
  ASSERT_NE(echo, std::string::npos) << r.out;
  ASSERT_NE(help, std::string::npos) << r.out;
  EXPECT_LT(broken, echo);
  EXPECT_LT(echo, help);
}

TEST(CliFixture, DispatchesArgumentsToSubcommand) {
  auto r = fixture({"echo", "hello", "world"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "hello world\n");
  r = fixture({"echo", "--upper", "--repeat", "2", "hi"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "HI\nHI\n");
  r = fixture({"echo", "--json", "x"});
  EXPECT_EQ(r.out, "{\"text\":\"x\"}\n");
  // Words after the subcommand are its own, even when they look like global options.
  r = fixture({"echo", "--", "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "--version\n");
  r = fixture({"--", "echo", "ok"});
  EXPECT_EQ(r.out, "ok\n");
}

// Positional words are collected apart from the options (in one pass, however many), wherever
// they stand: before, between and after options and their values, and after "--".
TEST(CliFixture, PositionalWordsAmongOptions) {
  auto r = fixture({"echo", "a", "--upper", "b", "--repeat", "2", "c", "-", "--", "--d", "-h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "A B C - --D -H\nA B C - --D -H\n");
  r = fixture({"echo", "--repeat=2", "x", "--json"});
  EXPECT_EQ(r.out, "{\"text\":\"x\"}\n{\"text\":\"x\"}\n");
  r = fixture({"echo", "--rep", "2", "y"});  // an unambiguous abbreviation, as Boost allows
  EXPECT_EQ(r.out, "y\ny\n");
  std::vector<std::string> many = {"echo"};
  for (int i = 0; i < 20000; ++i) many.push_back(i % 2 ? "b" : "a");
  r = fixture(many);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 2u * 20000u);
}

TEST(CliFixture, SubcommandHelpFromOptionAndFromHelpCommand) {
  const auto r = fixture({"echo", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("Usage: mailauth echo [options] WORD...\n", 0), 0u) << r.out;
  EXPECT_TRUE(contains(r.out, "--upper"));
  EXPECT_TRUE(contains(r.out, "--dns-zone FILE"));
  EXPECT_TRUE(contains(r.out, "--json"));
  EXPECT_EQ(fixture({"help", "echo"}).out, r.out);
  EXPECT_EQ(fixture({"echo", "-h"}).out, r.out);
}

TEST(CliFixture, SubcommandUsageErrorsExitTwo) {
  auto r = fixture({"echo", "--nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err, "mailauth echo: unrecognised option '--nope'; see 'mailauth echo --help'\n");
  r = fixture({"echo", "--repeat"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--repeat")) << r.err;
  r = fixture({"echo", "--repeat", "many"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "is invalid")) << r.err;
  r = fixture({"echo", "--repeat", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "mailauth echo: --repeat must be at least 1; see 'mailauth echo --help'\n");
  // A global option is not the subcommand's.
  EXPECT_EQ(fixture({"echo", "--version"}).exit_code, 2);
}

TEST(CliFixture, StartupExceptionIsExplainedAndExitsTwo) {
  const auto r = fixture({"broken"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "mailauth broken: cannot read key file 'missing.pem'\n");
}

}  // namespace
}  // namespace mailauth::test
