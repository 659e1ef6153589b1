// DKIM: body canonicalization + hashing (beside BM_RawSha256 in sha256_bench.cpp), verification
// of an rsa-sha256 2048-bit signature (beside OpenSSL's raw RSA-2048 verify), and signing.
// DNS comes from a ZoneResolver behind a CachingResolver, as in production.
#include <benchmark/benchmark.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <auth/clock.hpp>
#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>

#include <memory>
#include <string>
#include <vector>

#include "dkim/body_hash.hpp"

namespace {

using namespace auth;

// Text-like body: lines of words, some trailing white space, CRLF line ends.
std::string make_body(std::size_t size) {
  static const char* words[] = {"the", "quarterly", "figures", "are",    "attached",
                                "and", "we",        "expect",  "growth", "in",
                                "all", "regions,",  "with\t",  "some",   "exceptions."};
  std::string body;
  std::size_t line = 0, w = 0;
  while (body.size() < size) {
    const std::string word = words[w++ % (sizeof words / sizeof *words)];
    body += word;
    line += word.size() + 1;
    if (line > 70) {
      body += (w % 7 == 0) ? "  \r\n" : "\r\n";
      line = 0;
    } else {
      body += ' ';
    }
  }
  return body + "\r\n";
}

const std::vector<std::pair<std::string, std::string>> headers = {
    {"From", " Alice <alice@example.com>"},
    {"To", " Bob <bob@example.net>"},
    {"Subject", " quarterly figures"},
    {"Date", " Sat, 28 Nov 2026 12:00:00 +0000"},
    {"Message-ID", " <bench@example.com>"},
    {"MIME-Version", " 1.0"},
    {"Content-Type", " text/plain; charset=utf-8"},
};

void body_hash(benchmark::State& state, dkim::Canonicalization canonicalization) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  constexpr std::size_t chunk = 64 * 1024;
  for (auto _ : state) {
    dkim::BodyHasher hasher({canonicalization, crypto::HashAlgorithm::Sha256, {}});
    for (std::size_t at = 0; at < body.size(); at += chunk)
      hasher.update(std::string_view(body).substr(at, chunk));
    benchmark::DoNotOptimize(hasher.finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_DkimBodyHashSimple(benchmark::State& state) {
  body_hash(state, dkim::Canonicalization::Simple);
}
void BM_DkimBodyHashRelaxed(benchmark::State& state) {
  body_hash(state, dkim::Canonicalization::Relaxed);
}
BENCHMARK(BM_DkimBodyHashSimple)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_DkimBodyHashRelaxed)->Arg(4096)->Arg(1 << 20);

const FixedClock bench_clock = FixedClock::at_unix(1795000000);

std::shared_ptr<const crypto::PrivateKey> key(crypto::KeyType type) {
  static const auto rsa =
      std::make_shared<const crypto::PrivateKey>(*crypto::PrivateKey::generate_rsa(2048));
  static const auto ed =
      std::make_shared<const crypto::PrivateKey>(*crypto::PrivateKey::generate_ed25519());
  return type == crypto::KeyType::Rsa ? rsa : ed;
}

dkim::SignerOptions signer_options(crypto::KeyType type) {
  dkim::SignerOptions o;
  o.domain = "example.com";
  o.selector = type == crypto::KeyType::Rsa ? "rsa" : "ed";
  o.key = key(type);
  return o;
}

std::vector<message::HeaderField> sign(const std::string& body, crypto::KeyType type) {
  auto signer = dkim::Signer::create(signer_options(type), bench_clock);
  for (const auto& [name, value] : headers) signer->header(name, value);
  signer->end_of_headers();
  signer->body(body);
  return *signer->finish();
}

// Verify one message with an rsa-sha256 2048-bit signature; DNS and key decoding are cached,
// as for a busy milter.
void BM_DkimVerifyRsa2048(benchmark::State& state) {
  const std::string body = make_body(static_cast<std::size_t>(state.range(0)));
  const auto signature = sign(body, crypto::KeyType::Rsa);
  const std::string record =
      "v=DKIM1; k=rsa; p=" + crypto::base64_encode(key(crypto::KeyType::Rsa)->public_key_dkim());
  std::string zone = "rsa._domainkey.example.com. 3600 IN TXT (";
  for (std::size_t at = 0; at < record.size(); at += 255)
    zone += " \"" + record.substr(at, 255) + "\"";
  zone += " )\n";
  auto upstream = dns::ZoneResolver::from_string(zone);
  if (!upstream) {
    state.SkipWithError("zone");
    return;
  }
  dns::CachingResolver resolver(**upstream, bench_clock);
  dkim::KeyCache cache;
  dkim::VerifyOptions options;
  options.key_cache = &cache;
  for (auto _ : state) {
    dkim::Verifier verifier(resolver, bench_clock, {}, options);
    verifier.header(signature[0]);
    for (const auto& [name, value] : headers) verifier.header(name, value);
    verifier.end_of_headers();
    verifier.body(body);
    const auto results = verifier.finish();
    if (results.size() != 1 || results[0].result != dkim::Result::Pass) {
      state.SkipWithError("verification failed");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_DkimVerifyRsa2048)->Arg(4096)->Arg(100 * 1024);

using RawPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

// A PKCS#1 v1.5 SHA-256 context on `pkey`, initialized for signing or verifying.
RawPkeyCtx raw_rsa_ctx(EVP_PKEY* pkey, bool for_signing) {
  RawPkeyCtx ctx(EVP_PKEY_CTX_new(pkey, nullptr), EVP_PKEY_CTX_free);
  if (!ctx ||
      (for_signing ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1) {
    ctx.reset();
  }
  return ctx;
}

// Raw OpenSSL verification of one signature over a digest with an already decoded RSA-2048 key,
// `reuse_ctx`: one context initialized once, OpenSSL's fastest path and the ceiling for
// BM_DkimVerifyRsa2048; otherwise a context made and initialized per call, as a naive caller does.
void raw_rsa2048_verify(benchmark::State& state, bool reuse_ctx) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_RSA_gen(2048), EVP_PKEY_free);
  unsigned char digest[32] = {1, 2, 3};
  std::vector<unsigned char> sig(256);
  std::size_t sig_len = sig.size();
  const RawPkeyCtx signer = raw_rsa_ctx(pkey.get(), true);
  if (!signer || EVP_PKEY_sign(signer.get(), sig.data(), &sig_len, digest, sizeof digest) != 1) {
    state.SkipWithError("raw sign failed");
    return;
  }
  const RawPkeyCtx reused = raw_rsa_ctx(pkey.get(), false);
  for (auto _ : state) {
    const RawPkeyCtx fresh =
        reuse_ctx ? RawPkeyCtx(nullptr, EVP_PKEY_CTX_free) : raw_rsa_ctx(pkey.get(), false);
    EVP_PKEY_CTX* ctx = reuse_ctx ? reused.get() : fresh.get();
    if (!ctx || EVP_PKEY_verify(ctx, sig.data(), sig_len, digest, sizeof digest) != 1) {
      state.SkipWithError("raw verify failed");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
void BM_RawRsa2048Verify(benchmark::State& state) { raw_rsa2048_verify(state, true); }
void BM_RawRsa2048VerifyNewCtxPerCall(benchmark::State& state) { raw_rsa2048_verify(state, false); }
BENCHMARK(BM_RawRsa2048Verify);
BENCHMARK(BM_RawRsa2048VerifyNewCtxPerCall);

void sign_bench(benchmark::State& state, crypto::KeyType type) {
  const std::string body = make_body(4096);
  const dkim::SignerOptions options = signer_options(type);
  for (auto _ : state) {
    auto signer = dkim::Signer::create(options, bench_clock);
    for (const auto& [name, value] : headers) signer->header(name, value);
    signer->end_of_headers();
    signer->body(body);
    benchmark::DoNotOptimize(signer->finish());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
void BM_DkimSignRsa2048(benchmark::State& state) { sign_bench(state, crypto::KeyType::Rsa); }
void BM_DkimSignEd25519(benchmark::State& state) { sign_bench(state, crypto::KeyType::Ed25519); }
BENCHMARK(BM_DkimSignRsa2048);
BENCHMARK(BM_DkimSignEd25519);

}  // namespace
