// stalwart mail-auth DKIM vectors (dkim/stalwart): "<name> <txt>" lines, an empty line, the
// message. Every signature passes with the clock at 1667843664, as upstream runs them.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "dkim_support.hpp"

using namespace dkim_conformance;
using auth::dkim::Result;

namespace {

struct Case {
  std::string file;
  std::vector<std::string> expect;
};

std::vector<Case> load_cases() {
  std::vector<Case> cases;
  const auto manifest = conformance_dir() / "stalwart" / "MANIFEST.yaml";
  if (!std::filesystem::exists(manifest)) return cases;
  for (const auto& entry : YAML::LoadFile(manifest.string())) {
    Case c;
    c.file = entry["file"].as<std::string>();
    for (const auto& e : entry["expect"]) c.expect.push_back(e.as<std::string>());
    cases.push_back(c);
  }
  return cases;
}

}  // namespace

TEST(DkimConformanceStalwart, EverySignaturePasses) {
  MAILAUTH_REQUIRE_SUITE("dkim/stalwart", conformance_dir() / "stalwart" / "MANIFEST.yaml");
  const auto cases = load_cases();
  const auto clock = auth::FixedClock::at_unix(1667843664);
  std::size_t signatures = 0;
  for (const Case& c : cases) {
    const std::string text = lf_to_crlf(read_file(conformance_dir() / "stalwart" / c.file));
    const std::size_t blank = text.find("\r\n\r\n");
    ASSERT_NE(blank, std::string::npos) << c.file;
    ZoneData zone;
    std::size_t pos = 0;
    while (pos < blank + 2) {
      const std::size_t eol = text.find("\r\n", pos);
      const std::string line = text.substr(pos, eol - pos);
      const std::size_t space = line.find(' ');
      zone.txt.emplace_back(line.substr(0, space), line.substr(space + 1));
      pos = eol + 2;
    }
    auto resolver = make_zone(zone);
    ASSERT_TRUE(resolver) << c.file;
    const auto results = verify_message(*resolver, clock, std::string_view(text).substr(blank + 4));
    ASSERT_EQ(results.size(), c.expect.size()) << c.file;
    for (std::size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(auth::dkim::to_string(results[i].result), c.expect[i])
          << c.file << " signature " << i << ": " << results[i].reason;
      ++signatures;
    }
  }
  EXPECT_EQ(signatures, 8u);
}

TEST(DkimConformanceStalwart, ExpiredWithTheRealDate) {
  const auto path = conformance_dir() / "stalwart" / "005.txt";
  MAILAUTH_REQUIRE_SUITE("dkim/stalwart", path);
  const std::string text = lf_to_crlf(read_file(path));
  const std::size_t blank = text.find("\r\n\r\n");
  const std::string line = text.substr(0, text.find("\r\n"));
  ZoneData zone;
  zone.txt.emplace_back(line.substr(0, line.find(' ')), line.substr(line.find(' ') + 1));
  auto resolver = make_zone(zone);
  ASSERT_TRUE(resolver);
  const auto results = verify_message(*resolver, auth::FixedClock::at_unix(1795000000),
                                      std::string_view(text).substr(blank + 4));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result, Result::Neutral);
  EXPECT_EQ(results[0].reason_code, auth::ReasonCode::Expired);
}
