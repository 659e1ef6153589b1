// Internal to libauth: body canonicalization (RFC 6376 §3.4.3, §3.4.4) and body hashing, once
// per distinct (canonicalization, hash algorithm, l=) among the signatures of a message, shared
// by DKIM and ARC (dkim::BodyHashSet).
#pragma once

#include <auth/crypto.hpp>
#include <auth/dkim.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth::dkim {

// Streaming body canonicalization. Input is CRLF text in chunks of any split; output does not
// depend on the split. Trailing empty lines are held back until content follows them.
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

  // Kept when variants were asked for (and there is no l=): the last bytes of the canonical
  // body and the hash state before them, so that a mismatch can be explained by hashing
  // variants of the body's end (dkim/body_diagnosis.hpp).
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

// The body hashes of one message. Each consumer (DKIM verifier, ARC validator) registers its
// keys at end of headers and feeds every body chunk with its offset in the body; a hash takes
// only the bytes it has not seen yet, so the body fed through both costs one pass per key, and
// no interleaving of their events makes a hash skip or repeat a byte.
struct BodyHashSet::Impl {
  // Returns the index of the hash for `key`, adding it when new. `variants` asks for the
  // diagnosis digests (kept only when that hash has not consumed any body byte yet).
  std::size_t add(const BodyHashKey& key, bool variants = false);
  // Feeds the body bytes [offset, offset + chunk.size()). A hash that has already consumed
  // them skips them; one that lacks the bytes before `offset` (registered late, by a feeder
  // that has not reached this point yet) waits for its own feeder.
  void update(std::uint64_t offset, std::string_view chunk);
  // One feeder: the bytes follow the last ones fed.
  void update(std::string_view chunk) { update(fed, chunk); }
  // Finishes the hash at `index` (once; later calls return the same result). The caller must
  // have fed the whole body.
  const BodyHash& finish(std::size_t index);
  // Finishes every hash.
  void finish();
  // The result of a finished hash (asking for an unfinished one is a programming error).
  const BodyHash& result(std::size_t index) const { return entries.at(index).result.value(); }

  struct Entry {
    BodyHasher hasher;
    std::uint64_t consumed = 0;  // body bytes this hash has taken
    std::optional<BodyHash> result;
  };
  std::vector<Entry> entries;
  std::uint64_t fed = 0;  // the end of the furthest chunk fed
  std::uint64_t hashed_bytes = 0;
};

}  // namespace auth::dkim
