#include <auth/dkim.hpp>

#include <gtest/gtest.h>

using namespace auth::dkim;
using auth::crypto::HashAlgorithm;
using auth::crypto::KeyType;

namespace {
std::string error_of(std::string_view text) {
  auto r = parse_key_record(text);
  return r ? std::string("<parsed>") : r.error().message;
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
  EXPECT_EQ(error_of("v=DKIM1; k=rsa"), "key record has no p= tag");
  EXPECT_EQ(error_of("k=rsa; v=DKIM1; p="), "key record v= is not the first tag");
  EXPECT_EQ(error_of("v=spf1 -all"), "not a DKIM key record (v=spf1 -all)");
  EXPECT_EQ(error_of("v=DKIM1; k=dsa; p="), "unknown key type k=dsa");
  EXPECT_EQ(error_of("h=md5; p="), "key record h= names no known hash algorithm");
  EXPECT_EQ(error_of("p=!!!"), "key record p= is not valid base64");
  EXPECT_NE(error_of("hello world").find("bad key record"), std::string::npos);
}

TEST(KeyRecord, SelectsAmongTxtRecords) {
  std::vector<std::string> one_good{"v=spf1 -all",
                                    "v=DKIM1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
  auto r = select_key_record(one_good);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->public_key.size(), 32u);

  std::vector<std::string> two_good{
      "v=DKIM1; p=", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
  auto ambiguous = select_key_record(two_good);
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().message, "several key records at the selector (2)");

  std::vector<std::string> none{"v=spf1 -all", "hello"};
  auto bad = select_key_record(none);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("no DKIM key record among 2 TXT records"), std::string::npos);

  std::vector<std::string> single_bad{"v=DKIM1; k=rsa"};
  EXPECT_EQ(select_key_record(single_bad).error().message, "key record has no p= tag");
}
