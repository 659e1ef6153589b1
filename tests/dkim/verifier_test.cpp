#include <auth/dkim.hpp>

#include <gtest/gtest.h>

#include <random>

#include "dkim/body_diagnosis.hpp"
#include "dkim/shared.hpp"
#include "keys.hpp"
#include "test_support.hpp"

using namespace auth;
using namespace auth::dkim;
using namespace auth::dkim::testing;

namespace {

// RFC 8463 Appendix A: the message, both signatures and both keys.
constexpr std::string_view rfc8463_message =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    " subject : date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
    " date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

void add_rfc8463_keys(FakeResolver& dns) {
  dns.add_txt("brisbane._domainkey.football.example.com",
              "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  dns.add_txt(
      "test._domainkey.football.example.com",
      "v=DKIM1; k=rsa; "
      "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6w"
      "y5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5Qj"
      "vHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
}

const FixedClock clock_2018 = FixedClock::at_unix(1528637909 + 60);

constexpr std::string_view plain_message =
    "From: Alice <alice@example.com>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Subject: lunch  \r\n"
    "\tplans\r\n"
    "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    "\r\n"
    "  Shall we meet at noon?\t \r\n"
    "\r\n"
    "\r\n";

// Signs `message` (CRLF) and returns it with the signature fields on top.
std::string sign(std::string_view message, const std::vector<SignerOptions>& options,
                 const Clock& clock) {
  auto signer = Signer::create(options, clock);
  EXPECT_TRUE(signer) << (signer ? "" : signer.error().message);
  if (!signer) return "";
  const SplitMessage split = split_message(message);
  feed(*signer, split);
  auto fields = signer->finish();
  EXPECT_TRUE(fields);
  std::vector<message::HeaderField> headers = *fields;
  headers.insert(headers.end(), split.headers.begin(), split.headers.end());
  return join_message(headers, split.body);
}

SignerOptions options_for(std::shared_ptr<const crypto::PrivateKey> key,
                          std::string selector = "sel") {
  SignerOptions o;
  o.domain = "example.com";
  o.selector = std::move(selector);
  o.key = std::move(key);
  return o;
}

std::string replace(std::string s, std::string_view what, std::string_view by) {
  const auto at = s.find(what);
  EXPECT_NE(at, std::string::npos) << what;
  if (at != std::string::npos) s.replace(at, what.size(), by);
  return s;
}

const FixedClock now_clock = FixedClock::at_unix(1795000000);

using Cause = BodyMismatch::Cause;

// What the diagnosis unit makes of `message` (CRLF, its first field a DKIM-Signature): the body
// hashed as the verifier hashes it, with or without the kept copy of the body.
BodyMismatch diagnosis_of(std::string_view message, bool keep_body = false) {
  const SplitMessage split = split_message(message);
  auto sig = parse_signature(split.headers[0].raw_value, SignatureKind::Dkim);
  EXPECT_TRUE(sig);
  if (!sig) return {};
  BodyHasher hasher({sig->canonicalization.body, hash_of(sig->algorithm), sig->length}, true);
  hasher.update(split.body);
  const BodyHash body = hasher.finish();
  KeptBody kept;
  kept.append(split.body);
  return diagnose_body_mismatch(*sig, body, keep_body ? kept.text() : nullptr);
}

std::string text_of(std::string_view message, const BodyMismatch& mismatch) {
  auto sig = parse_signature(split_message(message).headers[0].raw_value, SignatureKind::Dkim);
  return sig ? mismatch.text(*sig) : std::string();
}

// A DKIM-Signature made by hand over `message` (CRLF) with the given tags before bh= and b=,
// signing `names` with relaxed/`c_body` canonicalization: for what the Signer never writes.
std::string hand_signed(std::string_view message, const crypto::PrivateKey& key,
                        std::string_view tags, const std::vector<std::string>& names,
                        Canonicalization c_body = Canonicalization::Relaxed,
                        crypto::HashAlgorithm hash = crypto::HashAlgorithm::Sha256,
                        std::optional<std::string_view> canonical_body = std::nullopt) {
  const SplitMessage split = split_message(message);
  crypto::Digest bh;
  if (canonical_body) {
    bh = crypto::hash(hash, *canonical_body);
  } else {
    BodyHasher body({c_body, hash, {}});
    body.update(split.body);
    bh = body.finish().digest;
  }
  const std::string value =
      " " + std::string(tags) + "; bh=" + crypto::base64_encode(bh.view()) + "; b=";
  const crypto::Digest digest =
      header_hash(hash, Canonicalization::Relaxed, select_headers(views_of(split.headers), names),
                  "DKIM-Signature", value, value.size(), value.size());
  auto b = key.sign(hash, digest.view());
  EXPECT_TRUE(b);
  return "DKIM-Signature:" + value + crypto::base64_encode(*b) + "\r\n" + std::string(message);
}

bool printable(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

void expect_printable(const DkimResult& r) {
  for (const std::string* field :
       {&r.reason, &r.domain, &r.selector, &r.algorithm, &r.auid, &r.header_b})
    EXPECT_TRUE(printable(*field)) << *field;
}

}  // namespace

TEST(Verifier, Rfc8463ExampleAnySplit) {
  for (std::size_t chunk : {1, 2, 3, 7, 64, 0}) {
    FakeResolver dns;
    add_rfc8463_keys(dns);
    const auto results = verify(dns, clock_2018, rfc8463_message, chunk);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].result, Result::Pass) << results[0].reason;
    EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
    EXPECT_EQ(results[0].selector, "brisbane");
    EXPECT_EQ(results[0].domain, "football.example.com");
    EXPECT_EQ(results[0].auid, "@football.example.com");
    EXPECT_EQ(results[0].key_bits, 256u);
    EXPECT_EQ(results[1].result, Result::Pass) << results[1].reason;
    EXPECT_EQ(results[1].algorithm, "rsa-sha256");
    EXPECT_EQ(results[1].key_bits, 1024u);
    EXPECT_EQ(results[1].reason, "");
    EXPECT_EQ(results[1].reason_code, ReasonCode::None);
  }
}

TEST(Verifier, PrefetchesKeysAtEndOfHeaders) {
  FakeResolver dns;
  add_rfc8463_keys(dns);
  Verifier verifier(dns, clock_2018);
  const SplitMessage split = split_message(rfc8463_message);
  for (const auto& h : split.headers) verifier.header(h);
  EXPECT_TRUE(dns.prefetched.empty());
  verifier.end_of_headers();
  EXPECT_EQ(dns.prefetched.size(), 2u);
  EXPECT_EQ(dns.queries, 0);
  verifier.body(split.body);
  const auto results = verifier.finish();
  EXPECT_EQ(dns.queries, 2);
  EXPECT_EQ(results[0].result, Result::Pass);
}

TEST(Verifier, AlteredBodyAndHeader) {
  FakeResolver dns;
  add_rfc8463_keys(dns);
  const auto body =
      verify(dns, clock_2018, replace(std::string(rfc8463_message), "We lost", "We won"));
  EXPECT_EQ(body[0].result, Result::Fail);
  EXPECT_EQ(body[0].reason_code, ReasonCode::BodyHashMismatch) << body[0].reason;
  EXPECT_EQ(body[1].result, Result::Fail);
  EXPECT_EQ(body[1].reason_code, ReasonCode::BodyHashMismatch);
  const auto header =
      verify(dns, clock_2018, replace(std::string(rfc8463_message), "dinner", "lunch"));
  EXPECT_EQ(header[0].result, Result::Fail);
  EXPECT_EQ(header[0].reason_code, ReasonCode::SignatureMismatch);
  EXPECT_EQ(header[1].reason_code, ReasonCode::SignatureMismatch);
}

TEST(Verifier, NoSignatureGivesNoResult) {
  FakeResolver dns;
  EXPECT_TRUE(verify(dns, now_clock, plain_message).empty());
}

TEST(Verifier, RoundTripAllCanonicalizationsAndSplits) {
  const Canonicalization both[] = {Canonicalization::Simple, Canonicalization::Relaxed};
  for (auto key : {rsa_key(), ed25519_key()}) {
    ASSERT_TRUE(key);
    for (Canonicalization h : both) {
      for (Canonicalization b : both) {
        FakeResolver dns;
        dns.add_txt("sel._domainkey.example.com", key_record(*key));
        SignerOptions o = options_for(key);
        o.canonicalization = {h, b};
        const std::string signed_message = sign(plain_message, {o}, now_clock);
        for (std::size_t chunk : {1, 3, 64, 0}) {
          const auto results = verify(dns, now_clock, signed_message, chunk);
          ASSERT_EQ(results.size(), 1u);
          EXPECT_EQ(results[0].result, Result::Pass)
              << to_string(o.canonicalization) << ": " << results[0].reason;
        }
      }
    }
  }
}

TEST(Verifier, DnsOutcomes) {
  const std::string signed_message = sign(plain_message, {options_for(rsa_key())}, now_clock);
  {
    FakeResolver dns;  // nothing published
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::KeyNotFound);
  }
  {
    FakeResolver dns;
    dns.set_status("sel._domainkey.example.com", dns::Status::Timeout);
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::TempError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::DnsTimeout);
  }
  {
    FakeResolver dns;
    dns.set_status("sel._domainkey.example.com", dns::Status::ServFail);
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::TempError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::DnsServerFailure);
  }
  {
    FakeResolver dns;
    dns.set_status("sel._domainkey.example.com", dns::Status::Ok);  // NODATA
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::KeyNotFound);
  }
  {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com", "v=DKIM1; p=");
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::KeyRevoked);
  }
  {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key()));
    dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key()));
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::KeyAmbiguous);
  }
  {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com",
                "v=DKIM1; k=rsa; "
                "p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/"
                "mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==");
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::KeySyntax);  // dkimpy's corrupted key: bad base64
  }
  {
    FakeResolver dns;  // valid base64, not an RSA key
    dns.add_txt("sel._domainkey.example.com",
                "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ==");
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason_code, ReasonCode::KeyInvalid);
  }
}

TEST(Verifier, KeyRecordRestrictions) {
  const std::string signed_message = sign(plain_message, {options_for(rsa_key())}, now_clock);
  struct Case {
    std::string extra;
    Result result;
    ReasonCode code;
    bool testing = false;
  };
  const std::vector<Case> cases = {
      {"h=sha1; ", Result::PermError, ReasonCode::KeyHashNotAllowed},
      {"h=sha1:sha256; ", Result::Pass, ReasonCode::None},
      {"s=tlsrpt; ", Result::PermError, ReasonCode::KeyServiceNotAllowed},
      {"s=email; ", Result::Pass, ReasonCode::None},
      {"t=y; ", Result::Pass, ReasonCode::None, true},
      {"t=s; ", Result::Pass, ReasonCode::None},
  };
  for (const Case& c : cases) {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key(), c.extra));
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, c.result) << c.extra << r[0].reason;
    EXPECT_EQ(r[0].reason_code, c.code) << c.extra;
    EXPECT_EQ(r[0].testing, c.testing) << c.extra;
  }
  // k= must match a=.
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com",
              "v=DKIM1; k=ed25519; p=" + crypto::base64_encode(ed25519_key()->public_key_dkim()));
  const auto r = verify(dns, now_clock, signed_message);
  EXPECT_EQ(r[0].result, Result::PermError);
  EXPECT_EQ(r[0].reason_code, ReasonCode::KeyTypeMismatch);
}

TEST(Verifier, StrictIdentityKeyFlag) {
  SignerOptions o = options_for(rsa_key());
  o.identity = "alice@mail.example.com";
  const std::string signed_message = sign(plain_message, {o}, now_clock);
  FakeResolver loose, strict;
  loose.add_txt("sel._domainkey.example.com", key_record(*rsa_key()));
  strict.add_txt("sel._domainkey.example.com", key_record(*rsa_key(), "t=s; "));
  const auto ok = verify(loose, now_clock, signed_message);
  EXPECT_EQ(ok[0].result, Result::Pass) << ok[0].reason;
  EXPECT_EQ(ok[0].auid, "alice@mail.example.com");
  const auto r = verify(strict, now_clock, signed_message);
  EXPECT_EQ(r[0].result, Result::PermError);
  EXPECT_EQ(r[0].reason_code, ReasonCode::KeyIdentityMismatch);
}

TEST(Verifier, Expiry) {
  SignerOptions o = options_for(ed25519_key());
  o.expire_after = std::chrono::seconds(3600);
  const std::string signed_message = sign(plain_message, {o}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  const auto within_skew = FixedClock::at_unix(1795000000 + 3600 + 299);
  EXPECT_EQ(verify(dns, within_skew, signed_message)[0].result, Result::Pass);
  const auto late = FixedClock::at_unix(1795000000 + 3600 + 301);
  const auto r = verify(dns, late, signed_message);
  EXPECT_EQ(r[0].result, Result::Neutral);
  EXPECT_EQ(r[0].reason_code, ReasonCode::Expired);
  Limits no_skew;
  no_skew.clock_skew = std::chrono::seconds(0);
  const auto just_after = FixedClock::at_unix(1795000000 + 3601);
  EXPECT_EQ(verify(dns, just_after, signed_message, 0, {}, no_skew)[0].result, Result::Neutral);
}

TEST(Verifier, SmallRsaKeyIsPolicy) {
  // The limit is checked before the signature: a 1024-bit signature meets a 2048-bit minimum,
  // and a 512-bit key published at the selector is refused whatever the signature.
  const auto key1024 = rsa_key();
  const std::string signed_message = sign(plain_message, {options_for(key1024)}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*key1024));
  Limits strict;
  strict.min_rsa_bits = 2048;
  const auto r = verify(dns, now_clock, signed_message, 0, {}, strict);
  EXPECT_EQ(r[0].result, Result::Policy);
  EXPECT_EQ(r[0].reason_code, ReasonCode::KeyTooSmall);
  EXPECT_EQ(r[0].key_bits, 1024u);
  const auto small = make_key(crypto::KeyType::Rsa, 512);
  if (!small) GTEST_SKIP() << "this OpenSSL refuses to make 512-bit RSA keys";
  FakeResolver small_dns;
  small_dns.add_txt("sel._domainkey.example.com", key_record(*small));
  const auto s = verify(small_dns, now_clock, signed_message);
  EXPECT_EQ(s[0].result, Result::Policy);
  EXPECT_EQ(s[0].reason_code, ReasonCode::KeyTooSmall);
  EXPECT_EQ(s[0].key_bits, 512u);
}

TEST(Verifier, OverSignedFromDetectsAddedFrom) {
  const std::string signed_message = sign(plain_message, {options_for(ed25519_key())}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  ASSERT_EQ(verify(dns, now_clock, signed_message)[0].result, Result::Pass);
  // A second From added below the signed one (where verifiers pick from the bottom).
  const std::string added =
      replace(signed_message, "To: Bob", "From: Mallory <m@evil.example>\r\nTo: Bob");
  const auto r = verify(dns, now_clock, added);
  EXPECT_EQ(r[0].result, Result::Fail);
  EXPECT_EQ(r[0].reason_code, ReasonCode::SignatureMismatch);
}

TEST(Verifier, BodyLength) {
  SignerOptions o = options_for(ed25519_key());
  o.body_length = true;
  const std::string signed_message = sign(plain_message, {o}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  // A footer appended by a list is outside l=.
  const auto appended = verify(dns, now_clock, signed_message + "-- \r\nlist footer\r\n");
  EXPECT_EQ(appended[0].result, Result::Pass) << appended[0].reason;
  // A truncated body is shorter than l=.
  const auto truncated =
      verify(dns, now_clock, replace(signed_message, "  Shall we meet at noon?\t \r\n", ""));
  EXPECT_EQ(truncated[0].result, Result::Fail);
  EXPECT_EQ(truncated[0].reason_code, ReasonCode::BodyHashMismatch);
  const std::string truncated_message =
      replace(signed_message, "  Shall we meet at noon?\t \r\n", "");
  const BodyMismatch expected = diagnosis_of(truncated_message);
  EXPECT_EQ(expected.cause, Cause::Truncated);
  EXPECT_EQ(truncated[0].reason, text_of(truncated_message, expected));
}

TEST(Verifier, BodyHashMismatchDiagnosis) {
  SignerOptions o = options_for(ed25519_key());
  o.canonicalization = {Canonicalization::Relaxed, Canonicalization::Simple};
  const std::string signed_message = sign(plain_message, {o}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  struct Case {
    std::string name;
    std::string message;
    Cause cause;
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
  };
  const std::vector<Case> cases = {
      // A list appends a footer (the footer and the two empty lines above it).
      {"footer", signed_message + "--\r\nlist footer\r\n", Cause::TextAppended, 4, 21},
      // A relay appends lines of white space (not empty: simple keeps them).
      {"white space lines", signed_message + " \r\n\t\r\n", Cause::WhiteSpaceAppended, 4, 7},
      // Real content change.
      {"content", replace(signed_message, "noon", "one"), Cause::Unexplained},
  };
  for (const Case& c : cases) {
    const auto r = verify(dns, now_clock, c.message, 7);
    EXPECT_EQ(r[0].result, Result::Fail) << c.name;
    EXPECT_EQ(r[0].reason_code, ReasonCode::BodyHashMismatch) << c.name;
    const BodyMismatch expected = diagnosis_of(c.message);
    EXPECT_EQ(expected.cause, c.cause) << c.name;
    EXPECT_EQ(expected.lines, c.lines) << c.name;
    if (c.cause == Cause::TextAppended) {
      EXPECT_EQ(expected.bytes, c.bytes) << c.name;
    }
    EXPECT_EQ(r[0].reason, text_of(c.message, expected)) << c.name;
  }
  // Without diagnosis, the plain reason.
  VerifyOptions quiet;
  quiet.diagnose_body_mismatch = false;
  const auto plain = verify(dns, now_clock, replace(signed_message, "noon", "one"), 0, quiet);
  EXPECT_EQ(plain[0].reason_code, ReasonCode::BodyHashMismatch);
  EXPECT_EQ(plain[0].reason, "body hash mismatch");
}

// The 64 KiB copy of the body is opt-in (VerifyOptions::keep_body_for_diagnosis): by default a
// relay's white space at line ends is not told apart from any other change.
TEST(Verifier, BodyCopyForDiagnosisIsOptIn) {
  SignerOptions o = options_for(ed25519_key());
  o.canonicalization = {Canonicalization::Relaxed, Canonicalization::Simple};
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  const std::string tidy =
      sign(replace(std::string(plain_message), "noon?\t \r\n", "noon?\r\n"), {o}, now_clock);
  const std::string padded = replace(tidy, "Hello Bob,\r\n", "Hello Bob,   \r\n");
  const auto by_default = verify(dns, now_clock, padded);
  EXPECT_EQ(by_default[0].reason_code, ReasonCode::BodyHashMismatch);
  EXPECT_EQ(diagnosis_of(padded, false).cause, Cause::Unexplained);
  EXPECT_EQ(by_default[0].reason, text_of(padded, diagnosis_of(padded, false)));
  VerifyOptions keep;
  keep.keep_body_for_diagnosis = true;
  const auto kept = verify(dns, now_clock, padded, 0, keep);
  EXPECT_EQ(kept[0].reason_code, ReasonCode::BodyHashMismatch);
  const BodyMismatch expected = diagnosis_of(padded, true);
  EXPECT_EQ(expected.cause, Cause::LineEndWhiteSpace);
  EXPECT_EQ(kept[0].reason, text_of(padded, expected));
  // A body larger than the copy's bound is not kept.
  std::string big(tidy);
  for (int i = 0; i < 5000; ++i) big += "line " + std::to_string(i) + " of a long body\r\n";
  KeptBody bounded;
  bounded.append(std::string(KeptBody::max_bytes, 'x'));
  EXPECT_NE(bounded.text(), nullptr);
  bounded.append("y");
  EXPECT_EQ(bounded.text(), nullptr);
}

TEST(Verifier, FooterDiagnosisOnALargeBody) {
  std::string big(plain_message);
  for (int i = 0; i < 2000; ++i) big += "line " + std::to_string(i) + " of a long body\r\n";
  const std::string signed_message = sign(big, {options_for(ed25519_key())}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  const std::string footer = signed_message + "_______\r\nfooter\r\n";
  const auto r = verify(dns, now_clock, footer, 1000);
  const BodyMismatch expected = diagnosis_of(footer);
  EXPECT_EQ(expected.cause, Cause::TextAppended);
  EXPECT_EQ(expected.lines, 2u);
  EXPECT_EQ(expected.bytes, 17u);
  EXPECT_EQ(r[0].reason, text_of(footer, expected));
}

// Signers that get the canonical body wrong: body hashes made by hand.
TEST(Verifier, BodyHashMismatchDiagnosisOfSignerBugs) {
  const auto key = ed25519_key();
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*key));
  auto signed_with_bh = [&](std::string_view canonical_body, std::string_view c) {
    return hand_signed(
        plain_message, *key,
        "v=1; a=ed25519-sha256; c=" + std::string(c) + "; d=example.com; s=sel; h=from", {"from"},
        Canonicalization::Relaxed, crypto::HashAlgorithm::Sha256, canonical_body);
  };
  const std::string simple_body = "Hello Bob,\r\n\r\n  Shall we meet at noon?\t \r\n";
  const std::string relaxed_body = "Hello Bob,\r\n\r\n Shall we meet at noon?\r\n";
  VerifyOptions keep;
  keep.keep_body_for_diagnosis = true;
  struct Case {
    std::string canonical;
    std::string c;
    Cause cause;
  };
  const std::vector<Case> cases = {
      {relaxed_body, "relaxed/simple", Cause::OtherCanonicalization},
      {simple_body + "\r\n\r\n", "relaxed/simple", Cause::TrailingLinesKept},
      {relaxed_body.substr(0, relaxed_body.size() - 2), "relaxed/relaxed",
       Cause::FinalLineBreakMissing},
  };
  const auto good = verify(dns, now_clock, signed_with_bh(simple_body, "relaxed/simple"));
  EXPECT_EQ(good[0].result, Result::Pass) << good[0].reason;
  for (const Case& c : cases) {
    const std::string message = signed_with_bh(c.canonical, c.c);
    const auto r = verify(dns, now_clock, message, 0, keep);
    EXPECT_EQ(r[0].result, Result::Fail);
    EXPECT_EQ(r[0].reason_code, ReasonCode::BodyHashMismatch);
    const BodyMismatch expected = diagnosis_of(message, true);
    EXPECT_EQ(expected.cause, c.cause) << c.c;
    EXPECT_EQ(r[0].reason, text_of(message, expected));
  }
}

TEST(Verifier, SignatureCap) {
  SignerOptions a = options_for(ed25519_key());
  SignerOptions b = options_for(rsa_key(), "rsa");
  const std::string signed_message = sign(plain_message, {a, b}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  dns.add_txt("rsa._domainkey.example.com", key_record(*rsa_key()));
  const auto both = verify(dns, now_clock, signed_message);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].result, Result::Pass);
  EXPECT_EQ(both[0].selector, "sel");
  EXPECT_EQ(both[1].result, Result::Pass);
  EXPECT_EQ(both[1].selector, "rsa");
  Limits one;
  one.max_signatures = 1;
  const auto capped = verify(dns, now_clock, signed_message, 0, {}, one);
  EXPECT_EQ(capped[0].result, Result::Pass);
  EXPECT_EQ(capped[1].result, Result::Neutral);
  EXPECT_EQ(capped[1].reason_code, ReasonCode::TooManySignatures);
  EXPECT_EQ(capped[1].selector, "rsa");
}

TEST(Verifier, KeyCacheAvoidsRepeatedLookups) {
  const std::string signed_message = sign(plain_message, {options_for(rsa_key())}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key()), 600);
  KeyCache cache;
  VerifyOptions options;
  options.key_cache = &cache;
  FixedClock clock = now_clock;
  EXPECT_EQ(verify(dns, clock, signed_message, 0, options)[0].result, Result::Pass);
  EXPECT_EQ(verify(dns, clock, signed_message, 0, options)[0].result, Result::Pass);
  EXPECT_EQ(dns.queries, 1);
  EXPECT_EQ(cache.size(), 1u);
  clock.advance(std::chrono::seconds(601));  // past the TTL: asked again
  EXPECT_EQ(verify(dns, clock, signed_message, 0, options)[0].result, Result::Pass);
  EXPECT_EQ(dns.queries, 2);
}

TEST(Verifier, MalformedSignatureIsPermErrorWithContext) {
  std::string message =
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=to; bh=AAAA; b=AAAA\r\n";
  message += plain_message;
  FakeResolver dns;
  const auto r = verify(dns, now_clock, message);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, Result::PermError);
  EXPECT_EQ(r[0].reason_code, ReasonCode::HeaderNotSigned);
  EXPECT_EQ(r[0].domain, "example.com");
  EXPECT_EQ(r[0].selector, "sel");
  EXPECT_EQ(dns.queries, 0);
}

TEST(Verifier, RsaSha1IsPolicyUnlessAllowed) {
  // Built by hand (the Signer refuses to make one).
  const auto key = rsa_key();
  const std::string message = hand_signed(
      plain_message, *key,
      "v=1; a=rsa-sha1; c=relaxed/relaxed; d=example.com; s=sel; h=from:to:subject",
      {"from", "to", "subject"}, Canonicalization::Relaxed, crypto::HashAlgorithm::Sha1);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*key));
  const auto r = verify(dns, now_clock, message);
  EXPECT_EQ(r[0].result, Result::Policy);
  EXPECT_EQ(r[0].reason_code, ReasonCode::WeakAlgorithm);
  VerifyOptions allow;
  allow.allow_rsa_sha1 = true;
  const auto allowed = verify(dns, now_clock, message, 0, allow);
  EXPECT_EQ(allowed[0].result, Result::Pass) << allowed[0].reason;
  // And the signature really is checked.
  const auto altered = verify(dns, now_clock, replace(message, "lunch", "dinner"), 0, allow);
  EXPECT_EQ(altered[0].result, Result::Fail);
}

// Mutated signature fields: never a crash, never a pass unless the mutation left the field's
// meaning alone (white space outside b=, or a b= that decodes to the same bytes), and every
// text of the result printable.
TEST(Verifier, MutatedSignaturesNeverPass) {
  std::mt19937 rng(7);
  const std::string signed_message = sign(plain_message, {options_for(ed25519_key())}, now_clock);
  const SplitMessage split = split_message(signed_message);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  // The meaning of a signature field: its text without FWS and without b='s value, and b=
  // decoded.
  auto meaning = [](std::string_view value) -> std::optional<std::string> {
    auto tags = parse_tag_list(value);
    if (!tags) return std::nullopt;
    const Tag* b = find_tag(*tags, "b");
    if (b == nullptr) return std::nullopt;
    auto decoded = crypto::base64_decode(b->value);
    if (!decoded) return std::nullopt;
    const std::string rest =
        std::string(value.substr(0, b->value_begin)) + std::string(value.substr(b->value_end));
    return remove_whitespace(rest) + "|" + std::string(decoded->begin(), decoded->end());
  };
  const auto original = meaning(split.headers[0].raw_value);
  ASSERT_TRUE(original);
  int passed = 0, rounds = 0;
  for (int round = 0; round < 400; ++round) {
    std::string value = split.headers[0].raw_value;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % value.size();
      switch (rng() % 3) {
        case 0:
          value[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          value.erase(at, 1 + rng() % 8);
          break;
        default:
          value.insert(at, 1, "=;:@ \r\n\t"[rng() % 8]);
      }
      if (value.empty()) value = ";";
    }
    if (value == split.headers[0].raw_value) continue;
    ++rounds;
    Verifier verifier(dns, now_clock);
    verifier.header("DKIM-Signature", value);
    for (std::size_t i = 1; i < split.headers.size(); ++i) verifier.header(split.headers[i]);
    verifier.end_of_headers();
    verifier.body(split.body);
    const auto r = verifier.finish();
    ASSERT_EQ(r.size(), 1u);
    expect_printable(r[0]);
    if (r[0].result == Result::Pass) {
      ++passed;
      EXPECT_EQ(meaning(value), original) << "a changed signature passed: " << value;
      EXPECT_EQ(r[0].reason_code, ReasonCode::None);
    } else {
      EXPECT_FALSE(r[0].reason.empty());
      EXPECT_NE(r[0].reason_code, ReasonCode::None) << r[0].reason;
    }
  }
  EXPECT_GT(rounds, 300);
  EXPECT_LT(passed, rounds / 4);  // most mutations change the meaning
}

// Control bytes from the message or from DNS reach no field of a result (the CLI prints them).
TEST(Verifier, ResultTextsArePrintable) {
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", "v=DKIM1; k=rs\r\na; p=AAAA");
  dns.add_txt("bad._domainkey.example.com", "v=DKIM\x01; p=AAAA");
  const std::string base = "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA";
  for (const std::string& signature :
       {replace(base, "d=example.com", "d=exa\r\n mple.com"), base + "; i==0D=0A=01@example.com",
        base + "; i==0D=0A=01@exam=0D=0Aple.com", replace(base, "a=rsa-sha256", "a=rsa-\r\n\tmd5"),
        replace(base, "s=sel", "s=s\xff\r\n l"),
        base,  // the key record with CR LF in k=
        replace(base, "s=sel", "s=bad")}) {
    const std::string message =
        "DKIM-Signature: " + signature + "\r\n" + std::string(plain_message);
    const auto r = verify(dns, now_clock, message);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_NE(r[0].result, Result::Pass);
    expect_printable(r[0]);
  }
  // Past the signature cap, the description of an unchecked signature is printable too.
  Limits none;
  none.max_signatures = 0;
  const auto capped =
      verify(dns, now_clock,
             "DKIM-Signature: " + replace(base, "d=example.com", "d=exa\r\n mple.com") + "\r\n" +
                 std::string(plain_message),
             0, {}, none);
  ASSERT_EQ(capped.size(), 1u);
  EXPECT_EQ(capped[0].reason_code, ReasonCode::TooManySignatures);
  expect_printable(capped[0]);
}

TEST(Verifier, HeaderLimitGivesPermError) {
  const std::string signed_message = sign(plain_message, {options_for(ed25519_key())}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  Limits few;
  few.max_header_count = 3;  // the signature, From, To: Subject and the rest are dropped
  const auto r = verify(dns, now_clock, signed_message, 0, {}, few);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, Result::PermError);
  EXPECT_EQ(r[0].reason_code, ReasonCode::HeaderLimit);
  few.max_header_count = 6;  // exactly enough
  EXPECT_EQ(verify(dns, now_clock, signed_message, 0, {}, few)[0].result, Result::Pass);
}

TEST(Verifier, FieldNamesWithSpaceBeforeColon) {
  // "Subject :" is legal (RFC 5322 obsolete syntax); h=subject still selects it.
  const std::string message = replace(std::string(plain_message), "Subject:", "Subject :");
  const std::string signed_message = sign(message, {options_for(ed25519_key())}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  auto split = split_message(signed_message);
  bool found = false;
  for (const auto& h : split.headers) found = found || h.name == "Subject ";
  ASSERT_TRUE(found);
  EXPECT_NE(split.headers[0].raw_value.find("subject"), std::string::npos);
  EXPECT_EQ(verify(dns, now_clock, signed_message)[0].result, Result::Pass);
  EXPECT_EQ(verify(dns, now_clock, replace(signed_message, "lunch", "brunch"))[0].result,
            Result::Fail);
}

TEST(Verifier, HostileSizesStayCheap) {
  // Tens of thousands of h= names and tags must not cost quadratic work: bounded in name
  // comparisons, which is what a quadratic algorithm would multiply.
  std::string h = "from";
  for (int i = 0; i < 50000; ++i) h += ":x-" + std::to_string(i % 500);
  std::string tags;
  for (int i = 0; i < 20000; ++i) tags += "; z" + std::to_string(i) + "=1";
  const std::string value =
      " v=1; a=rsa-sha256; d=example.com; s=sel; h=" + h + "; bh=AAAA; b=AAAA" + tags;
  std::string message = "DKIM-Signature:" + value + "\r\n";
  for (int i = 0; i < 500; ++i) message += "X-" + std::to_string(i) + ": v\r\n";
  message += plain_message;
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key()));
  const auto r = verify(dns, now_clock, message);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, Result::Fail);

  std::uint64_t tag_comparisons = 0;
  const auto parsed = parse_tag_list(value, &tag_comparisons);
  ASSERT_TRUE(parsed);
  const std::uint64_t n = parsed->size();
  EXPECT_LT(tag_comparisons, 4 * n * 20);  // n log n (log2 of 20007 is about 14.3)
  auto sig = parse_signature(value, SignatureKind::Dkim);
  ASSERT_TRUE(sig) << sig.error().text;
  const SplitMessage split = split_message(message);
  std::uint64_t field_comparisons = 0;
  const auto selected = select_headers(views_of(split.headers), sig->headers, &field_comparisons);
  EXPECT_EQ(selected.size(), sig->headers.size());
  EXPECT_LE(field_comparisons, 2 * (split.headers.size() + sig->headers.size()));
  // The few-names path is quadratic only below its bound.
  const std::vector<std::string> few{"from", "to", "subject"};
  std::uint64_t few_comparisons = 0;
  (void)select_headers(views_of(split_message(plain_message).headers), few, &few_comparisons);
  EXPECT_LE(few_comparisons, 4096u);
}

// One caller-owned header list can replace the verifier's own copy.
TEST(Verifier, ReadsSharedHeaders) {
  FakeResolver dns;
  add_rfc8463_keys(dns);
  const SplitMessage split = split_message(rfc8463_message);
  message::HeaderList headers;
  for (const auto& h : split.headers) headers.add(h.name, h.raw_value);
  VerifyOptions options;
  options.shared_headers = &headers;
  Verifier verifier(dns, clock_2018, {}, options);
  verifier.header("DKIM-Signature", "v=1; garbage");  // ignored: the shared list is read
  verifier.end_of_headers();
  EXPECT_EQ(dns.prefetched.size(), 2u);
  verifier.body(split.body);
  const auto results = verifier.finish();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].result, Result::Pass) << results[0].reason;
  EXPECT_EQ(results[1].result, Result::Pass) << results[1].reason;
}
