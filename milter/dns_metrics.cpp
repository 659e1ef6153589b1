#include "dns_metrics.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdint>

namespace mailauth::milter {
namespace {

using auth::dns::RrType;
using auth::dns::Status;

constexpr std::array types{RrType::A,  RrType::CNAME, RrType::PTR,
                           RrType::MX, RrType::TXT,   RrType::AAAA};
constexpr std::array statuses{Status::Ok, Status::NxDomain, Status::ServFail, Status::Timeout};

// Upper bounds of the histogram buckets: from a cached answer of a local resolver (0.1 ms) to a
// timeout (dns_timeout is at most 60 s); the last bucket, +Inf, takes the rest. The text is
// what `le` shows, so that no float formatting can make two scrapes disagree.
struct Bound {
  std::chrono::nanoseconds limit;
  const char* text;
};
constexpr std::array<Bound, 16> bounds{{
    {std::chrono::microseconds(100), "0.0001"},
    {std::chrono::microseconds(250), "0.00025"},
    {std::chrono::microseconds(500), "0.0005"},
    {std::chrono::milliseconds(1), "0.001"},
    {std::chrono::microseconds(2500), "0.0025"},
    {std::chrono::milliseconds(5), "0.005"},
    {std::chrono::milliseconds(10), "0.01"},
    {std::chrono::milliseconds(25), "0.025"},
    {std::chrono::milliseconds(50), "0.05"},
    {std::chrono::milliseconds(100), "0.1"},
    {std::chrono::milliseconds(250), "0.25"},
    {std::chrono::milliseconds(500), "0.5"},
    {std::chrono::seconds(1), "1"},
    {std::chrono::milliseconds(2500), "2.5"},
    {std::chrono::seconds(5), "5"},
    {std::chrono::seconds(10), "10"},
}};

// Per type: queries by status, and per bucket (not cumulative; the last one is +Inf) with the
// summed time. Counts only grow; relaxed order is enough for figures read by a scraper.
struct TypeCounters {
  std::array<std::atomic<std::uint64_t>, statuses.size()> by_status{};
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets{};
  std::atomic<std::uint64_t> nanoseconds{0};
};
std::array<TypeCounters, types.size()> counters;

template <class T, std::size_t N>
std::size_t index_of(const std::array<T, N>& values, T value) {
  for (std::size_t i = 0; i < N; ++i)
    if (values[i] == value) return i;
  return N;
}

std::string seconds_text(std::uint64_t nanoseconds) {
  std::array<char, 32> text{};
  const double seconds = static_cast<double>(nanoseconds) / 1e9;
  const auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), seconds);
  return ec == std::errc{} ? std::string(text.data(), end) : "0";
}

}  // namespace

MeasuredResolver::MeasuredResolver(std::unique_ptr<auth::dns::Resolver> upstream)
    : upstream_(std::move(upstream)) {}

auth::dns::Answer MeasuredResolver::query(std::string_view name, RrType type) {
  const auto start = std::chrono::steady_clock::now();
  auth::dns::Answer answer = upstream_->query(name, type);
  metrics::dns_query(type, answer.status, std::chrono::steady_clock::now() - start);
  return answer;
}

void MeasuredResolver::prefetch(std::string_view name, RrType type) {
  upstream_->prefetch(name, type);
}

namespace metrics {

void dns_query(RrType type, Status status, std::chrono::nanoseconds elapsed) {
  const std::size_t t = index_of(types, type);
  const std::size_t s = index_of(statuses, status);
  if (t == types.size() || s == statuses.size()) return;  // a value added to libauth later
  TypeCounters& c = counters[t];
  c.by_status[s].fetch_add(1, std::memory_order_relaxed);
  std::size_t bucket = 0;
  while (bucket < bounds.size() && elapsed > bounds[bucket].limit) ++bucket;
  c.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  c.nanoseconds.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0)),
                          std::memory_order_relaxed);
}

void render_dns(std::string& out) {
  out +=
      "# HELP mailauth_dns_queries_total DNS queries sent to the resolver below the cache, by "
      "type and status.\n";
  out += "# TYPE mailauth_dns_queries_total counter\n";
  for (std::size_t t = 0; t < types.size(); ++t)
    for (std::size_t s = 0; s < statuses.size(); ++s)
      if (const auto n = counters[t].by_status[s].load(std::memory_order_relaxed); n > 0)
        out += "mailauth_dns_queries_total{type=\"" + std::string(to_string(types[t])) +
               "\",status=\"" + std::string(to_string(statuses[s])) + "\"} " + std::to_string(n) +
               "\n";

  out +=
      "# HELP mailauth_dns_query_duration_seconds Time of the DNS queries sent to the "
      "resolver below the cache, by type.\n";
  out += "# TYPE mailauth_dns_query_duration_seconds histogram\n";
  for (std::size_t t = 0; t < types.size(); ++t) {
    const TypeCounters& c = counters[t];
    // Each bucket is read once, so the cumulative counts rise and +Inf equals _count even while
    // queries are being recorded.
    std::array<std::uint64_t, bounds.size() + 1> n{};
    for (std::size_t b = 0; b < n.size(); ++b) n[b] = c.buckets[b].load(std::memory_order_relaxed);
    std::uint64_t total = 0;
    for (std::uint64_t v : n) total += v;
    if (total == 0) continue;
    const std::string type = "type=\"" + std::string(to_string(types[t])) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < bounds.size(); ++b) {
      cumulative += n[b];
      out += "mailauth_dns_query_duration_seconds_bucket{" + type + ",le=\"" + bounds[b].text +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "mailauth_dns_query_duration_seconds_bucket{" + type + ",le=\"+Inf\"} " +
           std::to_string(total) + "\n";
    out += "mailauth_dns_query_duration_seconds_sum{" + type + "} " +
           seconds_text(c.nanoseconds.load(std::memory_order_relaxed)) + "\n";
    out +=
        "mailauth_dns_query_duration_seconds_count{" + type + "} " + std::to_string(total) + "\n";
  }
}

}  // namespace metrics
}  // namespace mailauth::milter
