// dkimpy's key pairs (read in place from the shared conformance folder, never copied): private
// keys in the forms signers keep them, public keys as published in DNS.
#include <gtest/gtest.h>

#include <filesystem>

#include <auth/crypto.hpp>

#include "../support/conformance_suite.hpp"
#include "test_util.hpp"

namespace auth::crypto {
namespace {

const std::filesystem::path kDkimpy = mailauth::test::conformance_dir() / "dkim" / "dkimpy";

#define SKIP_WITHOUT_DKIMPY() MAILAUTH_REQUIRE_SUITE("dkim/dkimpy-keys", kDkimpy / "test.private")

// The decoded p= value of a key record file.
Bytes record_key(const std::string& file) {
  const std::string text = test::read_file(kDkimpy / file);
  const auto start = text.find("p=");
  EXPECT_NE(start, std::string::npos) << file;
  std::string value = text.substr(start + 2);
  value = value.substr(0, value.find(';'));
  auto bytes = base64_decode(value);
  EXPECT_TRUE(bytes) << file << ": " << bytes.error().message;
  return bytes ? *bytes : Bytes{};
}

void expect_pair(const PrivateKey& key, const PublicKey& pub) {
  for (auto algorithm : {HashAlgorithm::Sha256, HashAlgorithm::Sha1}) {
    if (key.type() == KeyType::Ed25519 && algorithm == HashAlgorithm::Sha1) continue;
    const Digest digest = hash(algorithm, "dkimpy round trip");
    auto signature = key.sign(algorithm, digest.view());
    ASSERT_TRUE(signature) << signature.error().message;
    EXPECT_TRUE(pub.verify(algorithm, digest.view(), *signature));
  }
}

TEST(DkimpyKeys, RsaKeysMatchTheirSpkiAndBareRecords) {
  SKIP_WITHOUT_DKIMPY();
  struct Case {
    const char* private_key;
    const char* spki_record;
    const char* bare_record;  // nullptr when dkimpy has none
    unsigned bits;
  };
  for (const Case& c :
       {Case{"1024_testkey.key", "1024_testkey_wo_markers.pub.txt",
             "1024_testkey_wo_markers.pub.rsa.txt", 1024},
        Case{"2048_testkey.key", "2048_testkey_wo_markers.pub.txt",
             "2048_testkey_wo_markers.pub.rsa.txt", 2048},
        Case{"2048_testkey_PKCS8.key", "2048_testkey_PKCS8.key.pub.txt", nullptr, 2048},
        Case{"test.private", "test.txt", nullptr, 1024}}) {
    SCOPED_TRACE(c.private_key);
    auto key = PrivateKey::from_file(kDkimpy / c.private_key);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(key->bits(), c.bits);
    const Bytes spki = record_key(c.spki_record);
    EXPECT_EQ(key->public_key_dkim(), spki);
    auto pub = PublicKey::from_dkim(KeyType::Rsa, spki);
    ASSERT_TRUE(pub) << pub.error().message;
    EXPECT_EQ(pub->bits(), c.bits);
    expect_pair(*key, *pub);
    if (c.bare_record != nullptr) {
      auto bare = PublicKey::from_dkim(KeyType::Rsa, record_key(c.bare_record));
      ASSERT_TRUE(bare) << bare.error().message;
      EXPECT_EQ(bare->bits(), c.bits);
      expect_pair(*key, *bare);
    }
  }
}

TEST(DkimpyKeys, Ed25519SeedsMatchTheirRecords) {
  SKIP_WITHOUT_DKIMPY();
  for (auto [seed_file, record] :
       {std::pair{"ed25519test.key", "ed25519test.dns"}, std::pair{"rfc8032_7_1.key", ""}}) {
    SCOPED_TRACE(seed_file);
    auto seed = base64_decode(test::read_file(kDkimpy / seed_file));
    ASSERT_TRUE(seed) << seed.error().message;
    auto key = PrivateKey::from_ed25519_seed(*seed);
    ASSERT_TRUE(key) << key.error().message;
    const Bytes p = *record ? record_key(record)
                            : *base64_decode("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    EXPECT_EQ(key->public_key_dkim(), p);
    auto pub = PublicKey::from_dkim(KeyType::Ed25519, p);
    ASSERT_TRUE(pub) << pub.error().message;
    expect_pair(*key, *pub);
  }
}

// test_bad.txt is test.txt's key with its last bytes altered ("AQAB" -> "AQA="): valid base64,
// but the DER is one byte short, so the key must not decode.
TEST(DkimpyKeys, CorruptedRecordIsRejected) {
  SKIP_WITHOUT_DKIMPY();
  const Bytes der = record_key("test_bad.txt");
  ASSERT_FALSE(der.empty());
  EXPECT_EQ(der.size() + 1, record_key("test.txt").size());
  auto pub = PublicKey::from_dkim(KeyType::Rsa, der);
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().code, ErrorCode::Crypto);
}

}  // namespace
}  // namespace auth::crypto
