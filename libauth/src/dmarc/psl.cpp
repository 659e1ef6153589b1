// The public suffix list (publicsuffix.org format; RFC 7489 §3.2's Organizational Domain method,
// kept as an option beside RFC 9989's tree walk).
#include <auth/dmarc.hpp>
#include <auth/domain_name.hpp>

#include <fstream>
#include <sstream>
#include <unordered_set>

#include "dmarc/idna.hpp"

namespace auth::dmarc {
namespace {

struct Hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using NameSet = std::unordered_set<std::string, Hash, std::equal_to<>>;

// The name with its leftmost label removed ("" for a single label).
std::string_view parent_of(std::string_view name) {
  const auto dot = name.find('.');
  return dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
}

}  // namespace

struct PublicSuffixList::Impl {
  NameSet rules;       // "co.uk"
  NameSet wildcards;   // "*.ck" stored as "ck"
  NameSet exceptions;  // "!www.ck" stored as "www.ck"
};

PublicSuffixList::PublicSuffixList(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PublicSuffixList::~PublicSuffixList() = default;

Expected<std::shared_ptr<const PublicSuffixList>> PublicSuffixList::from_string(
    std::string_view text) {
  auto impl = std::make_unique<Impl>();
  std::size_t line_number = 0;
  std::size_t rules = 0;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    // A rule is the first run of non-white-space on a line; "//" starts a comment line.
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    line = line.substr(0, line.find_first_of(" \t\r"));
    if (line.empty() || line.starts_with("//")) continue;
    NameSet* set = &impl->rules;
    if (line.starts_with('!')) {
      set = &impl->exceptions;
      line.remove_prefix(1);
    } else if (line.starts_with("*.")) {
      set = &impl->wildcards;
      line.remove_prefix(2);
    }
    // Rules for IDN suffixes are written as U-labels; names are compared as A-labels.
    auto name = to_a_labels(line);
    if (!name)
      return fail(ErrorCode::Syntax, "public suffix list line " + std::to_string(line_number) +
                                         ": " + name.error().message);
    set->insert(std::move(*name));
    ++rules;
  }
  if (rules == 0) return fail(ErrorCode::Syntax, "public suffix list holds no rule");
  return std::shared_ptr<const PublicSuffixList>(new PublicSuffixList(std::move(impl)));
}

Expected<std::shared_ptr<const PublicSuffixList>> PublicSuffixList::from_file(
    const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::Io, "cannot read public suffix list " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto list = from_string(text.str());
  if (!list) return fail(list.error().code, path.string() + ": " + list.error().message);
  return list;
}

std::string PublicSuffixList::public_suffix(std::string_view domain) const {
  const std::string name = to_lower(domain);
  // An exception rule wins over every other rule: its suffix is the rule minus its first label.
  for (std::string_view s = name; !s.empty(); s = parent_of(s))
    if (impl_->exceptions.contains(s)) return std::string(parent_of(s));
  // Otherwise the matching rule with the most labels; the longest suffix is met first.
  for (std::string_view s = name; !s.empty(); s = parent_of(s)) {
    if (impl_->rules.contains(s)) return std::string(s);
    const auto parent = parent_of(s);
    if (!parent.empty() && impl_->wildcards.contains(parent)) return std::string(s);
  }
  // The default rule "*": the last label.
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
  std::string name = to_lower(domain);
  const std::string suffix = public_suffix(name);
  if (suffix.size() >= name.size()) return name;
  // The suffix plus the label before it.
  const std::string_view head = std::string_view(name).substr(0, name.size() - suffix.size() - 1);
  const auto dot = head.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

}  // namespace auth::dmarc
