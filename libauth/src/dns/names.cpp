#include "dns/names.hpp"

#include <auth/domain_name.hpp>

namespace auth::dns {
namespace {

constexpr std::size_t max_label = 63;
constexpr std::size_t max_wire_name = 255;  // includes the root byte

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool push_label(std::string& key, const std::string& label) {
  if (label.empty() || label.size() > max_label) return false;
  if (key.size() + 1 + label.size() + 1 > max_wire_name) return false;
  key += static_cast<char>(label.size());
  for (char c : label) key += ascii_lower(c);
  return true;
}

}  // namespace

std::optional<std::string> name_key(std::string_view text) {
  std::string key;
  if (text.empty() || text == ".") return key;
  std::string label;
  bool ended_with_dot = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ended_with_dot = false;
    if (c == '.') {
      if (!push_label(key, label)) return std::nullopt;
      label.clear();
      ended_with_dot = true;
      continue;
    }
    if (c != '\\') {
      label += c;
    } else if (i + 1 >= text.size()) {
      return std::nullopt;
    } else if (is_digit(text[i + 1])) {
      // \DDD: exactly three decimal digits, at most 255.
      if (i + 3 >= text.size()) return std::nullopt;
      if (!is_digit(text[i + 2]) || !is_digit(text[i + 3])) return std::nullopt;
      const int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
      if (value > 255) return std::nullopt;
      label += static_cast<char>(value);
      i += 3;
    } else {
      label += text[i + 1];
      ++i;
    }
    if (label.size() > max_label) return std::nullopt;
  }
  if (!ended_with_dot && !push_label(key, label)) return std::nullopt;
  return key;
}

std::optional<std::string> name_key_from_wire(std::span<const std::uint8_t> wire) {
  std::string key;
  std::size_t i = 0;
  while (i < wire.size()) {
    const std::size_t len = wire[i];
    if (len == 0) return key;
    if (len > max_label || i + 1 + len > wire.size()) return std::nullopt;
    key += static_cast<char>(len);
    for (std::size_t j = 0; j < len; ++j) key += ascii_lower(static_cast<char>(wire[i + 1 + j]));
    i += 1 + len;
  }
  return std::nullopt;  // no root byte
}

std::string name_text(std::string_view key) {
  std::string out;
  std::size_t i = 0;
  while (i < key.size()) {
    const std::size_t len = static_cast<unsigned char>(key[i]);
    if (!out.empty()) out += '.';
    for (std::size_t j = 0; j < len && i + 1 + j < key.size(); ++j) {
      const auto b = static_cast<unsigned char>(key[i + 1 + j]);
      if (b <= 0x20 || b >= 0x7f) {
        out += '\\';
        out += static_cast<char>('0' + b / 100);
        out += static_cast<char>('0' + b / 10 % 10);
        out += static_cast<char>('0' + b % 10);
        continue;
      }
      switch (b) {
        case '.':
        case '\\':
        case '"':
        case '(':
        case ')':
        case ';':
        case '@':
        case '$':
          out += '\\';
          break;
        default:
          break;
      }
      out += static_cast<char>(b);
    }
    i += 1 + len;
  }
  return out;
}

std::string_view parent_key(std::string_view key) {
  if (key.empty()) return key;
  const std::size_t len = static_cast<unsigned char>(key[0]);
  if (1 + len >= key.size()) return {};
  return key.substr(1 + len);
}

}  // namespace auth::dns
