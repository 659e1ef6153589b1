#include <gtest/gtest.h>

#include <auth/crypto.hpp>

#include "test_util.hpp"

namespace auth::crypto {
namespace {

using test::bytes_of;
using test::from_hex;
using test::key_path;
using test::read_key_bytes;
using test::to_hex;

// RFC 8032 §7.1, TEST 1.
constexpr const char* kRfc8032Secret =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* kRfc8032Public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr const char* kRfc8032Signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

TEST(PrivateKey, Rfc8032Test1FromSeed) {
  auto key = PrivateKey::from_ed25519_seed(from_hex(kRfc8032Secret));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::Ed25519);
  EXPECT_EQ(key->bits(), 256u);
  EXPECT_EQ(to_hex(key->public_key_dkim()), kRfc8032Public);
  // Ed25519 signs the given bytes themselves (PureEdDSA); TEST 1's message is empty.
  auto signature = key->sign(HashAlgorithm::Sha256, ByteView{});
  ASSERT_TRUE(signature) << signature.error().message;
  EXPECT_EQ(to_hex(*signature), kRfc8032Signature);
}

TEST(PrivateKey, Ed25519SeedMustHave32Bytes) {
  for (std::size_t size : {0u, 31u, 33u, 64u}) {
    Bytes seed(size, 7);
    auto key = PrivateKey::from_ed25519_seed(seed);
    ASSERT_FALSE(key) << size;
    EXPECT_EQ(key.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(key.error().message.find(std::to_string(size)), std::string::npos);
  }
}

TEST(PrivateKey, LoadsTheSameRsaKeyFromPkcs1AndPkcs8) {
  auto pkcs1 = PrivateKey::from_file(key_path("rsa2048.pkcs1.pem"));
  auto pkcs8 = PrivateKey::from_file(key_path("rsa2048.pkcs8.pem"));
  ASSERT_TRUE(pkcs1) << pkcs1.error().message;
  ASSERT_TRUE(pkcs8) << pkcs8.error().message;
  EXPECT_EQ(pkcs1->type(), KeyType::Rsa);
  EXPECT_EQ(pkcs8->type(), KeyType::Rsa);
  EXPECT_EQ(pkcs1->bits(), 2048u);
  EXPECT_EQ(pkcs8->bits(), 2048u);
  // Same key: same public half, which is the SubjectPublicKeyInfo openssl wrote.
  EXPECT_EQ(pkcs1->public_key_dkim(), read_key_bytes("rsa2048.spki.der"));
  EXPECT_EQ(pkcs8->public_key_dkim(), read_key_bytes("rsa2048.spki.der"));
}

TEST(PrivateKey, LoadsEd25519Pkcs8) {
  auto key = PrivateKey::from_file(key_path("ed25519.pkcs8.pem"));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::Ed25519);
  EXPECT_EQ(key->public_key_dkim(), read_key_bytes("ed25519.raw.pub"));
}

// PKCS#1 v1.5 is deterministic, so OpenSSL's own signature of "abc" is a known answer.
TEST(PrivateKey, RsaSignatureMatchesOpensslCommandLine) {
  auto key = PrivateKey::from_file(key_path("rsa2048.pkcs1.pem"));
  ASSERT_TRUE(key);
  for (auto [algorithm, file] : {std::pair{HashAlgorithm::Sha256, "rsa2048.abc.sha256.sig"},
                                 std::pair{HashAlgorithm::Sha1, "rsa2048.abc.sha1.sig"}}) {
    const Digest digest = hash(algorithm, "abc");
    auto signature = key->sign(algorithm, digest.view());
    ASSERT_TRUE(signature) << signature.error().message;
    EXPECT_EQ(*signature, read_key_bytes(file)) << file;
  }
}

TEST(PrivateKey, RsaRejectsDigestOfWrongSize) {
  auto key = PrivateKey::from_file(key_path("rsa2048.pkcs8.pem"));
  ASSERT_TRUE(key);
  const Digest sha1 = hash(HashAlgorithm::Sha1, "abc");
  auto signature = key->sign(HashAlgorithm::Sha256, sha1.view());
  ASSERT_FALSE(signature);
  EXPECT_EQ(signature.error().code, ErrorCode::InvalidArgument);
}

TEST(PrivateKey, FromFileErrorsNameTheFile) {
  const auto missing = key_path("no-such-key.pem");
  auto key = PrivateKey::from_file(missing);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::Io);
  EXPECT_NE(key.error().message.find(missing.string()), std::string::npos) << key.error().message;

  const auto not_a_key = key_path("README.md");
  key = PrivateKey::from_file(not_a_key);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(key.error().message.find(not_a_key.string()), std::string::npos) << key.error().message;

  const auto public_only = key_path("rsa2048.spki.der");
  key = PrivateKey::from_file(public_only);
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find(public_only.string()), std::string::npos);
}

TEST(PrivateKey, RefusesEncryptedKeysWithoutPrompting) {
  const auto path = key_path("ed25519.encrypted.pem");
  auto key = PrivateKey::from_file(path);
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find(path.string()), std::string::npos);
}

TEST(PrivateKey, RefusesOtherKeyTypes) {
  auto key = PrivateKey::from_file(key_path("ec-p256.pkcs8.pem"));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::Unsupported);
  EXPECT_NE(key.error().message.find("EC"), std::string::npos) << key.error().message;
}

TEST(PrivateKey, FromPemRejectsGarbage) {
  for (std::string_view pem :
       {std::string_view(""), std::string_view("hello"),
        std::string_view("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        std::string_view("-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----\n"),
        std::string_view("-----BEGIN PRIVATE KEY-----\nMIIEvg")}) {
    auto key = PrivateKey::from_pem(pem);
    EXPECT_FALSE(key) << pem;
  }
}

TEST(PrivateKey, GeneratedKeysRoundTripThroughPem) {
  auto rsa = PrivateKey::generate_rsa(1024);
  ASSERT_TRUE(rsa) << rsa.error().message;
  EXPECT_EQ(rsa->type(), KeyType::Rsa);
  EXPECT_EQ(rsa->bits(), 1024u);
  const std::string rsa_pem = rsa->to_pem();
  EXPECT_EQ(rsa_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto rsa_again = PrivateKey::from_pem(rsa_pem);
  ASSERT_TRUE(rsa_again) << rsa_again.error().message;
  EXPECT_EQ(rsa_again->public_key_dkim(), rsa->public_key_dkim());

  auto ed = PrivateKey::generate_ed25519();
  ASSERT_TRUE(ed) << ed.error().message;
  EXPECT_EQ(ed->type(), KeyType::Ed25519);
  EXPECT_EQ(ed->public_key_dkim().size(), 32u);
  auto ed_again = PrivateKey::from_pem(ed->to_pem());
  ASSERT_TRUE(ed_again);
  EXPECT_EQ(ed_again->public_key_dkim(), ed->public_key_dkim());

  auto other = PrivateKey::generate_ed25519();
  ASSERT_TRUE(other);
  EXPECT_NE(other->public_key_dkim(), ed->public_key_dkim());
}

TEST(PrivateKey, GenerateRsaBoundsTheSize) {
  for (unsigned bits : {0u, 256u, 511u, 16385u, 1u << 30}) {
    auto key = PrivateKey::generate_rsa(bits);
    ASSERT_FALSE(key) << bits;
    EXPECT_EQ(key.error().code, ErrorCode::InvalidArgument);
  }
}

}  // namespace
}  // namespace auth::crypto
