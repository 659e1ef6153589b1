#include <auth/dkim.hpp>

#include <gtest/gtest.h>

#include "dkim/shared.hpp"

using namespace auth::dkim;
using auth::ReasonCode;
using auth::crypto::HashAlgorithm;
using auth::crypto::KeyType;

namespace {
ReasonCode code_of(std::string_view text) {
  auto r = read_key_record(text);
  return r ? ReasonCode::None : r.error().code;
}
bool is_printable(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}
}  // namespace

TEST(KeyRecord, ParsesTags) {
  auto r = parse_key_record(
      "v=DKIM1; k=ed25519; h=sha256:foo; s=email; t=y:s; n=note; "
      "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->key_type, KeyType::Ed25519);
  EXPECT_EQ(r->hash_algorithms, std::vector<HashAlgorithm>{HashAlgorithm::Sha256});
  EXPECT_TRUE(r->email_service);
  EXPECT_TRUE(r->testing);
  EXPECT_TRUE(r->strict_identity);
  EXPECT_EQ(r->public_key.size(), 32u);
  EXPECT_FALSE(r->revoked());
}

TEST(KeyRecord, DefaultsAndRevocation) {
  auto r = parse_key_record("p=");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->key_type, KeyType::Rsa);
  EXPECT_TRUE(r->hash_algorithms.empty());
  EXPECT_TRUE(r->revoked());
  EXPECT_FALSE(r->testing);
  // White space inside p= is folding, not data (ValiMail suite quirk).
  auto spaced = parse_key_record("k=rsa; p= 11qYAYKx CrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->public_key.size(), 32u);
}

TEST(KeyRecord, ServiceTypes) {
  EXPECT_TRUE(parse_key_record("s=*; p=")->email_service);
  EXPECT_TRUE(parse_key_record("s=tlsrpt:email; p=")->email_service);
  EXPECT_FALSE(parse_key_record("s=tlsrpt; p=")->email_service);
}

TEST(KeyRecord, Errors) {
  EXPECT_EQ(code_of("v=DKIM1; k=rsa"), ReasonCode::KeySyntax);      // no p=
  EXPECT_EQ(code_of("k=rsa; v=DKIM1; p="), ReasonCode::KeySyntax);  // v= not first
  EXPECT_EQ(code_of("v=spf1 -all"), ReasonCode::KeySyntax);         // not DKIM1
  EXPECT_EQ(code_of("v=DKIM1; k=dsa; p="), ReasonCode::KeySyntax);  // unknown k=
  EXPECT_EQ(code_of("h=md5; p="), ReasonCode::KeyHashNotAllowed);   // no known hash
  EXPECT_EQ(code_of("p=!!!"), ReasonCode::KeySyntax);               // bad base64
  EXPECT_EQ(code_of("hello world"), ReasonCode::KeySyntax);
  // The public parser keeps its error kinds.
  EXPECT_EQ(parse_key_record("h=md5; p=").error().code, auth::ErrorCode::Unsupported);
  EXPECT_EQ(parse_key_record("v=DKIM1; k=rsa").error().code, auth::ErrorCode::Syntax);
}

// A DNS answer is as untrusted as a message: its bytes reach a reason only quoted printably.
TEST(KeyRecord, ErrorsArePrintable) {
  for (std::string_view text : {"v=DKIM1; k=rs\r\n a; p=", "v=DKIM\r\n 1; p=",
                                "v=DKIM1; k=\xff\xfe; p=", "v=DK\x01IM1; p="}) {
    auto r = parse_key_record(text);
    ASSERT_FALSE(r) << text;
    EXPECT_TRUE(is_printable(r.error().message)) << r.error().message;
  }
}

TEST(KeyRecord, SelectsAmongTxtRecords) {
  std::vector<std::string> one_good{"v=spf1 -all",
                                    "v=DKIM1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
  auto r = select_key_record(one_good);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->public_key.size(), 32u);

  std::vector<std::string> two_good{
      "v=DKIM1; p=", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
  auto ambiguous = choose_key_record(two_good);
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().code, ReasonCode::KeyAmbiguous);

  std::vector<std::string> none{"v=spf1 -all", "hello"};
  auto bad = choose_key_record(none);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ReasonCode::KeySyntax);

  std::vector<std::string> single_bad{"v=DKIM1; k=rsa"};
  EXPECT_EQ(choose_key_record(single_bad).error().code, ReasonCode::KeySyntax);
  EXPECT_EQ(choose_key_record({}).error().code, ReasonCode::KeyNotFound);
  EXPECT_EQ(select_key_record({}).error().code, auth::ErrorCode::DnsPermanent);
}
