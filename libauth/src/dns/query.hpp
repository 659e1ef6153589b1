// Building a DNS query message (RFC 1035 §4.1) straight from a name key, and the message IDs that
// make replies hard to forge (RFC 5452 §4.3).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <auth/dns.hpp>

namespace auth::dns {

// Header, one question, and an OPT record when edns_size > 0. Fits any name key (255 octets).
using QueryBuffer = std::array<std::uint8_t, 12 + 256 + 4 + 11>;

// The query for `key` (see names.hpp) and `type`, class IN, recursion desired, written into
// `buffer`; returns the bytes written.
std::span<const std::uint8_t> build_query(QueryBuffer& buffer, std::string_view key, RrType type,
                                          std::uint16_t id, std::uint16_t edns_size);

// An unpredictable 16-bit message ID: SipHash-2-4 over a counter, under a key drawn from the
// system's random source once per thread, so a query costs no system call for its ID.
std::uint16_t next_query_id();

}  // namespace auth::dns
