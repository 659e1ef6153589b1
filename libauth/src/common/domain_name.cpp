#include <auth/domain_name.hpp>

#include <algorithm>

namespace auth {
namespace {

constexpr std::size_t max_name_octets = 253;
constexpr std::size_t max_label_octets = 63;

bool label_octet_ok(unsigned char c) {
  // LDH plus underscore (service labels); bytes >= 0x80 belong to UTF-8 U-labels.
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

Expected<DomainName> DomainName::parse(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return fail(ErrorCode::Syntax, "empty domain name");
  if (text.size() > max_name_octets)
    return fail(ErrorCode::Syntax, "domain name longer than 253 octets");
  std::string lowered = to_lower(text);
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= lowered.size(); ++i) {
    if (i == lowered.size() || lowered[i] == '.') {
      const std::size_t len = i - label_start;
      if (len == 0)
        return fail(ErrorCode::Syntax, "empty label in domain name \"" + std::string(text) + "\"");
      if (len > max_label_octets)
        return fail(ErrorCode::Syntax,
                    "label longer than 63 octets in \"" + std::string(text) + "\"");
      label_start = i + 1;
      continue;
    }
    if (!label_octet_ok(static_cast<unsigned char>(lowered[i])))
      return fail(ErrorCode::Syntax,
                  "invalid character in domain name \"" + std::string(text) + "\"");
  }
  return DomainName(std::move(lowered));
}

std::vector<std::string_view> DomainName::labels() const {
  std::vector<std::string_view> out;
  std::string_view rest = name_;
  while (!rest.empty()) {
    const auto dot = rest.find('.');
    out.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return out;
}

std::size_t DomainName::label_count() const {
  return name_.empty() ? 0
                       : static_cast<std::size_t>(std::count(name_.begin(), name_.end(), '.')) + 1;
}

bool DomainName::is_subdomain_of(const DomainName& other) const {
  if (name_.size() < other.name_.size()) return false;
  if (name_.size() == other.name_.size()) return name_ == other.name_;
  return name_.ends_with(other.name_) && name_[name_.size() - other.name_.size() - 1] == '.';
}

DomainName DomainName::parent() const {
  const auto dot = name_.find('.');
  if (dot == std::string::npos) return *this;
  return DomainName(name_.substr(dot + 1));
}

}  // namespace auth
