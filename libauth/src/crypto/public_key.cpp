// PublicKey: decoding a DKIM p= value and verifying signatures. Everything here sees bytes from
// DNS, so malformed input gives an Error or "invalid", and the OpenSSL error queue is left empty.
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <expected>
#include <iterator>
#include <mutex>
#include <optional>
#include <vector>

#include "crypto/openssl_util.hpp"

namespace auth::crypto {

using detail::MdCtxPtr;
using detail::PkeyCtxPtr;
using detail::PkeyPtr;

// RSA verification contexts ready for EVP_PKEY_verify (padding and digest set), kept for reuse:
// creating and initializing one costs about a sixth of an RSA-2048 verify. A PublicKey is shared
// read-only across milter threads (dkim::KeyCache), so each thread takes a context of its own
// from a mutex-guarded free list and gives it back; no EVP_PKEY_CTX is ever used by two threads.
class VerifyContextPool {
 public:
  // Contexts at rest beyond this are freed: a key keeps at most as many as threads verified
  // with it at one moment, up to this bound.
  static constexpr std::size_t kMaxIdle = 8;

  PkeyCtxPtr take() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return nullptr;
    PkeyCtxPtr ctx = std::move(idle_.back());
    idle_.pop_back();
    return ctx;
  }

  void give_back(PkeyCtxPtr ctx) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(ctx));
  }

 private:
  std::mutex mutex_;
  std::vector<PkeyCtxPtr> idle_;
};

struct PublicKey::Key {
  explicit Key(PkeyPtr key) : pkey(std::move(key)) {}
  PkeyPtr pkey;
  std::array<VerifyContextPool, 2> rsa_contexts;  // by HashAlgorithm
};

namespace {

// DKIM keys are far below this; it also keeps DER lengths within two octets.
constexpr std::size_t kMaxDerBytes = 1 << 16;

// Bare PKCS#1 RSAPublicKey. Null when the bytes are not exactly one such structure.
PkeyPtr decode_rsa_public_key(ByteView der) {
  const unsigned char* p = der.data();
  PkeyPtr pkey(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
  if (pkey && p != der.data() + der.size()) pkey.reset();  // trailing bytes
  return pkey;
}

// One DER TLV of the expected tag at the front of `in`: its contents, and `in` advanced past it.
// Lengths up to two bytes (65535) are enough for any key DKIM can carry.
std::optional<ByteView> take_tlv(ByteView& in, std::uint8_t tag) {
  if (in.size() < 2 || in[0] != tag) return std::nullopt;
  std::size_t length = in[1];
  std::size_t header = 2;
  if (length == 0x81 || length == 0x82) {
    const std::size_t octets = length - 0x80;
    if (in.size() < 2 + octets) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = length << 8 | in[2 + i];
    header += octets;
  } else if (length > 0x7F) {
    return std::nullopt;
  }
  if (in.size() - header < length) return std::nullopt;
  const ByteView contents = in.subspan(header, length);
  in = in.subspan(header + length);
  return contents;
}

enum class Spki { NotSpki, NotRsa };

// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), the form RFC 6376 §3.6.1 specifies:
//   SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }
// Unwrapped here by hand so that the key goes through the same fast RSAPublicKey decoder;
// OpenSSL 3's generic d2i_PUBKEY runs its decoder machinery and costs ~40 times more.
std::expected<ByteView, Spki> unwrap_rsa_spki(ByteView der) {
  static constexpr std::uint8_t kRsaEncryption[] = {0x2A, 0x86, 0x48, 0x86, 0xF7,
                                                    0x0D, 0x01, 0x01, 0x01};
  ByteView rest = der;
  auto spki = take_tlv(rest, 0x30);
  if (!spki || !rest.empty()) return std::unexpected(Spki::NotSpki);
  auto algorithm = take_tlv(*spki, 0x30);
  if (!algorithm) return std::unexpected(Spki::NotSpki);
  auto key_bits = take_tlv(*spki, 0x03);
  if (!key_bits || !spki->empty()) return std::unexpected(Spki::NotSpki);
  auto oid = take_tlv(*algorithm, 0x06);
  if (!oid) return std::unexpected(Spki::NotSpki);
  if (!std::equal(oid->begin(), oid->end(), std::begin(kRsaEncryption), std::end(kRsaEncryption))) {
    return std::unexpected(Spki::NotRsa);
  }
  // Parameters: NULL, or absent as some encoders write them.
  if (!algorithm->empty()) {
    auto null = take_tlv(*algorithm, 0x05);
    if (!null || !null->empty() || !algorithm->empty()) return std::unexpected(Spki::NotSpki);
  }
  // BIT STRING: a leading count of unused bits, which must be 0 for a DER structure inside.
  if (key_bits->empty() || (*key_bits)[0] != 0) return std::unexpected(Spki::NotSpki);
  return key_bits->subspan(1);
}

}  // namespace

PublicKey::PublicKey(KeyType type, std::unique_ptr<Key> key) : type_(type), key_(std::move(key)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Expected<PublicKey> PublicKey::from_dkim(KeyType type, ByteView der) {
  if (type == KeyType::Ed25519) {
    // RFC 8463 §4.2: p= is the raw 32-byte public key, not an SPKI.
    if (der.size() != 32) {
      return fail(ErrorCode::Crypto,
                  "an Ed25519 public key has 32 bytes, not " + std::to_string(der.size()));
    }
    PkeyPtr pkey(
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, der.data(), der.size()));
    if (!pkey) return fail(ErrorCode::Crypto, detail::openssl_error("bad Ed25519 public key"));
    return PublicKey(KeyType::Ed25519, std::make_unique<Key>(std::move(pkey)));
  }

  if (der.empty()) return fail(ErrorCode::Crypto, "empty RSA public key");
  if (der.size() > kMaxDerBytes) return fail(ErrorCode::Crypto, "RSA public key is too large");
  auto inner = unwrap_rsa_spki(der);
  if (!inner && inner.error() == Spki::NotRsa) {
    return fail(ErrorCode::Crypto,
                "public key is not RSA (its SubjectPublicKeyInfo algorithm is not rsaEncryption)");
  }
  // Not an SPKI at all: perhaps a bare RSAPublicKey, which some signers publish (dkimpy and
  // others accept it).
  PkeyPtr pkey = decode_rsa_public_key(inner ? *inner : der);
  detail::clear_openssl_errors();
  if (!pkey) {
    return fail(ErrorCode::Crypto,
                inner ? "malformed RSAPublicKey inside the SubjectPublicKeyInfo"
                      : "public key is neither an RSA SubjectPublicKeyInfo nor an RSAPublicKey");
  }
  return PublicKey(KeyType::Rsa, std::make_unique<Key>(std::move(pkey)));
}

unsigned PublicKey::bits() const {
  if (type_ == KeyType::Ed25519) return 256;
  return static_cast<unsigned>(EVP_PKEY_get_bits(key_->pkey.get()));
}

namespace {

// A fresh context for PKCS#1 v1.5 verification with `algorithm`, or null.
PkeyCtxPtr new_rsa_verify_context(EVP_PKEY* pkey, HashAlgorithm algorithm) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), detail::message_digest(algorithm)) != 1) {
    return nullptr;
  }
  return ctx;
}

}  // namespace

bool PublicKey::verify(HashAlgorithm algorithm, ByteView digest, ByteView signature) const {
  EVP_PKEY* pkey = key_->pkey.get();
  bool valid = false;
  if (type_ == KeyType::Ed25519) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    valid = ctx &&
            EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey, nullptr) ==
                1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), digest.data(),
                             digest.size()) == 1;
  } else if (digest.size() == detail::digest_size(algorithm) && !signature.empty()) {
    VerifyContextPool& pool = key_->rsa_contexts[static_cast<std::size_t>(algorithm)];
    PkeyCtxPtr ctx = pool.take();
    if (!ctx) ctx = new_rsa_verify_context(pkey, algorithm);
    if (ctx) {
      valid = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                              digest.size()) == 1;
      // A failed verify leaves the context as initialized (the RSA provider keeps no state
      // between calls); the tests check a valid signature after invalid ones on one context.
      pool.give_back(std::move(ctx));
    }
  }
  if (!valid) detail::clear_openssl_errors();
  return valid;
}

}  // namespace auth::crypto
