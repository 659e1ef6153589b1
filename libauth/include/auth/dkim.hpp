// auth::dkim: DKIM (RFC 6376, with RFC 8301 and RFC 8463): push-based verification of every
// DKIM-Signature of a message in one pass, and signing. The building blocks (tag lists, header
// selection and canonicalization, shared body hashing) are public so that ARC (RFC 8617) reuses
// them.
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

namespace auth::dkim {

// ---------------------------------------------------------------------------------------------
// Tag lists (RFC 6376 §3.2): "a=1; b=2". Shared by DKIM-Signature, key records and ARC fields.

struct Tag {
  std::string_view name;   // case-sensitive, as written
  std::string_view value;  // without the surrounding white space; internal FWS kept
  // Offsets in the parsed text: just after '=', and at the ';' ending the tag (or the end).
  // [value_begin, value_end) is what RFC 6376 §3.7 deletes for b= ("b=" becomes empty).
  std::size_t value_begin = 0;
  std::size_t value_end = 0;
};

// Parses a tag list. Views point into `text`. Errors (Syntax) name the problem: a tag without
// '=', a bad tag name, a byte not allowed in a value, a duplicate tag.
Expected<std::vector<Tag>> parse_tag_list(std::string_view text);
// The tag named `name`, or nullptr.
const Tag* find_tag(std::span<const Tag> tags, std::string_view name);
// Removes every FWS byte (SP, HTAB, CR, LF): for base64 values and colon-separated lists.
std::string remove_whitespace(std::string_view text);
// `text` without leading and trailing FWS bytes (SP, HTAB, CR, LF).
std::string_view trim_fws(std::string_view text);
// Splits "a : b:c" at ':' and trims FWS around each item; an empty item is kept as "".
std::vector<std::string_view> split_colon_list(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Algorithms and canonicalization.

enum class Algorithm { RsaSha1, RsaSha256, Ed25519Sha256 };
std::string_view to_string(Algorithm algorithm);                  // "rsa-sha256"
std::optional<Algorithm> parse_algorithm(std::string_view text);  // case-insensitive
crypto::HashAlgorithm hash_of(Algorithm algorithm);
crypto::KeyType key_type_of(Algorithm algorithm);

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

// Appends the canonical form of one header field, "name:value\r\n" (RFC 6376 §3.4.1 / §3.4.2),
// to `out`. `raw_value` is everything after the colon, folding kept.
void canonicalize_header(Canonicalization canonicalization, std::string_view name,
                         std::string_view raw_value, std::string& out);

// True when `field` is named `name` (case-insensitive; white space before the colon ignored).
bool is_field(const message::HeaderField& field, std::string_view name);

// Picks the fields that an h= list signs (RFC 6376 §5.4.2): for each name, the bottom-most
// instance not picked yet; nullptr where no instance is left (a name listed but absent, as
// over-signing does). `fields` are in message order.
std::vector<const message::HeaderField*> select_headers(
    std::span<const message::HeaderField> fields, std::span<const std::string> names);

// The header hash input (RFC 6376 §3.7): the selected fields canonicalized, then the signature
// field itself with its b= value emptied and without the final CRLF. `signature_value` is the
// raw value of the signature field; `b_tag` its parsed b= tag (offsets into signature_value).
void hash_signed_headers(crypto::Hasher& hasher, Canonicalization canonicalization,
                         std::span<const message::HeaderField* const> selected,
                         std::string_view signature_name, std::string_view signature_value,
                         const Tag& b_tag);

// Streaming body canonicalization (RFC 6376 §3.4.3 / §3.4.4). Input is CRLF text in chunks of any
// split; output does not depend on the split. Trailing empty lines are held back until content
// follows them.
class BodyCanonicalizer {
 public:
  explicit BodyCanonicalizer(Canonicalization canonicalization);
  // Appends to `out` the canonical bytes that `chunk` settles.
  void update(std::string_view chunk, std::string& out);
  // Appends the rest (the final CRLF; "\r\n" alone for an empty body with simple).
  void finish(std::string& out);
  // Line breaks held back at the end (RFC strips all but one); valid before finish().
  std::size_t held_line_breaks() const { return pending_crlf_; }
  bool has_content() const { return has_content_; }
  Canonicalization canonicalization() const { return canonicalization_; }

 private:
  void update_simple(std::string_view chunk, std::string& out);
  void update_relaxed(std::string_view chunk, std::string& out);
  void flush_pending(std::string& out);
  Canonicalization canonicalization_;
  std::size_t pending_crlf_ = 0;
  bool pending_cr_ = false;
  bool pending_wsp_ = false;
  bool has_content_ = false;
};

// What a body hash is computed over: one entry per distinct triple.
struct BodyHashKey {
  Canonicalization canonicalization = Canonicalization::Simple;
  crypto::HashAlgorithm algorithm = crypto::HashAlgorithm::Sha256;
  std::optional<std::uint64_t> length;  // l=
  friend bool operator==(const BodyHashKey&, const BodyHashKey&) = default;
};

struct BodyHash {
  crypto::Digest digest;
  std::uint64_t canonical_length = 0;  // of the whole canonical body (before l= truncation)

  // Kept when diagnosis was asked for (and there is no l=): the last bytes of the canonical body
  // and the hash state before them, so that a mismatch can be explained by hashing variants of
  // the body's end (text appended in transit, a signer that kept trailing lines, ...).
  struct Tail {
    crypto::Hasher before;
    std::string bytes;                 // canonical bytes after `before`'s state
    std::size_t held_line_breaks = 0;  // line breaks the canonicalization removed at the end
  };
  std::shared_ptr<const Tail> tail;

  // The digest of the canonical body's first `size` bytes when that point lies in the tail.
  std::optional<crypto::Digest> prefix_digest(std::uint64_t size) const;
  // The digest of the canonical body followed by `extra` bytes.
  std::optional<crypto::Digest> extended_digest(std::string_view extra) const;
};

// Canonicalizes and hashes one body; l= truncates the hashed bytes.
class BodyHasher {
 public:
  explicit BodyHasher(const BodyHashKey& key, bool variants = false);
  void update(std::string_view chunk);
  BodyHash finish();
  const BodyHashKey& key() const { return key_; }

 private:
  void feed(std::string_view canonical);
  BodyHashKey key_;
  bool variants_;
  BodyCanonicalizer canonicalizer_;
  crypto::Hasher hasher_;
  std::string buffer_;
  std::string tail_;  // with variants: canonical bytes not hashed yet (bounded window)
  std::uint64_t length_ = 0;
};

// The body hashes a set of signatures need, each computed once (DESIGN.md: once per distinct
// canonicalization, hash algorithm and l=). One set may be shared by the DKIM verifier and the
// ARC validator of one message (VerifyOptions / arc::ValidatorOptions::shared_body_hashes): each
// of them registers its keys at end of headers and feeds every body chunk with its offset in
// the body; a hash takes only the bytes it has not seen yet, so the body fed through both costs
// one pass per key, and no interleaving of their events makes a hash skip or repeat a byte.
class BodyHashSet {
 public:
  // Returns the index of the hash for `key`, adding it when new. `variants` asks for the
  // diagnosis digests (kept only when that hash has not consumed any body byte yet).
  std::size_t add(const BodyHashKey& key, bool variants = false);
  // Feeds the body bytes [offset, offset + chunk.size()). A hash that has already consumed
  // them skips them; one that lacks the bytes before `offset` (registered late, by a feeder
  // that has not reached this point yet) waits for its own feeder.
  void update(std::uint64_t offset, std::string_view chunk);
  // One feeder: the bytes follow the last ones fed.
  void update(std::string_view chunk) { update(fed_, chunk); }
  // Finishes the hash at `index` (once; later calls return the same result). The caller must
  // have fed the whole body.
  const BodyHash& finish(std::size_t index);
  // Finishes every hash.
  void finish();
  // The result of a finished hash (asking for an unfinished one is a programming error).
  const BodyHash& result(std::size_t index) const { return entries_.at(index).result.value(); }
  std::size_t size() const { return entries_.size(); }
  // Body bytes run through canonicalization and hashing, summed over the hashes: the work
  // done (a body of B bytes with k distinct keys costs k * B, however many feeders).
  std::uint64_t hashed_bytes() const { return hashed_bytes_; }

 private:
  struct Entry {
    BodyHasher hasher;
    std::uint64_t consumed = 0;  // body bytes this hash has taken
    std::optional<BodyHash> result;
  };
  std::vector<Entry> entries_;
  std::uint64_t fed_ = 0;  // the end of the furthest chunk fed
  std::uint64_t hashed_bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// DKIM-Signature (RFC 6376 §3.5).

struct Signature {
  Algorithm algorithm = Algorithm::RsaSha256;
  std::string algorithm_text;  // a= as written (lower case)
  crypto::Bytes b;             // decoded signature
  crypto::Bytes bh;            // decoded body hash
  CanonicalizationPair canonicalization;
  std::string domain;                      // d=, lower case
  std::vector<std::string> headers;        // h=, lower case, in order
  std::string auid;                        // i=, or "@" + d= when absent
  std::optional<std::uint64_t> length;     // l=
  std::string selector;                    // s=, lower case
  std::optional<std::int64_t> timestamp;   // t=
  std::optional<std::int64_t> expiration;  // x=
  std::string b_text;  // b= without whitespace (header.b in Authentication-Results)
  Tag b_tag;           // offsets into the raw value the signature was parsed from

  // "<selector>._domainkey.<domain>"
  std::string key_name() const;
};

// Parses a DKIM-Signature raw value. Errors (Syntax / Unsupported) are the permerror reasons:
// "missing required tag s=", "unsupported version v=2", "i= domain is not d= or below it", ...
Expected<Signature> parse_signature(std::string_view raw_value);

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

// Parses one TXT record text. Errors are the permerror reasons.
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
// Verifier of a process (milter connections, CLI files).
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
  std::string reason;     // "body hash mismatch", "key revoked", ...; empty for pass
  std::string domain;     // d= (empty when unparsable)
  std::string selector;   // s=
  std::string algorithm;  // a= as written
  unsigned key_bits = 0;  // 0 when no key was obtained
  std::string auid;       // i=, or "@d"
  std::string header_b;   // b= value without whitespace (RFC 6008 header.b uses a prefix)
  bool testing = false;   // the key record says t=y
};

// The Authentication-Results entry for one signature (RFC 8601 §2.7.1, RFC 6008 header.b):
// dkim=<result> [reason] header.d header.i header.s header.a header.b (its first 8 characters).
authres::MethodResult to_method_result(const DkimResult& result);

struct VerifyOptions {
  bool allow_rsa_sha1 = false;         // RFC 8301: rsa-sha1 is not valid (result policy)
  bool diagnose_body_mismatch = true;  // hash alternatives to explain a body hash mismatch
  KeyCache* key_cache = nullptr;       // parsed keys reused across messages (not owned)
  // Body hashes shared with the ARC validator of the same message (not owned; see
  // BodyHashSet). Feed both the same events as usual: the body is hashed once per distinct key.
  BodyHashSet* shared_body_hashes = nullptr;
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
// header the signer could not keep whole would be wrong.
class Signer {
 public:
  static Expected<Signer> create(const SignerOptions& options, const Clock& clock,
                                 const Limits& limits = {});
  static Expected<Signer> create(std::span<const SignerOptions> options, const Clock& clock,
                                 const Limits& limits = {});
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

// ---------------------------------------------------------------------------------------------
// Key lookup for one signature, shared by the verifier and ARC (auth/arc.hpp).
// (libauth/src/dkim/key_fetch.cpp)

struct FetchedKey {
  std::shared_ptr<const ParsedKey> key;  // null when the lookup failed
  Result result = Result::PermError;     // TempError or PermError when key is null
  std::string reason;
};

// Looks up the TXT RRset at `name` ("<selector>._domainkey.<domain>"), picks and decodes the key
// record. With `cache`, a parsed key is reused, and stored for the record's TTL.
FetchedKey fetch_key(dns::Resolver& resolver, std::string_view name, TimePoint now,
                     KeyCache* cache = nullptr);

// Whether `key` may verify a signature made with `algorithm`: not revoked, k= matches, h= and
// s= allow it, RSA at least limits.min_rsa_bits. Returns the reason it may not, or nullopt.
std::optional<std::string> check_key(const ParsedKey& key, Algorithm algorithm,
                                     const Limits& limits);

}  // namespace auth::dkim
