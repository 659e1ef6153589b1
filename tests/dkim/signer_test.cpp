#include <auth/dkim.hpp>

#include <gtest/gtest.h>

#include "dkim/shared.hpp"
#include "keys.hpp"
#include "test_support.hpp"

using namespace auth;
using namespace auth::dkim;
using namespace auth::dkim::testing;

namespace {

constexpr std::string_view message_text =
    "From: Alice <alice@example.com>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Cc: carol@example.org\r\n"
    "Subject: report\r\n"
    "X-Mailer: none\r\n"
    "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
    "\r\n"
    "The figures are attached.\r\n";

const FixedClock fixed_clock = FixedClock::at_unix(1795000000);

SignerOptions options_for(std::shared_ptr<const crypto::PrivateKey> key) {
  SignerOptions o;
  o.domain = "Example.COM";
  o.selector = "s2026";
  o.key = std::move(key);
  return o;
}

Signature sign_and_parse(const SignerOptions& o, std::size_t chunk = 0,
                         message::HeaderField* field_out = nullptr) {
  auto signer = Signer::create(o, fixed_clock);
  EXPECT_TRUE(signer) << signer.error().message;
  feed(*signer, split_message(message_text), chunk);
  auto fields = signer->finish();
  EXPECT_TRUE(fields);
  EXPECT_EQ(fields->size(), 1u);
  if (field_out) *field_out = fields->front();
  auto sig = parse_signature(fields->front().raw_value, SignatureKind::Dkim);
  EXPECT_TRUE(sig) << sig.error().text;
  return *sig;
}

std::string create_error(const SignerOptions& o) {
  auto signer = Signer::create(o, fixed_clock);
  return signer ? "<created>" : signer.error().message;
}

}  // namespace

TEST(Signer, DefaultHeadersWithFromOverSigned) {
  const Signature sig = sign_and_parse(options_for(ed25519_key()));
  EXPECT_EQ(sig.headers, (std::vector<std::string>{"from", "subject", "date", "to", "cc", "from"}));
  EXPECT_EQ(sig.domain, "example.com");
  EXPECT_EQ(sig.selector, "s2026");
  EXPECT_EQ(sig.algorithm, Algorithm::Ed25519Sha256);
  EXPECT_EQ(sig.canonicalization,
            (CanonicalizationPair{Canonicalization::Relaxed, Canonicalization::Relaxed}));
  EXPECT_EQ(sig.timestamp, 1795000000);
  EXPECT_FALSE(sig.expiration);
  EXPECT_FALSE(sig.length);
  EXPECT_EQ(sig.auid, "@example.com");
  // bh is the relaxed body hash of the body.
  EXPECT_EQ(
      crypto::base64_encode(sig.bh),
      crypto::base64_encode(
          crypto::hash(crypto::HashAlgorithm::Sha256, "The figures are attached.\r\n").view()));
}

TEST(Signer, OptionalTags) {
  SignerOptions o = options_for(rsa_key());
  o.canonicalization = {Canonicalization::Simple, Canonicalization::Relaxed};
  o.headers = {"From", "Subject", "X-Mailer"};
  o.oversign = {"from", "subject"};
  o.body_length = true;
  o.identity = "alice@mail.example.com";
  o.expire_after = std::chrono::seconds(86400);
  const Signature sig = sign_and_parse(o);
  EXPECT_EQ(sig.algorithm, Algorithm::RsaSha256);
  EXPECT_EQ(sig.headers,
            (std::vector<std::string>{"from", "subject", "x-mailer", "from", "subject"}));
  EXPECT_EQ(sig.length, 27u);  // "The figures are attached.\r\n"
  EXPECT_EQ(sig.auid, "alice@mail.example.com");
  EXPECT_EQ(sig.expiration, 1795000000 + 86400);
  EXPECT_EQ(sig.canonicalization,
            (CanonicalizationPair{Canonicalization::Simple, Canonicalization::Relaxed}));
}

TEST(Signer, FoldsAt78Columns) {
  for (auto key : {rsa2048_key(), ed25519_key()}) {
    SignerOptions o = options_for(key);
    o.identity = "a-rather-long-local-part-for-folding@mail.example.com";
    message::HeaderField field;
    sign_and_parse(o, 0, &field);
    const std::string text = field.name + ":" + field.raw_value;
    EXPECT_EQ(field.raw_value.rfind(" v=1; a=", 0), 0u);
    std::size_t start = 0;
    int lines = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find("\r\n", start), text.size());
      std::string line = text.substr(start, end - start);
      std::size_t columns = 0;
      for (char c : line) columns += c == '\t' ? 8 : 1;
      EXPECT_LE(columns, 78u) << line;
      if (lines > 0) {
        EXPECT_EQ(line[0], '\t');
      }
      ++lines;
      if (end == text.size()) break;
      start = end + 2;
    }
    EXPECT_GT(lines, 3);
  }
}

TEST(Signer, OutputDoesNotDependOnChunking) {
  // Ed25519 and RSA PKCS#1 v1.5 are deterministic: same input, same signature.
  for (auto key : {rsa_key(), ed25519_key()}) {
    const SignerOptions o = options_for(key);
    message::HeaderField whole;
    sign_and_parse(o, 0, &whole);
    for (std::size_t chunk : {1, 2, 3, 7, 64}) {
      message::HeaderField part;
      sign_and_parse(o, chunk, &part);
      EXPECT_EQ(part.raw_value, whole.raw_value) << chunk;
    }
  }
}

// With a caller-owned HeaderList the signer keeps no copy: the same signature, header() ignored.
TEST(Signer, ReadsSharedHeaders) {
  const SignerOptions o = options_for(ed25519_key());
  message::HeaderField fed;
  sign_and_parse(o, 0, &fed);
  const SplitMessage split = split_message(message_text);
  message::HeaderList headers;
  for (const auto& h : split.headers) headers.add(h.name, h.raw_value);
  auto signer = Signer::create(o, fixed_clock, {}, &headers);
  ASSERT_TRUE(signer);
  signer->header("From", " mallory@example.net");  // ignored: the shared list is read
  signer->end_of_headers();
  signer->body(split.body);
  auto fields = signer->finish();
  ASSERT_TRUE(fields) << fields.error().message;
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ(fields->front().raw_value, fed.raw_value);
}

TEST(Signer, SeveralSignaturesShareOnePass) {
  SignerOptions a = options_for(rsa_key());
  a.selector = "rsa";
  SignerOptions b = options_for(ed25519_key());
  b.selector = "ed";
  const std::vector<SignerOptions> both{a, b};
  auto signer = Signer::create(both, fixed_clock);
  ASSERT_TRUE(signer);
  const SplitMessage split = split_message(message_text);
  feed(*signer, split, 5);
  auto fields = signer->finish();
  ASSERT_TRUE(fields);
  ASSERT_EQ(fields->size(), 2u);
  std::vector<message::HeaderField> headers = *fields;
  headers.insert(headers.end(), split.headers.begin(), split.headers.end());
  FakeResolver dns;
  dns.add_txt("rsa._domainkey.example.com", key_record(*rsa_key()));
  dns.add_txt("ed._domainkey.example.com", key_record(*ed25519_key()));
  const auto results = verify(dns, fixed_clock, join_message(headers, split.body));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].selector, "rsa");
  EXPECT_EQ(results[0].result, Result::Pass) << results[0].reason;
  EXPECT_EQ(results[1].selector, "ed");
  EXPECT_EQ(results[1].result, Result::Pass) << results[1].reason;
}

TEST(Signer, ValidatesOptionsOnce) {
  SignerOptions o = options_for(rsa_key());
  EXPECT_EQ(create_error(o), "<created>");
  SignerOptions no_key = o;
  no_key.key = nullptr;
  EXPECT_EQ(create_error(no_key), "no private key for Example.COM");
  SignerOptions bad_domain = o;
  bad_domain.domain = "exa mple.com";
  EXPECT_EQ(create_error(bad_domain), "bad signing domain 'exa mple.com'");
  SignerOptions bad_selector = o;
  bad_selector.selector = "";
  EXPECT_EQ(create_error(bad_selector), "bad selector ''");
  SignerOptions sha1 = o;
  sha1.algorithm = Algorithm::RsaSha1;
  EXPECT_EQ(create_error(sha1), "rsa-sha1 must not be used for signing (RFC 8301)");
  SignerOptions mismatch = o;
  mismatch.algorithm = Algorithm::Ed25519Sha256;
  EXPECT_EQ(create_error(mismatch), "the key does not fit algorithm ed25519-sha256");
  SignerOptions no_from = o;
  no_from.headers = {"to", "subject"};
  EXPECT_EQ(create_error(no_from), "the signed headers must include From");
  SignerOptions bad_name = o;
  bad_name.headers = {"from", "bad name"};
  EXPECT_EQ(create_error(bad_name), "bad header name 'bad name'");
  SignerOptions outside = o;
  outside.identity = "alice@example.org";
  EXPECT_EQ(create_error(outside), "identity i= must be in d= or below it");
  SignerOptions expiry = o;
  expiry.expire_after = std::chrono::seconds(0);
  EXPECT_EQ(create_error(expiry), "expiry must be a positive number of seconds");
  EXPECT_EQ(Signer::create(std::span<const SignerOptions>{}, fixed_clock).error().message,
            "no signature to make");
}

// A signature over a header the signer could not keep whole would be wrong: finish() refuses,
// naming the limit. message_text has 6 fields of 155 bytes (each line with its CRLF).
TEST(Signer, RefusesAHeaderPastTheLimits) {
  auto finish_with = [](const Limits& limits) {
    auto signer = Signer::create(options_for(ed25519_key()), fixed_clock, limits);
    EXPECT_TRUE(signer) << signer.error().message;
    feed(*signer, split_message(message_text));
    return signer->finish();
  };
  Limits count;
  count.max_header_count = 5;
  auto fields = finish_with(count);
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(fields.error().message, "cannot sign: more than max_header_count (5) header fields");

  Limits bytes;
  bytes.max_header_bytes = 154;
  fields = finish_with(bytes);
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(fields.error().message,
            "cannot sign: header fields larger than max_header_bytes (154 bytes)");

  Limits exact;
  exact.max_header_count = 6;
  exact.max_header_bytes = 155;
  fields = finish_with(exact);
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_EQ(fields->size(), 1u);
}
