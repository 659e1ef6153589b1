// One DNS exchange with one server over UDP or TCP, bounded by a deadline. Replies are matched
// to the query by source (connected sockets), message ID and QR bit; anything else is ignored.
// Each exchange opens its own socket, so every query leaves from a fresh random source port
// (RFC 5452 §9.2); replies land in a buffer the caller reuses, never zeroed.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <auth/error.hpp>

namespace auth::dns {

struct ServerAddress {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;
};

// "192.0.2.53", "192.0.2.53:5353", "2001:db8::53", "[2001:db8::53]:5353".
Expected<ServerAddress> parse_server(std::string_view text);

// TooLarge: the reply does not fit the buffer (over UDP: a datagram longer than it; over TCP:
// a length prefix above it).
enum class ExchangeStatus { Reply, Timeout, NetworkError, TooLarge };

struct ExchangeResult {
  ExchangeStatus status = ExchangeStatus::NetworkError;
  std::span<const std::uint8_t> reply;  // the whole DNS message, inside `buffer`, when Reply
};

ExchangeResult udp_exchange(const ServerAddress& server, std::span<const std::uint8_t> query,
                            std::chrono::milliseconds timeout, std::span<std::uint8_t> buffer);
ExchangeResult tcp_exchange(const ServerAddress& server, std::span<const std::uint8_t> query,
                            std::chrono::milliseconds timeout, std::span<std::uint8_t> buffer);

}  // namespace auth::dns
