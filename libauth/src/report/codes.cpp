#include "report/codes.hpp"

#include <array>
#include <utility>

namespace auth::dmarc::report_codes {
namespace {

template <class E, std::size_t N>
std::optional<E> find(const std::array<std::pair<E, std::string_view>, N>& table,
                      std::string_view text) {
  for (const auto& [value, name] : table)
    if (name == text) return value;
  return std::nullopt;
}
template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "";
}

constexpr std::array<std::pair<Result, std::string_view>, 5> results{{
    {Result::None, "none"},
    {Result::Pass, "pass"},
    {Result::Fail, "fail"},
    {Result::TempError, "temperror"},
    {Result::PermError, "permerror"},
}};
constexpr std::array<std::pair<Policy, std::string_view>, 3> policies{{
    {Policy::None, "none"},
    {Policy::Quarantine, "quarantine"},
    {Policy::Reject, "reject"},
}};
constexpr std::array<std::pair<AlignmentMode, std::string_view>, 2> alignments{{
    {AlignmentMode::Relaxed, "r"},
    {AlignmentMode::Strict, "s"},
}};
constexpr std::array<std::pair<PsdFlag, std::string_view>, 3> psd_flags{{
    {PsdFlag::Unspecified, "u"},
    {PsdFlag::Yes, "y"},
    {PsdFlag::No, "n"},
}};
constexpr std::array<std::pair<DiscoveryMethod, std::string_view>, 2> discoveries{{
    {DiscoveryMethod::TreeWalk, "treewalk"},
    {DiscoveryMethod::Psl, "psl"},
}};
constexpr std::array<std::pair<OverrideReason, std::string_view>, 5> overrides{{
    {OverrideReason::LocalPolicy, "local_policy"},
    {OverrideReason::MailingList, "mailing_list"},
    {OverrideReason::Other, "other"},
    {OverrideReason::PolicyTestMode, "policy_test_mode"},
    {OverrideReason::TrustedForwarder, "trusted_forwarder"},
}};

bool needs_escape(unsigned char c) {
  return c == '%' || c == ',' || c == ' ' || c < 0x20 || c == 0x7f;
}

void append_escaped(std::string& out, std::string_view field) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : field) {
    const auto c = static_cast<unsigned char>(ch);
    if (needs_escape(c)) {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '%' && i + 2 < field.size()) {
      const int hi = hex_value(field[i + 1]), lo = hex_value(field[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

}  // namespace

std::string_view word(Result result) { return name_of(results, result); }
std::string_view word(Policy policy) { return name_of(policies, policy); }
std::string_view word(AlignmentMode mode) { return name_of(alignments, mode); }
std::string_view word(PsdFlag flag) { return name_of(psd_flags, flag); }
std::string_view word(DiscoveryMethod method) { return name_of(discoveries, method); }
std::string_view word(OverrideReason reason) { return name_of(overrides, reason); }

std::optional<Result> parse_result(std::string_view text) { return find(results, text); }
std::optional<Policy> parse_policy(std::string_view text) { return find(policies, text); }
std::optional<AlignmentMode> parse_alignment(std::string_view text) {
  return find(alignments, text);
}
std::optional<PsdFlag> parse_psd(std::string_view text) { return find(psd_flags, text); }
std::optional<DiscoveryMethod> parse_discovery(std::string_view text) {
  return find(discoveries, text);
}
std::optional<OverrideReason> parse_override(std::string_view text) {
  return find(overrides, text);
}

std::string encode_list(const std::vector<std::vector<std::string>>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out.push_back(',');
    for (std::size_t f = 0; f < items[i].size(); ++f) {
      if (f != 0) out.push_back(' ');
      append_escaped(out, items[i][f]);
    }
  }
  return out;
}

std::vector<std::vector<std::string>> decode_list(std::string_view text) {
  std::vector<std::vector<std::string>> items;
  if (text.empty()) return items;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::vector<std::string> fields;
    std::size_t f = 0;
    while (true) {
      const std::size_t space = item.find(' ', f);
      fields.push_back(unescape(
          item.substr(f, space == std::string_view::npos ? std::string_view::npos : space - f)));
      if (space == std::string_view::npos) break;
      f = space + 1;
    }
    items.push_back(std::move(fields));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

std::string encode_words(const std::vector<std::string>& words) {
  std::vector<std::vector<std::string>> items;
  items.reserve(words.size());
  for (const auto& w : words) items.push_back({w});
  return encode_list(items);
}

std::vector<std::string> decode_words(std::string_view text) {
  std::vector<std::string> words;
  for (auto& item : decode_list(text)) words.push_back(item.empty() ? std::string() : item[0]);
  return words;
}

}  // namespace auth::dmarc::report_codes
