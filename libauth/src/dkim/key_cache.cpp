// Parsed public keys by DNS name, kept for the record's TTL: decoding an RSA key costs more than
// verifying with it, so a busy verifier decodes each key once per TTL. Every milter thread asks
// this cache for every signature, so hits must not serialize. Two tiers, read from the cheapest:
//   1. each thread's own direct-mapped table of entries it found: a repeated hit takes no lock
//      and hands out the key under a control block only that thread touches, so the threads
//      verifying with one popular key do not bounce its reference count between cores;
//   2. the shared table, split into shards by name hash, each behind a shared_mutex that hits
//      take shared; recency is CLOCK's "used" bit (a second chance from the evicting hand), so a
//      hit writes no shared list. find and insert stay O(1).
// Entries are immutable: a refresh publishes a new one and retires the old, which thread tables
// then stop serving.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <list>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace auth::dkim {
namespace {

constexpr std::size_t min_entries_per_shard = 256;  // small caches keep one exact shard
constexpr std::size_t max_shards = 16;
constexpr std::size_t thread_slots = 256;  // per thread and cache

struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Entry {
  Entry(std::string n, std::shared_ptr<const ParsedKey> k, TimePoint e)
      : name(std::move(n)), key(std::move(k)), expires(e) {}
  const std::string name;  // lower case; the index's key views it
  const std::shared_ptr<const ParsedKey> key;
  const TimePoint expires;
  // In its shard's table. Set and cleared under the shard's exclusive lock; read lock-free by
  // thread tables, which must not serve an entry the shard has dropped or replaced.
  std::atomic<bool> live{false};
  std::atomic<bool> used{false};         // CLOCK's bit: found since the hand last passed
  std::list<Entry*>::iterator position;  // in Shard::ring, under the exclusive lock
};
using EntryPtr = std::shared_ptr<Entry>;

// Cache-line aligned: a hit writes its shard's lock word, which must not share a line with the
// neighbouring shard's.
struct alignas(64) Shard {
  std::shared_mutex mutex;
  std::list<Entry*> ring;  // front: newest; the hand takes from the back
  std::unordered_map<std::string_view, EntryPtr, ViewHash, std::equal_to<>> index;
  std::size_t capacity = 0;

  // Under the exclusive lock.
  void erase(Entry& entry) {
    entry.live.store(false, std::memory_order_release);
    ring.erase(entry.position);
    // Extracted, not erased: the index's key views entry.name, so the entry (owned by the
    // extracted node) must go only once the node is out of the table.
    (void)index.extract(std::string_view(entry.name));
  }
  void evict_beyond_capacity() {
    while (ring.size() > capacity) {
      Entry* oldest = ring.back();
      if (oldest->used.exchange(false, std::memory_order_relaxed)) {
        ring.splice(ring.begin(), ring, oldest->position);
        continue;
      }
      erase(*oldest);
    }
  }
};

// One thread's references to entries of one cache.
struct ThreadTable {
  struct Slot {
    std::size_t hash = 0;
    std::size_t candidate = 0;  // the last other key that missed here
    EntryPtr entry;
    std::shared_ptr<const ParsedKey> local;  // entry->key under this thread's control block
  };
  ThreadTable(std::uint64_t id, std::weak_ptr<const void> alive)
      : owner(id), cache_alive(std::move(alive)) {}
  const std::uint64_t owner;
  const std::weak_ptr<const void> cache_alive;  // expired once the cache is gone
  std::array<Slot, thread_slots> slots;
};

// Every cache this thread found keys in, and a scratch buffer for lower-casing names.
struct ThreadTables {
  std::vector<std::unique_ptr<ThreadTable>> tables;
  std::string lower;

  ThreadTable& of(std::uint64_t owner, const std::shared_ptr<const void>& alive) {
    for (const auto& t : tables)
      if (t->owner == owner) return *t;
    std::erase_if(tables, [](const auto& t) { return t->cache_alive.expired(); });
    tables.push_back(std::make_unique<ThreadTable>(owner, alive));
    return *tables.back();
  }
};
thread_local ThreadTables thread_tables;

std::atomic<std::uint64_t> next_cache_id{1};

// Lower-cases `name` into this thread's scratch buffer: a hit allocates nothing.
std::string_view lower_scratch(std::string_view name) {
  std::string& scratch = thread_tables.lower;
  scratch.resize(name.size());
  std::transform(name.begin(), name.end(), scratch.begin(), ascii_lower);
  return scratch;
}

}  // namespace

struct KeyCache::Impl {
  explicit Impl(std::size_t max_entries)
      : shards(std::bit_floor(
            std::clamp<std::size_t>(max_entries / min_entries_per_shard, 1, max_shards))) {
    for (std::size_t i = 0; i < shards.size(); ++i)
      shards[i].capacity = max_entries / shards.size() + (i < max_entries % shards.size());
  }
  // Shard by the high bits, thread-table slot by the low ones.
  Shard& shard_of(std::size_t hash) { return shards[(hash >> 32) % shards.size()]; }

  const std::uint64_t id = next_cache_id.fetch_add(1, std::memory_order_relaxed);
  const std::shared_ptr<const void> alive = std::make_shared<int>(0);
  std::vector<Shard> shards;
};

KeyCache::KeyCache(std::size_t max_entries) : impl_(std::make_unique<Impl>(max_entries)) {}

KeyCache::~KeyCache() = default;

std::shared_ptr<const ParsedKey> KeyCache::find(std::string_view name, TimePoint now) const {
  const std::string_view lower = lower_scratch(name);
  const std::size_t hash = ViewHash{}(lower);
  ThreadTable::Slot& slot = thread_tables.of(impl_->id, impl_->alive).slots[hash % thread_slots];
  if (slot.entry && slot.hash == hash && slot.entry->name == lower && slot.entry->expires > now &&
      slot.entry->live.load(std::memory_order_acquire)) {
    if (!slot.entry->used.load(std::memory_order_relaxed))
      slot.entry->used.store(true, std::memory_order_relaxed);
    return slot.local;
  }
  Shard& shard = impl_->shard_of(hash);
  {
    std::shared_lock lock(shard.mutex);
    const auto it = shard.index.find(lower);
    if (it == shard.index.end()) return nullptr;
    const EntryPtr& entry = it->second;
    if (entry->expires > now) {
      if (!entry->used.load(std::memory_order_relaxed))
        entry->used.store(true, std::memory_order_relaxed);
      // A slot taken by another key changes hands on this key's second miss in a row, so that
      // names passing through once (more of them than slots) do not each allocate a control
      // block only to be displaced.
      if (slot.entry && slot.candidate != hash) {
        slot.candidate = hash;
        return entry->key;
      }
      slot.hash = hash;
      slot.entry = entry;
      slot.local = std::shared_ptr<const ParsedKey>(
          std::make_shared<const std::shared_ptr<const ParsedKey>>(entry->key), entry->key.get());
      return slot.local;
    }
  }
  // Expired: dropped now rather than left to the evicting hand.
  std::unique_lock lock(shard.mutex);
  if (const auto it = shard.index.find(lower);
      it != shard.index.end() && it->second->expires <= now)
    shard.erase(*it->second);
  return nullptr;
}

void KeyCache::insert(std::string_view name, std::shared_ptr<const ParsedKey> key,
                      TimePoint expires) {
  std::string lower(lower_scratch(name));
  Shard& shard = impl_->shard_of(ViewHash{}(lower));
  auto entry = std::make_shared<Entry>(std::move(lower), std::move(key), expires);
  std::unique_lock lock(shard.mutex);
  if (shard.capacity == 0) return;
  bool refresh = false;
  if (const auto it = shard.index.find(std::string_view(entry->name)); it != shard.index.end()) {
    // A refresh replaces the entry where it stands: nothing else is evicted.
    refresh = true;
    entry->used.store(true, std::memory_order_relaxed);
    shard.erase(*it->second);
  }
  shard.ring.push_front(entry.get());
  entry->position = shard.ring.begin();
  entry->live.store(true, std::memory_order_release);
  shard.index.emplace(std::string_view(entry->name), std::move(entry));
  if (!refresh) shard.evict_beyond_capacity();
}

std::size_t KeyCache::size() const {
  std::size_t total = 0;
  for (Shard& shard : impl_->shards) {
    std::shared_lock lock(shard.mutex);
    total += shard.ring.size();
  }
  return total;
}

}  // namespace auth::dkim
