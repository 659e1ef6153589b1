// auth::dkim::check_published_key over testdata/keycheck/keycheck.zone (one selector per
// outcome, see its README) with the keys of testdata/keys, and over small zones of generated keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <auth/dns.hpp>
#include <auth/key_check.hpp>

#include "keys.hpp"
#include "test_support.hpp"

namespace auth::dkim {
namespace {

using Code = KeyProblemCode;

const std::string data_dir = MAILAUTH_TESTDATA;

const crypto::PrivateKey& load_key(const std::string& file) {
  static std::map<std::string, std::unique_ptr<crypto::PrivateKey>> keys;
  auto& slot = keys[file];
  if (!slot) {
    auto key = crypto::PrivateKey::from_file(data_dir + "/keys/" + file);
    EXPECT_TRUE(key.has_value()) << key.error().message;
    slot = std::make_unique<crypto::PrivateKey>(std::move(*key));
  }
  return *slot;
}
const crypto::PrivateKey& rsa2048() { return load_key("rsa2048.pkcs8.pem"); }
const crypto::PrivateKey& ed25519() { return load_key("ed25519.pkcs8.pem"); }
const crypto::PrivateKey& rsa512() { return load_key("rsa512.pkcs8.pem"); }

class KeyCheckZone : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto zone = dns::ZoneResolver::from_file(data_dir + "/keycheck/keycheck.zone");
    ASSERT_TRUE(zone.has_value()) << zone.error().message;
    zone_ = std::move(*zone);
  }
  static void TearDownTestSuite() { zone_.reset(); }

  static KeyCheck check(std::string_view selector, const crypto::PrivateKey& key,
                        const Limits& limits = {}) {
    auto out = check_published_key(*zone_, "example.com", selector, key, limits);
    EXPECT_TRUE(out.has_value()) << out.error().message;
    return out ? std::move(*out) : KeyCheck{};
  }

  static std::unique_ptr<dns::ZoneResolver> zone_;
};
std::unique_ptr<dns::ZoneResolver> KeyCheckZone::zone_;

std::vector<Code> codes(const KeyCheck& c) {
  std::vector<Code> out;
  for (const auto& p : c.problems) out.push_back(p.code);
  return out;
}

std::string text_of(const KeyCheck& c, Code code) {
  for (const auto& p : c.problems)
    if (p.code == code) return p.text;
  return "";
}

std::string all_text(const KeyCheck& c) {
  std::string out;
  for (const auto& p : c.problems) out += std::string(to_string(p.code)) + ": " + p.text + "\n";
  return out;
}

TEST_F(KeyCheckZone, RsaKeyPublishedIn255ByteStringsIsOk) {
  const KeyCheck c = check("good", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Ok) << all_text(c);
  EXPECT_EQ(c.name, "good._domainkey.example.com");
  EXPECT_TRUE(c.record_found);
  EXPECT_TRUE(c.matches_key);
  EXPECT_EQ(c.key_type, crypto::KeyType::Rsa);
  EXPECT_EQ(c.key_bits, 2048u);
  EXPECT_FALSE(c.testing);
  EXPECT_TRUE(c.problems.empty()) << all_text(c);
}

TEST_F(KeyCheckZone, Ed25519KeyIsOk) {
  const KeyCheck c = check("ed", ed25519());
  EXPECT_EQ(c.result, KeyCheckResult::Ok) << all_text(c);
  EXPECT_TRUE(c.matches_key);
  EXPECT_EQ(c.key_type, crypto::KeyType::Ed25519);
  EXPECT_EQ(c.key_bits, 256u);
  EXPECT_TRUE(c.problems.empty()) << all_text(c);
}

TEST_F(KeyCheckZone, AnotherRsaKeyIsAMismatch) {
  const KeyCheck c = check("other", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Mismatch);
  EXPECT_TRUE(c.record_found);
  EXPECT_FALSE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::KeyMismatch});
  EXPECT_NE(text_of(c, Code::KeyMismatch).find("an RSA key of 1024 bits"), std::string::npos);
}

TEST_F(KeyCheckZone, KeyOfAnotherTypeIsAMismatch) {
  const KeyCheck c = check("good", ed25519());
  EXPECT_EQ(c.result, KeyCheckResult::Mismatch);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::KeyTypeMismatch});
  EXPECT_EQ(text_of(c, Code::KeyTypeMismatch),
            "the record says k=rsa but the private key is an Ed25519 key");
  EXPECT_EQ(check("ed", rsa2048()).result, KeyCheckResult::Mismatch);
}

TEST_F(KeyCheckZone, NxDomainIsMissing) {
  const KeyCheck c = check("absent", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Missing);
  EXPECT_FALSE(c.record_found);
  EXPECT_FALSE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::NameNotFound});
  EXPECT_NE(text_of(c, Code::NameNotFound).find("absent._domainkey.example.com (NXDOMAIN)"),
            std::string::npos);
}

TEST_F(KeyCheckZone, NameWithoutTxtIsMissing) {
  const KeyCheck c = check("nodata", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Missing);
  EXPECT_FALSE(c.record_found);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::NoTxtRecord});
}

TEST_F(KeyCheckZone, BadBase64IsInvalid) {
  const KeyCheck c = check("garbage", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_TRUE(c.record_found);
  EXPECT_FALSE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::NotKeyRecord});
  EXPECT_EQ(text_of(c, Code::NotKeyRecord),
            "the TXT record is not a DKIM key record: key record p= is not valid base64");
}

TEST_F(KeyCheckZone, RevokedKeyIsInvalid) {
  const KeyCheck c = check("revoked", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_TRUE(c.record_found);
  EXPECT_FALSE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::KeyRevoked});
}

TEST_F(KeyCheckZone, TestingKeyIsOkAndSaysSo) {
  const KeyCheck c = check("testing", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Ok);
  EXPECT_TRUE(c.matches_key);
  EXPECT_TRUE(c.testing);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::Testing});
}

TEST_F(KeyCheckZone, SeveralKeyRecordsAreInvalidAndTheMatchingOneIsNamed) {
  const KeyCheck c = check("several", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_TRUE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::SeveralKeyRecords});
  EXPECT_NE(text_of(c, Code::SeveralKeyRecords).find("record 1 holds this key"), std::string::npos)
      << all_text(c);
  const KeyCheck none = check("several", ed25519());
  EXPECT_EQ(none.result, KeyCheckResult::Invalid);
  EXPECT_FALSE(none.matches_key);
  EXPECT_EQ(text_of(none, Code::SeveralKeyRecords).find("holds this key"), std::string::npos);
}

TEST_F(KeyCheckZone, WhiteSpaceAtASplitInsidePIsReportedButWorks) {
  const KeyCheck c = check("spaced", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Ok);
  EXPECT_TRUE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::SplitWhitespace});
  EXPECT_NE(text_of(c, Code::SplitWhitespace).find("(strings 1 and 2)"), std::string::npos)
      << all_text(c);
}

TEST_F(KeyCheckZone, StringsThatJoinIntoNoRecordAreExplained) {
  const KeyCheck c = check("joined", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_EQ(codes(c), (std::vector<Code>{Code::SplitUnparsable, Code::NotKeyRecord}));
  const std::string text = text_of(c, Code::SplitUnparsable);
  EXPECT_NE(text.find("string 1 ends \"v=DKIM1; k=rsa\", string 2 starts \"p=MIIBIjANBgkqhk...\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("with a ';' between strings 1 and 2 it would parse"), std::string::npos)
      << text;
  EXPECT_LT(text.size(), 500u) << "the whole p= is not quoted";
}

TEST_F(KeyCheckZone, KeySplitAcrossTwoRecordsIsRecognized) {
  const KeyCheck c = check("halves", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_FALSE(c.matches_key);
  EXPECT_EQ(codes(c), (std::vector<Code>{Code::NotKeyRecord, Code::SplitAcrossRecords}));
  EXPECT_NE(text_of(c, Code::SplitAcrossRecords)
                .find("split into 2 separate TXT records: joined in the order 1, 2 they make a "
                      "key record holding this key"),
            std::string::npos)
      << all_text(c);
}

TEST_F(KeyCheckZone, PastedQuotesAreNamed) {
  const KeyCheck c = check("quoted", ed25519());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_EQ(codes(c), (std::vector<Code>{Code::StrayQuote, Code::NotKeyRecord}));
}

TEST_F(KeyCheckZone, RsaKeyBelowMinimumIsInvalid) {
  const KeyCheck c = check("small", rsa512());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_TRUE(c.matches_key);
  EXPECT_EQ(c.key_bits, 512u);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::KeyTooSmall});
  EXPECT_NE(text_of(c, Code::KeyTooSmall).find("below 1024 bits (RFC 8301"), std::string::npos);
}

TEST_F(KeyCheckZone, KeySizeIsReportedWhateverDnsSays) {
  // The key signs whatever DNS holds today: its size is judged even without a usable record.
  const KeyCheck missing = check("absent", rsa512());
  EXPECT_EQ(missing.result, KeyCheckResult::Missing);
  EXPECT_EQ(codes(missing), (std::vector<Code>{Code::NameNotFound, Code::KeyTooSmall}));
  const KeyCheck mismatch = check("good", rsa512());
  EXPECT_EQ(mismatch.result, KeyCheckResult::Mismatch);
  EXPECT_EQ(codes(mismatch), (std::vector<Code>{Code::KeyMismatch, Code::KeyTooSmall}));
}

TEST_F(KeyCheckZone, MinRsaBitsComesFromLimits) {
  Limits strict;
  strict.min_rsa_bits = 4096;
  const KeyCheck c = check("good", rsa2048(), strict);
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::KeyTooSmall});
  Limits lax;
  lax.min_rsa_bits = 512;
  const KeyCheck small = check("small", rsa512(), lax);
  EXPECT_EQ(small.result, KeyCheckResult::Ok);
  EXPECT_EQ(codes(small), std::vector<Code>{Code::KeyBelowRecommended});
}

TEST_F(KeyCheckZone, HashTagWithoutSha256IsInvalid) {
  const KeyCheck c = check("hsha1", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_TRUE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::HashNotAllowed});
}

TEST_F(KeyCheckZone, ServiceTagWithoutEmailIsInvalid) {
  const KeyCheck c = check("service", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_TRUE(c.matches_key);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::ServiceNotAllowed});
}

TEST_F(KeyCheckZone, Ed25519KeyWithoutKTagGetsAHint) {
  const KeyCheck c = check("noktype", ed25519());
  EXPECT_EQ(c.result, KeyCheckResult::Invalid);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::PublicKeyInvalid});
  EXPECT_NE(text_of(c, Code::PublicKeyInvalid).find("the record needs k=ed25519"),
            std::string::npos);
}

TEST_F(KeyCheckZone, OtherTxtRecordBesideTheKeyIsIgnoredWithAWarning) {
  const KeyCheck c = check("withspf", rsa2048());
  EXPECT_EQ(c.result, KeyCheckResult::Ok);
  EXPECT_EQ(codes(c), std::vector<Code>{Code::OtherTxtRecord});
  EXPECT_NE(text_of(c, Code::OtherTxtRecord).find("TXT record 2 is not a DKIM key record"),
            std::string::npos);
}

TEST_F(KeyCheckZone, ServFailAndTimeoutAreTempErrors) {
  const KeyCheck servfail = check("servfail", rsa2048());
  EXPECT_EQ(servfail.result, KeyCheckResult::TempError);
  EXPECT_FALSE(servfail.record_found);
  EXPECT_EQ(codes(servfail), std::vector<Code>{Code::DnsServerFailure});
  const KeyCheck timeout = check("timeout", rsa2048());
  EXPECT_EQ(timeout.result, KeyCheckResult::TempError);
  EXPECT_EQ(codes(timeout), std::vector<Code>{Code::DnsTimeout});
}

TEST_F(KeyCheckZone, DomainAndSelectorAreCaseInsensitiveAndMayEndWithADot) {
  auto c = check_published_key(*zone_, "Example.COM.", "GOOD", rsa2048());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->result, KeyCheckResult::Ok);
  EXPECT_EQ(c->name, "good._domainkey.example.com");
}

TEST_F(KeyCheckZone, NamesThatAreNotDnsNamesAreRefused) {
  EXPECT_EQ(check_published_key(*zone_, "example.com", "", rsa2048()).error().code,
            ErrorCode::InvalidArgument);
  EXPECT_EQ(check_published_key(*zone_, "", "good", rsa2048()).error().code,
            ErrorCode::InvalidArgument);
  EXPECT_EQ(check_published_key(*zone_, "example..com", "good", rsa2048()).error().code,
            ErrorCode::InvalidArgument);
}

TEST(KeyCheck, ResolverWithoutStringSplitsStillChecksTheRecord) {
  // A resolver that joins the strings and does not report the split: no split findings, the
  // rest of the check unchanged.
  const auto key = testing::ed25519_key();
  ASSERT_TRUE(key);
  testing::FakeResolver resolver;
  resolver.add_txt("s._domainkey.example.org", testing::key_record(*key, "t=y; "));
  auto c = check_published_key(resolver, "example.org", "s", *key);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->result, KeyCheckResult::Ok);
  EXPECT_TRUE(c->testing);
  EXPECT_EQ(codes(*c), std::vector<Code>{Code::Testing});
}

TEST(KeyCheck, BareRsaPublicKeyInPMatchesToo) {
  // p= as PKCS#1 RSAPublicKey rather than SubjectPublicKeyInfo: the same key, still a match.
  std::ifstream in(data_dir + "/keys/rsa2048.rsapublickey.der", std::ios::binary);
  const std::string der((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(der.empty());
  testing::FakeResolver resolver;
  resolver.add_txt(
      "bare._domainkey.example.org",
      "v=DKIM1; k=rsa; p=" + crypto::base64_encode(crypto::ByteView(
                                 reinterpret_cast<const std::uint8_t*>(der.data()), der.size())));
  auto c = check_published_key(resolver, "example.org", "bare", rsa2048());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->result, KeyCheckResult::Ok) << all_text(*c);
  EXPECT_TRUE(c->matches_key);
}

TEST(KeyCheck, CnameToTheKeyRecordIsFollowed) {
  const auto key = testing::ed25519_key();
  ASSERT_TRUE(key);
  auto zone = dns::ZoneResolver::from_string(
      "s._domainkey.example.org. IN CNAME keys.provider.example.\n"
      "keys.provider.example. IN TXT \"" +
      testing::key_record(*key) + "\"\n");
  ASSERT_TRUE(zone.has_value()) << zone.error().message;
  auto c = check_published_key(**zone, "example.org", "s", *key);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->result, KeyCheckResult::Ok) << all_text(*c);
}

TEST(KeyCheck, RsaKeyAbove4096BitsIsOkWithAWarning) {
  auto key = crypto::PrivateKey::generate_rsa(4160);
  ASSERT_TRUE(key.has_value());
  testing::FakeResolver resolver;
  resolver.add_txt("big._domainkey.example.org", testing::key_record(*key));
  auto c = check_published_key(resolver, "example.org", "big", *key);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->result, KeyCheckResult::Ok);
  EXPECT_EQ(c->key_bits, 4160u);
  EXPECT_EQ(codes(*c), std::vector<Code>{Code::KeyAboveVerifierRange});
}

TEST(KeyCheck, SplitWhitespaceOutsideTheKeyIsFine) {
  // Splits after "p=" or between tags, with white space beside them, change nothing.
  const auto key = testing::ed25519_key();
  ASSERT_TRUE(key);
  const std::string p = crypto::base64_encode(key->public_key_dkim());
  auto zone = dns::ZoneResolver::from_string(
      "a._domainkey.example.org. IN TXT \"v=DKIM1; \" "
      "\"k=ed25519; p= \" \"" +
      p + "\"\n");
  ASSERT_TRUE(zone.has_value()) << zone.error().message;
  auto c = check_published_key(**zone, "example.org", "a", *key);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->result, KeyCheckResult::Ok);
  EXPECT_TRUE(c->problems.empty()) << all_text(*c);
}

TEST(KeyCheck, ResultAndProblemCodesHaveStableNames) {
  EXPECT_EQ(to_string(KeyCheckResult::Ok), "ok");
  EXPECT_EQ(to_string(KeyCheckResult::Mismatch), "mismatch");
  EXPECT_EQ(to_string(KeyCheckResult::Missing), "missing");
  EXPECT_EQ(to_string(KeyCheckResult::Invalid), "invalid");
  EXPECT_EQ(to_string(KeyCheckResult::TempError), "temperror");
  EXPECT_EQ(to_string(KeyProblemCode::SplitAcrossRecords), "split_across_records");
  EXPECT_EQ(to_string(KeyProblemCode::KeyTooSmall), "key_too_small");
}

}  // namespace
}  // namespace auth::dkim
