// Keys generated once per test binary (RSA generation is slow) and their DNS records.
#pragma once

#include <auth/crypto.hpp>

#include <memory>
#include <string>

namespace auth::dkim::testing {

inline std::shared_ptr<const crypto::PrivateKey> make_key(crypto::KeyType type, unsigned bits) {
  auto key = type == crypto::KeyType::Rsa ? crypto::PrivateKey::generate_rsa(bits)
                                          : crypto::PrivateKey::generate_ed25519();
  if (!key) return nullptr;
  return std::make_shared<const crypto::PrivateKey>(std::move(*key));
}

inline std::shared_ptr<const crypto::PrivateKey> rsa_key() {
  static const auto key = make_key(crypto::KeyType::Rsa, 1024);
  return key;
}
inline std::shared_ptr<const crypto::PrivateKey> rsa2048_key() {
  static const auto key = make_key(crypto::KeyType::Rsa, 2048);
  return key;
}
inline std::shared_ptr<const crypto::PrivateKey> ed25519_key() {
  static const auto key = make_key(crypto::KeyType::Ed25519, 256);
  return key;
}

inline std::string key_record(const crypto::PrivateKey& key, std::string_view extra = "") {
  return std::string("v=DKIM1; k=") + (key.type() == crypto::KeyType::Rsa ? "rsa" : "ed25519") +
         "; " + std::string(extra) + "p=" + crypto::base64_encode(key.public_key_dkim());
}

}  // namespace auth::dkim::testing
