// Fetching the public key of a signature (RFC 6376 §3.6.2, §6.1.2), for DKIM signatures and both
// ARC signatures (RFC 8617 reuses DKIM keys), with the per-message memo and prefetch.
#include "dkim/shared.hpp"

#include <algorithm>

namespace auth::dkim {

FetchedKey fetch_key(dns::Resolver& resolver, std::string_view name, TimePoint now,
                     KeyCache* cache) {
  FetchedKey out;
  if (cache != nullptr) {
    if (auto cached = cache->find(name, now)) {
      out.key = std::move(cached);
      return out;
    }
  }
  const dns::Answer answer = resolver.query(name, dns::RrType::TXT);
  switch (answer.status) {
    case dns::Status::Timeout:
      out.temporary = true;
      out.failure = {ReasonCode::DnsTimeout, "DNS timeout looking up key " + std::string(name)};
      return out;
    case dns::Status::ServFail:
      out.temporary = true;
      out.failure = {ReasonCode::DnsServerFailure,
                     "DNS server failure looking up key " + std::string(name)};
      return out;
    case dns::Status::NxDomain:
      out.failure = {ReasonCode::KeyNotFound, "key record not found"};
      return out;
    case dns::Status::Ok:
      break;
  }
  auto record = choose_key_record(answer.txt);
  if (!record) {
    out.failure = std::move(record.error());
    return out;
  }
  auto parsed = std::make_shared<ParsedKey>();
  if (!record->revoked()) {
    auto key = crypto::PublicKey::from_dkim(record->key_type, record->public_key);
    if (!key) {
      out.failure = {ReasonCode::KeyInvalid,
                     std::string("key record p= is not a valid ") +
                         (record->key_type == crypto::KeyType::Rsa ? "RSA" : "Ed25519") +
                         " public key"};
      return out;
    }
    parsed->key = std::move(*key);
  }
  parsed->record = std::move(*record);
  if (cache != nullptr && answer.ttl > 0)
    cache->insert(name, parsed, now + std::chrono::seconds(answer.ttl));
  out.key = std::move(parsed);
  return out;
}

void KeyMemo::prefetch(const std::string& name, TimePoint now) {
  if (keys_.contains(name)) return;
  if (std::find(prefetched_.begin(), prefetched_.end(), name) != prefetched_.end()) return;
  prefetched_.push_back(name);
  if (cache_ != nullptr && cache_->find(name, now)) return;
  resolver_->prefetch(name, dns::RrType::TXT);
}

const FetchedKey& KeyMemo::get(const std::string& name, TimePoint now) {
  if (auto it = keys_.find(name); it != keys_.end()) return it->second;
  return keys_.emplace(name, fetch_key(*resolver_, name, now, cache_)).first->second;
}

}  // namespace auth::dkim
