// Names of signing algorithms and canonicalizations (RFC 6376 §3.3, §3.4; RFC 8463).
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include "dkim/shared.hpp"

namespace auth::dkim {

std::string_view to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::RsaSha1:
      return "rsa-sha1";
    case Algorithm::RsaSha256:
      return "rsa-sha256";
    case Algorithm::Ed25519Sha256:
      return "ed25519-sha256";
  }
  return "unknown";
}

std::optional<Algorithm> parse_algorithm(std::string_view text) {
  if (iequals(text, "rsa-sha256")) return Algorithm::RsaSha256;
  if (iequals(text, "ed25519-sha256")) return Algorithm::Ed25519Sha256;
  if (iequals(text, "rsa-sha1")) return Algorithm::RsaSha1;
  return std::nullopt;
}

crypto::HashAlgorithm hash_of(Algorithm algorithm) {
  return algorithm == Algorithm::RsaSha1 ? crypto::HashAlgorithm::Sha1
                                         : crypto::HashAlgorithm::Sha256;
}

crypto::KeyType key_type_of(Algorithm algorithm) {
  return algorithm == Algorithm::Ed25519Sha256 ? crypto::KeyType::Ed25519 : crypto::KeyType::Rsa;
}

std::string_view to_string(Canonicalization canonicalization) {
  return canonicalization == Canonicalization::Simple ? "simple" : "relaxed";
}

namespace {
std::optional<Canonicalization> parse_one(std::string_view text) {
  if (iequals(text, "simple")) return Canonicalization::Simple;
  if (iequals(text, "relaxed")) return Canonicalization::Relaxed;
  return std::nullopt;
}
}  // namespace

Expected<CanonicalizationPair> parse_canonicalization(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto header = parse_one(text.substr(0, slash));
  std::optional<Canonicalization> body = Canonicalization::Simple;
  if (slash != std::string_view::npos) body = parse_one(text.substr(slash + 1));
  if (!header || !body)
    return fail(ErrorCode::Unsupported, "unknown canonicalization c=" + std::string(text));
  return CanonicalizationPair{*header, *body};
}

std::string to_string(CanonicalizationPair pair) {
  return std::string(to_string(pair.header)) + "/" + std::string(to_string(pair.body));
}

}  // namespace auth::dkim
