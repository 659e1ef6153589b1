// Parsed public keys by DNS name, kept for the record's TTL: decoding an RSA key costs more than
// verifying with it, so a busy verifier decodes each key once per TTL.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <map>
#include <mutex>

namespace auth::dkim {

struct KeyCache::Impl {
  struct Entry {
    std::shared_ptr<const ParsedKey> key;
    TimePoint expires;
  };
  std::size_t max_entries;
  mutable std::mutex mutex;
  std::map<std::string, Entry, std::less<>> entries;
};

KeyCache::KeyCache(std::size_t max_entries) : impl_(std::make_unique<Impl>()) {
  impl_->max_entries = max_entries;
}

KeyCache::~KeyCache() = default;

std::shared_ptr<const ParsedKey> KeyCache::find(std::string_view name, TimePoint now) const {
  const std::string key = to_lower(name);
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->entries.find(key);
  if (it == impl_->entries.end() || it->second.expires <= now) return nullptr;
  return it->second.key;
}

void KeyCache::insert(std::string_view name, std::shared_ptr<const ParsedKey> key,
                      TimePoint expires) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->max_entries == 0) return;
  if (impl_->entries.size() >= impl_->max_entries) {
    // Drop expired entries first; if none, the entry that expires soonest.
    auto soonest = impl_->entries.begin();
    for (auto it = impl_->entries.begin(); it != impl_->entries.end(); ++it)
      if (it->second.expires < soonest->second.expires) soonest = it;
    impl_->entries.erase(soonest);
  }
  impl_->entries.insert_or_assign(to_lower(name), Impl::Entry{std::move(key), expires});
}

std::size_t KeyCache::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->entries.size();
}

}  // namespace auth::dkim
