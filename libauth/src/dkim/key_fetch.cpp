// Fetching and checking the public key of one signature (RFC 6376 §3.6.2, §6.1.2), for the DKIM
// verifier and for ARC (RFC 8617 reuses DKIM keys).
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>

namespace auth::dkim {

FetchedKey fetch_key(dns::Resolver& resolver, std::string_view name, TimePoint now,
                     KeyCache* cache) {
  FetchedKey out;
  if (cache != nullptr) {
    if (auto cached = cache->find(name, now)) {
      out.key = std::move(cached);
      out.result = Result::Pass;
      return out;
    }
  }
  const dns::Answer answer = resolver.query(name, dns::RrType::TXT);
  switch (answer.status) {
    case dns::Status::Timeout:
      out.result = Result::TempError;
      out.reason = "DNS timeout looking up key " + std::string(name);
      return out;
    case dns::Status::ServFail:
      out.result = Result::TempError;
      out.reason = "DNS server failure looking up key " + std::string(name);
      return out;
    case dns::Status::NxDomain:
      out.reason = "key record not found";
      return out;
    case dns::Status::Ok:
      break;
  }
  auto record = select_key_record(answer.txt);
  if (!record) {
    out.reason = record.error().message;
    return out;
  }
  auto parsed = std::make_shared<ParsedKey>();
  if (!record->revoked()) {
    auto key = crypto::PublicKey::from_dkim(record->key_type, record->public_key);
    if (!key) {
      out.reason = std::string("key record p= is not a valid ") +
                   (record->key_type == crypto::KeyType::Rsa ? "RSA" : "Ed25519") + " public key";
      return out;
    }
    parsed->key = std::move(*key);
  }
  parsed->record = std::move(*record);
  if (cache != nullptr && answer.ttl > 0)
    cache->insert(name, parsed, now + std::chrono::seconds(answer.ttl));
  out.key = std::move(parsed);
  out.result = Result::Pass;
  return out;
}

std::optional<std::string> check_key(const ParsedKey& key, Algorithm algorithm,
                                     const Limits& limits) {
  const KeyRecord& record = key.record;
  if (record.revoked() || !key.key) return "key revoked";
  if (record.key_type != key_type_of(algorithm))
    return std::string("key type k=") +
           (record.key_type == crypto::KeyType::Rsa ? "rsa" : "ed25519") +
           " does not match a=" + std::string(to_string(algorithm));
  const crypto::HashAlgorithm hash = hash_of(algorithm);
  if (!record.hash_algorithms.empty() &&
      std::find(record.hash_algorithms.begin(), record.hash_algorithms.end(), hash) ==
          record.hash_algorithms.end())
    return std::string("key record h= does not allow ") +
           (hash == crypto::HashAlgorithm::Sha1 ? "sha1" : "sha256");
  if (!record.email_service) return "key record s= does not allow email";
  if (record.key_type == crypto::KeyType::Rsa && key.key->bits() < limits.min_rsa_bits)
    return "key too small: " + std::to_string(key.key->bits()) + " bits";
  return std::nullopt;
}

}  // namespace auth::dkim
