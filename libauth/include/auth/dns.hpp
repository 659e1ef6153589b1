// auth::dns: the one way libauth asks DNS. Evaluators take a Resolver&; implementations are
// LdnsResolver (real DNS), ZoneResolver (master file, for tests and --dns-zone) and
// CachingResolver (TTL cache decorator shared by milter connections).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <auth/clock.hpp>
#include <auth/error.hpp>
#include <auth/ip_address.hpp>
#include <auth/limits.hpp>

namespace auth::dns {

enum class RrType : std::uint16_t { A = 1, CNAME = 5, PTR = 12, MX = 15, TXT = 16, AAAA = 28 };
std::string_view to_string(RrType type);

// ok with no records is NODATA (the name exists, the type does not); nxdomain: no such name.
enum class Status { Ok, NxDomain, ServFail, Timeout };
std::string_view to_string(Status status);

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;  // lower case, no trailing dot; "" for a null MX (RFC 7505)
  friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

struct Answer {
  Status status = Status::Ok;
  std::uint32_t ttl = 0;  // seconds; for negative answers the negative-caching TTL
  // Exactly one of these is filled, by the queried type:
  std::vector<std::string> txt;      // TXT: each RR's character-strings joined with no separator
  std::vector<IpAddress> addresses;  // A / AAAA
  std::vector<MxRecord> mx;          // MX
  std::vector<std::string> names;    // PTR / CNAME targets: lower case, no trailing dot
  // TXT, beside `txt`: for each RR, the length of each character-string joined into it
  // (RFC 1035 §3.3.14), so a check can see where a record was split (mailauth keycheck).
  // Resolvers that do not know the split leave it empty.
  std::vector<std::vector<std::uint8_t>> txt_string_lengths;

  bool ok() const { return status == Status::Ok; }
  bool is_nodata() const { return status == Status::Ok && empty(); }
  bool empty() const { return txt.empty() && addresses.empty() && mx.empty() && names.empty(); }
  // Timeout or SERVFAIL: the protocols' temperror.
  bool is_temporary_failure() const {
    return status == Status::ServFail || status == Status::Timeout;
  }
};

// A value derived from an answer (a parsed record), kept with the answer for as long as a cache
// holds it, so that readers of a cached answer parse it once per TTL.
class AnswerMemo {
 public:
  virtual ~AnswerMemo() = default;
};

// An answer shared read-only between a cache and its readers. answer().ttl is the TTL it was
// cached with (Resolver::query() gives the time left instead).
class SharedAnswer {
 public:
  explicit SharedAnswer(Answer answer) : answer_(std::move(answer)) {}
  SharedAnswer(const SharedAnswer&) = delete;
  SharedAnswer& operator=(const SharedAnswer&) = delete;
  ~SharedAnswer() { delete memo_.load(std::memory_order_acquire); }

  const Answer& answer() const { return answer_; }
  // The memo attached by the first attach(), or null.
  const AnswerMemo* memo() const { return memo_.load(std::memory_order_acquire); }
  // Keeps `memo` unless another reader attached one first; returns the one kept. Thread-safe.
  const AnswerMemo* attach(std::unique_ptr<const AnswerMemo> memo) const;

 private:
  Answer answer_;
  mutable std::atomic<const AnswerMemo*> memo_{nullptr};
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Thread-safe. Follows CNAMEs as a recursive resolver would. `name` may end with a dot.
  virtual Answer query(std::string_view name, RrType type) = 0;
  // The answer query() gives, shared rather than copied: a cache hands out the answer it holds
  // (with its memo). The default wraps query().
  virtual std::shared_ptr<const SharedAnswer> query_shared(std::string_view name, RrType type);
  // A hint that `query(name, type)` will follow soon; resolvers may start it in the background.
  virtual void prefetch(std::string_view /*name*/, RrType /*type*/) {}
};

// Real DNS through ldns. Where to ask; the bounds (timeout per attempt, retries, largest answer)
// come from auth::Limits, the one place every bound is set.
struct LdnsOptions {
  // "192.0.2.53", "[2001:db8::53]:5353", "127.0.0.1:5353"; empty = resolv.conf
  std::vector<std::string> servers;
  std::filesystem::path resolv_conf = "/etc/resolv.conf";
  std::uint16_t edns_buffer_size = 1232;  // EDNS0 UDP payload size (0 disables EDNS0)
};

class LdnsResolver final : public Resolver {
 public:
  // Fails (Io / InvalidArgument) when resolv.conf is unreadable or a server is not an address.
  // Uses limits.dns_timeout (per attempt), limits.dns_retries (extra attempts per server after a
  // timeout) and limits.max_dns_answer_bytes (a larger answer is a server failure; at least 512).
  static Expected<std::unique_ptr<LdnsResolver>> create(const LdnsOptions& options = {},
                                                        const Limits& limits = {});
  ~LdnsResolver() override;
  Answer query(std::string_view name, RrType type) override;

 private:
  struct Impl;
  explicit LdnsResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Answers from an RFC 1035 master file ($ORIGIN, $TTL, relative and escaped names, multi-string
// TXT in parentheses, CNAME chains, RFC 4592 wildcards; no SOA/NS needed). Extra directives:
//   $SERVFAIL <name> [<type>]   $TIMEOUT <name> [<type>]
// answer that status for the name (and type, or every type); `*.example.com` covers every name
// below example.com. Unknown names are NXDOMAIN; a CNAME loop is SERVFAIL.
class ZoneResolver final : public Resolver {
 public:
  static Expected<std::unique_ptr<ZoneResolver>> from_file(const std::filesystem::path& path);
  // `source_name` names the text in error messages ("zone.txt line 12: ...").
  static Expected<std::unique_ptr<ZoneResolver>> from_string(
      std::string_view text, std::string_view source_name = "<zone>");
  ~ZoneResolver() override;
  Answer query(std::string_view name, RrType type) override;
  // Negative answers carry this TTL: with an SOA, the lesser of its TTL and MINIMUM (RFC 2308
  // §5); without one, 300.
  std::uint32_t negative_ttl() const;

 private:
  struct Impl;
  explicit ZoneResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct CacheOptions {
  std::size_t max_entries = 100000;           // least recently used entries are evicted beyond this
  std::chrono::seconds max_ttl{86400};        // TTLs above are capped
  std::chrono::seconds min_negative_ttl{30};  // floor for NXDOMAIN/NODATA caching
  std::chrono::seconds failure_ttl{5};        // SERVFAIL/timeout cached this long (0 = never)
  unsigned prefetch_threads = 2;              // 0 = prefetch() does nothing
  // Answers each querying thread keeps a reference to (a direct-mapped table, rounded up to a
  // power of two), so that repeated hits take no lock and write no shared memory. 0 = none.
  std::size_t per_thread_entries = 256;
};

// Positive and negative caching by TTL, bounded, thread-safe. Time comes from `clock`.
// Entries live in shards (one lock each; hits take it shared), and a thread's repeated hits are
// served from its own small table without locking. Beyond max_entries, the least recently used
// entry is evicted, recency being tracked by CLOCK (a "used" bit per entry, given a second chance
// by the evicting hand) so that a hit writes no shared list. Up to per_thread_entries answers per
// thread may outlive their eviction in memory until that thread replaces them; they are never
// served after eviction or expiry.
class CachingResolver final : public Resolver {
 public:
  CachingResolver(Resolver& upstream, const Clock& clock, const CacheOptions& options = {});
  ~CachingResolver() override;
  Answer query(std::string_view name, RrType type) override;
  std::shared_ptr<const SharedAnswer> query_shared(std::string_view name, RrType type) override;
  void prefetch(std::string_view name, RrType type) override;

  // hits: query() calls answered from the cache; misses: the other query() calls (including
  // those that waited for a lookup already under way). Prefetches count in neither.
  struct Stats {
    std::uint64_t hits = 0, misses = 0, evictions = 0;
    std::size_t entries = 0;
  };
  Stats stats() const;
  // Waits until every prefetch issued so far has finished (tests, shutdown).
  void drain_prefetches();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auth::dns
