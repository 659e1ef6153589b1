#include <auth/ip_address.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace auth {

Expected<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() > INET6_ADDRSTRLEN) return fail(ErrorCode::Syntax, "not an IP address: too long");
  const std::string s(text);
  IpAddress ip;
  if (s.find(':') == std::string::npos) {
    // inet_pton accepts exactly the dotted-quad form (no octal, no short forms).
    if (inet_pton(AF_INET, s.c_str(), ip.bytes_.data()) != 1)
      return fail(ErrorCode::Syntax, "not an IPv4 address: \"" + s + "\"");
    ip.family_ = Family::V4;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes_.data()) != 1)
    return fail(ErrorCode::Syntax, "not an IPv6 address: \"" + s + "\"");
  ip.family_ = Family::V6;
  return ip;
}

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) {
  IpAddress ip;
  std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());
  return ip;
}

IpAddress IpAddress::v6(std::array<std::uint8_t, 16> bytes) {
  IpAddress ip;
  ip.family_ = Family::V6;
  ip.bytes_ = bytes;
  return ip;
}

IpAddress IpAddress::unmapped() const {
  static constexpr std::uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family_ != Family::V6 || std::memcmp(bytes_.data(), mapped_prefix, 12) != 0) return *this;
  return v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

bool IpAddress::in_network(const IpAddress& network, unsigned prefix_len) const {
  if (family_ != network.family_) return false;
  const unsigned total_bits = static_cast<unsigned>(size()) * 8;
  prefix_len = std::min(prefix_len, total_bits);
  const unsigned whole = prefix_len / 8;
  if (std::memcmp(bytes_.data(), network.bytes_.data(), whole) != 0) return false;
  const unsigned rest = prefix_len % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (bytes_[whole] & mask) == (network.bytes_[whole] & mask);
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::string IpAddress::spf_dotted() const {
  if (is_v4()) return str();
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(63);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i) out += '.';
    out += hex[bytes_[i] >> 4];
    out += '.';
    out += hex[bytes_[i] & 0xf];
  }
  return out;
}

std::string IpAddress::reverse_name() const {
  std::string out;
  if (is_v4()) {
    for (int i = 3; i >= 0; --i) out += std::to_string(bytes_[static_cast<std::size_t>(i)]) + ".";
    return out + "in-addr.arpa";
  }
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    const auto b = bytes_[static_cast<std::size_t>(i)];
    out += hex[b & 0xf];
    out += '.';
    out += hex[b >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

}  // namespace auth
