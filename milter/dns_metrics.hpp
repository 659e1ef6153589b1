// DNS figures for the metrics endpoint: a Resolver decorator that times every query reaching the
// real resolver (below the cache, so cache hits are not counted here), and the process-wide
// counters it feeds: queries by type and status, and a latency histogram by type.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <auth/dns.hpp>

namespace mailauth::milter {

class MeasuredResolver final : public auth::dns::Resolver {
 public:
  explicit MeasuredResolver(std::unique_ptr<auth::dns::Resolver> upstream);
  auth::dns::Answer query(std::string_view name, auth::dns::RrType type) override;
  void prefetch(std::string_view name, auth::dns::RrType type) override;

 private:
  std::unique_ptr<auth::dns::Resolver> upstream_;
};

namespace metrics {

// One query that took `elapsed` and ended with `status`. Thread-safe, lock-free.
void dns_query(auth::dns::RrType type, auth::dns::Status status, std::chrono::nanoseconds elapsed);

// mailauth_dns_queries_total and mailauth_dns_query_duration_seconds in the Prometheus text
// format, appended to `out`.
void render_dns(std::string& out);

}  // namespace metrics
}  // namespace mailauth::milter
