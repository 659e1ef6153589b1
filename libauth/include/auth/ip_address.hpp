// auth::IpAddress: an IPv4 or IPv6 address with CIDR matching (SPF ip4/ip6/a/mx, client address).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <auth/error.hpp>

namespace auth {

class IpAddress {
 public:
  enum class Family { V4, V6 };

  IpAddress() = default;  // 0.0.0.0
  static Expected<IpAddress> parse(std::string_view text);  // dotted quad or RFC 4291 text
  static IpAddress v4(std::array<std::uint8_t, 4> bytes);
  static IpAddress v6(std::array<std::uint8_t, 16> bytes);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::V4; }
  // Network-order bytes: 4 for IPv4, 16 for IPv6.
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return is_v4() ? 4 : 16; }

  // ::ffff:a.b.c.d becomes a.b.c.d (RFC 7208 §5: treat IPv4-mapped clients as IPv4).
  IpAddress unmapped() const;
  // True when the first `prefix_len` bits equal those of `network` (same family required).
  bool in_network(const IpAddress& network, unsigned prefix_len) const;

  std::string str() const;        // 192.0.2.1, 2001:db8::1 (RFC 5952 form)
  std::string reverse_name() const;  // 1.2.0.192.in-addr.arpa / nibble.ip6.arpa
  // SPF %{i}: dotted quad, or 32 dot-separated nibbles for IPv6 (RFC 7208 §7.3).
  std::string spf_dotted() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace auth
