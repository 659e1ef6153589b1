#include "keys.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace mailauth::milter {

std::expected<LoadedKey, std::string> load_key(const KeySpec& spec) {
  const std::string& file = spec.key_file;
  struct stat info {};
  if (stat(file.c_str(), &info) != 0)
    return std::unexpected("key file " + file + ": " + std::generic_category().message(errno));
  if (!S_ISREG(info.st_mode)) return std::unexpected("key file " + file + " is not a file");
  // A private key that others can read is as good as published: refuse it, as ssh does.
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    (void)std::snprintf(mode, sizeof mode, "%04o",
                        static_cast<unsigned>(info.st_mode & 07777));  // 4 of 8 bytes
    return std::unexpected("key file " + file + " is accessible by group or others (mode " + mode +
                           "); fix it with: chmod 600 " + file);
  }
  auto key = auth::crypto::PrivateKey::from_file(file);
  if (!key) return std::unexpected(key.error().message);
  if (key->type() == auth::crypto::KeyType::Rsa && (key->bits() < 1024 || key->bits() > 4096))
    return std::unexpected("key file " + file + ": RSA key of " + std::to_string(key->bits()) +
                           " bits; DKIM signing takes 1024 to 4096 bits (2048 recommended)");
  return LoadedKey{spec, std::make_shared<const auth::crypto::PrivateKey>(std::move(*key))};
}

}  // namespace mailauth::milter
