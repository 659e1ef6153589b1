#include <auth/dkim.hpp>

#include <gtest/gtest.h>

#include <random>

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
  EXPECT_EQ(body[0].reason.rfind("body hash mismatch", 0), 0u) << body[0].reason;
  EXPECT_EQ(body[1].result, Result::Fail);
  const auto header =
      verify(dns, clock_2018, replace(std::string(rfc8463_message), "dinner", "lunch"));
  EXPECT_EQ(header[0].result, Result::Fail);
  EXPECT_EQ(header[0].reason, "signature did not verify");
  EXPECT_EQ(header[1].reason, "signature did not verify");
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
    EXPECT_EQ(r[0].reason, "key record not found");
  }
  {
    FakeResolver dns;
    dns.set_status("sel._domainkey.example.com", dns::Status::Timeout);
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::TempError);
    EXPECT_EQ(r[0].reason, "DNS timeout looking up key sel._domainkey.example.com");
  }
  {
    FakeResolver dns;
    dns.set_status("sel._domainkey.example.com", dns::Status::ServFail);
    EXPECT_EQ(verify(dns, now_clock, signed_message)[0].result, Result::TempError);
  }
  {
    FakeResolver dns;
    dns.set_status("sel._domainkey.example.com", dns::Status::Ok);  // NODATA
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason, "key record not found");
  }
  {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com", "v=DKIM1; p=");
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason, "key revoked");
  }
  {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key()));
    dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key()));
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason, "several key records at the selector (2)");
  }
  {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com",
                "v=DKIM1; k=rsa; "
                "p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/"
                "mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==");
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason, "key record p= is not valid base64");  // dkimpy's corrupted key
  }
  {
    FakeResolver dns;  // valid base64, not an RSA key
    dns.add_txt("sel._domainkey.example.com",
                "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ==");
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, Result::PermError);
    EXPECT_EQ(r[0].reason, "key record p= is not a valid RSA public key");
  }
}

TEST(Verifier, KeyRecordRestrictions) {
  const std::string signed_message = sign(plain_message, {options_for(rsa_key())}, now_clock);
  struct Case {
    std::string extra;
    Result result;
    std::string reason;
    bool testing = false;
  };
  const std::vector<Case> cases = {
      {"h=sha1; ", Result::PermError, "key record h= does not allow sha256"},
      {"h=sha1:sha256; ", Result::Pass, ""},
      {"s=tlsrpt; ", Result::PermError, "key record s= does not allow email"},
      {"s=email; ", Result::Pass, ""},
      {"t=y; ", Result::Pass, "", true},
      {"t=s; ", Result::Pass, ""},
  };
  for (const Case& c : cases) {
    FakeResolver dns;
    dns.add_txt("sel._domainkey.example.com", key_record(*rsa_key(), c.extra));
    const auto r = verify(dns, now_clock, signed_message);
    EXPECT_EQ(r[0].result, c.result) << c.extra << r[0].reason;
    EXPECT_EQ(r[0].reason, c.reason) << c.extra;
    EXPECT_EQ(r[0].testing, c.testing) << c.extra;
  }
  // k= must match a=.
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com",
              "v=DKIM1; k=ed25519; p=" + crypto::base64_encode(ed25519_key()->public_key_dkim()));
  const auto r = verify(dns, now_clock, signed_message);
  EXPECT_EQ(r[0].result, Result::PermError);
  EXPECT_EQ(r[0].reason, "key type k=ed25519 does not match a=rsa-sha256");
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
  EXPECT_EQ(r[0].reason, "key record t=s requires the i= domain to equal d=");
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
  EXPECT_EQ(r[0].reason, "signature expired");
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
  EXPECT_EQ(r[0].reason, "key too small: 1024 bits");
  EXPECT_EQ(r[0].key_bits, 1024u);
  const auto small = make_key(crypto::KeyType::Rsa, 512);
  if (!small) GTEST_SKIP() << "this OpenSSL refuses to make 512-bit RSA keys";
  FakeResolver small_dns;
  small_dns.add_txt("sel._domainkey.example.com", key_record(*small));
  const auto s = verify(small_dns, now_clock, signed_message);
  EXPECT_EQ(s[0].result, Result::Policy);
  EXPECT_EQ(s[0].reason, "key too small: 512 bits");
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
  EXPECT_EQ(r[0].reason, "signature did not verify");
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
  EXPECT_NE(truncated[0].reason.find("shorter than l="), std::string::npos) << truncated[0].reason;
}

TEST(Verifier, BodyHashMismatchDiagnosis) {
  SignerOptions o = options_for(ed25519_key());
  o.canonicalization = {Canonicalization::Relaxed, Canonicalization::Simple};
  const std::string signed_message = sign(plain_message, {o}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  // A list appends a footer.
  const auto footer = verify(dns, now_clock, signed_message + "--\r\nlist footer\r\n", 7);
  EXPECT_EQ(footer[0].result, Result::Fail);
  EXPECT_EQ(footer[0].reason,
            "body hash mismatch; the body matches without its last 4 lines (21 bytes): text was "
            "appended in transit");  // the footer and the two empty lines above it
  // A relay appends lines of white space (not empty: simple keeps them).
  const auto spaces = verify(dns, now_clock, signed_message + " \r\n\t\r\n");
  EXPECT_EQ(spaces[0].reason,
            "body hash mismatch; the body matches without its last 4 lines of white space: they "
            "were added in transit");
  // A relay pads a line end with spaces (simple body canonicalization keeps them); seen when
  // the signed body had none at its line ends.
  const std::string tidy =
      sign(replace(std::string(plain_message), "noon?\t \r\n", "noon?\r\n"), {o}, now_clock);
  const auto padded = verify(dns, now_clock, replace(tidy, "Hello Bob,\r\n", "Hello Bob,   \r\n"));
  EXPECT_EQ(padded[0].reason,
            "body hash mismatch; the body matches with white space removed from its line ends: "
            "white space was added there in transit");
  // Real content change.
  const auto content = verify(dns, now_clock, replace(signed_message, "noon", "one"));
  EXPECT_EQ(content[0].reason,
            "body hash mismatch; the body was changed in transit (not only at its end or in white "
            "space)");
  // Without diagnosis, the plain reason.
  VerifyOptions quiet;
  quiet.diagnose_body_mismatch = false;
  EXPECT_EQ(verify(dns, now_clock, replace(signed_message, "noon", "one"), 0, quiet)[0].reason,
            "body hash mismatch");
}

TEST(Verifier, FooterDiagnosisOnALargeBody) {
  std::string big(plain_message);
  for (int i = 0; i < 2000; ++i) big += "line " + std::to_string(i) + " of a long body\r\n";
  const std::string signed_message = sign(big, {options_for(ed25519_key())}, now_clock);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  const auto r = verify(dns, now_clock, signed_message + "_______\r\nfooter\r\n", 1000);
  EXPECT_EQ(r[0].reason,
            "body hash mismatch; the body matches without its last 2 lines (17 bytes): text was "
            "appended in transit");
}

// Signers that get the canonical body wrong: body hashes made by hand.
TEST(Verifier, BodyHashMismatchDiagnosisOfSignerBugs) {
  const auto key = ed25519_key();
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*key));
  const SplitMessage split = split_message(plain_message);
  auto signed_with_bh = [&](std::string_view canonical_body, std::string_view c) {
    const std::string bh =
        crypto::base64_encode(crypto::hash(crypto::HashAlgorithm::Sha256, canonical_body).view());
    const std::string value = " v=1; a=ed25519-sha256; c=" + std::string(c) +
                              "; d=example.com; s=sel; h=from; bh=" + bh + "; b=";
    auto tags = parse_tag_list(value);
    crypto::Hasher hasher(crypto::HashAlgorithm::Sha256);
    const std::vector<std::string> names{"from"};
    hash_signed_headers(hasher, Canonicalization::Relaxed, select_headers(split.headers, names),
                        "DKIM-Signature", value, *find_tag(*tags, "b"));
    auto b = key->sign(crypto::HashAlgorithm::Sha256, hasher.finish().view());
    return "DKIM-Signature:" + value + crypto::base64_encode(*b) + "\r\n" +
           std::string(plain_message);
  };
  const std::string simple_body = "Hello Bob,\r\n\r\n  Shall we meet at noon?\t \r\n";
  const std::string relaxed_body = "Hello Bob,\r\n\r\n Shall we meet at noon?\r\n";
  auto reason = [&](std::string_view canonical, std::string_view c) {
    const auto r = verify(dns, now_clock, signed_with_bh(canonical, c));
    return std::string(to_string(r[0].result)) + ": " + r[0].reason;
  };
  EXPECT_EQ(reason(simple_body, "relaxed/simple"), "pass: ");
  EXPECT_EQ(reason(relaxed_body, "relaxed/simple"),
            "fail: body hash mismatch; the body matches with relaxed body canonicalization: the "
            "signer did "
            "not follow its c= tag");
  EXPECT_EQ(reason(simple_body + "\r\n\r\n", "relaxed/simple"),
            "fail: body hash mismatch; the body matches with its trailing empty lines kept: the "
            "signer did "
            "not remove them");
  EXPECT_EQ(reason(relaxed_body.substr(0, relaxed_body.size() - 2), "relaxed/relaxed"),
            "fail: body hash mismatch; the body matches without its final line break: the signer "
            "did not add it");
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
  EXPECT_EQ(capped[1].reason, "not checked: more than 1 signatures");
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
  EXPECT_EQ(r[0].reason, "From field not signed (h= lacks from)");
  EXPECT_EQ(r[0].domain, "example.com");
  EXPECT_EQ(r[0].selector, "sel");
  EXPECT_EQ(dns.queries, 0);
}

TEST(Verifier, RsaSha1IsPolicyUnlessAllowed) {
  // Build an rsa-sha1 signature by hand (the Signer refuses to make one).
  const auto key = rsa_key();
  const SplitMessage split = split_message(plain_message);
  BodyHasher body({Canonicalization::Relaxed, crypto::HashAlgorithm::Sha1, {}});
  body.update(split.body);
  const std::string bh = crypto::base64_encode(body.finish().digest.view());
  const std::string value =
      " v=1; a=rsa-sha1; c=relaxed/relaxed; d=example.com; s=sel; h=from:to:subject; bh=" + bh +
      "; b=";
  auto tags = parse_tag_list(value);
  ASSERT_TRUE(tags);
  crypto::Hasher hasher(crypto::HashAlgorithm::Sha1);
  const std::vector<std::string> names{"from", "to", "subject"};
  const auto selected = select_headers(split.headers, names);
  hash_signed_headers(hasher, Canonicalization::Relaxed, selected, "DKIM-Signature", value,
                      *find_tag(*tags, "b"));
  const auto digest = hasher.finish();
  auto b = key->sign(crypto::HashAlgorithm::Sha1, digest.view());
  ASSERT_TRUE(b);
  const std::string message =
      "DKIM-Signature:" + value + crypto::base64_encode(*b) + "\r\n" + std::string(plain_message);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*key));
  const auto r = verify(dns, now_clock, message);
  EXPECT_EQ(r[0].result, Result::Policy);
  EXPECT_EQ(r[0].reason, "rsa-sha1 is not accepted (RFC 8301)");
  VerifyOptions allow;
  allow.allow_rsa_sha1 = true;
  const auto allowed = verify(dns, now_clock, message, 0, allow);
  EXPECT_EQ(allowed[0].result, Result::Pass) << allowed[0].reason;
  // And the signature really is checked.
  const auto altered = verify(dns, now_clock, replace(message, "lunch", "dinner"), 0, allow);
  EXPECT_EQ(altered[0].result, Result::Fail);
}

TEST(Verifier, GarbageNeverCrashes) {
  std::mt19937 rng(7);
  const std::string signed_message = sign(plain_message, {options_for(ed25519_key())}, now_clock);
  const SplitMessage split = split_message(signed_message);
  FakeResolver dns;
  dns.add_txt("sel._domainkey.example.com", key_record(*ed25519_key()));
  for (int round = 0; round < 300; ++round) {
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
    Verifier verifier(dns, now_clock);
    verifier.header("DKIM-Signature", value);
    for (std::size_t i = 1; i < split.headers.size(); ++i) verifier.header(split.headers[i]);
    verifier.end_of_headers();
    verifier.body(split.body);
    const auto r = verifier.finish();
    ASSERT_EQ(r.size(), 1u);
    if (r[0].result != Result::Pass) {
      EXPECT_FALSE(r[0].reason.empty());
    }
  }
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
  EXPECT_EQ(r[0].reason, "too many header fields to verify");
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
  // Tens of thousands of h= names and tags must not cost quadratic time.
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
  const auto start = std::chrono::steady_clock::now();
  const auto r = verify(dns, now_clock, message);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, Result::Fail);
  EXPECT_LT(took, std::chrono::seconds(5));
}
