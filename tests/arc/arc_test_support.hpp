// Helpers for the ARC tests and conformance runners: the shared message helpers (tests/support)
// under the names the ARC tests use, validation in chunks, test keys and sealing one hop.
#pragma once

#include <auth/arc.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../support/message_test_support.hpp"

namespace auth::arc::testing {

using namespace test_support;

inline ArcResult validate(dns::Resolver& resolver, const Clock& clock,
                          std::string_view crlf_message, std::size_t chunk = 0,
                          const Limits& limits = {}, const ValidatorOptions& options = {}) {
  Validator validator(resolver, clock, limits, options);
  feed(validator, split_message(crlf_message), chunk);
  return validator.finish();
}

}  // namespace auth::arc::testing

namespace auth::arc::testing {

// Keys loaded once per test binary from testdata/keys, and their DNS key records.
inline std::shared_ptr<const crypto::PrivateKey> load_key(const std::string& file) {
  auto key = crypto::PrivateKey::from_file(std::string(MAILAUTH_TESTDATA) + "/keys/" + file);
  if (!key) return nullptr;
  return std::make_shared<const crypto::PrivateKey>(std::move(*key));
}
inline std::shared_ptr<const crypto::PrivateKey> rsa_key() {
  static const auto key = load_key("rsa2048.pkcs8.pem");
  return key;
}
inline std::shared_ptr<const crypto::PrivateKey> ed25519_key() {
  static const auto key = load_key("ed25519.pkcs8.pem");
  return key;
}
inline std::string key_record(const crypto::PrivateKey& key) {
  return std::string("v=DKIM1; k=") + (key.type() == crypto::KeyType::Rsa ? "rsa" : "ed25519") +
         "; p=" + crypto::base64_encode(key.public_key_dkim());
}

// One hop: validate the chain as received, then seal as `domain` with this hop's results.
// Returns the message with the new set on top (unchanged when no set may be added).
inline std::string seal_hop(dns::Resolver& resolver, const Clock& clock,
                            const std::string& crlf_message, const SealingKey& key,
                            const std::string& authserv_id = "mx.example.net",
                            ArcResult* incoming_out = nullptr) {
  const SplitMessage message = split_message(crlf_message);
  const ArcResult incoming = validate(resolver, clock, crlf_message);
  if (incoming_out != nullptr) *incoming_out = incoming;
  SealerOptions options;
  options.keys.push_back(key);
  auto sealer = Sealer::create(options, clock);
  if (!sealer) return "sealer: " + sealer.error().message;
  feed(*sealer, message);
  const std::string payload = authserv_id + "; arc=" + std::string(to_string(incoming.result)) +
                              "; spf=pass smtp.mailfrom=a@" + key.domain;
  SealInput input;
  input.validation = &incoming;
  input.authentication_results = payload;
  auto set = sealer->finish(input);
  if (!set) return "seal: " + set.error().message;
  std::vector<message::HeaderField> headers = *set;
  headers.insert(headers.end(), message.headers.begin(), message.headers.end());
  return join_message(headers, message.body);
}

inline const std::string& sample_message() {
  static const std::string text = lf_to_crlf(
      "Received: from mail.example.org by mx.example.net; Sat, 28 Nov 2026 10:00:00 +0000\n"
      "From: Alice <alice@example.org>\n"
      "To: list@lists.example.com\n"
      "Subject: An ARC test\n"
      "Date: Sat, 28 Nov 2026 10:00:00 +0000\n"
      "Message-ID: <arc-test-1@example.org>\n"
      "MIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "Hello,\n"
      "\n"
      "  this body has  inner   spaces, trailing ones   \n"
      "and a few lines.\n"
      "\n"
      "\n");
  return text;
}

}  // namespace auth::arc::testing
