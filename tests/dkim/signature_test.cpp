#include <auth/dkim.hpp>

#include <gtest/gtest.h>

using namespace auth::dkim;

namespace {
// RFC 8463 Appendix A, ed25519 signature.
constexpr std::string_view rfc8463_ed25519 =
    " v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    " subject : date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";

std::string with(std::string_view base, std::string_view replace, std::string_view by) {
  std::string s(base);
  const auto at = s.find(replace);
  if (at != std::string::npos) s.replace(at, replace.size(), by);
  return s;
}

std::string error_of(std::string_view value) {
  auto sig = parse_signature(value);
  return sig ? std::string("<parsed>") : sig.error().message;
}

constexpr std::string_view minimal =
    "v=1; a=rsa-sha256; d=example.com; s=sel; h=From; bh=AAAA; b=AAAA";
}  // namespace

TEST(Signature, ParsesRfc8463Example) {
  auto sig = parse_signature(rfc8463_ed25519);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->algorithm, Algorithm::Ed25519Sha256);
  EXPECT_EQ(sig->canonicalization,
            (CanonicalizationPair{Canonicalization::Relaxed, Canonicalization::Relaxed}));
  EXPECT_EQ(sig->domain, "football.example.com");
  EXPECT_EQ(sig->selector, "brisbane");
  EXPECT_EQ(sig->auid, "@football.example.com");
  EXPECT_EQ(sig->timestamp, 1528637909);
  EXPECT_FALSE(sig->expiration);
  EXPECT_EQ(sig->headers, (std::vector<std::string>{"from", "to", "subject", "date", "message-id",
                                                    "from", "subject", "date"}));
  EXPECT_EQ(sig->bh.size(), 32u);
  EXPECT_EQ(sig->b.size(), 64u);
  EXPECT_EQ(
      sig->b_text,
      "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
  EXPECT_EQ(sig->key_name(), "brisbane._domainkey.football.example.com");
}

TEST(Signature, Defaults) {
  auto sig = parse_signature(minimal);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->canonicalization,
            (CanonicalizationPair{Canonicalization::Simple, Canonicalization::Simple}));
  EXPECT_EQ(sig->auid, "@example.com");
  EXPECT_FALSE(sig->length);
  auto relaxed = parse_signature(std::string(minimal) + "; c=relaxed");
  ASSERT_TRUE(relaxed);
  EXPECT_EQ(relaxed->canonicalization,
            (CanonicalizationPair{Canonicalization::Relaxed, Canonicalization::Simple}));
}

TEST(Signature, UnknownTagsIgnoredAndOptionalTagsRead) {
  auto sig =
      parse_signature(std::string(minimal) +
                      "; foo=bar; l=1234; t=100; x=200; i=user@Mail.Example.com; z=From:a|To:b");
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->length, 1234u);
  EXPECT_EQ(sig->timestamp, 100);
  EXPECT_EQ(sig->expiration, 200);
  EXPECT_EQ(sig->auid, "user@Mail.Example.com");
}

TEST(Signature, SpecificErrors) {
  EXPECT_EQ(error_of(with(minimal, "s=sel; ", "")), "missing required tag s=");
  EXPECT_EQ(error_of(with(minimal, "v=1", "v=2")), "unsupported version v=2");
  EXPECT_EQ(error_of(with(minimal, "rsa-sha256", "rsa-md5")), "unsupported algorithm a=rsa-md5");
  EXPECT_EQ(error_of(with(minimal, "h=From", "h=To")), "From field not signed (h= lacks from)");
  EXPECT_EQ(error_of(std::string(minimal) + "; i=@other.com"), "i= domain is not d= or below it");
  EXPECT_EQ(error_of(std::string(minimal) + "; i=@notexample.com"),
            "i= domain is not d= or below it");
  EXPECT_EQ(error_of(std::string(minimal) + "; i=nobody"), "i= has no '@'");
  EXPECT_EQ(error_of(std::string(minimal) + "; t=200; x=100"), "x= is earlier than t=");
  EXPECT_EQ(error_of(std::string(minimal) + "; q=http"), "unsupported query method q=http");
  EXPECT_EQ(error_of(std::string(minimal) + "; c=fancy/simple"),
            "unknown canonicalization c=fancy/simple");
  EXPECT_EQ(error_of(std::string(minimal) + "; l=12a"), "bad number in l=");
  EXPECT_EQ(error_of(std::string(minimal) + "; t=1234567890123"), "bad number in t=");
  EXPECT_EQ(error_of(std::string(minimal) + "; d=dup"), "duplicate tag d=");
  EXPECT_EQ(error_of(with(minimal, "b=AAAA", "b=A!AA")), "bad base64 in b=");
  EXPECT_EQ(error_of(with(minimal, "b=AAAA", "b=")), "empty b= tag");
  EXPECT_EQ(error_of(with(minimal, "example.com", "legitimate.com(.attacker.com")),
            "bad domain d=legitimate.com(.attacker.com");
}

TEST(Signature, IdentityIsQuotedPrintable) {
  auto sig = parse_signature(std::string(minimal) + "; i=jlong@mail=2Eexample.com");
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->auid, "jlong@mail.example.com");
  EXPECT_EQ(error_of(std::string(minimal) + "; i=a@example.com=2"), "bad quoted-printable in i=");
  EXPECT_EQ(error_of(std::string(minimal) + "; i=a@example.com=zz"), "bad quoted-printable in i=");
}

TEST(Signature, LongLengthSaturates) {
  auto sig = parse_signature(std::string(minimal) + "; l=" + std::string(40, '9'));
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->length, UINT64_MAX);
  EXPECT_FALSE(parse_signature(std::string(minimal) + "; l=" + std::string(77, '9')));
}
