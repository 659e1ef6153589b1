// Parsing of the ARC header fields (RFC 8617 §4.1).
#include <gtest/gtest.h>

#include "arc/fields.hpp"

namespace auth::arc::detail {
namespace {

TEST(ArcFields, KindIsCaseInsensitive) {
  EXPECT_EQ(kind_of("arc-seal"), FieldKind::Seal);
  EXPECT_EQ(kind_of("ARC-Message-Signature"), FieldKind::Ams);
  EXPECT_EQ(kind_of("Arc-Authentication-Results "), FieldKind::Aar);
  EXPECT_FALSE(kind_of("Authentication-Results"));
  EXPECT_FALSE(kind_of("ARC-Seals"));
}

TEST(ArcFields, TopLevelSemicolonSkipsCommentsAndQuotedStrings) {
  constexpr std::size_t npos = std::string_view::npos;
  constexpr std::string_view text = R"(id; a (x; (y;) z) "q;\";"; b)";
  EXPECT_EQ(find_top_level_semicolon(text, 0), 2u);
  EXPECT_EQ(find_top_level_semicolon(text, 3), 25u);  // past the comment and the quoted string
  EXPECT_EQ(find_top_level_semicolon(text, 26), npos);
  EXPECT_EQ(find_top_level_semicolon("a (b\\) c; d", 0), npos);  // "\)" does not close it
  EXPECT_EQ(find_top_level_semicolon("a (b\\\\) c; d", 0), 9u);  // "\\" then ')' does
  EXPECT_EQ(find_top_level_semicolon("a (b; c", 0), npos);       // unclosed comment
  EXPECT_EQ(find_top_level_semicolon("a \"b\\", 0), npos);       // escape at the end
  EXPECT_EQ(find_top_level_semicolon("", 0), npos);
}

TEST(ArcFields, AarNeedsLeadingInstanceAndSemicolon) {
  auto aar = parse_aar(" i=2; mx.example.net;\r\n\tspf=pass smtp.mailfrom=a@example.org ", 50);
  ASSERT_TRUE(aar) << aar.error().text;
  EXPECT_EQ(aar->instance, 2u);
  EXPECT_EQ(aar->authserv_id, "mx.example.net");
  EXPECT_EQ(aar->payload, "mx.example.net; spf=pass smtp.mailfrom=a@example.org");  // tab: space
  EXPECT_EQ(parse_aar(" i=1; x; none", 50)->payload, "x; none");
  EXPECT_EQ(parse_aar(" i=51; x; none", 50).error().code, ReasonCode::ArcTooManyInstances);
  EXPECT_EQ(parse_aar(" i=x; x; none", 50).error().code, ReasonCode::ArcStructure);
  EXPECT_TRUE(parse_aar("i = 1 ;mx.example.net; none", 50));
  EXPECT_FALSE(parse_aar(" mx.example.net; i=1; spf=pass", 50));  // not prefixed
  EXPECT_FALSE(parse_aar(" i=1 mx.example.net; spf=pass", 50));   // no semicolon after i=
  EXPECT_FALSE(parse_aar(" i=x; mx.example.net; spf=pass", 50));
  EXPECT_FALSE(parse_aar(" i=0; mx.example.net; spf=pass", 50));
  EXPECT_FALSE(parse_aar(" I=1; mx.example.net; spf=pass", 50));  // tag names are case-sensitive
  EXPECT_FALSE(parse_aar("", 50));
}

constexpr std::string_view good_ams =
    " i=1; a=rsa-sha256; c=relaxed/relaxed; d=Example.ORG; s=sel; t=12345;\r\n"
    "\th=From : to:subject; bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=;\r\n"
    "\tb=dGVzdA==";

TEST(ArcFields, AmsParses) {
  auto ams = parse_ams(good_ams, {});
  ASSERT_TRUE(ams) << ams.error().text;
  EXPECT_EQ(ams->instance, 1u);
  EXPECT_EQ(ams->domain, "example.org");
  EXPECT_EQ(ams->selector, "sel");
  EXPECT_EQ(ams->headers, (std::vector<std::string>{"from", "to", "subject"}));
  EXPECT_EQ(ams->canonicalization.header, dkim::Canonicalization::Relaxed);
  EXPECT_EQ(ams->timestamp, 12345);
  EXPECT_EQ(ams->bh.size(), 32u);
  EXPECT_EQ(ams->b, (crypto::Bytes{'t', 'e', 's', 't'}));
  EXPECT_EQ(ams->key_name(), "sel._domainkey.example.org");
  EXPECT_EQ(std::string(good_ams.substr(ams->b_tag.value_begin,
                                        ams->b_tag.value_end - ams->b_tag.value_begin)),
            "dGVzdA==");
}

TEST(ArcFields, AmsDefaultsToDkimCanonicalization) {
  std::string text(good_ams);
  text.replace(text.find("c=relaxed/relaxed; "), 19, "");
  auto ams = parse_ams(text, {});
  ASSERT_TRUE(ams) << ams.error().text;
  EXPECT_EQ(ams->canonicalization, (dkim::CanonicalizationPair{}));  // simple/simple, RFC 6376 §3.5
}

struct Mutation {
  std::string from, to;
  ReasonCode code;
};

TEST(ArcFields, AmsErrors) {
  const std::vector<Mutation> cases = {
      {"i=1; ", "", ReasonCode::MissingTag},
      {"i=1", "i=0", ReasonCode::ArcStructure},
      {"a=rsa-sha256", "a=rsa-sha1", ReasonCode::WeakAlgorithm},
      {"a=rsa-sha256", "a=foo", ReasonCode::UnsupportedAlgorithm},
      {"b=dGVzdA==", "b=", ReasonCode::SignatureSyntax},
      {"b=dGVzdA==", "b=dGVzd!==", ReasonCode::SignatureSyntax},
      {"bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=;", "", ReasonCode::MissingTag},
      {"c=relaxed/relaxed", "c=", ReasonCode::SignatureSyntax},
      {"c=relaxed/relaxed", "c=fancy", ReasonCode::SignatureSyntax},
      {"d=Example.ORG", "d=", ReasonCode::BadDomain},
      {"d=Example.ORG", "d=exa mple..org", ReasonCode::BadDomain},
      {"s=sel", "s=", ReasonCode::BadDomain},
      {"t=12345", "t=", ReasonCode::SignatureSyntax},
      {"t=12345", "t=12x", ReasonCode::SignatureSyntax},
      {"h=From : to:subject", "h=to:subject", ReasonCode::HeaderNotSigned},
      {"h=From : to:subject", "h=from:arc-seal", ReasonCode::SignatureSyntax},
      {"s=sel; ", "s=sel; s=sel; ", ReasonCode::SignatureSyntax},
      {"s=sel; ", "s=sel;; ", ReasonCode::SignatureSyntax},
  };
  for (const Mutation& m : cases) {
    std::string text(good_ams);
    const std::size_t at = text.find(m.from);
    ASSERT_NE(at, std::string::npos) << m.from;
    text.replace(at, m.from.size(), m.to);
    auto ams = parse_ams(text, {});
    ASSERT_FALSE(ams) << "accepted: " << text;
    EXPECT_EQ(ams.error().code, m.code) << ams.error().text << " (" << m.to << ")";
  }
}

TEST(ArcFields, AmsEd25519CanBeRefused) {
  std::string text(good_ams);
  text.replace(text.find("rsa-sha256"), 10, "ed25519-sha256");
  EXPECT_TRUE(parse_ams(text, {}));
  ParseOptions strict;
  strict.allow_ed25519 = false;
  EXPECT_FALSE(parse_ams(text, strict));
}

constexpr std::string_view good_seal =
    " i=2; a=rsa-sha256; cv=pass; d=example.org; s=sel; t=12346; b=dGVzdA==";

TEST(ArcFields, SealParses) {
  auto seal = parse_seal(good_seal, {});
  ASSERT_TRUE(seal) << seal.error().text;
  EXPECT_EQ(seal->instance, 2u);
  EXPECT_EQ(seal->cv, "pass");
  EXPECT_EQ(seal->timestamp, 12346);
  std::string no_t(good_seal);
  no_t.replace(no_t.find("t=12346; "), 9, "");
  EXPECT_TRUE(parse_seal(no_t, {}));  // t= is optional
}

TEST(ArcFields, SealErrors) {
  const std::vector<Mutation> cases = {
      {"cv=pass", "cv=", ReasonCode::ArcInvalidCv},
      {"cv=pass", "cv=maybe", ReasonCode::ArcInvalidCv},
      {"cv=pass; ", "", ReasonCode::MissingTag},
      {"t=12346; ", "t=12346; h=from; ", ReasonCode::SignatureSyntax},
      {"a=rsa-sha256", "a=rsa-sha1", ReasonCode::WeakAlgorithm},
      {"i=2", "i=blorp", ReasonCode::ArcStructure},
  };
  for (const Mutation& m : cases) {
    std::string text(good_seal);
    const std::size_t at = text.find(m.from);
    ASSERT_NE(at, std::string::npos) << m.from;
    text.replace(at, m.from.size(), m.to);
    auto seal = parse_seal(text, {});
    ASSERT_FALSE(seal) << "accepted: " << text;
    EXPECT_EQ(seal.error().code, m.code) << seal.error().text;
  }
  std::string upper_s(good_seal);
  upper_s.replace(upper_s.find("s=sel"), 5, "S=sel");
  EXPECT_FALSE(parse_seal(upper_s, {}));  // tag names are case-sensitive: no s=
}

}  // namespace
}  // namespace auth::arc::detail
