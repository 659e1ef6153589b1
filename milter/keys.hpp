// Loading the private keys of `signer` and `seal` lines: readable, mode 0600 or stricter, and of
// a type DKIM can sign with. Keys are read once, at start and on reload.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include <auth/crypto.hpp>

#include "config.hpp"

namespace mailauth::milter {

struct LoadedKey {
  KeySpec spec;
  std::shared_ptr<const auth::crypto::PrivateKey> key;
};

// The key of `spec`, or a message naming the file and what to do about it ("... is readable by
// group or others (mode 0644); fix it with: chmod 600 FILE").
std::expected<LoadedKey, std::string> load_key(const KeySpec& spec);

}  // namespace mailauth::milter
