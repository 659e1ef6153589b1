#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <auth/crypto.hpp>

#include "test_util.hpp"

namespace auth::crypto {
namespace {

using test::to_hex;

// FIPS 180-2 Appendix A/B vectors (and the empty message).
struct Vector {
  std::string message;
  const char* sha1;
  const char* sha256;
};

const std::string kTwoBlock = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string kFourBlock =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
    "nopqrsmnopqrstnopqrstu";

std::vector<Vector> vectors() {
  return {
      {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {kTwoBlock, "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {kFourBlock, "a49b2446a02c645bf419f995b67091253a04a259",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      {std::string(1000000, 'a'), "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
}

TEST(Hash, OneShotKnownAnswers) {
  for (const auto& v : vectors()) {
    const Digest d1 = hash(HashAlgorithm::Sha1, v.message);
    const Digest d256 = hash(HashAlgorithm::Sha256, v.message);
    EXPECT_EQ(d1.size, 20u);
    EXPECT_EQ(d256.size, 32u);
    EXPECT_EQ(to_hex(d1.view()), v.sha1) << "message of " << v.message.size() << " bytes";
    EXPECT_EQ(to_hex(d256.view()), v.sha256) << "message of " << v.message.size() << " bytes";
  }
}

// Split-insensitivity: the same input in chunks of 1, 2, 3, 7, 64 bytes and whole.
TEST(Hasher, ChunkedEqualsOneShot) {
  for (const auto& v : vectors()) {
    if (v.message.size() > 100000) continue;  // covered below with larger chunks only
    for (auto algorithm : {HashAlgorithm::Sha1, HashAlgorithm::Sha256}) {
      const std::string expected = algorithm == HashAlgorithm::Sha1 ? v.sha1 : v.sha256;
      for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 0u}) {
        Hasher hasher(algorithm);
        const std::string_view text = v.message;
        if (chunk == 0) {
          hasher.update(text);
        } else {
          for (std::size_t i = 0; i < text.size(); i += chunk) hasher.update(text.substr(i, chunk));
        }
        EXPECT_EQ(to_hex(hasher.finish().view()), expected) << "chunk " << chunk;
      }
    }
  }
}

TEST(Hasher, MillionAsInChunks) {
  const std::string a(1000000, 'a');
  for (std::size_t chunk : {1u, 7u, 64u, 1000u, 65536u}) {
    Hasher hasher(HashAlgorithm::Sha256);
    for (std::size_t i = 0; i < a.size(); i += chunk) {
      hasher.update(std::string_view(a).substr(i, chunk));
    }
    EXPECT_EQ(to_hex(hasher.finish().view()),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        << "chunk " << chunk;
  }
}

// Piece sizes around the hasher's internal gathering buffer (1 KB; pieces of 512 bytes or more
// bypass it), with a copy taken at every step: all must agree with the one-shot digest.
TEST(Hasher, MixedPieceSizesAndCopiesAgreeWithOneShot) {
  std::string data;
  for (int i = 0; i < 20000; ++i) data += static_cast<char>('a' + (i * 7919) % 26);
  const std::size_t pieces[] = {1, 511, 512, 513, 1, 1023, 1024, 1025, 2, 3000, 7, 64, 100};
  for (auto algorithm : {HashAlgorithm::Sha1, HashAlgorithm::Sha256}) {
    const Digest expected = hash(algorithm, data);
    Hasher hasher(algorithm);
    std::vector<std::pair<Hasher, std::size_t>> forks;  // copy and how much it has seen
    std::size_t at = 0;
    for (std::size_t k = 0; at < data.size(); ++k) {
      const std::size_t n = std::min(pieces[k % std::size(pieces)], data.size() - at);
      hasher.update(std::string_view(data).substr(at, n));
      at += n;
      if (k % 3 == 0) forks.emplace_back(hasher, at);
    }
    EXPECT_EQ(hasher.finish(), expected);
    for (auto& [fork, seen] : forks) {
      fork.update(std::string_view(data).substr(seen));
      EXPECT_EQ(fork.finish(), expected) << "fork after " << seen << " bytes";
    }
  }
}

TEST(Hasher, ByteViewAndStringViewAgree) {
  Hasher a(HashAlgorithm::Sha256);
  Hasher b(HashAlgorithm::Sha256);
  a.update(std::string_view("ab"));
  a.update(std::string_view("c"));
  b.update(test::bytes_of("a"));
  b.update(test::bytes_of("bc"));
  b.update(ByteView{});
  EXPECT_EQ(a.finish(), b.finish());
}

TEST(Hasher, FinishResetsForReuse) {
  Hasher hasher(HashAlgorithm::Sha1);
  hasher.update(std::string_view("abc"));
  EXPECT_EQ(to_hex(hasher.finish().view()), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(to_hex(hasher.finish().view()), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  hasher.update(std::string_view("abc"));
  EXPECT_EQ(to_hex(hasher.finish().view()), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hasher.algorithm(), HashAlgorithm::Sha1);
}

// A copy continues independently from the state at the time of copying (DKIM forks a body hash
// at an l= boundary this way).
TEST(Hasher, CopyForksTheState) {
  Hasher first(HashAlgorithm::Sha256);
  first.update(std::string_view("ab"));
  Hasher second = first;
  first.update(std::string_view("c"));
  EXPECT_EQ(to_hex(first.finish().view()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  second.update(std::string_view("cdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
  EXPECT_EQ(to_hex(second.finish().view()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

  Hasher assigned(HashAlgorithm::Sha1);
  Hasher source(HashAlgorithm::Sha256);
  source.update(std::string_view("a"));
  assigned = source;
  EXPECT_EQ(assigned.algorithm(), HashAlgorithm::Sha256);
  assigned.update(std::string_view("bc"));
  EXPECT_EQ(assigned.finish(), hash(HashAlgorithm::Sha256, "abc"));
  source.update(std::string_view("bc"));
  EXPECT_EQ(source.finish(), hash(HashAlgorithm::Sha256, "abc"));
}

TEST(Hasher, Move) {
  Hasher a(HashAlgorithm::Sha256);
  a.update(std::string_view("ab"));
  Hasher b = std::move(a);
  b.update(std::string_view("c"));
  EXPECT_EQ(b.finish(), hash(HashAlgorithm::Sha256, "abc"));
  Hasher c(HashAlgorithm::Sha1);
  c = std::move(b);
  c.update(std::string_view("abc"));
  EXPECT_EQ(c.finish(), hash(HashAlgorithm::Sha256, "abc"));
}

TEST(Digest, EqualityComparesOnlyTheUsedBytes) {
  Digest a = hash(HashAlgorithm::Sha1, "abc");
  Digest b = a;
  b.bytes[25] = 0xFF;  // beyond size: not part of the value
  EXPECT_EQ(a, b);
  b.bytes[0] ^= 1;
  EXPECT_NE(a, b);
  EXPECT_NE(hash(HashAlgorithm::Sha1, ""), hash(HashAlgorithm::Sha256, ""));
}

}  // namespace
}  // namespace auth::crypto
