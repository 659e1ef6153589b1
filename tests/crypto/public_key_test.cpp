#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <auth/crypto.hpp>

#include "test_util.hpp"

namespace auth::crypto {
namespace {

using test::from_hex;
using test::key_path;
using test::read_key_bytes;
using test::to_hex;

PrivateKey load_private(std::string_view name) {
  auto key = PrivateKey::from_file(key_path(name));
  EXPECT_TRUE(key) << key.error().message;
  return std::move(*key);
}

PublicKey load_public(KeyType type, const Bytes& der) {
  auto key = PublicKey::from_dkim(type, der);
  EXPECT_TRUE(key) << key.error().message;
  return std::move(*key);
}

TEST(PublicKey, SpkiAndBareRsaPublicKeyGiveTheSameKey) {
  const PublicKey spki = load_public(KeyType::Rsa, read_key_bytes("rsa2048.spki.der"));
  const PublicKey bare = load_public(KeyType::Rsa, read_key_bytes("rsa2048.rsapublickey.der"));
  EXPECT_EQ(spki.type(), KeyType::Rsa);
  EXPECT_EQ(spki.bits(), 2048u);
  EXPECT_EQ(bare.bits(), 2048u);

  const PrivateKey key = load_private("rsa2048.pkcs1.pem");
  const Digest digest = hash(HashAlgorithm::Sha256, "the message");
  auto signature = key.sign(HashAlgorithm::Sha256, digest.view());
  ASSERT_TRUE(signature);
  EXPECT_TRUE(spki.verify(HashAlgorithm::Sha256, digest.view(), *signature));
  EXPECT_TRUE(bare.verify(HashAlgorithm::Sha256, digest.view(), *signature));
}

TEST(PublicKey, RsaSignThenVerifyAndTamper) {
  const PrivateKey key = load_private("rsa2048.pkcs8.pem");
  const PublicKey pub = load_public(KeyType::Rsa, key.public_key_dkim());
  for (auto algorithm : {HashAlgorithm::Sha256, HashAlgorithm::Sha1}) {
    const Digest digest = hash(algorithm, "From: a@example.com\r\n");
    auto signature = key.sign(algorithm, digest.view());
    ASSERT_TRUE(signature);
    EXPECT_EQ(signature->size(), 256u);
    EXPECT_TRUE(pub.verify(algorithm, digest.view(), *signature));

    Digest altered = digest;
    altered.bytes[digest.size - 1] ^= 0x01;
    EXPECT_FALSE(pub.verify(algorithm, altered.view(), *signature));

    Bytes bad = *signature;
    bad[100] ^= 0x80;
    EXPECT_FALSE(pub.verify(algorithm, digest.view(), bad));
    EXPECT_FALSE(pub.verify(algorithm, digest.view(), ByteView(signature->data(), 255)));
    EXPECT_FALSE(pub.verify(algorithm, digest.view(), ByteView{}));
    Bytes longer = *signature;
    longer.push_back(0);
    EXPECT_FALSE(pub.verify(algorithm, digest.view(), longer));
  }
  // A SHA-256 signature is not a SHA-1 one: the DigestInfo names the algorithm.
  const Digest d256 = hash(HashAlgorithm::Sha256, "x");
  auto signature = key.sign(HashAlgorithm::Sha256, d256.view());
  ASSERT_TRUE(signature);
  EXPECT_FALSE(pub.verify(HashAlgorithm::Sha1, ByteView(d256.bytes.data(), 20), *signature));
  EXPECT_FALSE(pub.verify(HashAlgorithm::Sha1, d256.view(), *signature));  // wrong size
}

TEST(PublicKey, OtherRsaKeyDoesNotVerify) {
  const PrivateKey key = load_private("rsa2048.pkcs8.pem");
  auto other = PrivateKey::generate_rsa(1024);
  ASSERT_TRUE(other);
  const PublicKey other_pub = load_public(KeyType::Rsa, other->public_key_dkim());
  EXPECT_EQ(other_pub.bits(), 1024u);
  const Digest digest = hash(HashAlgorithm::Sha256, "abc");
  auto signature = key.sign(HashAlgorithm::Sha256, digest.view());
  ASSERT_TRUE(signature);
  EXPECT_FALSE(other_pub.verify(HashAlgorithm::Sha256, digest.view(), *signature));
}

TEST(PublicKey, Rfc8032Test1Verifies) {
  const PublicKey pub =
      load_public(KeyType::Ed25519,
                  from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  EXPECT_EQ(pub.type(), KeyType::Ed25519);
  EXPECT_EQ(pub.bits(), 256u);
  Bytes signature = from_hex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(pub.verify(HashAlgorithm::Sha256, ByteView{}, signature));
  const std::uint8_t one = 0;
  EXPECT_FALSE(pub.verify(HashAlgorithm::Sha256, ByteView(&one, 1), signature));
  signature[0] ^= 1;
  EXPECT_FALSE(pub.verify(HashAlgorithm::Sha256, ByteView{}, signature));
  EXPECT_FALSE(pub.verify(HashAlgorithm::Sha256, ByteView{}, ByteView(signature.data(), 63)));
  EXPECT_FALSE(pub.verify(HashAlgorithm::Sha256, ByteView{}, ByteView{}));
}

// RFC 8463 Appendix A: the example key pair, published as a DKIM p= value and kept by signers
// as the base64 of the seed. They are RFC 8032 TEST 1's keys.
TEST(PublicKey, Rfc8463ExampleKeysSignAndVerify) {
  auto p = base64_decode("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  auto seed = base64_decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=");
  ASSERT_TRUE(p);
  ASSERT_TRUE(seed);
  EXPECT_EQ(to_hex(*p), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(to_hex(*seed), "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

  auto key = PrivateKey::from_ed25519_seed(*seed);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->public_key_dkim(), *p);
  const PublicKey pub = load_public(KeyType::Ed25519, *p);
  // RFC 8463 signs the SHA-256 hash of the header data.
  const Digest digest =
      hash(HashAlgorithm::Sha256, "from:Joe SixPack <joe@football.example.com>\r\n");
  auto signature = key->sign(HashAlgorithm::Sha256, digest.view());
  ASSERT_TRUE(signature);
  EXPECT_EQ(signature->size(), 64u);
  EXPECT_TRUE(pub.verify(HashAlgorithm::Sha256, digest.view(), *signature));
  Digest altered = digest;
  altered.bytes[0] ^= 0x40;
  EXPECT_FALSE(pub.verify(HashAlgorithm::Sha256, altered.view(), *signature));
  // Ed25519 signatures are deterministic too.
  EXPECT_EQ(*key->sign(HashAlgorithm::Sha256, digest.view()), *signature);
}

TEST(PublicKey, Ed25519FromPkcs8KeyFile) {
  const PrivateKey key = load_private("ed25519.pkcs8.pem");
  const PublicKey pub = load_public(KeyType::Ed25519, read_key_bytes("ed25519.raw.pub"));
  const Digest digest = hash(HashAlgorithm::Sha256, "abc");
  auto signature = key.sign(HashAlgorithm::Sha256, digest.view());
  ASSERT_TRUE(signature);
  EXPECT_TRUE(pub.verify(HashAlgorithm::Sha256, digest.view(), *signature));
}

TEST(PublicKey, RejectsMalformedKeys) {
  const Bytes spki = read_key_bytes("rsa2048.spki.der");
  Bytes trailing = spki;
  trailing.push_back(0);
  Bytes truncated(spki.begin(), spki.end() - 1);
  Bytes corrupted = spki;
  corrupted[1] ^= 0x01;  // outer SEQUENCE length
  const std::vector<std::pair<std::string, Bytes>> bad_rsa = {
      {"empty", {}},
      {"garbage", Bytes{1, 2, 3, 4, 5}},
      {"trailing byte", trailing},
      {"truncated", truncated},
      {"corrupted length", corrupted},
      {"Ed25519 SPKI given as RSA", read_key_bytes("ed25519.spki.der")},
      {"raw Ed25519 key given as RSA", read_key_bytes("ed25519.raw.pub")},
  };
  for (const auto& [what, der] : bad_rsa) {
    auto key = PublicKey::from_dkim(KeyType::Rsa, der);
    ASSERT_FALSE(key) << what;
    EXPECT_EQ(key.error().code, ErrorCode::Crypto) << what;
  }
  auto ed_as_rsa = PublicKey::from_dkim(KeyType::Rsa, read_key_bytes("ed25519.spki.der"));
  ASSERT_FALSE(ed_as_rsa);
  EXPECT_NE(ed_as_rsa.error().message.find("not RSA"), std::string::npos)
      << ed_as_rsa.error().message;

  for (std::size_t size : {0u, 31u, 33u, 44u}) {
    auto key = PublicKey::from_dkim(KeyType::Ed25519, Bytes(size, 9));
    ASSERT_FALSE(key) << size;
    EXPECT_EQ(key.error().code, ErrorCode::Crypto);
  }
  // An RSA SPKI is not an Ed25519 key either.
  EXPECT_FALSE(PublicKey::from_dkim(KeyType::Ed25519, spki));
}

// DER TLV with a definite length, for building SubjectPublicKeyInfo variants by hand.
Bytes tlv(std::uint8_t tag, const Bytes& contents) {
  Bytes out{tag};
  const std::size_t n = contents.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  }
  out.insert(out.end(), contents.begin(), contents.end());
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const Bytes kRsaEncryptionOid = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
const Bytes kRsaPssOid = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A};

Bytes spki(const Bytes& oid, const Bytes& parameters, std::uint8_t unused_bits,
           const Bytes& rsa_public_key) {
  return tlv(0x30, concat({tlv(0x30, concat({tlv(0x06, oid), parameters})),
                           tlv(0x03, concat({Bytes{unused_bits}, rsa_public_key}))}));
}

TEST(PublicKey, SpkiVariants) {
  const Bytes bare = read_key_bytes("rsa2048.rsapublickey.der");
  const Bytes null_params = {0x05, 0x00};
  const Bytes file_spki = read_key_bytes("rsa2048.spki.der");
  // The hand-built structure is byte for byte what openssl wrote.
  ASSERT_EQ(spki(kRsaEncryptionOid, null_params, 0, bare), read_key_bytes("rsa2048.spki.der"));

  const PrivateKey key = load_private("rsa2048.pkcs8.pem");
  const Digest digest = hash(HashAlgorithm::Sha256, "abc");
  const Bytes signature = *key.sign(HashAlgorithm::Sha256, digest.view());

  // Absent parameters, as some encoders write them.
  auto no_params = PublicKey::from_dkim(KeyType::Rsa, spki(kRsaEncryptionOid, {}, 0, bare));
  ASSERT_TRUE(no_params) << no_params.error().message;
  EXPECT_EQ(no_params->bits(), 2048u);
  EXPECT_TRUE(no_params->verify(HashAlgorithm::Sha256, digest.view(), signature));

  auto pss = PublicKey::from_dkim(KeyType::Rsa, spki(kRsaPssOid, null_params, 0, bare));
  ASSERT_FALSE(pss);
  EXPECT_NE(pss.error().message.find("not RSA"), std::string::npos) << pss.error().message;

  const std::vector<std::pair<std::string, Bytes>> bad = {
      {"unused bits", spki(kRsaEncryptionOid, null_params, 1, bare)},
      {"NULL with contents", spki(kRsaEncryptionOid, {0x05, 0x01, 0x00}, 0, bare)},
      {"extra parameter", spki(kRsaEncryptionOid, {0x05, 0x00, 0x05, 0x00}, 0, bare)},
      {"RSAPublicKey with trailing byte",
       spki(kRsaEncryptionOid, null_params, 0, concat({bare, Bytes{0}}))},
      {"empty BIT STRING",
       tlv(0x30, concat({tlv(0x30, concat({tlv(0x06, kRsaEncryptionOid), null_params})),
                         tlv(0x03, {})}))},
      {"three-octet length", concat({Bytes{0x30, 0x83, 0x00, 0x01, 0x22},
                                     Bytes(file_spki.begin() + 4, file_spki.end())})},
  };
  for (const auto& [what, der] : bad) {
    auto pub = PublicKey::from_dkim(KeyType::Rsa, der);
    EXPECT_FALSE(pub) << what;
  }
}

// Mutated and truncated keys never crash: each gives an Error or some key.
TEST(PublicKey, MutatedKeysNeverCrash) {
  std::mt19937 rng(6376);
  std::size_t rejected = 0;
  for (const char* file : {"rsa2048.spki.der", "rsa2048.rsapublickey.der"}) {
    const Bytes original = read_key_bytes(file);
    for (int round = 0; round < 3000; ++round) {
      Bytes der = original;
      if (round % 3 == 0) der.resize(rng() % der.size());
      for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0 && !der.empty(); --flips) {
        der[rng() % std::min<std::size_t>(der.size(), round % 2 ? 24 : der.size())] =
            static_cast<std::uint8_t>(rng());
      }
      auto pub = PublicKey::from_dkim(KeyType::Rsa, der);
      if (!pub) {
        EXPECT_EQ(pub.error().code, ErrorCode::Crypto);
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, 3000u);  // most mutations break the structure
}

}  // namespace
}  // namespace auth::crypto
