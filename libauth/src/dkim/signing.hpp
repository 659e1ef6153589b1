// Internal to libauth: checks shared by the DKIM signer, the ARC sealer (libauth/src/arc) and the
// DKIM-Signature parser, so that signing and sealing accept exactly the same names and keys.
#pragma once

#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace auth::dkim::detail {

// Field names are printable ASCII without ':' (RFC 5322 ftext).
bool valid_field_name(std::string_view name);

struct SigningNames {
  DomainName domain;     // d=
  std::string selector;  // s=, as DomainName::str() gives it
};

// Parses d= and s= for signing and checks "<selector>._domainkey.<domain>" is a valid name.
// `use` ("signing", "sealing") names the domain in messages; `selector_context` is appended to
// the bad-selector message (e.g. " for example.com", or empty).
Expected<SigningNames> signing_names(std::string_view domain, std::string_view selector,
                                     std::string_view use, std::string_view selector_context);

// The algorithm `key` signs with: `requested`, or the key type's default (rsa-sha256,
// ed25519-sha256). Refuses rsa-sha1 (RFC 8301), a key that does not fit the algorithm and RSA
// keys outside 1024..4096 bits. `use` names the operation ("signing", "sealing"); `key_context`
// follows "the key" / "RSA key of N bits" in messages (e.g. " for example.com", or empty).
Expected<Algorithm> signing_algorithm(const crypto::PrivateKey& key,
                                      std::optional<Algorithm> requested, std::string_view use,
                                      std::string_view key_context);

// The h= list to sign, lower case: `explicit_names` when not empty, else each field of
// default_signed_headers() as often as it is present, and From at least once; then every name
// of `oversign` once more than it is present, so that adding such a field breaks the signature.
std::vector<std::string> signed_header_names(std::span<const message::HeaderField> fields,
                                             std::span<const std::string> explicit_names,
                                             std::span<const std::string> oversign);

}  // namespace auth::dkim::detail
