#include "metrics_http.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstring>
#include <stdexcept>

#include "metrics.hpp"
#include "runtime.hpp"

namespace mailauth::milter {
namespace {

MHD_Result respond(void*, MHD_Connection* connection, const char* url, const char* method,
                   const char*, const char*, size_t*, void**) {
  const bool get = std::strcmp(method, "GET") == 0 || std::strcmp(method, "HEAD") == 0;
  const bool known = std::strcmp(url, "/metrics") == 0 || std::strcmp(url, "/") == 0;
  std::string body;
  unsigned status = MHD_HTTP_OK;
  if (!get) {
    status = MHD_HTTP_METHOD_NOT_ALLOWED;
    body = "only GET\n";
  } else if (!known) {
    status = MHD_HTTP_NOT_FOUND;
    body = "see /metrics\n";
  } else {
    try {
      const auto runtime = current_runtime();
      body = metrics::render(runtime.get());
    } catch (...) {
      status = MHD_HTTP_INTERNAL_SERVER_ERROR;
      body = "metrics unavailable\n";
    }
  }
  MHD_Response* response =
      MHD_create_response_from_buffer(body.size(), body.data(), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  const MHD_Result result = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return result;
}

}  // namespace

struct MetricsServer::Impl {
  MHD_Daemon* daemon = nullptr;
};

MetricsServer::MetricsServer(const std::string& address) : impl_(std::make_unique<Impl>()) {
  const bool v6 = address.starts_with("inet6:");
  const std::string rest = address.substr(v6 ? 6 : 5);
  const std::size_t at = rest.find('@');
  const std::string port_text = rest.substr(0, at);
  const std::string host = at == std::string::npos ? (v6 ? "::1" : "127.0.0.1") : rest.substr(at + 1);
  int port = 0;
  try {
    port = std::stoi(port_text);
  } catch (...) {
    port = -1;
  }
  if (port <= 0 || port > 65535)
    throw std::runtime_error("metrics: '" + address + "' has no valid port");
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) != 1)
      throw std::runtime_error("metrics: '" + host + "' is not an IPv6 address");
    length = sizeof *in6;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) != 1)
      throw std::runtime_error("metrics: '" + host + "' is not an IPv4 address");
    length = sizeof *in;
  }
  static_cast<void>(length);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
  if (v6) flags |= MHD_USE_IPv6;
  impl_->daemon = MHD_start_daemon(flags, static_cast<std::uint16_t>(port), nullptr, nullptr,
                                   &respond, nullptr, MHD_OPTION_SOCK_ADDR, &storage,
                                   MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT,
                                   10u, MHD_OPTION_END);
  if (impl_->daemon == nullptr)
    throw std::runtime_error("metrics: cannot listen on " + address);
}

MetricsServer::~MetricsServer() {
  if (impl_->daemon != nullptr) MHD_stop_daemon(impl_->daemon);
}

}  // namespace mailauth::milter
