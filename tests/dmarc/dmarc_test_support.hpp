// Helpers for the DMARC tests: zone files from testdata/dmarc through a ZoneResolver, with a log
// of the queries made (to check the tree walk's order and its 8-query bound), identifier
// builders and readable GoogleTest output.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include <auth/dmarc.hpp>
#include <auth/dns.hpp>

namespace auth::dmarc {
inline void PrintTo(Result r, std::ostream* os) { *os << to_string(r); }
inline void PrintTo(Policy p, std::ostream* os) { *os << to_string(p); }
}  // namespace auth::dmarc

namespace auth::dmarc::test {

inline std::string testdata(std::string_view file) {
  return std::string(MAILAUTH_TESTDATA) + "/dmarc/" + std::string(file);
}

// A resolver over another that logs each query as "name TYPE".
class LoggingResolver final : public dns::Resolver {
 public:
  explicit LoggingResolver(dns::Resolver& upstream) : upstream_(upstream) {}
  dns::Answer query(std::string_view name, dns::RrType type) override {
    {
      std::lock_guard lock(mutex_);
      log_.push_back(std::string(name) + " " + std::string(dns::to_string(type)));
    }
    return upstream_.query(name, type);
  }
  void prefetch(std::string_view name, dns::RrType type) override {
    std::lock_guard lock(mutex_);
    prefetched_.push_back(std::string(name) + " " + std::string(dns::to_string(type)));
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(log_, {});
  }
  std::vector<std::string> prefetched() {
    std::lock_guard lock(mutex_);
    return prefetched_;
  }

 private:
  dns::Resolver& upstream_;
  std::mutex mutex_;
  std::vector<std::string> log_;
  std::vector<std::string> prefetched_;
};

// A zone from testdata/dmarc with its logging front.
struct Zone {
  explicit Zone(std::string_view file) : zone(load(file)), dns(*zone) {}
  static std::unique_ptr<dns::ZoneResolver> load(std::string_view file) {
    auto z = dns::ZoneResolver::from_file(testdata(file));
    if (!z) ADD_FAILURE() << z.error().message;
    return z ? std::move(*z) : nullptr;
  }
  std::unique_ptr<dns::ZoneResolver> zone;
  LoggingResolver dns;
};

inline SpfIdentity spf(spf::Result result, std::string domain) {
  return {result, std::move(domain)};
}
inline DkimIdentity dkim(dkim::Result result, std::string domain, std::string selector = "s1") {
  return {result, std::move(domain), std::move(selector)};
}
inline Identifiers ids(std::optional<SpfIdentity> s, std::vector<DkimIdentity> d = {}) {
  Identifiers out;
  out.spf = std::move(s);
  out.dkim = std::move(d);
  return out;
}

}  // namespace auth::dmarc::test
