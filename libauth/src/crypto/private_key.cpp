// PrivateKey: loading (PEM, file, raw Ed25519 seed), generation, signing, export.
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "crypto/openssl_util.hpp"

namespace auth::crypto {

using detail::BioPtr;
using detail::MdCtxPtr;
using detail::openssl_error;
using detail::PkeyCtxPtr;
using detail::PkeyPtr;

struct PrivateKey::Key {
  PkeyPtr pkey;
};

namespace {

// A key file is a few KB; anything much larger is not a key.
constexpr std::uintmax_t kMaxKeyFileBytes = 1 << 20;
constexpr unsigned kMinRsaBits = 512;
constexpr unsigned kMaxRsaBits = 16384;

// Refuses to prompt: an encrypted key is a configuration error, never a reason to block on a tty.
int no_passphrase(char*, int, int, void*) { return -1; }

Expected<KeyType> key_type_of(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) return KeyType::Rsa;
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::Ed25519;
  return fail(ErrorCode::Unsupported, std::string("private key type ") +
                                          EVP_PKEY_get0_type_name(pkey) +
                                          " is not supported (RSA or Ed25519 only)");
}

}  // namespace

PrivateKey::PrivateKey(KeyType type, std::unique_ptr<Key> key)
    : type_(type), key_(std::move(key)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Expected<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  if (pem.size() > kMaxKeyFileBytes) {
    return fail(ErrorCode::InvalidArgument, "private key PEM is too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(ErrorCode::Crypto, openssl_error("cannot allocate a BIO"));
  // PEM_read_bio_PrivateKey reads "RSA PRIVATE KEY" (PKCS#1) and "PRIVATE KEY" (PKCS#8) alike.
  PkeyPtr pkey(
      PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, no_passphrase, nullptr, nullptr, nullptr));
  if (!pkey) {
    return fail(ErrorCode::InvalidArgument,
                openssl_error("not a PEM private key (PKCS#1 or unencrypted PKCS#8)"));
  }
  auto type = key_type_of(pkey.get());
  if (!type) return std::unexpected(type.error());
  return PrivateKey(*type, std::make_unique<Key>(Key{std::move(pkey)}));
}

Expected<PrivateKey> PrivateKey::from_file(const std::filesystem::path& path) {
  const std::string name = "key file '" + path.string() + "'";
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(ErrorCode::Io, "cannot read " + name + ": " + ec.message());
  if (size > kMaxKeyFileBytes) {
    return fail(ErrorCode::InvalidArgument, name + " is too large to be a key");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorCode::Io,
                "cannot open " + name + ": " + std::generic_category().message(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(ErrorCode::Io, "cannot read " + name);
  auto key = from_pem(text);
  if (!key) {
    return fail(key.error().code, name + ": " + key.error().message);
  }
  return key;
}

Expected<PrivateKey> PrivateKey::from_ed25519_seed(ByteView seed) {
  if (seed.size() != 32) {
    return fail(ErrorCode::InvalidArgument,
                "an Ed25519 seed has 32 bytes, not " + std::to_string(seed.size()));
  }
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, seed.data(), seed.size()));
  if (!pkey) return fail(ErrorCode::Crypto, openssl_error("cannot load the Ed25519 seed"));
  return PrivateKey(KeyType::Ed25519, std::make_unique<Key>(Key{std::move(pkey)}));
}

Expected<PrivateKey> PrivateKey::generate_rsa(unsigned bits) {
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return fail(ErrorCode::InvalidArgument, "RSA key size " + std::to_string(bits) +
                                                " is outside " + std::to_string(kMinRsaBits) +
                                                ".." + std::to_string(kMaxRsaBits));
  }
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!pkey) return fail(ErrorCode::Crypto, openssl_error("RSA key generation failed"));
  return PrivateKey(KeyType::Rsa, std::make_unique<Key>(Key{std::move(pkey)}));
}

Expected<PrivateKey> PrivateKey::generate_ed25519() {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!pkey) return fail(ErrorCode::Crypto, openssl_error("Ed25519 key generation failed"));
  return PrivateKey(KeyType::Ed25519, std::make_unique<Key>(Key{std::move(pkey)}));
}

unsigned PrivateKey::bits() const {
  if (type_ == KeyType::Ed25519) return 256;
  return static_cast<unsigned>(EVP_PKEY_get_bits(key_->pkey.get()));
}

Expected<Bytes> PrivateKey::sign(HashAlgorithm algorithm, ByteView digest) const {
  EVP_PKEY* pkey = key_->pkey.get();
  Bytes signature;
  if (type_ == KeyType::Ed25519) {
    // PureEdDSA over the given bytes: one-shot EVP_DigestSign with no digest.
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t size = 0;
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey, nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, digest.data(), digest.size()) != 1) {
      return fail(ErrorCode::Crypto, openssl_error("Ed25519 signing failed"));
    }
    signature.resize(size);
    if (EVP_DigestSign(ctx.get(), signature.data(), &size, digest.data(), digest.size()) != 1) {
      return fail(ErrorCode::Crypto, openssl_error("Ed25519 signing failed"));
    }
    signature.resize(size);
    return signature;
  }

  if (digest.size() != detail::digest_size(algorithm)) {
    return fail(ErrorCode::InvalidArgument, "digest has " + std::to_string(digest.size()) +
                                                " bytes, expected " +
                                                std::to_string(detail::digest_size(algorithm)));
  }
  // RSASSA-PKCS1-v1_5 over a precomputed digest: the signature md makes OpenSSL wrap the digest
  // in its DigestInfo before padding.
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  std::size_t size = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), detail::message_digest(algorithm)) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &size, digest.data(), digest.size()) != 1) {
    return fail(ErrorCode::Crypto, openssl_error("RSA signing failed"));
  }
  signature.resize(size);
  if (EVP_PKEY_sign(ctx.get(), signature.data(), &size, digest.data(), digest.size()) != 1) {
    return fail(ErrorCode::Crypto, openssl_error("RSA signing failed"));
  }
  signature.resize(size);
  return signature;
}

std::string PrivateKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    detail::clear_openssl_errors();
    return {};
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(size));
}

Bytes PrivateKey::public_key_dkim() const {
  EVP_PKEY* pkey = key_->pkey.get();
  Bytes out;
  if (type_ == KeyType::Ed25519) {
    std::size_t size = 32;
    out.resize(size);
    if (EVP_PKEY_get_raw_public_key(pkey, out.data(), &size) != 1) {
      detail::clear_openssl_errors();
      return {};
    }
    out.resize(size);
    return out;
  }
  // SubjectPublicKeyInfo DER, the form RFC 6376 specifies for p=.
  const int size = i2d_PUBKEY(pkey, nullptr);
  if (size <= 0) {
    detail::clear_openssl_errors();
    return {};
  }
  out.resize(static_cast<std::size_t>(size));
  unsigned char* p = out.data();
  if (i2d_PUBKEY(pkey, &p) != size) {
    detail::clear_openssl_errors();
    return {};
  }
  return out;
}

}  // namespace auth::crypto
