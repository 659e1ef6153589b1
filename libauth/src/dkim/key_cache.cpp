// Parsed public keys by DNS name, kept for the record's TTL: decoding an RSA key costs more than
// verifying with it, so a busy verifier decodes each key once per TTL. A least-recently-used list
// and a hash index per shard make find and insert O(1); large caches are split into shards by
// name hash so that threads verifying different domains do not wait on one lock.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>
#include <bit>
#include <list>
#include <mutex>
#include <unordered_map>

namespace auth::dkim {
namespace {

constexpr std::size_t min_entries_per_shard = 256;  // small caches keep one exact LRU
constexpr std::size_t max_shards = 16;

struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Entry {
  std::string name;  // lower case; the index's key views it
  std::shared_ptr<const ParsedKey> key;
  TimePoint expires;
};

struct Shard {
  std::mutex mutex;
  std::list<Entry> lru;  // front: most recently used
  std::unordered_map<std::string_view, std::list<Entry>::iterator, ViewHash, std::equal_to<>> index;
  std::size_t capacity = 0;

  void erase(std::list<Entry>::iterator it) {
    index.erase(std::string_view(it->name));
    lru.erase(it);
  }
};

}  // namespace

struct KeyCache::Impl {
  explicit Impl(std::size_t max_entries)
      : shards(std::bit_floor(
            std::clamp<std::size_t>(max_entries / min_entries_per_shard, 1, max_shards))) {
    for (std::size_t i = 0; i < shards.size(); ++i)
      shards[i].capacity = max_entries / shards.size() + (i < max_entries % shards.size());
  }
  Shard& shard_of(std::string_view name) { return shards[ViewHash{}(name) % shards.size()]; }
  std::vector<Shard> shards;
};

KeyCache::KeyCache(std::size_t max_entries) : impl_(std::make_unique<Impl>(max_entries)) {}

KeyCache::~KeyCache() = default;

std::shared_ptr<const ParsedKey> KeyCache::find(std::string_view name, TimePoint now) const {
  const std::string lower = to_lower(name);
  Shard& shard = impl_->shard_of(lower);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.index.find(std::string_view(lower));
  if (it == shard.index.end()) return nullptr;
  const auto entry = it->second;
  if (entry->expires <= now) {
    shard.erase(entry);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, entry);
  return entry->key;
}

void KeyCache::insert(std::string_view name, std::shared_ptr<const ParsedKey> key,
                      TimePoint expires) {
  std::string lower = to_lower(name);
  Shard& shard = impl_->shard_of(lower);
  std::lock_guard lock(shard.mutex);
  if (shard.capacity == 0) return;
  if (const auto it = shard.index.find(std::string_view(lower)); it != shard.index.end()) {
    // A refresh replaces the entry in place: nothing else is evicted.
    it->second->key = std::move(key);
    it->second->expires = expires;
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  shard.lru.push_front(Entry{std::move(lower), std::move(key), expires});
  shard.index.emplace(std::string_view(shard.lru.front().name), shard.lru.begin());
  if (shard.lru.size() > shard.capacity) shard.erase(std::prev(shard.lru.end()));
}

std::size_t KeyCache::size() const {
  std::size_t total = 0;
  for (Shard& shard : impl_->shards) {
    std::lock_guard lock(shard.mutex);
    total += shard.lru.size();
  }
  return total;
}

}  // namespace auth::dkim
