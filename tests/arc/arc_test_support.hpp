// Helpers for the ARC tests and conformance runners: the shared message helpers (tests/support)
// under the names the ARC tests use, validation in chunks, test keys and sealing one hop.
#pragma once

#include <auth/arc.hpp>

#include "dkim/shared.hpp"

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

// One ARC set (i=1) made by hand on top of `crlf_message`, with tags written as the test says,
// for what the Sealer never writes. The ARC-Message-Signature is
//   " i=1; a=rsa-sha256; c=relaxed/relaxed; d=<domain>; <ams_tags>; bh=<relaxed body hash>; b="
// signed over the fields named in `signed_names` (the new AAR among the candidates); the
// ARC-Seal " i=1; a=rsa-sha256; cv=none; d=<domain>; <seal_tags>; b=" over the AAR and AMS.
inline std::string hand_sealed(const std::string& crlf_message, const crypto::PrivateKey& key,
                               std::string_view domain, std::string_view ams_tags,
                               const std::vector<std::string>& signed_names,
                               std::string_view seal_tags) {
  const SplitMessage message = split_message(crlf_message);
  auto sign = [&](std::string_view name, const std::string& value,
                  std::span<const message::HeaderField* const> fields) {
    const crypto::Digest digest =
        dkim::header_hash(crypto::HashAlgorithm::Sha256, dkim::Canonicalization::Relaxed, fields,
                          name, value, value.size(), value.size());
    auto b = key.sign(crypto::HashAlgorithm::Sha256, digest.view());
    return value + (b ? crypto::base64_encode(*b) : std::string("signing failed"));
  };
  dkim::BodyHasher body({dkim::Canonicalization::Relaxed, crypto::HashAlgorithm::Sha256, {}});
  body.update(message.body);
  const message::HeaderField aar{"ARC-Authentication-Results", " i=1; mx.example.net; none"};
  std::vector<const message::HeaderField*> visible{&aar};
  for (const message::HeaderField& field : message.headers) visible.push_back(&field);
  const message::HeaderField ams{
      "ARC-Message-Signature",
      sign("ARC-Message-Signature",
           " i=1; a=rsa-sha256; c=relaxed/relaxed; d=" + std::string(domain) + "; " +
               std::string(ams_tags) +
               "; bh=" + crypto::base64_encode(body.finish().digest.view()) + "; b=",
           dkim::select_headers(visible, signed_names))};
  const std::vector<const message::HeaderField*> sealed{&aar, &ams};
  const message::HeaderField seal{
      "ARC-Seal", sign("ARC-Seal",
                       " i=1; a=rsa-sha256; cv=none; d=" + std::string(domain) + "; " +
                           std::string(seal_tags) + "; b=",
                       sealed)};
  std::vector<message::HeaderField> headers{seal, ams, aar};
  headers.insert(headers.end(), message.headers.begin(), message.headers.end());
  return join_message(headers, message.body);
}

// A valid hostile chain: `sets` ARC sets (the most the default Limits allow), all sealed as
// arc._domainkey.lists.example.org with testdata's RSA key (testdata/arc/arc.zone publishes it),
// over a header near the default Limits: 760 filler fields of 1000 bytes, about 0.8 MB in 915
// fields. Validating it verifies every AMS (the newest, then the others for oldest-pass) and
// every seal over a large header. Sealed with a stated validation, so making it costs 50 seals.
inline SplitMessage hostile_chain(unsigned sets = 50) {
  SplitMessage m;
  m.headers = {{"From", " Alice <alice@example.org>"},
               {"To", " list@lists.example.org"},
               {"Subject", " a long way round"},
               {"Date", " Sat, 28 Nov 2026 10:00:00 +0000"},
               {"Message-ID", " <hostile-50@example.org>"}};
  for (std::size_t i = 0; i < 760; ++i)
    m.headers.push_back({"X-Filler", " " + std::string(997, static_cast<char>('a' + i % 26))});
  for (int i = 0; i < 40; ++i) m.body += "A line of body text, the same on every line.\r\n";
  const auto clock = FixedClock::at_unix(1795860200);
  ArcResult passed;
  passed.result = ChainResult::Pass;
  SealerOptions options;
  options.keys.push_back({"lists.example.org", "arc", rsa_key(), {}});
  for (unsigned instance = 1; instance <= sets; ++instance) {
    auto sealer = Sealer::create(options, clock);
    if (!sealer) return {};
    feed(*sealer, m);
    SealInput input;
    input.validation = instance == 1 ? nullptr : &passed;
    input.authentication_results = "mx.lists.example.org; spf=pass smtp.mailfrom=example.org";
    auto set = sealer->finish(input);
    if (!set || set->size() != 3) return {};
    m.headers.insert(m.headers.begin(), set->begin(), set->end());
  }
  return m;
}

}  // namespace auth::arc::testing
