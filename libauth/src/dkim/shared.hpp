// Internal to libauth: what ARC (RFC 8617) shares with DKIM (RFC 6376), and the one DKIM header
// that libauth/src/arc includes. One signature model for DKIM-Signature, ARC-Message-Signature
// and ARC-Seal with one tag-level parser; one verify path (key fetch with a per-message memo and
// prefetch, header hash, signature check); the name and key checks that signing and sealing
// share. ARC adds only what RFC 8617 adds: i= instances, cv=, the ARC-Authentication-Results and
// the chain rules. docs/architecture.md places these in the library.
#pragma once

#include <auth/clock.hpp>
#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/domain_name.hpp>
#include <auth/limits.hpp>
#include <auth/message.hpp>
#include <auth/reason.hpp>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/body_hash.hpp"
#include "dkim/tag_list.hpp"

namespace auth::dkim {

// ---------------------------------------------------------------------------------------------
// Failures: a stable code first, then a printable text for people.

struct Failure {
  ReasonCode code = ReasonCode::None;
  std::string text;  // printable: bytes from a message or DNS appear only through quoted_bytes()
};
template <class T>
using Checked = std::expected<T, Failure>;
inline std::unexpected<Failure> failure(ReasonCode code, std::string text) {
  return std::unexpected<Failure>(Failure{code, std::move(text)});
}

// Untrusted bytes as a reason shows them: quoted, short, control and 8-bit bytes as \xHH.
std::string quoted_bytes(std::string_view bytes);
// Untrusted bytes as a result field holds them: control bytes as \xHH, at most 255 bytes shown.
std::string printable(std::string_view bytes);

crypto::HashAlgorithm hash_of(Algorithm algorithm);
crypto::KeyType key_type_of(Algorithm algorithm);

// Where a key is published (RFC 6376 §3.6.2.1): "<selector>._domainkey.<domain>".
std::string key_name(std::string_view selector, std::string_view domain);

// ---------------------------------------------------------------------------------------------
// The signature model (RFC 6376 §3.5; RFC 8617 §4.1.2, §4.1.3).

enum class SignatureKind { Dkim, ArcMessageSignature, ArcSeal };
// "DKIM-Signature", "ARC-Message-Signature", "ARC-Seal".
std::string_view field_name(SignatureKind kind);

struct Signature {
  SignatureKind kind = SignatureKind::Dkim;
  Algorithm algorithm = Algorithm::RsaSha256;
  std::string algorithm_text;  // a= as written, lower case
  crypto::Bytes b;             // decoded signature
  std::string b_text;          // b= without white space (header.b in Authentication-Results)
  Tag b_tag;                   // offsets into the raw value the signature was parsed from
  crypto::Bytes bh;            // decoded body hash (not in an ARC-Seal)
  // c=; RFC 6376's simple/simple when absent. An ARC-Seal has none: relaxed (RFC 8617 §5.1.1).
  CanonicalizationPair canonicalization;
  std::string domain;                      // d=, lower case
  std::string selector;                    // s=, lower case
  std::vector<std::string> headers;        // h=, lower case, in order (not in an ARC-Seal)
  std::string auid;                        // DKIM i=, decoded; "@" + d= when absent
  unsigned instance = 0;                   // ARC i=
  std::string cv;                          // ARC-Seal cv=: "none", "pass" or "fail"
  std::optional<std::uint64_t> length;     // l=; values past 2^64-1 saturate
  std::optional<std::int64_t> timestamp;   // t=
  std::optional<std::int64_t> expiration;  // x=

  // "<selector>._domainkey.<domain>"
  std::string key_name() const { return dkim::key_name(selector, domain); }
};

// Parses a DKIM-Signature, ARC-Message-Signature or ARC-Seal value with the checks of RFC 6376
// §6.1.1 that apply to the kind. The tags the three share are read by the same code: a=, b=,
// bh=, c=, d=, h=, l=, q=, s=, t=, x=. DKIM adds v= and the AUID i=; ARC has the instance i=
// (1..max_instance; above it the code is ArcTooManyInstances) and the ARC-Seal cv=, no h=.
Checked<Signature> parse_signature(std::string_view raw_value, SignatureKind kind,
                                   unsigned max_instance = 50);

// An ARC instance value (RFC 8617 §4.2.1): 1*DIGIT with FWS around, 1 to `max_instance`.
Checked<unsigned> parse_instance(std::string_view text, unsigned max_instance);

// Whether x= lies in the past, allowing limits.clock_skew.
bool expired(const Signature& signature, TimePoint now, const Limits& limits);

// ---------------------------------------------------------------------------------------------
// The header hash (RFC 6376 §3.7, §5.4.2).

// True when `field` is named `name` (case-insensitive; white space before the colon ignored).
bool is_field(const message::HeaderField& field, std::string_view name);

// Appends the canonical form of one header field, "name:value\r\n" (RFC 6376 §3.4.1 / §3.4.2),
// to `out`. `raw_value` is everything after the colon, folding kept.
void canonicalize_header(Canonicalization canonicalization, std::string_view name,
                         std::string_view raw_value, std::string& out);

// Views of `fields`, in order: what select_headers() picks from.
std::vector<const message::HeaderField*> views_of(std::span<const message::HeaderField> fields);

// Picks the fields that an h= list signs: for each name, the bottom-most instance not picked
// yet; nullptr where no instance is left (a name listed but absent, as over-signing does).
// `fields` are in message order. `comparisons`, when given, gains the field name comparisons
// made (tests bound the work on hostile input with it).
std::vector<const message::HeaderField*> select_headers(
    std::span<const message::HeaderField* const> fields, std::span<const std::string> names,
    std::uint64_t* comparisons = nullptr);

// The header hash: the selected fields canonicalized, then the signature field itself with its
// b= value [b_begin, b_end) emptied and without the final CRLF.
crypto::Digest header_hash(crypto::HashAlgorithm hash, Canonicalization canonicalization,
                           std::span<const message::HeaderField* const> selected,
                           std::string_view signature_name, std::string_view signature_value,
                           std::size_t b_begin, std::size_t b_end);
// The same for a parsed signature and the field it was parsed from.
crypto::Digest header_hash(const Signature& signature,
                           std::span<const message::HeaderField* const> selected,
                           const message::HeaderField& signature_field);

// ---------------------------------------------------------------------------------------------
// Keys (RFC 6376 §3.6).

// The key record parsers of <auth/dkim.hpp> with their reason codes: KeySyntax, KeyNotFound
// (no record), KeyAmbiguous (several key records), KeyHashNotAllowed (h= names no known hash).
Checked<KeyRecord> read_key_record(std::string_view text);
Checked<KeyRecord> choose_key_record(std::span<const std::string> txt_records);

struct FetchedKey {
  std::shared_ptr<const ParsedKey> key;  // null when the lookup failed
  bool temporary = false;                // a DNS timeout or server failure
  Failure failure;                       // why there is no key
};

// Looks up the TXT RRset at `name`, picks and decodes the key record. With `cache`, a parsed
// key is reused, and stored for the record's TTL.
FetchedKey fetch_key(dns::Resolver& resolver, std::string_view name, TimePoint now,
                     KeyCache* cache);

// The keys of one message, each name looked up at most once (through the process-wide cache
// when there is one), and prefetched at end of headers so that DNS overlaps the body.
class KeyMemo {
 public:
  KeyMemo(dns::Resolver& resolver, KeyCache* cache) : resolver_(&resolver), cache_(cache) {}
  // Hints the resolver, unless the key is cached or was asked for already.
  void prefetch(const std::string& name, TimePoint now);
  const FetchedKey& get(const std::string& name, TimePoint now);

 private:
  dns::Resolver* resolver_;
  KeyCache* cache_;
  std::vector<std::string> prefetched_;
  std::map<std::string, FetchedKey, std::less<>> keys_;
};

// Whether the record lets `key` verify `algorithm` (RFC 6376 §3.6.1): not revoked, k= fits, h=
// and s= allow it. The RSA size (a local policy, RFC 8301) is checked by verify_with_key().
std::optional<Failure> check_key(const ParsedKey& key, Algorithm algorithm);

// ---------------------------------------------------------------------------------------------
// The signature check, shared by DKIM signatures and both ARC signatures.

struct Verification {
  ReasonCode code = ReasonCode::None;  // None: the signature verifies
  std::string text;                    // empty for a pass
  unsigned key_bits = 0;               // 0 when the record does not allow the key
  bool testing = false;                // the key record says t=y
  bool pass() const { return code == ReasonCode::None; }
};

// Checks `signature` with `key`: the record allows it (check_key), t=s (DKIM: the i= domain
// must be d=), an RSA key of at least min_rsa_bits (KeyTooSmall), the body hash when `body` is
// given (BodyHashMismatch, text "body hash mismatch"), then the signature over
// `header_digest` (SignatureMismatch). rsa-sha1 is the caller's policy.
Verification verify_with_key(const Signature& signature, const ParsedKey& key,
                             const crypto::Digest& header_digest, const BodyHash* body,
                             unsigned min_rsa_bits);

// Whether the decoded `bytes` are the `digest`.
bool same_bytes(const crypto::Digest& digest, const crypto::Bytes& bytes);

// ---------------------------------------------------------------------------------------------
// Signing and sealing: what both accept, checked once when the signer or sealer is made.

// Field names are printable ASCII without ':' (RFC 5322 ftext).
bool valid_field_name(std::string_view name);

struct SigningNames {
  DomainName domain;     // d=
  std::string selector;  // s=, as DomainName::str() gives it
};

// Parses d= and s= for signing and checks that "<selector>._domainkey.<domain>" is a valid
// name. `use` ("signing", "sealing") names the domain in messages; `selector_context` is
// appended to the bad-selector message (e.g. " for example.com", or empty).
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

}  // namespace auth::dkim
