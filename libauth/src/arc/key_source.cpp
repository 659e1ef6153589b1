// Per-message key lookups for the ARC validator: several sets often share one key.
#include "signatures.hpp"

namespace auth::arc::detail {

void KeySource::prefetch(const std::string& name, TimePoint now) {
  if (keys_.contains(name)) return;
  if (cache_ != nullptr && cache_->find(name, now)) return;
  resolver_->prefetch(name, dns::RrType::TXT);
}

const dkim::FetchedKey& KeySource::get(const std::string& name, TimePoint now) {
  if (auto it = keys_.find(name); it != keys_.end()) return it->second;
  return keys_.emplace(name, dkim::fetch_key(*resolver_, name, now, cache_)).first->second;
}

}  // namespace auth::arc::detail
