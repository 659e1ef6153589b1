#include <auth/dkim.hpp>

#include "dkim/body_hash.hpp"

#include <gtest/gtest.h>

using namespace auth::dkim;
using auth::crypto::HashAlgorithm;

namespace {

std::string body_hash(const BodyHashKey& key, std::string_view body, std::size_t chunk = 0) {
  BodyHasher hasher(key);
  if (chunk == 0) chunk = std::max<std::size_t>(body.size(), 1);
  for (std::size_t i = 0; i < body.size(); i += chunk) hasher.update(body.substr(i, chunk));
  return auth::crypto::base64_encode(hasher.finish().digest.view());
}

constexpr std::string_view rfc8463_body =
    "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";

}  // namespace

TEST(BodyHasher, EmptyBodies) {
  // SHA-256 of "\r\n" and of "" (RFC 6376 errata 3192: an empty relaxed body is empty).
  EXPECT_EQ(body_hash({Canonicalization::Simple, HashAlgorithm::Sha256, {}}, ""),
            "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
  EXPECT_EQ(body_hash({Canonicalization::Relaxed, HashAlgorithm::Sha256, {}}, ""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  // SHA-1 of "\r\n" (RFC 4871 era empty simple body).
  EXPECT_EQ(body_hash({Canonicalization::Simple, HashAlgorithm::Sha1, {}}, "\r\n\r\n"),
            "uoq1oCgLlTqpdDX/iUbLy7J1Wic=");
}

TEST(BodyHasher, Rfc8463BodyHashAnySplit) {
  for (std::size_t chunk : {1, 2, 3, 7, 64, 0})
    EXPECT_EQ(
        body_hash({Canonicalization::Relaxed, HashAlgorithm::Sha256, {}}, rfc8463_body, chunk),
        "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
}

TEST(BodyHasher, LengthTruncatesCanonicalBody) {
  const std::string body = "line one  \r\nline two\r\n";
  // relaxed canonical form: "line one\r\nline two\r\n"; l=10 covers "line one\r\n".
  BodyHasher truncated({Canonicalization::Relaxed, HashAlgorithm::Sha256, 10});
  truncated.update(body);
  const BodyHash result = truncated.finish();
  EXPECT_EQ(result.canonical_length, 20u);
  EXPECT_EQ(result.digest, auth::crypto::hash(HashAlgorithm::Sha256, "line one\r\n"));
  // l= larger than the body hashes the whole body.
  BodyHasher longer({Canonicalization::Relaxed, HashAlgorithm::Sha256, 1000});
  longer.update(body);
  EXPECT_EQ(longer.finish().digest,
            auth::crypto::hash(HashAlgorithm::Sha256, "line one\r\nline two\r\n"));
}

TEST(BodyHasher, TailVariants) {
  std::string body = "text\r\n\r\n\r\n";
  // A body larger than the kept window: prefixes near the end remain computable.
  const std::string big(50000, 'x');
  for (const std::string& lead : {std::string(), big + "\r\n"}) {
    BodyHasher hasher({Canonicalization::Simple, HashAlgorithm::Sha256, {}}, true);
    for (std::size_t i = 0; i < lead.size(); i += 4096)
      hasher.update(std::string_view(lead).substr(i, 4096));
    hasher.update(body);
    const BodyHash result = hasher.finish();
    const std::string canonical = lead + "text\r\n";
    EXPECT_EQ(result.digest, auth::crypto::hash(HashAlgorithm::Sha256, canonical));
    EXPECT_EQ(result.canonical_length, canonical.size());
    ASSERT_TRUE(result.tail);
    EXPECT_EQ(result.tail->held_line_breaks, 3u);
    EXPECT_EQ(result.extended_digest("\r\n\r\n"),
              auth::crypto::hash(HashAlgorithm::Sha256, canonical + "\r\n\r\n"));
    EXPECT_EQ(result.prefix_digest(canonical.size() - 2),
              auth::crypto::hash(HashAlgorithm::Sha256, canonical.substr(0, canonical.size() - 2)));
    EXPECT_EQ(result.prefix_digest(canonical.size()), result.digest);
    if (!lead.empty()) {
      EXPECT_FALSE(result.prefix_digest(10));  // long gone
    }
  }
}

TEST(BodyHashSet, SharesOneHashPerDistinctKey) {
  BodyHashSet owner;
  BodyHashSet::Impl& set = owner.impl();
  const std::size_t a = set.add({Canonicalization::Relaxed, HashAlgorithm::Sha256, {}});
  const std::size_t b = set.add({Canonicalization::Relaxed, HashAlgorithm::Sha256, {}});
  const std::size_t c = set.add({Canonicalization::Simple, HashAlgorithm::Sha256, {}});
  const std::size_t d = set.add({Canonicalization::Relaxed, HashAlgorithm::Sha256, 5});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_EQ(owner.size(), 3u);
  set.update(rfc8463_body);
  set.finish();
  EXPECT_EQ(auth::crypto::base64_encode(set.result(a).digest.view()),
            "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
  EXPECT_EQ(set.result(d).digest, auth::crypto::hash(HashAlgorithm::Sha256, "Hi.\r\n"));
}

// Two feeders of one body (the DKIM verifier and the ARC validator of a message): each passes
// the whole body with its offsets; every hash sees each byte once, whatever the splits.
TEST(BodyHashSet, TwoFeedersHashEachByteOnce) {
  const std::string_view body = rfc8463_body;
  for (std::size_t chunk : {1, 2, 3, 7, 64, 0}) {
    const std::size_t a_step = chunk == 0 ? body.size() : chunk;
    const std::size_t b_step = a_step + 1;  // the other feeder splits differently
    BodyHashSet owner;
    BodyHashSet::Impl& set = owner.impl();
    const std::size_t relaxed = set.add({Canonicalization::Relaxed, HashAlgorithm::Sha256, {}});
    const std::size_t simple = set.add({Canonicalization::Simple, HashAlgorithm::Sha256, {}});
    std::size_t a = 0, b = 0;
    while (a < body.size() || b < body.size()) {
      if (a < body.size()) {
        set.update(a, body.substr(a, a_step));
        a += std::min(a_step, body.size() - a);
      }
      if (b < body.size()) {
        set.update(b, body.substr(b, b_step));
        b += std::min(b_step, body.size() - b);
      }
    }
    EXPECT_EQ(owner.hashed_bytes(), 2 * body.size()) << chunk;
    EXPECT_EQ(auth::crypto::base64_encode(set.finish(relaxed).digest.view()),
              "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=")
        << chunk;
    EXPECT_EQ(set.finish(simple).digest, auth::crypto::hash(HashAlgorithm::Sha256, body)) << chunk;
  }
}

// A hash added after the body began waits for bytes from the start instead of hashing a suffix.
TEST(BodyHashSet, LateHashSkipsGapsUntilItsFeederCatchesUp) {
  const std::string_view body = rfc8463_body;
  BodyHashSet owner;
  BodyHashSet::Impl& set = owner.impl();
  const std::size_t simple = set.add({Canonicalization::Simple, HashAlgorithm::Sha256, {}});
  set.update(0, body.substr(0, 10));
  const std::size_t relaxed = set.add({Canonicalization::Relaxed, HashAlgorithm::Sha256, {}});
  set.update(10, body.substr(10));  // the new hash lacks bytes 0..9: skipped
  EXPECT_EQ(owner.hashed_bytes(), body.size());
  set.update(0, body);  // the late feeder: only the new hash takes it
  EXPECT_EQ(owner.hashed_bytes(), 2 * body.size());
  EXPECT_EQ(set.finish(simple).digest, auth::crypto::hash(HashAlgorithm::Sha256, body));
  EXPECT_EQ(auth::crypto::base64_encode(set.finish(relaxed).digest.view()),
            "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
  // A finished hash ignores further bytes; finish() is idempotent.
  set.update(0, "more\r\n");
  EXPECT_EQ(set.finish(simple).digest, auth::crypto::hash(HashAlgorithm::Sha256, body));
}
