// One PublicKey shared by many threads, as dkim::KeyCache shares it among milter threads: every
// verify must give the same answer as alone, and leave the thread's OpenSSL error queue empty.
#include <gtest/gtest.h>
#include <openssl/err.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <auth/crypto.hpp>

#include "test_util.hpp"

namespace auth::crypto {
namespace {

using test::key_path;

struct Case {
  HashAlgorithm algorithm;
  Digest digest;
  Bytes signature;
  bool expected;
};

// Valid and invalid signatures for both hash algorithms, in an order that puts invalid ones
// right before valid ones, so that a reused verification context is checked after a failure.
std::vector<Case> make_cases(const PrivateKey& key) {
  std::vector<Case> cases;
  for (auto algorithm : {HashAlgorithm::Sha256, HashAlgorithm::Sha1}) {
    const Digest digest = hash(algorithm, "From: a@example.com\r\n");
    const Bytes signature = key.sign(algorithm, digest.view()).value();
    Bytes tampered = signature;
    tampered[17] ^= 0x04;
    Digest other = digest;
    other.bytes[0] ^= 0x80;
    cases.push_back({algorithm, digest, tampered, false});
    cases.push_back({algorithm, digest, signature, true});
    cases.push_back({algorithm, other, signature, false});
    cases.push_back({algorithm, digest, Bytes(signature.begin(), signature.end() - 1), false});
    cases.push_back({algorithm, digest, signature, true});
  }
  return cases;
}

// Runs every case `rounds` times in each of `threads` threads; returns the number of wrong
// answers or non-empty error queues seen.
int run_concurrently(const PublicKey& pub, const std::vector<Case>& cases, int threads,
                     int rounds) {
  std::atomic<int> wrong{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int r = 0; r < rounds; ++r) {
        for (std::size_t i = 0; i < cases.size(); ++i) {
          // Threads start at different cases so that valid and invalid verifies interleave.
          const Case& c = cases[(i + static_cast<std::size_t>(t)) % cases.size()];
          if (pub.verify(c.algorithm, c.digest.view(), c.signature) != c.expected) ++wrong;
          if (ERR_peek_error() != 0) ++wrong;
        }
      }
    });
  }
  go = true;
  for (auto& w : workers) w.join();
  return wrong.load();
}

// 2 and 4 threads share the pool's idle contexts; 16 is more threads than contexts kept idle
// per key, so some are made and freed on the way.
class PublicKeyThreadCount : public ::testing::TestWithParam<int> {};

TEST_P(PublicKeyThreadCount, RsaVerifyFromManyThreadsWithOneKey) {
  auto key = PrivateKey::from_file(key_path("rsa2048.pkcs8.pem"));
  ASSERT_TRUE(key) << key.error().message;
  auto pub = PublicKey::from_dkim(KeyType::Rsa, key->public_key_dkim());
  ASSERT_TRUE(pub) << pub.error().message;
  const std::vector<Case> cases = make_cases(*key);
  EXPECT_EQ(run_concurrently(*pub, cases, GetParam(), 96 / GetParam()), 0);
  // And the same key alone afterwards, with contexts the threads left behind.
  for (const Case& c : cases)
    EXPECT_EQ(pub->verify(c.algorithm, c.digest.view(), c.signature), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Threads, PublicKeyThreadCount, ::testing::Values(2, 4, 16));

TEST(PublicKeyThreads, Ed25519VerifyFromManyThreadsWithOneKey) {
  auto key = PrivateKey::generate_ed25519();
  ASSERT_TRUE(key) << key.error().message;
  auto pub = PublicKey::from_dkim(KeyType::Ed25519, key->public_key_dkim());
  ASSERT_TRUE(pub) << pub.error().message;
  const Digest digest = hash(HashAlgorithm::Sha256, "headers");
  const Bytes signature = key->sign(HashAlgorithm::Sha256, digest.view()).value();
  Bytes tampered = signature;
  tampered[3] ^= 0x01;
  const std::vector<Case> cases = {{HashAlgorithm::Sha256, digest, tampered, false},
                                   {HashAlgorithm::Sha256, digest, signature, true}};
  EXPECT_EQ(run_concurrently(*pub, cases, 6, 20), 0);
}

TEST(PublicKeyThreads, ValidAfterInvalidOnOneThread) {
  auto key = PrivateKey::from_file(key_path("rsa2048.pkcs1.pem"));
  ASSERT_TRUE(key) << key.error().message;
  auto pub = PublicKey::from_dkim(KeyType::Rsa, key->public_key_dkim());
  ASSERT_TRUE(pub) << pub.error().message;
  for (const Case& c : make_cases(*key)) {
    EXPECT_EQ(pub->verify(c.algorithm, c.digest.view(), c.signature), c.expected);
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

}  // namespace
}  // namespace auth::crypto
