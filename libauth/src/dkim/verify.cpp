// The signature check shared by DKIM signatures and both ARC signatures (RFC 6376 §6.1.3; RFC
// 8617 §5.2 verifies the AMS as DKIM does and the AS without a body): the key record's rules,
// the key size policy (RFC 8301), the body hash, then the signature over the header hash.
#include "dkim/shared.hpp"

#include <auth/domain_name.hpp>

#include <algorithm>

namespace auth::dkim {

bool same_bytes(const crypto::Digest& digest, const crypto::Bytes& bytes) {
  return digest.size == bytes.size() &&
         std::equal(bytes.begin(), bytes.end(), digest.bytes.begin());
}

std::optional<Failure> check_key(const ParsedKey& key, Algorithm algorithm) {
  const KeyRecord& record = key.record;
  if (record.revoked() || !key.key) return Failure{ReasonCode::KeyRevoked, "key revoked"};
  if (record.key_type != key_type_of(algorithm))
    return Failure{ReasonCode::KeyTypeMismatch,
                   std::string("key type k=") +
                       (record.key_type == crypto::KeyType::Rsa ? "rsa" : "ed25519") +
                       " does not match a=" + std::string(to_string(algorithm))};
  const crypto::HashAlgorithm hash = hash_of(algorithm);
  if (!record.hash_algorithms.empty() &&
      std::find(record.hash_algorithms.begin(), record.hash_algorithms.end(), hash) ==
          record.hash_algorithms.end())
    return Failure{ReasonCode::KeyHashNotAllowed,
                   std::string("key record h= does not allow ") +
                       (hash == crypto::HashAlgorithm::Sha1 ? "sha1" : "sha256")};
  if (!record.email_service)
    return Failure{ReasonCode::KeyServiceNotAllowed, "key record s= does not allow email"};
  return std::nullopt;
}

Verification verify_with_key(const Signature& signature, const ParsedKey& key,
                             const crypto::Digest& header_digest, const BodyHash* body,
                             unsigned min_rsa_bits) {
  Verification out;
  out.testing = key.record.testing;
  if (auto unusable = check_key(key, signature.algorithm)) {
    out.code = unusable->code;
    out.text = std::move(unusable->text);
    return out;
  }
  if (signature.kind == SignatureKind::Dkim && key.record.strict_identity) {
    const std::size_t at = signature.auid.rfind('@');
    if (!iequals(std::string_view(signature.auid).substr(at + 1), signature.domain)) {
      out.code = ReasonCode::KeyIdentityMismatch;
      out.text = "key record t=s requires the i= domain to equal d=";
      return out;
    }
  }
  out.key_bits = key.key->bits();
  if (key.record.key_type == crypto::KeyType::Rsa && out.key_bits < min_rsa_bits) {
    out.code = ReasonCode::KeyTooSmall;
    out.text = "key too small: " + std::to_string(out.key_bits) + " bits";
    return out;
  }
  if (body != nullptr && !same_bytes(body->digest, signature.bh)) {
    out.code = ReasonCode::BodyHashMismatch;
    out.text = "body hash mismatch";
    return out;
  }
  if (!key.key->verify(hash_of(signature.algorithm), header_digest.view(), signature.b)) {
    out.code = ReasonCode::SignatureMismatch;
    out.text = "signature did not verify";
  }
  return out;
}

}  // namespace auth::dkim
