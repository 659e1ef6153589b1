// Private to auth::crypto: unique_ptr aliases for OpenSSL handles, the digest lookup shared by
// hashing and signing, and OpenSSL error-queue draining.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include <auth/crypto.hpp>

namespace auth::crypto::detail {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD, EVP_MD_free>>;

inline void free_bio(BIO* bio) { BIO_free_all(bio); }
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, free_bio>>;

// The fetched EVP_MD for `algorithm`, fetched once per process: an implicit fetch per message
// (EVP_sha256() in EVP_DigestInit) costs a provider lookup each time.
const EVP_MD* message_digest(HashAlgorithm algorithm);

// Digest size in bytes: 20 for SHA-1, 32 for SHA-256.
std::size_t digest_size(HashAlgorithm algorithm);

// "<what>: <OpenSSL's reason>", and clears the thread's error queue so that a failure here does
// not surface in an unrelated later call.
std::string openssl_error(std::string_view what);

// Drops whatever OpenSSL queued during an attempt whose failure we handle ourselves.
void clear_openssl_errors();

}  // namespace auth::crypto::detail
