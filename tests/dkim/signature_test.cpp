// The one signature parser (dkim/shared.hpp) for DKIM-Signature, ARC-Message-Signature and
// ARC-Seal: RFC examples, defaults, reason codes, and the tags the three kinds share parsed
// alike (where two parsers used to disagree: l= past 2^64, t=/x= digits, q=, h= names, a
// selector's trailing dot, empty b= and bh=).
#include <gtest/gtest.h>

#include "dkim/shared.hpp"

namespace auth::dkim {
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
  EXPECT_NE(at, std::string::npos) << replace;
  if (at != std::string::npos) s.replace(at, replace.size(), by);
  return s;
}

constexpr std::string_view minimal =
    "v=1; a=rsa-sha256; d=example.com; s=sel; h=From; bh=AAAA; b=AAAA";

ReasonCode code_of(std::string_view value, SignatureKind kind = SignatureKind::Dkim) {
  auto sig = parse_signature(value, kind);
  return sig ? ReasonCode::None : sig.error().code;
}

bool printable(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

TEST(Signature, ParsesRfc8463Example) {
  auto sig = parse_signature(rfc8463_ed25519, SignatureKind::Dkim);
  ASSERT_TRUE(sig) << sig.error().text;
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
  auto sig = parse_signature(minimal, SignatureKind::Dkim);
  ASSERT_TRUE(sig) << sig.error().text;
  EXPECT_EQ(sig->canonicalization,
            (CanonicalizationPair{Canonicalization::Simple, Canonicalization::Simple}));
  EXPECT_EQ(sig->auid, "@example.com");
  EXPECT_FALSE(sig->length);
  auto relaxed = parse_signature(std::string(minimal) + "; c=relaxed", SignatureKind::Dkim);
  ASSERT_TRUE(relaxed);
  EXPECT_EQ(relaxed->canonicalization,
            (CanonicalizationPair{Canonicalization::Relaxed, Canonicalization::Simple}));
}

TEST(Signature, UnknownTagsIgnoredAndOptionalTagsRead) {
  auto sig =
      parse_signature(std::string(minimal) +
                          "; foo=bar; l=1234; t=100; x=200; i=user@Mail.Example.com; z=From:a|To:b",
                      SignatureKind::Dkim);
  ASSERT_TRUE(sig) << sig.error().text;
  EXPECT_EQ(sig->length, 1234u);
  EXPECT_EQ(sig->timestamp, 100);
  EXPECT_EQ(sig->expiration, 200);
  EXPECT_EQ(sig->auid, "user@Mail.Example.com");
}

TEST(Signature, ReasonCodes) {
  const std::string m(minimal);
  struct Case {
    std::string value;
    ReasonCode code;
  };
  const std::vector<Case> cases = {
      {with(minimal, "s=sel; ", ""), ReasonCode::MissingTag},
      {with(minimal, "v=1", "v=2"), ReasonCode::UnsupportedVersion},
      {with(minimal, "rsa-sha256", "rsa-md5"), ReasonCode::UnsupportedAlgorithm},
      {with(minimal, "h=From", "h=To"), ReasonCode::HeaderNotSigned},
      {m + "; i=@other.com", ReasonCode::BadDomain},
      {m + "; i=@notexample.com", ReasonCode::BadDomain},
      {m + "; i=nobody", ReasonCode::SignatureSyntax},
      {m + "; t=200; x=100", ReasonCode::SignatureSyntax},
      {m + "; q=http", ReasonCode::UnsupportedQueryMethod},
      {m + "; c=fancy/simple", ReasonCode::SignatureSyntax},
      {m + "; l=12a", ReasonCode::SignatureSyntax},
      {m + "; t=1234567890123", ReasonCode::SignatureSyntax},
      {m + "; d=dup", ReasonCode::SignatureSyntax},
      {with(minimal, "b=AAAA", "b=A!AA"), ReasonCode::SignatureSyntax},
      {with(minimal, "b=AAAA", "b="), ReasonCode::SignatureSyntax},
      {with(minimal, "example.com", "legitimate.com(.attacker.com"), ReasonCode::BadDomain},
      {"garbage", ReasonCode::SignatureSyntax},
  };
  for (const Case& c : cases) {
    auto sig = parse_signature(c.value, SignatureKind::Dkim);
    ASSERT_FALSE(sig) << c.value;
    EXPECT_EQ(sig.error().code, c.code) << c.value << ": " << sig.error().text;
    EXPECT_FALSE(sig.error().text.empty());
  }
}

TEST(Signature, IdentityIsQuotedPrintable) {
  auto sig =
      parse_signature(std::string(minimal) + "; i=jlong@mail=2Eexample.com", SignatureKind::Dkim);
  ASSERT_TRUE(sig) << sig.error().text;
  EXPECT_EQ(sig->auid, "jlong@mail.example.com");
  EXPECT_EQ(code_of(std::string(minimal) + "; i=a@example.com=2"), ReasonCode::SignatureSyntax);
  EXPECT_EQ(code_of(std::string(minimal) + "; i=a@example.com=zz"), ReasonCode::SignatureSyntax);
}

// Control bytes reach no reason text and no identity, whether written raw (folded into d=) or
// quoted-printable in i=.
TEST(Signature, ReasonsArePrintable) {
  for (const std::string& value :
       {with(minimal, "d=example.com", "d=exa\r\n mple.com"),
        std::string(minimal) + "; i==0D=0A=01@example.com",
        std::string(minimal) + "; i=a@exam=0D=0Aple.com",
        with(minimal, "a=rsa-sha256", "a=rsa\r\n\t-sha256"), with(minimal, "s=sel", "s=s\x01l"),
        std::string(minimal) + "; q=dn\r\n s"}) {
    auto sig = parse_signature(value, SignatureKind::Dkim);
    ASSERT_FALSE(sig) << value;
    EXPECT_TRUE(printable(sig.error().text)) << sig.error().text;
  }
  EXPECT_EQ(code_of(std::string(minimal) + "; i==0D=0A=01@example.com"),
            ReasonCode::SignatureSyntax);
}

TEST(Signature, ArcKinds) {
  auto ams = parse_signature(
      " i=2; a=rsa-sha256; c=relaxed/relaxed; d=Example.ORG; s=sel; t=12345;\r\n"
      "\th=From : to:subject; bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=;\r\n"
      "\tb=dGVzdA==",
      SignatureKind::ArcMessageSignature);
  ASSERT_TRUE(ams) << ams.error().text;
  EXPECT_EQ(ams->instance, 2u);
  EXPECT_EQ(ams->domain, "example.org");
  EXPECT_EQ(ams->headers, (std::vector<std::string>{"from", "to", "subject"}));
  EXPECT_TRUE(ams->auid.empty());
  auto seal = parse_signature(" i=1; a=rsa-sha256; cv=None; d=example.org; s=sel; b=dGVzdA==",
                              SignatureKind::ArcSeal);
  ASSERT_TRUE(seal) << seal.error().text;
  EXPECT_EQ(seal->cv, "none");
  EXPECT_EQ(seal->canonicalization.header, Canonicalization::Relaxed);
  // ARC's own rules.
  EXPECT_EQ(code_of(" i=1; a=rsa-sha256; cv=maybe; d=example.org; s=sel; b=dGVzdA==",
                    SignatureKind::ArcSeal),
            ReasonCode::ArcInvalidCv);
  EXPECT_EQ(code_of(" i=1; a=rsa-sha256; cv=none; d=example.org; s=sel; h=from; b=dGVzdA==",
                    SignatureKind::ArcSeal),
            ReasonCode::SignatureSyntax);
  EXPECT_EQ(code_of(" i=0; a=rsa-sha256; cv=none; d=example.org; s=sel; b=dGVzdA==",
                    SignatureKind::ArcSeal),
            ReasonCode::ArcStructure);
  auto over = parse_signature(
      " i=51; a=rsa-sha256; cv=pass; d=example.org; s=sel; b=dGVzdA==", SignatureKind::ArcSeal, 50);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ReasonCode::ArcTooManyInstances);
  EXPECT_EQ(code_of(" i=1; a=rsa-sha256; d=example.org; s=sel; h=from:arc-seal; bh=AAAA; b=AAAA",
                    SignatureKind::ArcMessageSignature),
            ReasonCode::SignatureSyntax);
  // RFC 8617 §4.1.2: an AMS has no v=; one written is ignored.
  EXPECT_EQ(code_of(" v=7; i=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=AAAA; b=AAAA",
                    SignatureKind::ArcMessageSignature),
            ReasonCode::None);
}

// The same tag text means the same for the three kinds.
struct Shared {
  std::string name;
  std::string tags;  // added to (or replacing) the base value's tags
  ReasonCode code;   // None: parses
};

std::string base_of(SignatureKind kind) {
  switch (kind) {
    case SignatureKind::Dkim:
      return "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=AAAA; b=AAAA";
    case SignatureKind::ArcMessageSignature:
      return "i=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=AAAA; b=AAAA";
    case SignatureKind::ArcSeal:
      return "i=1; a=rsa-sha256; cv=none; d=example.com; s=sel; b=AAAA";
  }
  return {};
}

TEST(Signature, SharedTagsParseAlikeForEveryKind) {
  const std::vector<Shared> cases = {
      {"selector with a trailing dot", "s=sel.", ReasonCode::BadDomain},
      {"empty selector", "s=", ReasonCode::BadDomain},
      {"empty domain", "d=", ReasonCode::BadDomain},
      {"t= of 12 digits", "t=999999999999", ReasonCode::None},
      {"t= of 13 digits", "t=1234567890123", ReasonCode::SignatureSyntax},
      {"signed t=", "t=-1", ReasonCode::SignatureSyntax},
      {"empty b=", "b=", ReasonCode::SignatureSyntax},
      {"b= of white space", "b= \r\n ", ReasonCode::SignatureSyntax},
      {"padding-only b=", "b===", ReasonCode::SignatureSyntax},
      {"unknown algorithm", "a=rsa-sha512", ReasonCode::UnsupportedAlgorithm},
  };
  for (const SignatureKind kind :
       {SignatureKind::Dkim, SignatureKind::ArcMessageSignature, SignatureKind::ArcSeal}) {
    for (const Shared& c : cases) {
      const std::string tag = c.tags.substr(0, c.tags.find('=') + 1);
      std::string value = base_of(kind);
      const std::size_t at = value.find(" " + tag) != std::string::npos
                                 ? value.find(" " + tag) + 1
                                 : (value.starts_with(tag) ? 0 : std::string::npos);
      if (at != std::string::npos) {
        const std::size_t end = std::min(value.find(';', at), value.size());
        value.replace(at, end - at, c.tags);
      } else {
        value += "; " + c.tags;
      }
      auto sig = parse_signature(value, kind);
      const ReasonCode got = sig ? ReasonCode::None : sig.error().code;
      EXPECT_EQ(got, c.code) << field_name(kind) << ", " << c.name << ": " << value;
    }
  }
}

TEST(Signature, BodyTagsParseAlikeForDkimAndAms) {
  const std::vector<Shared> cases = {
      {"l= past 2^64 saturates", "l=18446744073709551617", ReasonCode::None},
      {"l= of 77 digits", "l=" + std::string(77, '9'), ReasonCode::SignatureSyntax},
      {"x= of 13 digits", "x=1234567890123", ReasonCode::SignatureSyntax},
      {"q=dns/txt", "q=dns/txt", ReasonCode::None},
      {"q= list naming dns/txt", "q=x-other:DNS/TXT", ReasonCode::None},
      {"q=dns (pre-RFC drafts)", "q=dns", ReasonCode::UnsupportedQueryMethod},
      {"empty h= item (names no field)", "h=from::to", ReasonCode::None},
      {"h= ending in ':'", "h=from:to:", ReasonCode::None},
      {"h= name with a space", "h=from:sub ject", ReasonCode::SignatureSyntax},
      {"8-bit h= name", "h=from:t\xc3\xa9", ReasonCode::SignatureSyntax},
      {"h= of empty items only", "h=::", ReasonCode::HeaderNotSigned},
      {"empty bh=", "bh=", ReasonCode::SignatureSyntax},
      {"bad bh=", "bh=A!AA", ReasonCode::SignatureSyntax},
  };
  for (const SignatureKind kind : {SignatureKind::Dkim, SignatureKind::ArcMessageSignature}) {
    for (const Shared& c : cases) {
      std::string value = base_of(kind);
      const std::string tag = c.tags.substr(0, c.tags.find('=') + 1);
      if (const std::size_t at = value.find(" " + tag); at != std::string::npos)
        value.replace(at + 1, std::min(value.find(';', at + 1), value.size()) - at - 1, c.tags);
      else
        value += "; " + c.tags;
      auto sig = parse_signature(value, kind);
      const ReasonCode got = sig ? ReasonCode::None : sig.error().code;
      EXPECT_EQ(got, c.code) << field_name(kind) << ", " << c.name << ": " << value;
      if (sig && c.tags.starts_with("l=")) {
        EXPECT_EQ(sig->length, UINT64_MAX);
      }
    }
  }
}

TEST(Signature, LongLengthSaturates) {
  auto sig =
      parse_signature(std::string(minimal) + "; l=" + std::string(40, '9'), SignatureKind::Dkim);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->length, UINT64_MAX);
  EXPECT_FALSE(
      parse_signature(std::string(minimal) + "; l=" + std::string(77, '9'), SignatureKind::Dkim));
}

TEST(Signature, InstanceValues) {
  EXPECT_EQ(parse_instance("1", 50), 1u);
  EXPECT_EQ(parse_instance(" 50 ", 50), 50u);
  EXPECT_EQ(parse_instance("007", 50), 7u);
  for (std::string_view bad : {"", "0", "a", "-1", "+1", "1 2", "99999999999999999999"})
    EXPECT_EQ(parse_instance(bad, 50).error().code, ReasonCode::ArcStructure) << bad;
  EXPECT_EQ(parse_instance("51", 50).error().code, ReasonCode::ArcTooManyInstances);
}

}  // namespace
}  // namespace auth::dkim
