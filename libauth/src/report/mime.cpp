#include "report/mime.hpp"

#include <sys/random.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <ctime>

#include <auth/crypto.hpp>

namespace auth::dmarc::mime {

std::string date(TimePoint t) {
  const std::time_t seconds = static_cast<std::time_t>(to_unix(t));
  std::tm tm{};
  (void)gmtime_r(&seconds, &tm);  // fails only past year 2^31; tm then stays zeroed
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buffer, n);
}

std::string base64_lines(std::string_view data) {
  const std::string encoded = crypto::base64_encode(
      crypto::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  std::string out;
  out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76);
    out += "\r\n";
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string raw(bytes, '\0');
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < bytes) {
    // getrandom does not fail once the pool is ready; mix the clock in all the same.
    auto t =
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    for (std::size_t i = got; i < bytes; ++i)
      raw[i] = static_cast<char>((t >> ((i % 8) * 8)) & 0xff);
  }
  std::string out;
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(hex[u >> 4]);
    out.push_back(hex[u & 15]);
  }
  return out;
}

std::string display_name(std::string_view name) {
  bool ascii = true, plain = true;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20) ascii = false;
    if (!(std::isalnum(u) || c == ' ' || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' ||
          c == '\'' || c == '*' || c == '+' || c == '-' || c == '/' || c == '=' || c == '?' ||
          c == '^' || c == '_' || c == '`' || c == '{' || c == '|' || c == '}' || c == '~'))
      plain = false;
  }
  if (!ascii) {
    std::string out = "=?UTF-8?B?";
    out += crypto::base64_encode(
        crypto::ByteView(reinterpret_cast<const std::uint8_t*>(name.data()), name.size()));
    out += "?=";
    return out;
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string header_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

std::string to_lf(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    out.push_back(message[i]);
  }
  return out;
}

}  // namespace auth::dmarc::mime
