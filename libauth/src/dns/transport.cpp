#include "dns/transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace auth::dns {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t header_size = 12;
constexpr std::size_t max_message = 65535;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` until `deadline`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

std::uint16_t message_id(std::span<const std::uint8_t> m) {
  return static_cast<std::uint16_t>(m[0] << 8 | m[1]);
}

// A reply to `query`: same ID, QR set, and the same question section bytes (names compared
// case-insensitively would be kinder, but servers echo the question as sent).
bool is_reply_to(std::span<const std::uint8_t> reply, std::span<const std::uint8_t> query) {
  if (reply.size() < header_size || query.size() < header_size) return false;
  if (message_id(reply) != message_id(query) || (reply[2] & 0x80) == 0) return false;
  // QDCOUNT must match; the question itself is checked by the caller after parsing.
  return reply[4] == query[4] && reply[5] == query[5];
}

Socket open_socket(const ServerAddress& server, int type) {
  return Socket(::socket(server.address.ss_family, type | SOCK_CLOEXEC, 0));
}

enum class IoStatus { Ok, Timeout, Error };

IoStatus write_all(int fd, std::span<const std::uint8_t> data, Clock::time_point deadline) {
  while (!data.empty()) {
    if (!wait_for(fd, POLLOUT, deadline)) return IoStatus::Timeout;
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return IoStatus::Error;
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return IoStatus::Ok;
}

IoStatus read_all(int fd, std::span<std::uint8_t> into, Clock::time_point deadline) {
  while (!into.empty()) {
    if (!wait_for(fd, POLLIN, deadline)) return IoStatus::Timeout;
    const ssize_t n = ::recv(fd, into.data(), into.size(), 0);
    if (n == 0) return IoStatus::Error;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return IoStatus::Error;
    }
    into = into.subspan(static_cast<std::size_t>(n));
  }
  return IoStatus::Ok;
}

ExchangeResult failed(IoStatus status) {
  return {status == IoStatus::Timeout ? ExchangeStatus::Timeout : ExchangeStatus::NetworkError, {}};
}

ExchangeResult failed(ExchangeStatus status) { return {status, {}}; }

}  // namespace

Expected<ServerAddress> parse_server(std::string_view text) {
  std::string host(text);
  std::string port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos)
      return fail(ErrorCode::InvalidArgument, "bad DNS server \"" + std::string(text) + "\"");
    host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':'))
        return fail(ErrorCode::InvalidArgument, "bad DNS server \"" + std::string(text) + "\"");
      port_text = std::string(rest.substr(1));
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const auto colon = text.find(':');
    host = std::string(text.substr(0, colon));
    port_text = std::string(text.substr(colon + 1));
  }
  unsigned port = 53;
  if (!port_text.empty()) {
    const bool digits =
        port_text.size() <= 5 && port_text.find_first_not_of("0123456789") == std::string::npos;
    if (digits) port = static_cast<unsigned>(std::stoul(port_text));
    if (!digits || port == 0 || port > 65535)
      return fail(ErrorCode::InvalidArgument,
                  "bad port in DNS server \"" + std::string(text) + "\"");
  }
  ServerAddress server;
  server.text = std::string(text);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&server.address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&server.address);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    server.length = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    server.length = sizeof(sockaddr_in6);
  } else {
    return fail(ErrorCode::InvalidArgument,
                "DNS server is not an IP address: \"" + std::string(text) + "\"");
  }
  return server;
}

ExchangeResult udp_exchange(const ServerAddress& server, std::span<const std::uint8_t> query,
                            std::chrono::milliseconds timeout, std::span<std::uint8_t> buffer) {
  const auto deadline = Clock::now() + timeout;
  Socket sock = open_socket(server, SOCK_DGRAM | SOCK_NONBLOCK);
  if (sock.get() < 0) return {};
  // Connected: the kernel drops datagrams from other addresses and reports ICMP errors.
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&server.address), server.length) != 0)
    return {};
  if (::send(sock.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size()))
    return {};
  while (true) {
    if (!wait_for(sock.get(), POLLIN, deadline)) return failed(ExchangeStatus::Timeout);
    // MSG_TRUNC: the datagram's real length, to tell a reply that did not fit.
    const ssize_t n = ::recv(sock.get(), buffer.data(), buffer.size(), MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return {};  // ECONNREFUSED and friends: nobody serves there
    }
    const auto size = static_cast<std::size_t>(n);
    const std::span<const std::uint8_t> reply(buffer.data(), std::min(size, buffer.size()));
    if (!is_reply_to(reply, query)) continue;  // stray or forged: keep waiting
    if (size > buffer.size()) return failed(ExchangeStatus::TooLarge);
    return {ExchangeStatus::Reply, reply};
  }
}

ExchangeResult tcp_exchange(const ServerAddress& server, std::span<const std::uint8_t> query,
                            std::chrono::milliseconds timeout, std::span<std::uint8_t> buffer) {
  const auto deadline = Clock::now() + timeout;
  if (query.size() > max_message) return {};
  Socket sock = open_socket(server, SOCK_STREAM | SOCK_NONBLOCK);
  if (sock.get() < 0) return {};
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&server.address), server.length) !=
      0) {
    if (errno != EINPROGRESS) return {};
    if (!wait_for(sock.get(), POLLOUT, deadline)) return failed(ExchangeStatus::Timeout);
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) return {};
  }
  // RFC 1035 §4.2.2: a two-octet length, then the message, in one write (two small writes
  // would meet Nagle's algorithm and the server's delayed ACK).
  std::vector<std::uint8_t> framed;
  framed.reserve(query.size() + 2);
  framed.push_back(static_cast<std::uint8_t>(query.size() >> 8));
  framed.push_back(static_cast<std::uint8_t>(query.size() & 0xff));
  framed.insert(framed.end(), query.begin(), query.end());
  if (auto s = write_all(sock.get(), framed, deadline); s != IoStatus::Ok) return failed(s);

  std::uint8_t length[2];
  if (auto s = read_all(sock.get(), length, deadline); s != IoStatus::Ok) return failed(s);
  const auto size = static_cast<std::size_t>(length[0] << 8 | length[1]);
  if (size > buffer.size()) return failed(ExchangeStatus::TooLarge);
  const std::span<std::uint8_t> reply = buffer.first(size);
  if (auto s = read_all(sock.get(), reply, deadline); s != IoStatus::Ok) return failed(s);
  if (!is_reply_to(reply, query)) return {};
  return {ExchangeStatus::Reply, reply};
}

}  // namespace auth::dns
