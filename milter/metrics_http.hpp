// The metrics endpoint: a small HTTP server (libmicrohttpd) answering GET /metrics with the
// Prometheus text format (metrics.hpp). Runs its own thread; off unless `metrics` is set.
#pragma once

#include <memory>
#include <string>

namespace mailauth::milter {

class MetricsServer {
 public:
  // `address` is inet:PORT@HOST or inet6:PORT@HOST. Throws std::runtime_error naming it when it
  // cannot listen.
  explicit MetricsServer(const std::string& address);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailauth::milter
