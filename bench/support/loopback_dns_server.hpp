// A DNS server on 127.0.0.1 for benchmarks of uncached lookups: UDP only, answers from a master
// file compiled to wire form once, so a query costs the server a hash lookup and a copy and the
// figures measure the client. Port 0 picks a free one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace auth::bench {

class LoopbackDnsServer {
 public:
  // Throws std::runtime_error when the zone cannot be read or the port cannot be bound.
  LoopbackDnsServer(const std::string& zone_file, std::uint16_t port = 0);
  ~LoopbackDnsServer();
  LoopbackDnsServer(const LoopbackDnsServer&) = delete;
  LoopbackDnsServer& operator=(const LoopbackDnsServer&) = delete;

  std::uint16_t port() const;
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  std::uint64_t queries() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auth::bench
