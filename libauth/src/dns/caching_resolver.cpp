// CachingResolver: a TTL cache in front of any Resolver, shared by every milter thread, so hits
// must not serialize. Three tiers, read from the cheapest:
//   1. each thread's own direct-mapped table of references to entries it used: a hit there takes
//      no lock and writes no memory another thread reads (the "used" bit is written only when
//      it was clear);
//   2. the shared table, split into shards by key hash, each behind a shared_mutex that hits take
//      shared (eviction state is the CLOCK bit, so a hit needs no exclusive lock);
//   3. upstream, outside every lock, with one query per key in flight however many ask.
#include <algorithm>
#include <bit>
#include <condition_variable>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <auth/dns.hpp>
#include <auth/domain_name.hpp>

namespace auth::dns {
namespace {

constexpr std::size_t max_pending_prefetches = 1024;  // hints beyond this are dropped
constexpr std::size_t min_entries_per_shard = 256;    // small caches keep one exact shard
constexpr std::size_t max_shards = 64;

// Type in the first two bytes, then the lower-cased name without its trailing dot; written into
// `key`, whose capacity is reused from call to call.
void make_key(std::string& key, std::string_view name, RrType type) {
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
  const auto code = static_cast<std::uint16_t>(type);
  key.resize(name.size() + 2);
  key[0] = static_cast<char>(code >> 8);
  key[1] = static_cast<char>(code & 0xff);
  std::transform(name.begin(), name.end(), key.begin() + 2, ascii_lower);
}

std::string_view key_name(std::string_view key) { return key.substr(2); }
RrType key_type(std::string_view key) {
  return static_cast<RrType>(static_cast<std::uint16_t>(static_cast<unsigned char>(key[0]) << 8 |
                                                        static_cast<unsigned char>(key[1])));
}

std::size_t hash_key(std::string_view key) { return std::hash<std::string_view>{}(key); }

struct Node;
using NodePtr = std::shared_ptr<Node>;

// One cached answer. Immutable once built, except the two flags.
struct Node {
  Node(std::string k, Answer answer, TimePoint e, bool c)
      : key(std::move(k)), shared(std::move(answer)), expires(e), cached(c) {}
  const std::string key;
  const SharedAnswer shared;
  const TimePoint expires;
  const bool cached;  // false: an answer passed through (TTL 0, failure_ttl 0, max_entries 0)
  // In its shard's table. Set and cleared under the shard's exclusive lock; read lock-free by
  // per-thread tables, which must not serve an entry the shard has dropped.
  std::atomic<bool> live{false};
  // CLOCK's bit: used since the evicting hand last passed.
  std::atomic<bool> used{false};
  std::list<Node*>::iterator position;  // in Shard::ring, under the shard's exclusive lock
};

struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return hash_key(s); }
};

// Cache-line aligned: a hit writes its shard's lock word, which must not share a line with the
// neighbouring shard's.
struct alignas(64) Shard {
  mutable std::shared_mutex mutex;
  std::unordered_map<std::string_view, NodePtr, ViewHash, std::equal_to<>> table;  // views: ->key
  std::list<Node*> ring;  // front: newest; the hand takes from the back
  std::unordered_map<std::string, std::shared_future<NodePtr>, ViewHash, std::equal_to<>> in_flight;
  std::size_t capacity = 0;
  std::uint64_t evictions = 0;
};

// Hits and misses of one thread: written by that thread only (no read-modify-write needed),
// summed by stats().
struct Counters {
  std::atomic<std::uint64_t> hits{0}, misses{0};
  static void bump(std::atomic<std::uint64_t>& c) {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
};

// The counters of every thread that queried one cache, and what threads that ended left behind.
struct CounterRegistry {
  std::mutex mutex;
  std::vector<const Counters*> live;
  std::uint64_t retired_hits = 0, retired_misses = 0;
};

// One thread's view of one cache.
struct ThreadTable {
  struct Slot {
    std::size_t hash = 0;
    NodePtr node;
    // The node's answer under a control block only this thread touches, so that handing it out
    // and dropping it again never bounces a shared cache line between cores.
    std::shared_ptr<const SharedAnswer> local;
  };

  ThreadTable(std::uint64_t id, std::weak_ptr<CounterRegistry> r, std::size_t size)
      : owner(id), registry(std::move(r)), slots(size == 0 ? 0 : std::bit_ceil(size)) {}
  ThreadTable(const ThreadTable&) = delete;
  ThreadTable& operator=(const ThreadTable&) = delete;
  ~ThreadTable() {
    if (const auto r = registry.lock()) {
      std::lock_guard lock(r->mutex);
      r->retired_hits += counters.hits.load(std::memory_order_relaxed);
      r->retired_misses += counters.misses.load(std::memory_order_relaxed);
      std::erase(r->live, &counters);
    }
  }

  Slot* slot(std::size_t hash) {
    return slots.empty() ? nullptr : &slots[hash & (slots.size() - 1)];
  }

  const std::uint64_t owner;
  const std::weak_ptr<CounterRegistry> registry;
  Counters counters;
  std::vector<Slot> slots;
};

// Every cache this thread queried. Tables of caches that are gone are dropped when a new one is
// added (their identity is a number never reused, not an address).
struct ThreadTables {
  std::vector<std::unique_ptr<ThreadTable>> tables;
  std::string key;  // scratch for make_key

  ThreadTable* find(std::uint64_t owner) {
    for (auto& t : tables)
      if (t->owner == owner) return t.get();
    return nullptr;
  }
};
thread_local ThreadTables thread_tables;

std::atomic<std::uint64_t> next_cache_id{1};

std::shared_ptr<const SharedAnswer> share(const NodePtr& node) {
  return std::shared_ptr<const SharedAnswer>(node, &node->shared);
}

}  // namespace

struct CachingResolver::Impl {
  Impl(Resolver& up, const Clock& c, const CacheOptions& o)
      : upstream(up),
        clock(c),
        options(o),
        shards(std::bit_floor(
            std::clamp<std::size_t>(o.max_entries / min_entries_per_shard, 1, max_shards))) {
    for (std::size_t i = 0; i < shards.size(); ++i)
      shards[i].capacity = o.max_entries / shards.size() + (i < o.max_entries % shards.size());
  }

  Resolver& upstream;
  const Clock& clock;
  const CacheOptions options;
  const std::uint64_t id = next_cache_id.fetch_add(1, std::memory_order_relaxed);
  const std::shared_ptr<CounterRegistry> registry = std::make_shared<CounterRegistry>();
  std::vector<Shard> shards;

  std::mutex queue_mutex;  // guards the prefetch queue below
  std::deque<std::string> queue;
  std::unordered_set<std::string> queued;
  std::size_t active_prefetches = 0;
  std::condition_variable_any work_ready;
  std::condition_variable idle;
  std::vector<std::jthread> workers;  // declared last: stopped and joined before the rest goes

  // Shard by the high bits, thread-table slot by the low ones.
  Shard& shard_of(std::size_t hash) { return shards[(hash >> 32) & (shards.size() - 1)]; }

  ThreadTable& thread_table() {
    // cppcheck-suppress constVariable ; returned as a mutable reference
    if (ThreadTable* t = thread_tables.find(id)) return *t;
    auto& tables = thread_tables.tables;
    std::erase_if(tables, [](const auto& t) { return t->registry.expired(); });
    auto table = std::make_unique<ThreadTable>(id, registry, options.per_thread_entries);
    {
      std::lock_guard lock(registry->mutex);
      registry->live.push_back(&table->counters);
    }
    tables.push_back(std::move(table));
    return *tables.back();
  }

  // How long an answer stays cached, in seconds; 0 = not at all.
  std::uint32_t cache_seconds(const Answer& answer) const {
    const auto cap = static_cast<std::uint32_t>(options.max_ttl.count());
    if (answer.is_temporary_failure())
      return std::min(static_cast<std::uint32_t>(options.failure_ttl.count()), cap);
    if (answer.status == Status::NxDomain || answer.is_nodata()) {
      const auto floor = static_cast<std::uint32_t>(options.min_negative_ttl.count());
      return std::min(std::max(answer.ttl, floor), cap);
    }
    return std::min(answer.ttl, cap);
  }

  static bool fresh(const Node& node, TimePoint now) { return now < node.expires; }

  // Under the shard's shared or exclusive lock.
  static NodePtr find_fresh(const Shard& shard, std::string_view key, TimePoint now) {
    const auto it = shard.table.find(key);
    if (it == shard.table.end() || !fresh(*it->second, now)) return nullptr;
    if (!it->second->used.load(std::memory_order_relaxed))
      it->second->used.store(true, std::memory_order_relaxed);
    return it->second;
  }

  // Under the shard's exclusive lock.
  static void remove(Shard& shard, Node& node) {
    node.live.store(false, std::memory_order_release);
    shard.ring.erase(node.position);
    const auto it = shard.table.find(std::string_view(node.key));
    const NodePtr keep = it->second;  // the table's key views node.key: free it after erasing
    shard.table.erase(it);
  }

  // Under the shard's exclusive lock. CLOCK: the hand passes over entries used since its last
  // pass (clearing their bit and moving them to the front) and evicts the first one that was not.
  static void evict_beyond_capacity(Shard& shard, TimePoint now) {
    while (shard.table.size() > shard.capacity) {
      Node* oldest = shard.ring.back();
      if (fresh(*oldest, now) && oldest->used.exchange(false, std::memory_order_relaxed)) {
        shard.ring.splice(shard.ring.begin(), shard.ring, oldest->position);
        continue;
      }
      remove(shard, *oldest);
      ++shard.evictions;
    }
  }

  // A node for `answer`, in the shard's table when it may be cached. Under the exclusive lock.
  NodePtr store(Shard& shard, std::string key, Answer answer, TimePoint now) {
    const std::uint32_t seconds = cache_seconds(answer);
    const bool cacheable = seconds != 0 && shard.capacity != 0;
    if (cacheable) answer.ttl = seconds;
    auto node = std::make_shared<Node>(std::move(key), std::move(answer),
                                       now + std::chrono::seconds(seconds), cacheable);
    if (!cacheable) return node;
    if (const auto it = shard.table.find(std::string_view(node->key)); it != shard.table.end())
      remove(shard, *it->second);
    shard.ring.push_front(node.get());
    node->position = shard.ring.begin();
    node->live.store(true, std::memory_order_release);
    shard.table.emplace(std::string_view(node->key), node);
    evict_beyond_capacity(shard, now);
    return node;
  }

  // The fresh entry for `key`, or the answer of one upstream query shared with any concurrent
  // caller of the same key. `hit` says which.
  NodePtr fetch(std::string_view key, std::size_t hash, bool& hit) {
    Shard& shard = shard_of(hash);
    {
      std::shared_lock lock(shard.mutex);
      if (auto node = find_fresh(shard, key, clock.now())) {
        hit = true;
        return node;
      }
    }
    std::unique_lock lock(shard.mutex);
    const TimePoint now = clock.now();
    if (auto node = find_fresh(shard, key, now)) {  // stored while we changed locks
      hit = true;
      return node;
    }
    hit = false;
    if (const auto it = shard.in_flight.find(key); it != shard.in_flight.end()) {
      const std::shared_future<NodePtr> pending = it->second;
      lock.unlock();
      return pending.get();
    }
    std::promise<NodePtr> promise;
    // Erased by key later: a rehash while the query runs would invalidate an iterator.
    shard.in_flight.emplace(std::string(key), promise.get_future().share());
    lock.unlock();

    Answer answer;
    try {
      answer = upstream.query(key_name(key), key_type(key));
    } catch (...) {
      lock.lock();
      shard.in_flight.erase(shard.in_flight.find(key));
      lock.unlock();
      promise.set_exception(std::current_exception());
      throw;
    }
    lock.lock();
    NodePtr node = store(shard, std::string(key), std::move(answer), clock.now());
    shard.in_flight.erase(shard.in_flight.find(key));
    lock.unlock();
    promise.set_value(node);
    return node;
  }

  // The answer for a query() or query_shared() call: from the thread's table when it holds a
  // live, fresh entry; otherwise fetched and remembered there.
  struct Found {
    std::shared_ptr<const SharedAnswer> answer;
    const Node* node;  // kept alive by `answer`
  };
  Found lookup(std::string_view name, RrType type) {
    ThreadTable& table = thread_table();
    make_key(thread_tables.key, name, type);
    const std::size_t hash = hash_key(thread_tables.key);
    ThreadTable::Slot* slot = table.slot(hash);
    if (slot != nullptr && slot->node && slot->hash == hash &&
        slot->node->key == thread_tables.key) {
      Node& node = *slot->node;
      if (fresh(node, clock.now()) && node.live.load(std::memory_order_acquire)) {
        if (!node.used.load(std::memory_order_relaxed))
          node.used.store(true, std::memory_order_relaxed);
        Counters::bump(table.counters.hits);
        return {slot->local, &node};
      }
    }
    // Copied: an upstream that is itself a CachingResolver reuses this thread's scratch key.
    const std::string key = thread_tables.key;
    bool hit = false;
    NodePtr node = fetch(key, hash, hit);
    Counters::bump(hit ? table.counters.hits : table.counters.misses);
    if (slot == nullptr || !node->live.load(std::memory_order_acquire)) {
      const Node* raw = node.get();
      return {share(node), raw};
    }
    slot->hash = hash;
    slot->local =
        std::shared_ptr<const SharedAnswer>(std::make_shared<const NodePtr>(node), &node->shared);
    slot->node = std::move(node);
    return {slot->local, slot->node.get()};
  }

  void work(const std::stop_token& stop) {
    std::unique_lock lock(queue_mutex);
    while (work_ready.wait(lock, stop, [this] { return !queue.empty(); }) &&
           !stop.stop_requested()) {
      std::string key = std::move(queue.front());
      queue.pop_front();
      queued.erase(key);
      ++active_prefetches;
      lock.unlock();
      try {
        bool hit = false;
        fetch(key, hash_key(key), hit);
      } catch (...) {  // NOLINT(bugprone-empty-catch): see below
        // A hint that failed costs nothing: the real query will ask again.
      }
      lock.lock();
      --active_prefetches;
      if (queue.empty() && active_prefetches == 0) idle.notify_all();
    }
  }
};

CachingResolver::CachingResolver(Resolver& upstream, const Clock& clock,
                                 const CacheOptions& options)
    : impl_(std::make_unique<Impl>(upstream, clock, options)) {
  for (unsigned i = 0; i < options.prefetch_threads; ++i)
    impl_->workers.emplace_back(
        [impl = impl_.get()](const std::stop_token& stop) { impl->work(stop); });
}

CachingResolver::~CachingResolver() {
  // Stop every worker before joining any, so queued hints are dropped rather than run.
  for (auto& worker : impl_->workers) worker.request_stop();
}

Answer CachingResolver::query(std::string_view name, RrType type) {
  const auto found = impl_->lookup(name, type);
  Answer answer = found.answer->answer();
  // A cached answer's TTL is the time it has left; an uncached one keeps upstream's.
  if (found.node->cached)
    answer.ttl = static_cast<std::uint32_t>(
        std::max<std::int64_t>((found.node->expires - impl_->clock.now()).count(), 0));
  return answer;
}

std::shared_ptr<const SharedAnswer> CachingResolver::query_shared(std::string_view name,
                                                                  RrType type) {
  return impl_->lookup(name, type).answer;
}

void CachingResolver::prefetch(std::string_view name, RrType type) {
  if (impl_->workers.empty()) return;
  std::string key;
  make_key(key, name, type);
  const std::size_t hash = hash_key(key);
  {
    Shard& shard = impl_->shard_of(hash);
    std::shared_lock lock(shard.mutex);
    if (Impl::find_fresh(shard, key, impl_->clock.now()) || shard.in_flight.contains(key)) return;
  }
  std::lock_guard lock(impl_->queue_mutex);
  if (impl_->queued.contains(key) || impl_->queue.size() >= max_pending_prefetches) return;
  impl_->queued.insert(key);
  impl_->queue.push_back(std::move(key));
  impl_->work_ready.notify_one();
}

CachingResolver::Stats CachingResolver::stats() const {
  Stats s;
  {
    std::lock_guard lock(impl_->registry->mutex);
    s.hits = impl_->registry->retired_hits;
    s.misses = impl_->registry->retired_misses;
    for (const Counters* c : impl_->registry->live) {
      s.hits += c->hits.load(std::memory_order_relaxed);
      s.misses += c->misses.load(std::memory_order_relaxed);
    }
  }
  for (const Shard& shard : impl_->shards) {
    std::shared_lock lock(shard.mutex);
    s.evictions += shard.evictions;
    s.entries += shard.table.size();
  }
  return s;
}

void CachingResolver::drain_prefetches() {
  std::unique_lock lock(impl_->queue_mutex);
  impl_->idle.wait(lock, [this] { return impl_->queue.empty() && impl_->active_prefetches == 0; });
}

}  // namespace auth::dns
