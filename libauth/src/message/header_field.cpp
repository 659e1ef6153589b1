// Header field helpers: name comparison and RFC 5322 §2.2.3 unfolding.
#include <auth/domain_name.hpp>
#include <auth/message.hpp>

namespace auth::message {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool HeaderField::is(std::string_view other_name) const {
  std::string_view own = name;
  // "Subject :" (obsolete WSP before the colon) still names Subject.
  while (!own.empty() && is_wsp(own.back())) own.remove_suffix(1);
  return iequals(own, other_name);
}

std::string HeaderField::unfolded() const { return unfold(raw_value); }

std::string unfold(std::string_view raw_value) {
  std::string out;
  out.reserve(raw_value.size());
  for (std::size_t i = 0; i < raw_value.size(); ++i) {
    const char c = raw_value[i];
    // A line break followed by WSP is folding. Bare LF is accepted too, so a value that escaped
    // normalization still unfolds.
    if (c == '\r' && i + 2 < raw_value.size() && raw_value[i + 1] == '\n' &&
        is_wsp(raw_value[i + 2])) {
      ++i;
      continue;
    }
    if (c == '\n' && i + 1 < raw_value.size() && is_wsp(raw_value[i + 1])) continue;
    out.push_back(c);
  }
  return out;
}

std::string unfold_and_trim(std::string_view raw_value) {
  std::string out = unfold(raw_value);
  constexpr std::string_view space = " \t\r\n";
  const std::size_t first = out.find_first_not_of(space);
  if (first == std::string::npos) return {};
  const std::size_t last = out.find_last_not_of(space);
  return out.substr(first, last - first + 1);
}

}  // namespace auth::message
