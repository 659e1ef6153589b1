// Name and key checks shared by the DKIM signer, the ARC sealer and the signature parser.
#include "dkim/shared.hpp"

#include <algorithm>

namespace auth::dkim {

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

Expected<SigningNames> signing_names(std::string_view domain, std::string_view selector,
                                     std::string_view use, std::string_view selector_context) {
  auto parsed_domain = DomainName::parse(domain);
  if (!parsed_domain || domain.empty())
    return fail(ErrorCode::InvalidArgument,
                "bad " + std::string(use) + " domain '" + std::string(domain) + "'");
  auto parsed_selector = DomainName::parse(selector);
  if (!parsed_selector || selector.empty() || selector.back() == '.')
    return fail(ErrorCode::InvalidArgument,
                "bad selector '" + std::string(selector) + "'" + std::string(selector_context));
  SigningNames out{*parsed_domain, parsed_selector->str()};
  if (!DomainName::parse(key_name(out.selector, out.domain.str())))
    return fail(ErrorCode::InvalidArgument, "selector and domain make too long a key name");
  return out;
}

Expected<Algorithm> signing_algorithm(const crypto::PrivateKey& key,
                                      std::optional<Algorithm> requested, std::string_view use,
                                      std::string_view key_context) {
  const crypto::KeyType key_type = key.type();
  const Algorithm algorithm = requested.value_or(
      key_type == crypto::KeyType::Rsa ? Algorithm::RsaSha256 : Algorithm::Ed25519Sha256);
  if (algorithm == Algorithm::RsaSha1)
    return fail(ErrorCode::Unsupported,
                "rsa-sha1 must not be used for " + std::string(use) + " (RFC 8301)");
  if (key_type_of(algorithm) != key_type)
    return fail(ErrorCode::InvalidArgument, "the key" + std::string(key_context) +
                                                " does not fit algorithm " +
                                                std::string(to_string(algorithm)));
  if (key_type == crypto::KeyType::Rsa && (key.bits() < 1024 || key.bits() > 4096))
    return fail(ErrorCode::InvalidArgument, "RSA key of " + std::to_string(key.bits()) + " bits" +
                                                std::string(key_context) +
                                                ": 1024 to 4096 bits are supported");
  return algorithm;
}

std::vector<std::string> signed_header_names(std::span<const message::HeaderField> fields,
                                             std::span<const std::string> explicit_names,
                                             std::span<const std::string> oversign) {
  std::vector<std::string> names;
  auto count_present = [&](std::string_view name) {
    return static_cast<std::size_t>(
        std::count_if(fields.begin(), fields.end(),
                      [&](const message::HeaderField& f) { return is_field(f, name); }));
  };
  if (!explicit_names.empty()) {
    names.assign(explicit_names.begin(), explicit_names.end());
  } else {
    for (std::string_view name : default_signed_headers())
      for (std::size_t i = count_present(name); i > 0; --i) names.emplace_back(name);
    if (std::find(names.begin(), names.end(), "from") == names.end()) names.emplace_back("from");
  }
  for (const std::string& name : oversign) {
    const std::size_t want = count_present(name) + 1;
    const std::size_t listed =
        static_cast<std::size_t>(std::count(names.begin(), names.end(), name));
    for (std::size_t i = listed; i < want; ++i) names.push_back(name);
  }
  return names;
}

}  // namespace auth::dkim
