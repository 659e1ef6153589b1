// auth::crypto: RAII wrappers over OpenSSL 3 for what DKIM and ARC need: keys, RSA PKCS#1 v1.5
// and Ed25519 signatures over a digest, incremental SHA-1/SHA-256, base64.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>

namespace auth::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

enum class HashAlgorithm { Sha1, Sha256 };
enum class KeyType { Rsa, Ed25519 };

// A finished digest (20 or 32 bytes).
struct Digest {
  std::array<std::uint8_t, 32> bytes{};
  std::size_t size = 0;
  ByteView view() const { return {bytes.data(), size}; }
  friend bool operator==(const Digest& a, const Digest& b) {
    return a.size == b.size &&
           std::equal(a.bytes.begin(), a.bytes.begin() + a.size, b.bytes.begin());
  }
};

// Incremental hash; copyable (duplicates the OpenSSL context), movable.
class Hasher {
 public:
  explicit Hasher(HashAlgorithm algorithm);
  Hasher(const Hasher& other);
  Hasher& operator=(const Hasher& other);
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  void update(std::string_view data);
  void update(ByteView data);
  Digest finish();  // the hasher is reset afterwards and can be reused
  HashAlgorithm algorithm() const { return algorithm_; }

 private:
  struct Ctx;
  HashAlgorithm algorithm_;
  std::unique_ptr<Ctx> ctx_;
};

Digest hash(HashAlgorithm algorithm, std::string_view data);

class PrivateKey {
 public:
  // PEM: PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"), RSA or Ed25519.
  static Expected<PrivateKey> from_pem(std::string_view pem);
  static Expected<PrivateKey> from_file(const std::filesystem::path& path);  // errors name the file
  // A raw 32-byte Ed25519 seed (as dkimpy stores keys, base64 of the seed).
  static Expected<PrivateKey> from_ed25519_seed(ByteView seed);
  static Expected<PrivateKey> generate_rsa(unsigned bits);
  static Expected<PrivateKey> generate_ed25519();

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

  KeyType type() const { return type_; }
  unsigned bits() const;  // RSA modulus size; 256 for Ed25519

  // RSA: PKCS#1 v1.5 signature of `digest` made with `algorithm`. Ed25519: PureEdDSA signature
  // of the digest bytes (RFC 8463 signs the SHA-256 hash). Fails only on OpenSSL errors.
  Expected<Bytes> sign(HashAlgorithm algorithm, ByteView digest) const;

  std::string to_pem() const;  // PKCS#8 PEM
  // The DKIM p= value bytes: SubjectPublicKeyInfo DER for RSA, 32 raw bytes for Ed25519.
  Bytes public_key_dkim() const;

 private:
  struct Key;
  PrivateKey(KeyType type, std::unique_ptr<Key> key);
  KeyType type_;
  std::unique_ptr<Key> key_;
};

class PublicKey {
 public:
  // From a decoded DKIM p= value: RSA as SubjectPublicKeyInfo or bare RSAPublicKey (PKCS#1) DER;
  // Ed25519 as 32 raw bytes.
  static Expected<PublicKey> from_dkim(KeyType type, ByteView der);

  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  ~PublicKey();

  KeyType type() const { return type_; }
  unsigned bits() const;

  // True when `signature` is valid for `digest` (see PrivateKey::sign). Malformed signatures
  // are simply invalid.
  bool verify(HashAlgorithm algorithm, ByteView digest, ByteView signature) const;

 private:
  struct Key;
  PublicKey(KeyType type, std::unique_ptr<Key> key);
  KeyType type_;
  std::unique_ptr<Key> key_;
};

std::string base64_encode(ByteView data);
// Skips folding white space (SP, HTAB, CR, LF) anywhere; rejects other bytes, bad padding and
// truncated input with an Error.
Expected<Bytes> base64_decode(std::string_view text);

}  // namespace auth::crypto
