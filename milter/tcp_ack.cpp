#include "tcp_ack.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <cstring>

#include "log.hpp"

namespace mailauth::milter {
namespace {

// libmilter gives callbacks no socket. Its context (struct smfi_str in libmilter/libmilter.h,
// which is not installed) has begun with these two fields since sendmail 8.12 and still does in
// 8.17; the descriptor is used only after the checks in tcp_connection_socket().
struct ContextStart {
  pthread_t thread;  // ctx_id
  int socket;        // ctx_sd
};

unsigned port_of(int socket, bool local) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  if ((local ? getsockname(socket, generic, &size) : getpeername(socket, generic, &size)) != 0)
    return 0;
  if (address.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &address, sizeof in);
    return ntohs(in.sin_port);
  }
  if (address.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &address, sizeof in6);
    return ntohs(in6.sin6_port);
  }
  return 0;
}

bool connected_tcp(int socket) {
  int value = 0;
  socklen_t size = sizeof value;
  if (getsockopt(socket, SOL_SOCKET, SO_TYPE, &value, &size) != 0 || value != SOCK_STREAM)
    return false;
  size = sizeof value;
  if (getsockopt(socket, SOL_SOCKET, SO_PROTOCOL, &value, &size) != 0 || value != IPPROTO_TCP)
    return false;
  size = sizeof value;
  if (getsockopt(socket, SOL_SOCKET, SO_ACCEPTCONN, &value, &size) != 0 || value != 0) return false;
  sockaddr_storage peer{};
  socklen_t peer_size = sizeof peer;
  return getpeername(socket, reinterpret_cast<sockaddr*>(&peer), &peer_size) == 0;
}

}  // namespace

unsigned listening_port(const std::string& socket) {
  std::string_view rest = socket;
  if (rest.starts_with("inet:"))
    rest.remove_prefix(5);
  else if (rest.starts_with("inet6:"))
    rest.remove_prefix(6);
  else
    return 0;
  rest = rest.substr(0, rest.find('@'));
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
  return ec == std::errc{} && end == rest.data() + rest.size() && port <= 65535 ? port : 0;
}

int tcp_connection_socket(SMFICTX* ctx, unsigned port) {
  if (ctx == nullptr || port == 0) return -1;
  ContextStart start{};
  std::memcpy(&start, static_cast<const void*>(ctx), sizeof start);
  if (start.socket >= 0 && connected_tcp(start.socket) && port_of(start.socket, true) == port)
    return start.socket;
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true))
    log(LogLevel::Warning,
        "cannot find the MTA connection's socket in libmilter's context; over TCP each message "
        "may wait for a delayed ACK (a unix socket avoids it)");
  return -1;
}

unsigned peer_port(int socket) { return socket < 0 ? 0 : port_of(socket, false); }

void acknowledge_now(int socket) {
  if (socket < 0) return;
  const int on = 1;
  setsockopt(socket, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);  // best effort
}

}  // namespace mailauth::milter
