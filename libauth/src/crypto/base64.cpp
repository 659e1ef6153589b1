// RFC 4648 base64 with the padding DKIM uses. The decoder is table driven: one lookup per
// input byte classifies it as a sextet, folding white space, padding or invalid, and whole
// quanta without white space are decoded four bytes at a time.
#include <array>
#include <cstdint>
#include <string>

#include <auth/crypto.hpp>

namespace auth::crypto {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Table values below 64 are sextets; the rest all have bit 6 or 7 set, which the fast path tests.
constexpr std::uint8_t kSpace = 0x40;  // SP, HTAB, CR, LF: folding white space, skipped
constexpr std::uint8_t kPad = 0x41;    // '='
constexpr std::uint8_t kInvalid = 0x80;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  table[' '] = kSpace;
  table['\t'] = kSpace;
  table['\r'] = kSpace;
  table['\n'] = kSpace;
  table['='] = kPad;
  return table;
}

constexpr std::array<std::uint8_t, 256> kTable = make_table();

std::string describe_byte(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "0x";
  text += kHex[c >> 4];
  text += kHex[c & 0xF];
  if (c > 0x20 && c < 0x7F) {
    text += " '";
    text += static_cast<char>(c);
    text += '\'';
  }
  return text;
}

std::unexpected<Error> invalid_byte(unsigned char c, std::size_t offset) {
  return fail(ErrorCode::Syntax, "base64: invalid character " + describe_byte(c) + " at offset " +
                                     std::to_string(offset));
}

}  // namespace

std::string base64_encode(ByteView data) {
  std::string out;
  out.resize((data.size() + 2) / 3 * 4);
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v =
        std::uint32_t{data[i]} << 16 | std::uint32_t{data[i + 1]} << 8 | std::uint32_t{data[i + 2]};
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest != 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  return out;
}

Expected<Bytes> base64_decode(std::string_view text) {
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  Bytes out(n / 4 * 3 + 3);
  std::uint8_t* o = out.data();

  std::uint32_t acc = 0;  // sextets of the current quantum
  unsigned count = 0;     // how many of them
  std::size_t i = 0;
  while (i < n) {
    if (count == 0) {
      // Fast path: whole quanta of four sextets, no white space, no padding.
      while (i + 4 <= n) {
        const std::uint32_t a = kTable[in[i]], b = kTable[in[i + 1]], c = kTable[in[i + 2]],
                            d = kTable[in[i + 3]];
        if (((a | b | c | d) & 0xC0) != 0) break;
        const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
        o[0] = static_cast<std::uint8_t>(v >> 16);
        o[1] = static_cast<std::uint8_t>(v >> 8);
        o[2] = static_cast<std::uint8_t>(v);
        o += 3;
        i += 4;
      }
      if (i == n) break;
    }
    const std::uint8_t v = kTable[in[i]];
    if (v < 64) {
      acc = acc << 6 | v;
      if (++count == 4) {
        o[0] = static_cast<std::uint8_t>(acc >> 16);
        o[1] = static_cast<std::uint8_t>(acc >> 8);
        o[2] = static_cast<std::uint8_t>(acc);
        o += 3;
        acc = 0;
        count = 0;
      }
    } else if (v == kPad) {
      break;
    } else if (v != kSpace) {
      return invalid_byte(in[i], i);
    }
    ++i;
  }

  if (i < n) {
    // At the first '=': it may only end a quantum of two or three sextets ("xx==" or "xxx="),
    // and only white space may follow the padding.
    if (count < 2) {
      return fail(ErrorCode::Syntax, "base64: padding '=' at offset " + std::to_string(i) +
                                         (count == 0 ? " where a new quantum should start"
                                                     : " after a single character"));
    }
    unsigned pads = 0;
    const unsigned needed = 4 - count;
    for (; i < n; ++i) {
      const std::uint8_t v = kTable[in[i]];
      if (v == kSpace) continue;
      if (v == kPad && pads < needed) {
        ++pads;
        continue;
      }
      if (v == kInvalid) return invalid_byte(in[i], i);
      return fail(ErrorCode::Syntax, "base64: unexpected " + describe_byte(in[i]) + " at offset " +
                                         std::to_string(i) + " after the padding");
    }
    if (pads != needed) {
      return fail(ErrorCode::Syntax, "base64: incomplete padding: the last quantum needs " +
                                         std::to_string(needed) + " '=', found " +
                                         std::to_string(pads));
    }
    // Bits below the last whole byte are not checked: RFC 4648 allows decoders to ignore them.
    if (count == 2) {
      *o++ = static_cast<std::uint8_t>(acc >> 4);
    } else {
      *o++ = static_cast<std::uint8_t>(acc >> 10);
      *o++ = static_cast<std::uint8_t>(acc >> 2);
    }
  } else if (count != 0) {
    return fail(ErrorCode::Syntax, "base64: truncated input: " + std::to_string(count) +
                                       " character(s) after the last complete quantum and no "
                                       "padding");
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return out;
}

}  // namespace auth::crypto
