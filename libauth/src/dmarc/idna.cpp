#include "dmarc/idna.hpp"

#include <cstdint>
#include <limits>

#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

// RFC 3492 §5 parameters for Punycode.
constexpr std::uint32_t base = 36;
constexpr std::uint32_t tmin = 1;
constexpr std::uint32_t tmax = 26;
constexpr std::uint32_t skew = 38;
constexpr std::uint32_t damp = 700;
constexpr std::uint32_t initial_bias = 72;
constexpr std::uint32_t initial_n = 0x80;
constexpr std::uint32_t max_value = std::numeric_limits<std::uint32_t>::max();

constexpr std::size_t max_label_octets = 63;
constexpr std::size_t max_name_octets = 253;

char encode_digit(std::uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

std::optional<std::uint32_t> decode_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0' + 26);
  if (c >= 'a' && c <= 'z') return static_cast<std::uint32_t>(c - 'a');
  if (c >= 'A' && c <= 'Z') return static_cast<std::uint32_t>(c - 'A');
  return std::nullopt;
}

// RFC 3492 §6.1.
std::uint32_t adapt(std::uint32_t delta, std::uint32_t numpoints, bool first_time) {
  delta = first_time ? delta / damp : delta / 2;
  delta += delta / numpoints;
  std::uint32_t k = 0;
  while (delta > ((base - tmin) * tmax) / 2) {
    delta /= base - tmin;
    k += base;
  }
  return k + (((base - tmin + 1) * delta) / (delta + skew));
}

std::uint32_t threshold(std::uint32_t k, std::uint32_t bias) {
  if (k <= bias) return tmin;
  if (k >= bias + tmax) return tmax;
  return k - bias;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
std::optional<std::u32string> decode_utf8(std::string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;
      cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3;
      cp = b0 & 0x0Fu;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4;
      cp = b0 & 0x07u;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return std::nullopt;
    }
    if (text.size() - i < length) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return std::nullopt;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    out.push_back(cp);
    i += length;
  }
  return out;
}

// Upper to lower case for the scripts most IDN mail domains use (see idna.hpp).
char32_t to_lower_cp(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1
  if (c >= 0x100 && c <= 0x17F) {                            // Latin Extended-A
    if (c == 0x178) return 0xFF;
    const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    const bool even_upper =
        (c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177);
    if (odd_upper && c % 2 == 1) return c + 1;
    if (even_upper && c % 2 == 0) return c + 1;
    return c;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

bool ascii_label_char(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::optional<std::string> punycode_encode(std::u32string_view input) {
  std::string out;
  for (char32_t c : input)
    if (c < 0x80) out.push_back(static_cast<char>(c));
  const auto basic = static_cast<std::uint32_t>(out.size());
  std::uint32_t handled = basic;
  if (basic > 0) out.push_back('-');

  std::uint32_t n = initial_n, delta = 0, bias = initial_bias;
  const auto total = static_cast<std::uint32_t>(input.size());
  while (handled < total) {
    std::uint32_t m = max_value;  // the smallest code point not handled yet
    for (char32_t c : input)
      if (c >= n && c < m) m = c;
    if (m - n > (max_value - delta) / (handled + 1)) return std::nullopt;
    delta += (m - n) * (handled + 1);
    n = m;
    for (char32_t c : input) {
      // cppcheck-suppress knownConditionTrueFalse ; RFC 3492 §6.3 overflow test: delta wraps to 0
      if (c < n && ++delta == 0) return std::nullopt;
      if (c != n) continue;
      std::uint32_t q = delta;
      for (std::uint32_t k = base;; k += base) {
        const std::uint32_t t = threshold(k, bias);
        if (q < t) break;
        out.push_back(encode_digit(t + (q - t) % (base - t)));
        q = (q - t) / (base - t);
      }
      out.push_back(encode_digit(q));
      bias = adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return out;
}

std::optional<std::u32string> punycode_decode(std::string_view input) {
  std::u32string out;
  const auto dash = input.rfind('-');
  std::size_t in = 0;
  if (dash != std::string_view::npos) {
    for (std::size_t i = 0; i < dash; ++i) {
      if (static_cast<unsigned char>(input[i]) >= 0x80) return std::nullopt;
      out.push_back(static_cast<unsigned char>(input[i]));
    }
    in = dash + 1;
  }
  std::uint32_t n = initial_n, i = 0, bias = initial_bias;
  while (in < input.size()) {
    const std::uint32_t oldi = i;
    std::uint32_t w = 1;
    for (std::uint32_t k = base;; k += base) {
      if (in >= input.size()) return std::nullopt;
      const auto digit = decode_digit(input[in++]);
      if (!digit || *digit > (max_value - i) / w) return std::nullopt;
      i += *digit * w;
      const std::uint32_t t = threshold(k, bias);
      if (*digit < t) break;
      if (w > max_value / (base - t)) return std::nullopt;
      w *= base - t;
    }
    const auto count = static_cast<std::uint32_t>(out.size() + 1);
    bias = adapt(i - oldi, count, oldi == 0);
    if (i / count > max_value - n) return std::nullopt;
    n += i / count;
    i %= count;
    if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF)) return std::nullopt;
    out.insert(out.begin() + i, static_cast<char32_t>(n));
    ++i;
  }
  return out;
}

Expected<std::string> to_a_labels(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty()) return fail(ErrorCode::Syntax, "empty domain name");
  const auto bad = [&](std::string_view what) {
    return fail(ErrorCode::Syntax,
                message::concat({what, " in domain ", message::quoted_excerpt(domain, '"', 80)}));
  };
  std::string out;
  out.reserve(domain.size());
  // Fast path for the usual all-ASCII name: lower case and check, no code point conversion.
  bool all_ascii = true;
  for (char c : domain) all_ascii = all_ascii && static_cast<unsigned char>(c) < 0x80;
  if (all_ascii) {
    if (domain.size() > max_name_octets) return bad("name longer than 253 octets");
    std::size_t label = 0;
    for (char c : domain) {
      if (c == '.') {
        if (label == 0) return bad("empty label");
        label = 0;
        out.push_back(c);
        continue;
      }
      c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 0x20) : c;
      if (!ascii_label_char(static_cast<unsigned char>(c))) return bad("character not allowed");
      if (++label > max_label_octets) return bad("label longer than 63 octets");
      out.push_back(c);
    }
    if (label == 0) return bad("empty label");
    return out;
  }
  std::size_t start = 0;
  for (;;) {
    const auto dot = domain.find('.', start);
    const auto label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return bad("empty label");
    if (!out.empty()) out.push_back('.');
    auto cps = decode_utf8(label);
    if (!cps) return bad("invalid UTF-8");
    bool ascii = true;
    for (char32_t& c : *cps) {
      c = to_lower_cp(c);
      if (c >= 0x80) {
        ascii = false;
        // Controls, spaces and separators never belong in a host name.
        if (c <= 0xA0 || c == 0x3000 || c == 0xFEFF || (c >= 0x2000 && c <= 0x206F))
          return bad("character not allowed");
      } else if (!ascii_label_char(c)) {
        return bad("character not allowed");
      }
    }
    std::string a_label;
    if (ascii) {
      for (char32_t c : *cps) a_label.push_back(static_cast<char>(c));
    } else {
      auto encoded = punycode_encode(*cps);
      if (!encoded) return bad("label cannot be encoded");
      a_label = "xn--" + *encoded;
    }
    if (a_label.size() > max_label_octets) return bad("label longer than 63 octets");
    out += a_label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (out.size() > max_name_octets) return bad("name longer than 253 octets");
  return out;
}

}  // namespace auth::dmarc
