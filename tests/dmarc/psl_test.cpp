// The public suffix list (RFC 7489's Organizational Domain method, an option beside the tree
// walk): rules, wildcards, exceptions, IDN rules; Debian's list and its test file when present.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "dmarc/idna.hpp"
#include "dmarc_test_support.hpp"

namespace auth::dmarc {
namespace {

constexpr const char* debian_list = "/usr/share/publicsuffix/public_suffix_list.dat";
constexpr const char* debian_tests = "/usr/share/doc/publicsuffix/examples/test_psl.txt";

const char* small_list =
    "// comment\n"
    "com\n"
    "uk\n"
    "co.uk\n"
    "*.ck\n"
    "!www.ck\n"
    "jp\n"
    "*.kobe.jp\n"
    "!city.kobe.jp\n"
    "ایران.ir\n"
    "ir\n"
    "  blogspot.com   trailing text\n";

TEST(PublicSuffixList, RulesWildcardsExceptions) {
  auto psl = PublicSuffixList::from_string(small_list);
  ASSERT_TRUE(psl) << psl.error().message;
  const auto& l = **psl;
  EXPECT_EQ(l.public_suffix("a.b.co.uk"), "co.uk");
  EXPECT_EQ(l.organizational_domain("a.b.co.uk"), "b.co.uk");
  EXPECT_EQ(l.organizational_domain("co.uk"), "co.uk");
  EXPECT_EQ(l.public_suffix("x.test.ck"), "test.ck");
  EXPECT_EQ(l.organizational_domain("a.x.test.ck"), "x.test.ck");
  EXPECT_EQ(l.public_suffix("www.ck"), "ck");
  EXPECT_EQ(l.organizational_domain("a.www.ck"), "www.ck");
  EXPECT_EQ(l.organizational_domain("a.b.c.kobe.jp"), "b.c.kobe.jp");
  EXPECT_EQ(l.organizational_domain("www.city.kobe.jp"), "city.kobe.jp");
  EXPECT_EQ(l.organizational_domain("a.b.blogspot.com"), "b.blogspot.com");
  // The default rule "*": unlisted TLDs are suffixes.
  EXPECT_EQ(l.public_suffix("a.b.example"), "example");
  EXPECT_EQ(l.organizational_domain("A.B.Example"), "b.example");
  EXPECT_EQ(l.organizational_domain("example"), "example");
  // U-label rules match A-label names.
  EXPECT_EQ(l.organizational_domain("a.b.c.xn--mgba3a4f16a.ir"), "c.xn--mgba3a4f16a.ir");
}

TEST(PublicSuffixList, Errors) {
  EXPECT_FALSE(PublicSuffixList::from_string("// nothing\n"));
  auto bad = PublicSuffixList::from_string("com\nbad..rule\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos);
  auto missing = PublicSuffixList::from_file("/nonexistent/list.dat");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::Io);
  EXPECT_NE(missing.error().message.find("/nonexistent/list.dat"), std::string::npos);
}

// Debian's publicsuffix package ships the list and the CC0 checkPublicSuffix() test lines
// matching it. checkPublicSuffix(input, registrable domain or null).
TEST(PublicSuffixList, DebianListAgainstItsTestFile) {
  if (!std::filesystem::exists(debian_list) || !std::filesystem::exists(debian_tests))
    GTEST_SKIP() << "Debian package publicsuffix not installed (" << debian_list << ")";
  auto psl = PublicSuffixList::from_file(debian_list);
  ASSERT_TRUE(psl) << psl.error().message;
  std::ifstream in(debian_tests);
  const std::regex line(R"(checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);)");
  int checked = 0;
  for (std::string text; std::getline(in, text);) {
    std::smatch m;
    if (text.starts_with("//") || !std::regex_search(text, m, line)) continue;
    if (m[1] == "null") continue;  // no input
    const std::string input = m[1].str().substr(1, m[1].length() - 2);
    const std::string want = m[2] == "null" ? "" : m[2].str().substr(1, m[2].length() - 2);
    // Inputs starting with a dot are not domain names: the test file expects null.
    auto name = to_a_labels(input);
    if (!name || input.starts_with('.')) {
      EXPECT_EQ(want, "") << input;
      continue;
    }
    const std::string suffix = (*psl)->public_suffix(*name);
    const std::string od = (*psl)->organizational_domain(*name);
    const std::string got = od == suffix ? "" : od;
    EXPECT_EQ(got, want.empty() ? "" : to_a_labels(want).value()) << input;
    ++checked;
  }
  EXPECT_GT(checked, 60);
}

TEST(PublicSuffixList, PslDiscoveryUsesRfc7489Rules) {
  // RFC 7489 discovery: the Author Domain, then its Organizational Domain by the list; psd= is
  // ignored and intermediate names are not asked.
  auto zone = dns::ZoneResolver::from_string(
      "_dmarc.example.co.uk. IN TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
      "_dmarc.mail.example.co.uk. IN TXT \"v=DMARC1; p=none; psd=y\"\n"
      "_dmarc.co.uk. IN TXT \"v=DMARC1; p=reject; psd=y\"\n");
  ASSERT_TRUE(zone);
  test::LoggingResolver dns(**zone);
  EvaluatorOptions options;
  options.discovery = DiscoveryMethod::Psl;
  options.psl = PublicSuffixList::from_string(small_list).value();
  Evaluator evaluator(dns, {}, options);
  auto r = evaluator.evaluate_domain("a.b.example.co.uk", test::ids(std::nullopt));
  EXPECT_EQ(dns.take(),
            (std::vector<std::string>{"_dmarc.a.b.example.co.uk TXT", "_dmarc.example.co.uk TXT"}));
  EXPECT_EQ(r.discovery, DiscoveryMethod::Psl);
  EXPECT_EQ(r.policy_domain, "example.co.uk");
  EXPECT_EQ(r.organizational_domain, "example.co.uk");
  EXPECT_EQ(r.requested_policy, Policy::Quarantine);
  // psd=y at the Author Domain's own record is ignored: its p applies, its OD is by the list.
  const auto d = evaluator.discover("mail.example.co.uk");
  EXPECT_EQ(d.policy_domain, "mail.example.co.uk");
  EXPECT_EQ(d.organizational_domain, "example.co.uk");
  EXPECT_EQ(d.method, DiscoveryMethod::Psl);
  // Relaxed alignment by the list.
  r = evaluator.evaluate_domain("example.co.uk",
                                test::ids(test::spf(spf::Result::Pass, "bounce.example.co.uk")));
  EXPECT_EQ(r.result, Result::Pass);
  r = evaluator.evaluate_domain("example.co.uk",
                                test::ids(test::spf(spf::Result::Pass, "other.co.uk")));
  EXPECT_EQ(r.result, Result::Fail);
}

}  // namespace
}  // namespace auth::dmarc
