// auth::DomainName: a checked, case-insensitive domain name (SPF, DKIM d=/i=, DMARC alignment).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>

namespace auth {

class DomainName {
 public:
  // Accepts LDH labels, underscores (for _domainkey, _dmarc) and UTF-8 U-labels; one trailing
  // dot is dropped. Rejects empty labels, labels over 63 octets, names over 253 octets.
  static Expected<DomainName> parse(std::string_view text);

  // Lower-case text without a trailing dot.
  const std::string& str() const { return name_; }
  std::vector<std::string_view> labels() const;
  std::size_t label_count() const;

  // True when this name equals `other` or lies below it (mail.example.com under example.com).
  bool is_subdomain_of(const DomainName& other) const;
  // The name with its leftmost label removed; the root has no parent (returns itself).
  DomainName parent() const;

  friend bool operator==(const DomainName&, const DomainName&) = default;
  friend auto operator<=>(const DomainName&, const DomainName&) = default;

 private:
  explicit DomainName(std::string lowered) : name_(std::move(lowered)) {}
  std::string name_;
};

// ASCII case-insensitive comparison, as every mail protocol name comparison is.
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
// One character's ASCII lower case; other bytes unchanged.
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace auth
