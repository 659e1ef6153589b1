// OpenDMARC's unit-test tables (dmarc/opendmarc-vectors.yaml): record parsing, From-domain
// extraction, alignment and Organizational Domains. Our outcome must equal OpenDMARC's unless
// the case is in `deviations`, which names the RFC 9989 section that decides it; every listed
// deviation must be met and must really differ.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include <auth/dmarc.hpp>

#include "../support/conformance_suite.hpp"
#include "dmarc/idna.hpp"

namespace {

using auth::dmarc::PublicSuffixList;

const std::filesystem::path vectors =
    mailauth::test::conformance_dir() / "dmarc" / "opendmarc-vectors.yaml";
constexpr const char* debian_psl = "/usr/share/publicsuffix/public_suffix_list.dat";

struct Deviation {
  const char* table;
  const char* input;
  const char* ours;     // our outcome, in the table's terms
  const char* section;  // why (RFC 9989 unless named)
};

const Deviation deviations[] = {
    // record_parse
    {"record_parse", "v=DMARC1; p=n;", "BAD_VALUE",
     "§4.8 dmarc-request: \"n\" is no policy (OpenDMARC matches by prefix); without a valid "
     "rua= the record does not apply (§4.10.1)"},
    {"record_parse", "v=DMARC1; p=none; adkim=bob;", "DEFAULTED",
     "§4.8: a bad value falls back to the default (adkim=r); the record still applies"},
    {"record_parse", "v=DMARC1; p=none; aspf=bob;", "DEFAULTED",
     "§4.8: a bad value falls back to the default (aspf=r); the record still applies"},
    {"record_parse", "v=DMARC1; p=none; rf=bob;", "OKAY",
     "§4.7, Appendix C.5: rf= was removed; it is ignored like any unknown tag"},
    {"record_parse", "v=DMARC1; p=none; ri=bob;", "OKAY",
     "§4.7, Appendix C.5: ri= was removed; it is ignored like any unknown tag"},
    {"record_parse", "v=DMARC1; p=none; pct=500;", "OKAY",
     "§4.7, Appendix C.5: pct= was removed; it is ignored like any unknown tag"},
    {"record_parse", "v=DMARC1; p=none; rf=000000000000000000000000000000000", "OKAY",
     "§4.7, Appendix C.5: rf= was removed; it is ignored like any unknown tag"},
    {"record_parse",
     "v=DMARC1; p=none; rf=afrf; fo=1:s rua=mailto:dmarc-a@abuse.net; ruf=mailto:dmarc-f@abuse.net",
     "DEFAULTED",
     "§4.8 dmarc-fo: without the ';' the fo= value runs on and is invalid, so fo=0 applies "
     "(and that rua= is lost); p=none still applies"},
    // from_domain: RFC 5322 syntax decides; anything else is a permerror (§4.4, §5.3.1, §11.5)
    {"from_domain", "\"Johnson, Joe <joe@joe.com>\" joe@joe.com", "PERMERROR",
     "§5.3.1, §4.4: a quoted string followed by an addr-spec without <> is no RFC 5322 "
     "mailbox; a malformed From is out of scope, never a pass"},
    {"from_domain", "<<<><joe@joe.com>>>", "PERMERROR",
     "§5.3.1, §4.4: not an RFC 5322 address list"},
    {"from_domain", "Joe Johnson <joe@joe.com>, ace@ace.com", "joe.com,ace.com",
     "§11.5: every Author Domain is evaluated (OpenDMARC takes the first address)"},
    {"from_domain", "joe@joe.com, ace@ace.com", "joe.com,ace.com",
     "§11.5: every Author Domain is evaluated (OpenDMARC takes the first address)"},
    {"from_domain", "Mail From:<joe@joe.com>", "PERMERROR",
     "§5.3.1, §4.4: \"Mail From:\" opens an unterminated group (RFC 5322 §3.4)"},
    {"from_domain", "\"( bob@bob.com)\" joe@joe.com", "PERMERROR",
     "§5.3.1, §4.4: a quoted string followed by an addr-spec without <> is no RFC 5322 mailbox"},
    {"from_domain", "From: Davide D'Marco <user@blah.com>", "PERMERROR",
     "§5.3.1, §4.4: a header field value does not start with its name; \"From:\" opens an "
     "unterminated group (RFC 5322 §3.4)"},
    // alignment
    {"alignment", ".mac.com. ~ mac.com strict", "false",
     "§5.3.1, RFC 1035 §2.3.1: a name with an empty label is no domain, so nothing aligns"},
    {"alignment", "....mac.com.... ~ mac.com strict", "false",
     "§5.3.1, RFC 1035 §2.3.1: a name with an empty label is no domain, so nothing aligns"},
};

const Deviation* find_deviation(std::string_view table, std::string_view input) {
  for (const auto& d : deviations)
    if (d.table == table && d.input == input) return &d;
  return nullptr;
}

std::set<std::string> used;

void check(std::string_view table, const std::string& input, const std::string& upstream,
           const std::string& ours) {
  const Deviation* d = find_deviation(table, input);
  if (d == nullptr) {
    EXPECT_EQ(ours, upstream) << table << ": " << input;
    return;
  }
  used.insert(std::string(table) + "|" + input);
  EXPECT_EQ(ours, d->ours) << table << ": " << input << " (" << d->section << ")";
  EXPECT_NE(upstream, d->ours) << table
                               << ": listed as a deviation but OpenDMARC agrees: " << input;
}

// Every deviation listed for `table` was met (each table's test runs on its own under ctest).
void expect_all_used(std::string_view table) {
  for (const auto& d : deviations) {
    if (d.table != table) continue;
    EXPECT_TRUE(used.contains(std::string(d.table) + "|" + d.input))
        << "deviation never met: " << d.table << ": " << d.input;
  }
}

YAML::Node load() { return YAML::LoadFile(vectors.string()); }

#define SKIP_WITHOUT_VECTORS() MAILAUTH_REQUIRE_SUITE("dmarc/opendmarc", vectors)

// Our record outcome in OpenDMARC's terms; DEFAULTED: a bad value replaced by its default,
// the record still applying (RFC 9989 §4.8), which OpenDMARC has no word for.
std::string record_outcome(const std::string& text) {
  auto r = auth::dmarc::parse_record(text);
  if (!r) return text.empty() ? "EMPTY" : "BAD_VERSION";
  if (!r->invalid_tags.empty()) return r->usable() ? "DEFAULTED" : "BAD_VALUE";
  if (!r->usable()) return "NO_REQUIRED_P";
  return "OKAY";
}

TEST(DmarcConformanceOpenDmarc, RecordParse) {
  SKIP_WITHOUT_VECTORS();
  int cases = 0;
  for (const auto& c : load()["record_parse"]) {
    const auto record = c["record"].as<std::string>();
    check("record_parse", record, c["outcome"].as<std::string>(), record_outcome(record));
    ++cases;
  }
  EXPECT_EQ(cases, 20);
  expect_all_used("record_parse");
}

TEST(DmarcConformanceOpenDmarc, FromDomain) {
  SKIP_WITHOUT_VECTORS();
  int cases = 0;
  for (const auto& c : load()["from_domain"]) {
    const auto raw = c["raw"].as<std::string>();
    auto domains = auth::dmarc::author_domains(std::vector<std::string>{raw});
    std::string ours = "PERMERROR";
    if (domains) {
      ours.clear();
      for (const auto& d : *domains) ours += (ours.empty() ? "" : ",") + d;
    }
    check("from_domain", raw, c["domain"].as<std::string>(), ours);
    ++cases;
  }
  EXPECT_EQ(cases, 13);
  expect_all_used("from_domain");
}

// Alignment through the evaluator itself: a record at domain2 with adkim=<mode>, a passing DKIM
// signature for domain1, Organizational Domains by the public suffix list (as OpenDMARC).
TEST(DmarcConformanceOpenDmarc, Alignment) {
  SKIP_WITHOUT_VECTORS();
  if (!std::filesystem::exists(debian_psl))
    GTEST_SKIP() << "Debian package publicsuffix not installed (" << debian_psl << ")";
  auth::dmarc::EvaluatorOptions options;
  options.discovery = auth::dmarc::DiscoveryMethod::Psl;
  options.psl = PublicSuffixList::from_file(debian_psl).value();
  int cases = 0;
  for (const auto& c : load()["alignment"]) {
    const auto d1 = c["domain1"].as<std::string>();
    const auto d2 = c["domain2"].as<std::string>();
    const auto mode = c["mode"].as<std::string>();
    bool aligned = false;
    if (auto author = auth::dmarc::to_a_labels(d2); author && !d2.starts_with('.')) {
      auto zone = auth::dns::ZoneResolver::from_string(
          "_dmarc." + *author +
          ". IN TXT \"v=DMARC1; p=reject; adkim=" + (mode == "strict" ? "s" : "r") + "\"\n");
      ASSERT_TRUE(zone) << zone.error().message;
      auth::dmarc::Evaluator evaluator(**zone, {}, options);
      auth::dmarc::Identifiers ids;
      ids.dkim.push_back({auth::dkim::Result::Pass, d1, "s"});
      aligned = evaluator.evaluate_domain(d2, ids).dkim_aligned;
    }
    check("alignment", d1 + " ~ " + d2 + " " + mode, c["aligned"].as<bool>() ? "true" : "false",
          aligned ? "true" : "false");
    ++cases;
  }
  EXPECT_EQ(cases, 10);
  expect_all_used("alignment");
}

TEST(DmarcConformanceOpenDmarc, OrganizationalDomain) {
  SKIP_WITHOUT_VECTORS();
  if (!std::filesystem::exists(debian_psl))
    GTEST_SKIP() << "Debian package publicsuffix not installed (" << debian_psl << ")";
  auto psl = PublicSuffixList::from_file(debian_psl).value();
  int cases = 0;
  for (const auto& c : load()["organizational_domain"]) {
    const auto domain = c["domain"].as<std::string>();
    check("organizational_domain", domain, c["org_domain"].as<std::string>(),
          psl->organizational_domain(auth::dmarc::to_a_labels(domain).value()));
    ++cases;
  }
  EXPECT_EQ(cases, 3);
  expect_all_used("organizational_domain");
}

}  // namespace
