// Hasher and hash(): SHA-1/SHA-256 through EVP with digests fetched once (see openssl_util.hpp).
// Canonicalization feeds the hasher in small pieces (a line, a CRLF, a space); each
// EVP_DigestUpdate costs a provider dispatch, so pieces are gathered into a small buffer and
// handed over a block at a time. Large pieces go straight through.
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "crypto/openssl_util.hpp"

namespace auth::crypto {

using detail::MdCtxPtr;

struct Hasher::Ctx {
  static constexpr std::size_t kBufferSize = 1024;  // a multiple of both block sizes (64)
  MdCtxPtr md_ctx;
  std::size_t used = 0;
  std::array<unsigned char, kBufferSize> buffer;

  void flush();
  void add(const void* data, std::size_t size);
};

namespace {

// EVP calls fail only on allocation failure or a broken provider; the hot path has no error
// channel (the header promises update/finish cannot fail), so treat that as fatal.
void check(int ok) {
  if (ok != 1) std::abort();
}

MdCtxPtr new_context(HashAlgorithm algorithm) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) std::abort();
  check(EVP_DigestInit_ex2(ctx.get(), detail::message_digest(algorithm), nullptr));
  return ctx;
}

MdCtxPtr copy_context(const EVP_MD_CTX* from) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) std::abort();
  check(EVP_MD_CTX_copy_ex(ctx.get(), from));
  return ctx;
}

}  // namespace

void Hasher::Ctx::flush() {
  if (used == 0) return;
  check(EVP_DigestUpdate(md_ctx.get(), buffer.data(), used));
  used = 0;
}

void Hasher::Ctx::add(const void* data, std::size_t size) {
  if (size == 0) return;
  if (used + size <= kBufferSize) {
    std::memcpy(buffer.data() + used, data, size);
    used += size;
    return;
  }
  flush();
  if (size >= kBufferSize / 2) {
    check(EVP_DigestUpdate(md_ctx.get(), data, size));
  } else {
    std::memcpy(buffer.data(), data, size);
    used = size;
  }
}

// make_unique_for_overwrite: default-initialisation leaves the 1 KB buffer unzeroed.
Hasher::Hasher(HashAlgorithm algorithm)
    : algorithm_(algorithm), ctx_(std::make_unique_for_overwrite<Ctx>()) {
  ctx_->md_ctx = new_context(algorithm);
}

Hasher::Hasher(const Hasher& other)
    : algorithm_(other.algorithm_), ctx_(std::make_unique_for_overwrite<Ctx>()) {
  ctx_->md_ctx = copy_context(other.ctx_->md_ctx.get());
  ctx_->used = other.ctx_->used;
  std::memcpy(ctx_->buffer.data(), other.ctx_->buffer.data(), other.ctx_->used);
}

Hasher& Hasher::operator=(const Hasher& other) {
  if (this != &other) {
    Hasher copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

void Hasher::update(std::string_view data) { ctx_->add(data.data(), data.size()); }

void Hasher::update(ByteView data) { ctx_->add(data.data(), data.size()); }

Digest Hasher::finish() {
  Digest digest;
  unsigned int size = 0;
  ctx_->flush();
  check(EVP_DigestFinal_ex(ctx_->md_ctx.get(), digest.bytes.data(), &size));
  digest.size = size;
  // Re-initialise with the same fetched digest so the hasher can be reused.
  check(EVP_DigestInit_ex2(ctx_->md_ctx.get(), detail::message_digest(algorithm_), nullptr));
  return digest;
}

Digest hash(HashAlgorithm algorithm, std::string_view data) {
  Digest digest;
  unsigned int size = 0;
  check(EVP_Digest(data.data(), data.size(), digest.bytes.data(), &size,
                   detail::message_digest(algorithm), nullptr));
  digest.size = size;
  return digest;
}

}  // namespace auth::crypto
