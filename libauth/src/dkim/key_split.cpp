// What TXT string boundaries did to a DKIM key record (see key_split.hpp).
#include "dkim/key_split.hpp"

#include <algorithm>
#include <numeric>

#include "message/excerpt.hpp"

namespace auth::dkim {
namespace {

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr std::size_t context_bytes = 16;  // shown on each side of a split
constexpr std::size_t max_listed_splits = 4;
constexpr std::size_t max_error_shown = 100;   // parse errors may quote a whole p= value
constexpr std::size_t max_joined_records = 4;  // 4! orders at most

// The string number (1-based) that ends at `split`.
std::size_t string_before(std::span<const std::size_t> splits, std::size_t split) {
  return static_cast<std::size_t>(std::find(splits.begin(), splits.end(), split) - splits.begin()) +
         1;
}

}  // namespace

std::vector<std::size_t> split_points(const dns::Answer& answer, std::size_t index) {
  std::vector<std::size_t> out;
  if (index >= answer.txt.size() || index >= answer.txt_string_lengths.size()) return out;
  const auto& lengths = answer.txt_string_lengths[index];
  const std::size_t total = std::accumulate(lengths.begin(), lengths.end(), std::size_t{0});
  if (total != answer.txt[index].size()) return out;
  std::size_t at = 0;
  for (const std::uint8_t length : lengths) {
    at += length;
    // Empty strings add no new boundary; the end of the text is not a split.
    if (at > 0 && at < total && (out.empty() || out.back() != at)) out.push_back(at);
  }
  return out;
}

std::optional<std::string> whitespace_at_splits(std::string_view text,
                                                std::span<const std::size_t> splits) {
  auto tags = parse_tag_list(text);
  if (!tags) return std::nullopt;
  const Tag* p = find_tag(*tags, "p");
  if (p == nullptr || p->value.empty()) return std::nullopt;
  // The base64 itself: from its first to its last non-FWS byte.
  const auto first = static_cast<std::size_t>(p->value.data() - text.data());
  const std::size_t last = first + p->value.size();
  std::string found;
  for (const std::size_t split : splits) {
    if (split <= first || split >= last) continue;
    if (!is_fws(text[split - 1]) && !is_fws(text[split])) continue;
    const std::size_t n = string_before(splits, split);
    if (!found.empty()) found += ", ";
    found += std::to_string(n) + " and " + std::to_string(n + 1);
  }
  if (found.empty()) return std::nullopt;
  return "p= has white space where one TXT string ends and the next begins (strings " + found +
         "); verifiers skip white space in p= (RFC 6376 §3.6.1), but it usually means the key was "
         "split or pasted by hand: publish the strings without it";
}

std::string describe_unparsable_split(std::string_view text, std::span<const std::size_t> splits,
                                      const Error& error) {
  std::string out = "its " + std::to_string(splits.size() + 1) +
                    " strings join, with nothing added between them (RFC 6376 §3.6.2.2), into "
                    "text that does not parse (" +
                    message::excerpt(error.message, max_error_shown) + "); at the splits:";
  std::size_t listed = 0;
  for (const std::size_t split : splits) {
    if (listed++ == max_listed_splits) {
      out += " ...";
      break;
    }
    const std::size_t n = string_before(splits, split);
    const std::size_t from = split > context_bytes ? split - context_bytes : 0;
    out += (listed > 1 ? ";" : "");
    out += " string " + std::to_string(n) + " ends " +
           message::quoted_excerpt(text.substr(from, split - from), '"', context_bytes) +
           ", string " + std::to_string(n + 1) + " starts " +
           message::quoted_excerpt(text.substr(split), '"', context_bytes);
  }
  // The usual slip: strings written as if each were a separate list, without the ';' between.
  for (const std::size_t split : splits) {
    std::string mended(text.substr(0, split));
    mended += "; ";
    mended += text.substr(split);
    if (parse_key_record(mended)) {
      const std::size_t n = string_before(splits, split);
      out += "; with a ';' between strings " + std::to_string(n) + " and " + std::to_string(n + 1) +
             " it would parse";
      break;
    }
  }
  return out;
}

std::optional<JoinedRecords> join_records(std::span<const std::string> txt) {
  if (txt.size() < 2 || txt.size() > max_joined_records) return std::nullopt;
  std::vector<std::size_t> order(txt.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  do {
    std::string joined;
    for (const std::size_t i : order) joined += txt[i];
    auto record = parse_key_record(joined);
    if (!record || record->revoked()) continue;
    auto key = crypto::PublicKey::from_dkim(record->key_type, record->public_key);
    if (!key) continue;
    return JoinedRecords{order, std::move(*record), std::move(*key)};
  } while (std::next_permutation(order.begin(), order.end()));
  return std::nullopt;
}

}  // namespace auth::dkim
