// auth::crypto hot paths: base64 decoding (DKIM b=, bh= and p= values) and SHA-256 through
// Hasher (body and header hashing). Compare BM_HasherSha256 with BM_RawSha256 in
// sha256_bench.cpp, the ceiling set by OpenSSL itself.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include <auth/crypto.hpp>

namespace {

using auth::crypto::Bytes;

// Base64 text of `bytes` pseudo-random bytes; when `folded`, a CRLF+TAB every 64 characters as
// in a folded DKIM-Signature b= tag.
std::string base64_input(std::size_t bytes, bool folded) {
  Bytes data(bytes);
  std::uint32_t x = 2463534242u;
  for (auto& b : data) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  const std::string encoded = auth::crypto::base64_encode(data);
  if (!folded) return encoded;
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 64) {
    if (i != 0) out += "\r\n\t";
    out += encoded.substr(i, 64);
  }
  return out;
}

// Arg: decoded size in bytes (256 = an RSA-2048 signature or key-sized value; 65536 = 64 KB).
void BM_Base64Decode(benchmark::State& state) {
  const std::string text = base64_input(static_cast<std::size_t>(state.range(0)), false);
  for (auto _ : state) {
    auto decoded = auth::crypto::base64_decode(text);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_Base64Decode)->Arg(256)->Arg(64 << 10);

void BM_Base64DecodeFolded(benchmark::State& state) {
  const std::string text = base64_input(static_cast<std::size_t>(state.range(0)), true);
  for (auto _ : state) {
    auto decoded = auth::crypto::base64_decode(text);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_Base64DecodeFolded)->Arg(256)->Arg(64 << 10);

void BM_Base64Encode(benchmark::State& state) {
  const Bytes data(static_cast<std::size_t>(state.range(0)), 0x5A);
  for (auto _ : state) {
    auto encoded = auth::crypto::base64_encode(data);
    benchmark::DoNotOptimize(encoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Base64Encode)->Arg(256)->Arg(64 << 10);

// Same sizes as BM_RawSha256: one update per message, then finish (which re-initialises).
void BM_HasherSha256(benchmark::State& state) {
  const std::string data(static_cast<std::size_t>(state.range(0)), 'x');
  auth::crypto::Hasher hasher(auth::crypto::HashAlgorithm::Sha256);
  for (auto _ : state) {
    hasher.update(data);
    auto digest = hasher.finish();
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HasherSha256)->Arg(4096)->Arg(1 << 20);

// A 64 KB body fed line by line (Arg: line length), as canonicalization hands it over.
void BM_HasherSha256Lines(benchmark::State& state) {
  const std::size_t total = 64 << 10;
  const auto line = static_cast<std::size_t>(state.range(0));
  const std::string data(total, 'x');
  const std::string_view view = data;
  auth::crypto::Hasher hasher(auth::crypto::HashAlgorithm::Sha256);
  for (auto _ : state) {
    for (std::size_t i = 0; i < total; i += line) hasher.update(view.substr(i, line));
    auto digest = hasher.finish();
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(total));
}
BENCHMARK(BM_HasherSha256Lines)->Arg(2)->Arg(16)->Arg(78);

// A fresh Hasher per message (construction fetches nothing: the EVP_MD is fetched once).
void BM_HasherSha256Fresh(benchmark::State& state) {
  const std::string data(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auth::crypto::Hasher hasher(auth::crypto::HashAlgorithm::Sha256);
    hasher.update(data);
    auto digest = hasher.finish();
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HasherSha256Fresh)->Arg(256);

}  // namespace

namespace {

Bytes read_testdata(const char* name) {
  std::FILE* f = std::fopen((std::string(MAILAUTH_TESTDATA) + "/keys/" + name).c_str(), "rb");
  Bytes out;
  if (f == nullptr) return out;
  int c;
  while ((c = std::fgetc(f)) != EOF) out.push_back(static_cast<std::uint8_t>(c));
  std::fclose(f);
  return out;
}

// Decoding a DKIM p= value (already base64-decoded) into a key: what a key cache saves.
void BM_PublicKeyFromDkimRsa2048(benchmark::State& state) {
  const Bytes der =
      read_testdata(state.range(0) == 0 ? "rsa2048.spki.der" : "rsa2048.rsapublickey.der");
  if (der.empty()) {
    state.SkipWithError("testdata/keys missing");
    return;
  }
  for (auto _ : state) {
    auto key = auth::crypto::PublicKey::from_dkim(auth::crypto::KeyType::Rsa, der);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_PublicKeyFromDkimRsa2048)->Arg(0)->Arg(1);  // 0: SPKI, 1: bare RSAPublicKey

void BM_VerifyRsa2048Sha256(benchmark::State& state) {
  auto key = auth::crypto::PublicKey::from_dkim(auth::crypto::KeyType::Rsa,
                                                read_testdata("rsa2048.spki.der"));
  const Bytes signature = read_testdata("rsa2048.abc.sha256.sig");
  if (!key || signature.empty()) {
    state.SkipWithError("testdata/keys missing");
    return;
  }
  const auto digest = auth::crypto::hash(auth::crypto::HashAlgorithm::Sha256, "abc");
  for (auto _ : state) {
    bool ok = key->verify(auth::crypto::HashAlgorithm::Sha256, digest.view(), signature);
    if (!ok) state.SkipWithError("signature did not verify");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_VerifyRsa2048Sha256);

void BM_VerifyEd25519(benchmark::State& state) {
  auto private_key = auth::crypto::PrivateKey::generate_ed25519();
  auto key = auth::crypto::PublicKey::from_dkim(auth::crypto::KeyType::Ed25519,
                                                private_key->public_key_dkim());
  const auto digest = auth::crypto::hash(auth::crypto::HashAlgorithm::Sha256, "abc");
  const Bytes signature = *private_key->sign(auth::crypto::HashAlgorithm::Sha256, digest.view());
  for (auto _ : state) {
    bool ok = key->verify(auth::crypto::HashAlgorithm::Sha256, digest.view(), signature);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_VerifyEd25519);

}  // namespace
