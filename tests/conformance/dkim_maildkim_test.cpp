// The Mail::DKIM verifier corpus (dkim/mail-dkim). It predates RFC 6376 and RFC 8301, so:
// - clean modern cases (no rfc_conflicts) must give Mail::DKIM's result exactly;
// - no message may pass where Mail::DKIM says fail or invalid;
// - cases whose only conflicts are rsa-sha1 or small RSA keys give Mail::DKIM's result exactly
//   once those two RFC 8301 rules are relaxed (allow_rsa_sha1, min_rsa_bits 512), except that
//   key-record g= is ignored as RFC 6376 says.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

#include "dkim_support.hpp"

using namespace dkim_conformance;
using auth::dkim::Result;

namespace {

std::filesystem::path dir() { return conformance_dir() / "mail-dkim"; }

ZoneData fake_dns() {
  ZoneData zone;
  std::istringstream in(read_file(dir() / "FAKE_DNS.dat"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    const std::size_t space = line.find_first_of(" \t");
    if (space == std::string::npos) continue;
    const std::string name = line.substr(0, space);
    std::string value = line.substr(line.find_first_not_of(" \t", space));
    if (value == "NXDOMAIN") continue;
    if (value == "~~Query timed out~~") {
      zone.timeout.push_back(name);
    } else if (value == "~~SERVFAIL~~") {
      zone.servfail.push_back(name);
    } else {
      if (value == "\"\"") value.clear();
      zone.txt.emplace_back(name, value);
    }
  }
  return zone;
}

// Mail::DKIM's overall result: the best over all signatures.
std::string overall(const std::vector<auth::dkim::DkimResult>& results) {
  bool fail = false, other = false;
  for (const auto& r : results) {
    if (r.result == Result::Pass) return "pass";
    if (r.result == Result::Fail)
      fail = true;
    else
      other = true;
  }
  if (fail) return "fail";
  return other ? "invalid" : "none";
}

bool only_rfc8301_conflicts(const YAML::Node& conflicts) {
  for (const auto& c : conflicts) {
    const std::string text = c.as<std::string>();
    if (text.rfind("a=rsa-sha1", 0) != 0 && text.rfind("RSA key", 0) != 0) return false;
  }
  return true;
}

}  // namespace

TEST(DkimConformanceMailDkim, Corpus) {
  MAILAUTH_REQUIRE_SUITE("dkim/mail-dkim", dir() / "MANIFEST.yaml");
  auto resolver = make_zone(fake_dns());
  ASSERT_TRUE(resolver);
  const auto clock = auth::FixedClock::at_unix(1795000000);
  auth::dkim::VerifyOptions legacy_options;
  legacy_options.allow_rsa_sha1 = true;
  auth::Limits legacy_limits;
  legacy_limits.min_rsa_bits = 512;
  int exact = 0, legacy_exact = 0, not_more_lenient = 0, total = 0;
  for (const auto& entry : YAML::LoadFile((dir() / "MANIFEST.yaml").string())) {
    if (entry["upstream_skipped"]) continue;
    const std::string file = entry["file"].as<std::string>();
    const std::string expect = entry["expect"].as<std::string>();
    const std::string message = lf_to_crlf(read_file(dir() / file));
    const auto results = verify_message(*resolver, clock, message);
    const std::string ours = overall(results);
    ++total;
    for (const auto& r : results) {
      if (r.result != Result::Pass) {
        EXPECT_FALSE(r.reason.empty()) << file;
      }
    }
    if (expect != "pass") {
      EXPECT_NE(ours, "pass") << file << " passes, Mail::DKIM says " << expect;
      ++not_more_lenient;
    }
    if (!entry["rfc_conflicts"]) {
      EXPECT_EQ(ours, expect) << file;
      ++exact;
    } else if (only_rfc8301_conflicts(entry["rfc_conflicts"])) {
      const auto legacy = verify_message(*resolver, clock, message, legacy_options, legacy_limits);
      // Key-record g= (granularity) was dropped by RFC 6376, which says to ignore unknown key
      // tags: the signatures Mail::DKIM rejects for g= alone are valid now.
      const std::string comment =
          entry["upstream_comment"] ? entry["upstream_comment"].as<std::string>() : "";
      const std::string want = comment.find("g=") != std::string::npos ? "pass" : expect;
      EXPECT_EQ(overall(legacy), want) << file << " (rsa-sha1 and small keys allowed)";
      ++legacy_exact;
    }
  }
  EXPECT_EQ(total, 73);
  EXPECT_EQ(exact, 6);
  EXPECT_GT(legacy_exact, 10);
  std::cout << "Mail::DKIM corpus: " << total << " messages, " << exact << " exact, "
            << legacy_exact << " exact with RFC 8301 relaxed, " << not_more_lenient
            << " not passed where upstream fails\n";
}
