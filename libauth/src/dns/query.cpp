#include "dns/query.hpp"

#include <sys/random.h>

#include <bit>
#include <chrono>

namespace auth::dns {
namespace {

void put16(std::uint8_t*& out, std::uint16_t value) {
  *out++ = static_cast<std::uint8_t>(value >> 8);
  *out++ = static_cast<std::uint8_t>(value & 0xff);
}

// SipHash-2-4 (Aumasson and Bernstein) of one 8-octet message.
class SipHash {
 public:
  SipHash(std::uint64_t k0, std::uint64_t k1) : k0_(k0), k1_(k1) {}

  std::uint64_t operator()(std::uint64_t m) const {
    std::uint64_t v0 = k0_ ^ 0x736f6d6570736575ULL, v1 = k1_ ^ 0x646f72616e646f6dULL;
    std::uint64_t v2 = k0_ ^ 0x6c7967656e657261ULL, v3 = k1_ ^ 0x7465646279746573ULL;
    auto round = [&] {
      v0 += v1, v1 = std::rotl(v1, 13), v1 ^= v0, v0 = std::rotl(v0, 32);
      v2 += v3, v3 = std::rotl(v3, 16), v3 ^= v2;
      v0 += v3, v3 = std::rotl(v3, 21), v3 ^= v0;
      v2 += v1, v1 = std::rotl(v1, 17), v1 ^= v2, v2 = std::rotl(v2, 32);
    };
    const std::uint64_t last = std::uint64_t{8} << 56;  // message length, no bytes left over
    for (const std::uint64_t block : {m, last}) {
      v3 ^= block;
      round();
      round();
      v0 ^= block;
    }
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) round();
    return v0 ^ v1 ^ v2 ^ v3;
  }

 private:
  std::uint64_t k0_, k1_;
};

class IdGenerator {
 public:
  IdGenerator() : hash_(seed(), seed()) {}

  std::uint16_t next() {
    if (left_ == 0) {
      pool_ = hash_(counter_++);
      left_ = 4;
    }
    --left_;
    const auto id = static_cast<std::uint16_t>(pool_ & 0xffff);
    pool_ >>= 16;
    return id;
  }

 private:
  static std::uint64_t seed() {
    std::uint64_t value = 0;
    std::size_t got = 0;
    auto* bytes = reinterpret_cast<unsigned char*>(&value);
    while (got < sizeof value) {
      const ssize_t n = ::getrandom(bytes + got, sizeof value - got, 0);
      if (n > 0) {
        got += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EINTR) {
        // No random source at all (seccomp, ancient kernel): the clock is a poor key, but
        // replies are still matched by source address, port and question.
        return value ^ static_cast<std::uint64_t>(
                           std::chrono::steady_clock::now().time_since_epoch().count());
      }
    }
    return value;
  }

  SipHash hash_;
  std::uint64_t counter_ = 0;
  std::uint64_t pool_ = 0;
  int left_ = 0;
};

}  // namespace

std::span<const std::uint8_t> build_query(QueryBuffer& buffer, std::string_view key, RrType type,
                                          std::uint16_t id, std::uint16_t edns_size) {
  std::uint8_t* out = buffer.data();
  put16(out, id);
  put16(out, 0x0100);                 // QR=0, OPCODE=QUERY, RD=1
  put16(out, 1);                      // QDCOUNT
  put16(out, 0);                      // ANCOUNT
  put16(out, 0);                      // NSCOUNT
  put16(out, edns_size > 0 ? 1 : 0);  // ARCOUNT
  const std::size_t name_size = std::min(key.size(), std::size_t{255});
  for (std::size_t i = 0; i < name_size; ++i) *out++ = static_cast<std::uint8_t>(key[i]);
  *out++ = 0;  // root
  put16(out, static_cast<std::uint16_t>(type));
  put16(out, 1);  // IN
  if (edns_size > 0) {
    // RFC 6891 §6.1.2: root owner, TYPE OPT, CLASS = UDP payload size, TTL 0, no RDATA.
    *out++ = 0;
    put16(out, 41);
    put16(out, edns_size);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
  }
  return {buffer.data(), static_cast<std::size_t>(out - buffer.data())};
}

std::uint16_t next_query_id() {
  // NOLINTNEXTLINE(misc-use-internal-linkage): a local; clang-tidy 19 misreads thread_local
  thread_local IdGenerator generator;
  return generator.next();
}

}  // namespace auth::dns
