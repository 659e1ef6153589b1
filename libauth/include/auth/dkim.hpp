// auth::dkim: DKIM (RFC 6376, with RFC 8301 and RFC 8463): push-based verification of every
// DKIM-Signature of a message in one pass, and signing. What ARC (auth/arc.hpp) shares with
// DKIM inside the library is not part of this API.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/authres.hpp>
#include <auth/clock.hpp>
#include <auth/crypto.hpp>
#include <auth/dns.hpp>
#include <auth/error.hpp>
#include <auth/limits.hpp>
#include <auth/message.hpp>
#include <auth/reason.hpp>

namespace auth::dkim {

// ---------------------------------------------------------------------------------------------
// Algorithms and canonicalization.

enum class Algorithm { RsaSha1, RsaSha256, Ed25519Sha256 };
std::string_view to_string(Algorithm algorithm);                  // "rsa-sha256"
std::optional<Algorithm> parse_algorithm(std::string_view text);  // case-insensitive

enum class Canonicalization { Simple, Relaxed };
std::string_view to_string(Canonicalization canonicalization);

struct CanonicalizationPair {
  Canonicalization header = Canonicalization::Simple;
  Canonicalization body = Canonicalization::Simple;
  friend bool operator==(const CanonicalizationPair&, const CanonicalizationPair&) = default;
};
// "relaxed/simple", "relaxed" (body simple), "" is not accepted.
Expected<CanonicalizationPair> parse_canonicalization(std::string_view text);
std::string to_string(CanonicalizationPair pair);

// The body hashes of one message, each computed once per distinct canonicalization, hash
// algorithm and l= (docs/architecture.md). One set may be shared by the DKIM verifier and the
// ARC validator of a message (VerifyOptions / arc::ValidatorOptions::shared_body_hashes): feed
// both the same events as usual, and the body is canonicalized and hashed once per distinct key,
// whatever the order of their calls. Not thread-safe; one per message.
class BodyHashSet {
 public:
  BodyHashSet();
  ~BodyHashSet();
  BodyHashSet(BodyHashSet&&) noexcept;
  BodyHashSet& operator=(BodyHashSet&&) noexcept;

  // Distinct hashes registered.
  std::size_t size() const;
  // Body bytes run through canonicalization and hashing, summed over the hashes: the work done
  // (a body of B bytes with k distinct keys costs k * B, however many feeders).
  std::uint64_t hashed_bytes() const;

  struct Impl;  // libauth/src/dkim/body_hash.hpp
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Verification results, named as RFC 8601 names them.
enum class Result { Pass, Fail, Neutral, Policy, TempError, PermError };
std::string_view to_string(Result result);  // "pass", "temperror", ...

// ---------------------------------------------------------------------------------------------
// Key records (RFC 6376 §3.6.1).

struct KeyRecord {
  crypto::KeyType key_type = crypto::KeyType::Rsa;     // k=
  std::vector<crypto::HashAlgorithm> hash_algorithms;  // h=; empty: any
  bool email_service = true;                           // s= allows "email" or "*"
  bool testing = false;                                // t=y
  bool strict_identity = false;                        // t=s
  crypto::Bytes public_key;                            // p= decoded; empty: revoked
  bool revoked() const { return public_key.empty(); }
};

// Parses one TXT record text. Errors are the permerror reasons (printable).
Expected<KeyRecord> parse_key_record(std::string_view text);

// Picks the key record among a TXT RRset (RFC 6376 §3.6.2.2): records that are not DKIM key
// records are ignored; several DKIM key records are ambiguous and rejected.
Expected<KeyRecord> select_key_record(std::span<const std::string> txt_records);

// A key record with its decoded public key (decoding costs more than a verify: cache it).
struct ParsedKey {
  KeyRecord record;
  std::optional<crypto::PublicKey> key;  // absent when revoked
};

// Parsed keys by DNS name, each kept for its record's TTL. Thread-safe; shared by every
// Verifier and arc::Validator of a process (milter connections, CLI files). Beyond max_entries,
// the least recently found entry goes (CLOCK: an entry found since the evicting hand last
// passed gets a second chance). A thread's repeated hits on one key take no lock.
class KeyCache {
 public:
  explicit KeyCache(std::size_t max_entries = 10000);
  ~KeyCache();
  std::shared_ptr<const ParsedKey> find(std::string_view name, TimePoint now) const;
  void insert(std::string_view name, std::shared_ptr<const ParsedKey> key, TimePoint expires);
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// Verification.

struct DkimResult {
  Result result = Result::PermError;
  std::string reason;  // for people: "body hash mismatch", "key revoked", ...; empty for pass
  ReasonCode reason_code = ReasonCode::None;  // the same as a stable code; None for pass
  // Every text below is printable (bytes a message carried that are not valid for the field
  // appear as \xHH escapes).
  std::string domain;     // d= (empty when absent)
  std::string selector;   // s=
  std::string algorithm;  // a= as written, lower case
  unsigned key_bits = 0;  // 0 when no key was obtained
  std::string auid;       // i=, or "@d"
  std::string header_b;   // b= value without whitespace (RFC 6008 header.b uses a prefix)
  bool testing = false;   // the key record says t=y
};

// The Authentication-Results entry for one signature (RFC 8601 §2.7.1, RFC 6008 header.b):
// dkim=<result> [reason] header.d header.i header.s header.a header.b (its first 8 characters).
authres::MethodResult to_method_result(const DkimResult& result);

struct VerifyOptions {
  bool allow_rsa_sha1 = false;  // RFC 8301: rsa-sha1 is not valid (result policy)
  // Explain a body hash mismatch by hashing variants of the body's end (text appended in
  // transit, trailing lines a signer kept, ...): a bounded window of the canonical body.
  bool diagnose_body_mismatch = true;
  // With diagnose_body_mismatch: also keep a copy of the body (up to 64 KiB) to try the other
  // canonicalization and line ends without white space. Off by default: it copies the body.
  bool keep_body_for_diagnosis = false;
  KeyCache* key_cache = nullptr;  // parsed keys reused across messages (not owned)
  // Body hashes shared with the ARC validator of the same message (not owned; see
  // BodyHashSet). Feed both the same events as usual: the body is hashed once per distinct key.
  BodyHashSet* shared_body_hashes = nullptr;
  // The message's header fields, kept by the caller (not owned) instead of a copy of them in
  // the verifier: header() calls are then ignored, and the list must hold the whole header when
  // end_of_headers() is called. One list can serve the verifier, arc::Validator, Signer and
  // arc::Sealer of a message.
  const message::HeaderList* shared_headers = nullptr;
};

// Push-based verifier for every DKIM-Signature of one message. Feed the events in order; key
// lookups are prefetched at end_of_headers(); finish() queries, verifies and returns one result
// per DKIM-Signature field, topmost first. Never throws for anything the message contains.
class Verifier {
 public:
  Verifier(dns::Resolver& resolver, const Clock& clock, const Limits& limits = {},
           const VerifyOptions& options = {});
  ~Verifier();
  Verifier(Verifier&&) noexcept;
  Verifier& operator=(Verifier&&) noexcept;

  void header(std::string_view name, std::string_view raw_value);
  void header(const message::HeaderField& field) { header(field.name, field.raw_value); }
  void end_of_headers();
  void body(std::string_view chunk);
  std::vector<DkimResult> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// Signing.

struct SignerOptions {
  std::string domain;                             // d=
  std::string selector;                           // s=
  std::shared_ptr<const crypto::PrivateKey> key;  // loaded once, shared by signers
  std::optional<Algorithm> algorithm;  // default: rsa-sha256 or ed25519-sha256 by key type
  CanonicalizationPair canonicalization{Canonicalization::Relaxed, Canonicalization::Relaxed};
  // Names for h=. Empty: the RFC 6376 §5.4.1 list, each name once per instance present.
  std::vector<std::string> headers;
  // Names signed one more time than they occur, so that adding one breaks the signature.
  std::vector<std::string> oversign{"from"};
  bool body_length = false;                          // l=
  std::optional<std::string> identity;               // i=
  bool timestamp = true;                             // t=
  std::optional<std::chrono::seconds> expire_after;  // x= = t= + this
};

// The header fields signed by default (RFC 6376 §5.4.1 and common practice).
std::span<const std::string_view> default_signed_headers();

// Signs a message with one or several signatures in one pass. create() validates everything;
// afterwards finish() fails only on an OpenSSL failure, or with LimitExceeded (naming the limit)
// when the header passed limits.max_header_count or max_header_bytes: a signature over a
// header the signer could not keep whole would be wrong. With `shared_headers` (not owned) the
// signer reads the caller's list of the message's header fields at finish() instead of keeping
// a copy; header() calls are then ignored.
class Signer {
 public:
  static Expected<Signer> create(const SignerOptions& options, const Clock& clock,
                                 const Limits& limits = {},
                                 const message::HeaderList* shared_headers = nullptr);
  static Expected<Signer> create(std::span<const SignerOptions> options, const Clock& clock,
                                 const Limits& limits = {},
                                 const message::HeaderList* shared_headers = nullptr);
  ~Signer();
  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;

  void header(std::string_view name, std::string_view raw_value);
  void header(const message::HeaderField& field) { header(field.name, field.raw_value); }
  void end_of_headers();
  void body(std::string_view chunk);
  // The DKIM-Signature fields to prepend, in the order given to create() (the first goes on
  // top). raw_value starts with a space and is folded at 78 columns with CRLF TAB.
  Expected<std::vector<message::HeaderField>> finish();

 private:
  struct Impl;
  explicit Signer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace auth::dkim
