// dkimpy's DKIM test data (dkim/dkimpy): its signed messages verified with the DNS answers its
// tests use, its key pairs in round trips through our signer, and its bad key records.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <auth/crypto.hpp>

#include "dkim_support.hpp"

using namespace dkim_conformance;
using auth::dkim::Result;

namespace {

std::filesystem::path dir() { return conformance_dir() / "dkimpy"; }

// "@file" values name a file holding the record text.
std::string record_text(const std::string& value) {
  if (!value.empty() && value[0] == '@') {
    std::string text = read_file(dir() / value.substr(1));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }
  return value;
}

YAML::Node manifest() { return YAML::LoadFile((dir() / "MANIFEST.yaml").string()); }

const auth::FixedClock fixed_clock = auth::FixedClock::at_unix(1795000000);

std::vector<auth::dkim::DkimResult> verify_with(const std::string& file, const ZoneData& zone) {
  auto resolver = make_zone(zone);
  EXPECT_TRUE(resolver);
  if (!resolver) return {};
  return verify_message(*resolver, fixed_clock, lf_to_crlf(read_file(dir() / file)));
}

std::shared_ptr<const auth::crypto::PrivateKey> load_key(const std::string& file) {
  const std::string text = read_file(dir() / file);
  if (text.find("-----BEGIN") != std::string::npos) {
    auto key = auth::crypto::PrivateKey::from_pem(text);
    EXPECT_TRUE(key) << file << ": " << key.error().message;
    return key ? std::make_shared<const auth::crypto::PrivateKey>(std::move(*key)) : nullptr;
  }
  auto seed = auth::crypto::base64_decode(text);
  EXPECT_TRUE(seed) << file;
  if (!seed) return nullptr;
  auto key = auth::crypto::PrivateKey::from_ed25519_seed(*seed);
  EXPECT_TRUE(key) << file;
  return key ? std::make_shared<const auth::crypto::PrivateKey>(std::move(*key)) : nullptr;
}

}  // namespace

TEST(DkimConformanceDkimpy, SignedMessages) {
  MAILAUTH_REQUIRE_SUITE("dkim/dkimpy", dir() / "MANIFEST.yaml");
  int cases = 0;
  for (const auto& entry : manifest()["verify"]) {
    const std::string file = entry["file"].as<std::string>();
    const std::string expect = entry["expect"].as<std::string>();
    ZoneData zone;
    for (const auto& kv : entry["dns"])
      zone.txt.emplace_back(kv.first.as<std::string>(), record_text(kv.second.as<std::string>()));
    const auto results = verify_with(file, zone);
    ASSERT_FALSE(results.empty()) << file;
    for (const auto& r : results) {
      EXPECT_EQ(auth::dkim::to_string(r.result), expect)
          << file << " s=" << r.selector << ": " << r.reason;
    }
    ++cases;
  }
  EXPECT_EQ(cases, 6);
}

TEST(DkimConformanceDkimpy, KeyPairsRoundTrip) {
  MAILAUTH_REQUIRE_SUITE("dkim/dkimpy", dir() / "MANIFEST.yaml");
  const std::string message = lf_to_crlf(read_file(dir() / "test.message"));
  int pairs = 0;
  for (const auto& entry : manifest()["keys"]) {
    const auto key = load_key(entry["private"].as<std::string>());
    ASSERT_TRUE(key);
    std::vector<std::string> records{record_text(entry["public_record"].as<std::string>())};
    if (records[0].find('=') == std::string::npos || records[0].rfind("v=", 0) != 0) {
      // A file name, not record text.
      records[0] = record_text("@" + entry["public_record"].as<std::string>());
    }
    if (entry["public_record_rsa"])
      records.push_back(record_text("@" + entry["public_record_rsa"].as<std::string>()));
    for (const std::string& record : records) {
      auth::dkim::SignerOptions options;
      options.domain = "example.com";
      options.selector = "test";
      options.key = key;
      std::string error;
      const std::string signed_message = sign_message(options, fixed_clock, message, &error);
      ASSERT_FALSE(signed_message.empty()) << error;
      ZoneData zone;
      zone.txt.emplace_back("test._domainkey.example.com", record);
      auto resolver = make_zone(zone);
      const auto results = verify_message(*resolver, fixed_clock, signed_message);
      ASSERT_EQ(results.size(), 1u);
      EXPECT_EQ(results[0].result, Result::Pass)
          << entry["private"].as<std::string>() << " with " << record << ": " << results[0].reason;
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 9);
}

TEST(DkimConformanceDkimpy, BadKeyRecordsDoNotPass) {
  MAILAUTH_REQUIRE_SUITE("dkim/dkimpy", dir() / "MANIFEST.yaml");
  const std::string message = lf_to_crlf(read_file(dir() / "test.message"));
  auth::dkim::SignerOptions options;
  options.domain = "example.com";
  options.selector = "test";
  options.key = load_key("test.private");
  const std::string signed_message = sign_message(options, fixed_clock, message);
  ASSERT_FALSE(signed_message.empty());
  int cases = 0;
  for (const auto& entry : manifest()["bad_key_records"]) {
    ZoneData zone;
    zone.txt.emplace_back("test._domainkey.example.com",
                          record_text("@" + entry["file"].as<std::string>()));
    auto resolver = make_zone(zone);
    const auto results = verify_message(*resolver, fixed_clock, signed_message);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].result, Result::PermError)
        << entry["file"].as<std::string>() << ": " << results[0].reason;
    EXPECT_FALSE(results[0].reason.empty());
    ++cases;
  }
  EXPECT_EQ(cases, 4);
}

TEST(DkimConformanceDkimpy, MessageWithoutFromIsNotSigned) {
  MAILAUTH_REQUIRE_SUITE("dkim/dkimpy", dir() / "test_nofrom.message");
  auth::dkim::SignerOptions options;
  options.domain = "example.com";
  options.selector = "test";
  options.key = load_key("test.private");
  std::string error;
  EXPECT_EQ(sign_message(options, fixed_clock, lf_to_crlf(read_file(dir() / "test_nofrom.message")),
                         &error),
            "");
  EXPECT_EQ(error, "the message has no From field to sign");
}
