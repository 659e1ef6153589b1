#include "crypto/openssl_util.hpp"

#include <openssl/err.h>

#include <cstdlib>

namespace auth::crypto::detail {
namespace {

MdPtr fetch(const char* name) {
  MdPtr md(EVP_MD_fetch(nullptr, name, nullptr));
  // Without SHA-1/SHA-256 in the default provider nothing in this library can work.
  if (!md) std::abort();
  return md;
}

}  // namespace

const EVP_MD* message_digest(HashAlgorithm algorithm) {
  // Function-local statics: initialised once, thread-safe, freed before OpenSSL's own atexit
  // cleanup (which was registered earlier, by the fetch itself).
  static const MdPtr sha1 = fetch("SHA1");
  static const MdPtr sha256 = fetch("SHA256");
  return algorithm == HashAlgorithm::Sha1 ? sha1.get() : sha256.get();
}

std::size_t digest_size(HashAlgorithm algorithm) {
  return algorithm == HashAlgorithm::Sha1 ? 20 : 32;
}

std::string openssl_error(std::string_view what) {
  std::string message(what);
  // The earliest queued error is the root cause; later ones are the layers that passed it up.
  unsigned long code = ERR_get_error();
  if (code != 0) {
    message += ": ";
    const char* reason = ERR_reason_error_string(code);
    if (reason != nullptr) {
      message += reason;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof buffer);
      message += buffer;
    }
  }
  ERR_clear_error();
  return message;
}

void clear_openssl_errors() { ERR_clear_error(); }

}  // namespace auth::crypto::detail
