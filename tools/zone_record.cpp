#include "zone_record.hpp"

namespace mailauth::cli {

std::string dkim_zone_record(const std::string& name, const auth::crypto::PrivateKey& key) {
  const std::string record = std::string("v=DKIM1; k=") +
                             (key.type() == auth::crypto::KeyType::Rsa ? "rsa" : "ed25519") +
                             "; p=" + auth::crypto::base64_encode(key.public_key_dkim());
  std::string out = name + ". IN TXT (";
  for (std::size_t at = 0; at < record.size(); at += 255)
    out += (at == 0 ? " \"" : "\n\t\"") + record.substr(at, 255) + '"';
  return out + " )\n";
}

}  // namespace mailauth::cli
