// CachingResolver: a TTL cache in front of any Resolver. One mutex guards the table; upstream
// queries run outside it, and concurrent misses for one key share a single upstream query.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <auth/dns.hpp>
#include <auth/domain_name.hpp>

namespace auth::dns {
namespace {

constexpr std::size_t max_pending_prefetches = 1024;  // hints beyond this are dropped

// Type in the first two bytes, then the lower-cased name without its trailing dot.
std::string cache_key(std::string_view name, RrType type) {
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
  const auto code = static_cast<std::uint16_t>(type);
  std::string key;
  key.reserve(name.size() + 2);
  key += static_cast<char>(code >> 8);
  key += static_cast<char>(code & 0xff);
  key += to_lower(name);
  return key;
}

std::string_view key_name(std::string_view key) { return key.substr(2); }
RrType key_type(std::string_view key) {
  return static_cast<RrType>(static_cast<std::uint16_t>(static_cast<unsigned char>(key[0]) << 8 |
                                                        static_cast<unsigned char>(key[1])));
}

struct Entry {
  Answer answer;
  TimePoint expires;
  std::list<std::string>::iterator lru;
};

}  // namespace

struct CachingResolver::Impl {
  Impl(Resolver& up, const Clock& c, const CacheOptions& o) : upstream(up), clock(c), options(o) {}

  Resolver& upstream;
  const Clock& clock;
  const CacheOptions options;

  mutable std::mutex mutex;
  std::unordered_map<std::string, Entry> entries;
  std::list<std::string> lru;  // front: most recently used
  std::unordered_map<std::string, std::shared_future<Answer>> in_flight;
  Stats stats;

  std::deque<std::string> queue;  // prefetch keys waiting for a worker
  std::unordered_set<std::string> queued;
  std::size_t active_prefetches = 0;
  std::condition_variable_any work_ready;
  std::condition_variable idle;
  std::vector<std::jthread> workers;  // declared last: stopped and joined before the rest goes

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

  std::optional<Answer> lookup_locked(const std::string& key, TimePoint now) {
    const auto it = entries.find(key);
    if (it == entries.end()) return std::nullopt;
    if (now >= it->second.expires) {
      lru.erase(it->second.lru);
      entries.erase(it);
      return std::nullopt;
    }
    lru.splice(lru.begin(), lru, it->second.lru);
    Answer answer = it->second.answer;
    answer.ttl = static_cast<std::uint32_t>((it->second.expires - now).count());
    return answer;
  }

  bool fresh_locked(const std::string& key, TimePoint now) const {
    const auto it = entries.find(key);
    return it != entries.end() && now < it->second.expires;
  }

  // Stores `answer` and returns it with the TTL it was cached for.
  Answer store_locked(const std::string& key, Answer answer, TimePoint now) {
    const std::uint32_t seconds = cache_seconds(answer);
    if (seconds == 0 || options.max_entries == 0) return answer;
    answer.ttl = seconds;
    const TimePoint expires = now + std::chrono::seconds(seconds);
    if (auto it = entries.find(key); it != entries.end()) {
      it->second.answer = answer;
      it->second.expires = expires;
      lru.splice(lru.begin(), lru, it->second.lru);
      return answer;
    }
    lru.push_front(key);
    entries.emplace(key, Entry{answer, expires, lru.begin()});
    while (entries.size() > options.max_entries) {
      entries.erase(lru.back());
      lru.pop_back();
      ++stats.evictions;
    }
    return answer;
  }

  // A cached answer, or one upstream query shared with any concurrent caller of the same key.
  Answer fetch(const std::string& key, bool count) {
    std::unique_lock lock(mutex);
    if (auto hit = lookup_locked(key, clock.now())) {
      if (count) ++stats.hits;
      return *hit;
    }
    if (count) ++stats.misses;
    if (const auto it = in_flight.find(key); it != in_flight.end()) {
      const std::shared_future<Answer> pending = it->second;
      lock.unlock();
      return pending.get();
    }
    std::promise<Answer> promise;
    in_flight.emplace(key, promise.get_future().share());
    lock.unlock();

    Answer answer;
    try {
      answer = upstream.query(key_name(key), key_type(key));
    } catch (...) {
      lock.lock();
      in_flight.erase(key);
      lock.unlock();
      promise.set_exception(std::current_exception());
      throw;
    }
    lock.lock();
    answer = store_locked(key, std::move(answer), clock.now());
    in_flight.erase(key);
    lock.unlock();
    promise.set_value(answer);
    return answer;
  }

  void work(std::stop_token stop) {
    std::unique_lock lock(mutex);
    while (work_ready.wait(lock, stop, [this] { return !queue.empty(); }) &&
           !stop.stop_requested()) {
      std::string key = std::move(queue.front());
      queue.pop_front();
      queued.erase(key);
      ++active_prefetches;
      lock.unlock();
      try {
        fetch(key, false);
      } catch (...) {
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
    impl_->workers.emplace_back([impl = impl_.get()](std::stop_token stop) { impl->work(stop); });
}

CachingResolver::~CachingResolver() {
  // Stop every worker before joining any, so queued hints are dropped rather than run.
  for (auto& worker : impl_->workers) worker.request_stop();
}

Answer CachingResolver::query(std::string_view name, RrType type) {
  return impl_->fetch(cache_key(name, type), true);
}

void CachingResolver::prefetch(std::string_view name, RrType type) {
  if (impl_->workers.empty()) return;
  std::string key = cache_key(name, type);
  std::lock_guard lock(impl_->mutex);
  if (impl_->fresh_locked(key, impl_->clock.now()) || impl_->in_flight.contains(key) ||
      impl_->queued.contains(key) || impl_->queue.size() >= max_pending_prefetches)
    return;
  impl_->queued.insert(key);
  impl_->queue.push_back(std::move(key));
  impl_->work_ready.notify_one();
}

CachingResolver::Stats CachingResolver::stats() const {
  std::lock_guard lock(impl_->mutex);
  Stats s = impl_->stats;
  s.entries = impl_->entries.size();
  return s;
}

void CachingResolver::drain_prefetches() {
  std::unique_lock lock(impl_->mutex);
  impl_->idle.wait(lock, [this] { return impl_->queue.empty() && impl_->active_prefetches == 0; });
}

}  // namespace auth::dns
