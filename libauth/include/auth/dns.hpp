// auth::dns: the one way libauth asks DNS. Evaluators take a Resolver&; implementations are
// LdnsResolver (real DNS), ZoneResolver (master file, for tests and --dns-zone) and
// CachingResolver (TTL cache decorator shared by milter connections).
#pragma once

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

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Thread-safe. Follows CNAMEs as a recursive resolver would. `name` may end with a dot.
  virtual Answer query(std::string_view name, RrType type) = 0;
  // A hint that `query(name, type)` will follow soon; resolvers may start it in the background.
  virtual void prefetch(std::string_view /*name*/, RrType /*type*/) {}
};

// Real DNS through ldns.
struct LdnsOptions {
  // "192.0.2.53", "[2001:db8::53]:5353", "127.0.0.1:5353"; empty = resolv.conf
  std::vector<std::string> servers;
  std::filesystem::path resolv_conf = "/etc/resolv.conf";
  std::chrono::milliseconds timeout{5000};  // per attempt
  unsigned retries = 2;                     // extra attempts per server after a timeout
  std::uint16_t edns_buffer_size = 1232;    // EDNS0 UDP payload size (0 disables EDNS0)
};

class LdnsResolver final : public Resolver {
 public:
  // Fails (Io / InvalidArgument) when resolv.conf is unreadable or a server is not an address.
  static Expected<std::unique_ptr<LdnsResolver>> create(const LdnsOptions& options = {});
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
};

// Positive and negative caching by TTL, bounded, thread-safe. Time comes from `clock`.
class CachingResolver final : public Resolver {
 public:
  CachingResolver(Resolver& upstream, const Clock& clock, const CacheOptions& options = {});
  ~CachingResolver() override;
  Answer query(std::string_view name, RrType type) override;
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
