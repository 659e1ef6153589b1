// The DNS record that publishes a DKIM key, in zone-file syntax (mailauth keygen writes it;
// mailauth keycheck shows it when the record is missing or holds another key).
#pragma once

#include <string>

#include <auth/crypto.hpp>

namespace mailauth::cli {

// "<name>. IN TXT ( "v=DKIM1; k=...; p=..." ... )\n", the text split into strings of at most 255
// bytes (RFC 1035 §3.3). `name` is "<selector>._domainkey.<domain>" without the final dot.
std::string dkim_zone_record(const std::string& name, const auth::crypto::PrivateKey& key);

}  // namespace mailauth::cli
