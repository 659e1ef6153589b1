#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <auth/authres.hpp>

namespace auth::authres {
namespace {

AuthenticationResults parsed(std::string_view text) {
  auto result = parse(text);
  EXPECT_TRUE(result) << text << "\n -> " << result.error().message;
  return result ? *result : AuthenticationResults{};
}

void expect_syntax_error(std::string_view text, std::string_view needle = "") {
  auto result = parse(text);
  ASSERT_FALSE(result) << "accepted: " << text;
  EXPECT_EQ(result.error().code, ErrorCode::Syntax);
  EXPECT_NE(result.error().message.find("at offset"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find(needle), std::string::npos)
      << text << " -> " << result.error().message;
}

TEST(Parse, CfwsAndCommentsAnywhere) {
  const auto ar = parsed(
      " (c0) example.com (c1) ; (c2) dkim (c3) = (c4) pass (c5) (c5b) header (c6) . (c7) d (c8)"
      " = (c9) example.com (c10) ; spf = fail");
  EXPECT_EQ(ar.authserv_id, "example.com");
  ASSERT_EQ(ar.results.size(), 2u);
  EXPECT_EQ(ar.results[0].method, "dkim");
  EXPECT_EQ(ar.results[0].result, "pass");
  EXPECT_EQ(ar.results[0].result_comment, "c5 c5b");
  ASSERT_EQ(ar.results[0].properties.size(), 1u);
  EXPECT_EQ(ar.results[0].properties[0], (Property{"header", "d", "example.com", "c10"}));
  EXPECT_EQ(ar.results[1].method, "spf");
  EXPECT_EQ(ar.results[1].result, "fail");
}

TEST(Parse, FoldedHeaderWithCrlf) {
  const auto ar =
      parsed(" example.com;\r\n\tspf=pass\r\n    smtp.mailfrom=example.net (the\r\n\tenvelope)");
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].properties[0],
            (Property{"smtp", "mailfrom", "example.net", "the\tenvelope"}));
}

TEST(Parse, NestedCommentsAndEscapes) {
  const auto ar =
      parsed("example.com; auth=pass (cram-md5 (inner \\) paren) \\( done) smtp.auth=a@b.example");
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].result_comment, "cram-md5 (inner ) paren) ( done");
  EXPECT_EQ(ar.results[0].properties[0].value, "a@b.example");
}

TEST(Parse, QuotedStringsWithEscapes) {
  const auto ar = parsed(
      "\"auth serv\"; dkim=fail reason=\"say \\\"no\\\" \\\\ (really); ok\" header.b=\"ab/cd\""
      " smtp.mailfrom=\"john q\"@example.com");
  EXPECT_EQ(ar.authserv_id, "auth serv");
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].reason, "say \"no\" \\ (really); ok");
  ASSERT_EQ(ar.results[0].properties.size(), 2u);
  EXPECT_EQ(ar.results[0].properties[0].value, "ab/cd");
  // An address with a quoted local-part is kept as written.
  EXPECT_EQ(ar.results[0].properties[1].value, "\"john q\"@example.com");
}

// No value, comment or authserv-id keeps a raw control byte: each becomes a space, as format()
// writes it, and folding line breaks go; HTAB is white space and stays. Whatever a forged header
// carries, nothing parsed from it can put a control byte into a header we write.
TEST(Parse, NoRawControlBytesInValues) {
  using namespace std::string_literals;  // for the NUL byte
  const std::string text = "\"id\x01x\"; spf=pass (c\x7f\x1b) reason=\"r\0\\\x02\""s +
                           " smtp.mailfrom=\"a\x01"
                           "b\r\n \\\x03"
                           "c\tq\"@example.com" +
                           " header.from=\"d\x0b\"";
  const auto ar = parsed(text);
  EXPECT_EQ(ar.authserv_id, "id x");
  ASSERT_EQ(ar.results.size(), 1u);
  const MethodResult& r = ar.results[0];
  EXPECT_EQ(r.result_comment, "c  ");
  EXPECT_EQ(r.reason, "r  ");
  ASSERT_EQ(r.properties.size(), 2u);
  // The address keeps its quotes and escapes as written; its control bytes are spaces.
  EXPECT_EQ(r.properties[0].value, "\"a b \\ c\tq\"@example.com");
  EXPECT_EQ(r.properties[1].value, "d ");
  const auto has_control = [](std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t') || u == 0x7f;
    });
  };
  EXPECT_FALSE(has_control(ar.authserv_id));
  EXPECT_FALSE(has_control(r.result_comment) || has_control(r.reason));
  for (const Property& p : r.properties)
    EXPECT_FALSE(has_control(p.value) || has_control(p.comment));
  // And it formats and parses back the same.
  const auto again = parse(format(ar));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, ar);
}

TEST(Parse, KeywordsAreCaseInsensitiveValuesAreNot) {
  const auto ar = parsed("Example.COM; DKIM=PASS Header.D=Example.COM");
  EXPECT_EQ(ar.authserv_id, "Example.COM");
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].method, "dkim");
  EXPECT_EQ(ar.results[0].result, "pass");
  EXPECT_EQ(ar.results[0].properties[0], (Property{"header", "d", "Example.COM", ""}));
}

TEST(Parse, VersionsOfAuthservIdAndMethod) {
  const auto ar = parsed("example.com 1; dkim/1=pass; spf / 2 = fail");
  EXPECT_EQ(ar.version, 1u);
  ASSERT_EQ(ar.results.size(), 2u);
  EXPECT_EQ(ar.results[0].version, 1u);
  EXPECT_EQ(ar.results[1].version, 2u);
  EXPECT_FALSE(parsed("example.com; dkim=pass").version.has_value());
  // Only version 1 of the header is defined.
  auto v2 = parse("example.com 2; none");
  ASSERT_FALSE(v2);
  EXPECT_EQ(v2.error().code, ErrorCode::Unsupported);
  EXPECT_NE(v2.error().message.find("version 2 at offset 12"), std::string::npos)
      << v2.error().message;
}

TEST(Parse, UnknownMethodsAndPtypesAreKept) {
  const auto ar = parsed("example.com; x-frob=excellent x-ptype.whatever=42 (yes)");
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].method, "x-frob");
  EXPECT_EQ(ar.results[0].result, "excellent");
  EXPECT_EQ(ar.results[0].properties[0], (Property{"x-ptype", "whatever", "42", "yes"}));
}

// The shape large mailbox providers write: unquoted ':' and '/' in values, comments with ';'.
TEST(Parse, TypicalProviderHeader) {
  const auto ar = parsed(
      "mx.example.net;\r\n"
      "       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/cD+e1;\r\n"
      "       spf=pass (example.net: domain of x@example.com designates 2001:db8::1 as permitted"
      " sender) smtp.mailfrom=x@example.com;\r\n"
      "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com");
  EXPECT_EQ(ar.authserv_id, "mx.example.net");
  ASSERT_EQ(ar.results.size(), 3u);
  EXPECT_EQ(ar.results[0].properties.size(), 3u);
  EXPECT_EQ(ar.results[0].properties[2].value, "Ab/cD+e1");
  EXPECT_EQ(ar.results[1].result_comment,
            "example.net: domain of x@example.com designates 2001:db8::1 as permitted sender");
  EXPECT_EQ(ar.results[2].result_comment, "p=REJECT sp=REJECT dis=NONE");
  EXPECT_EQ(ar.results[2].properties[0], (Property{"header", "from", "example.com", ""}));
}

// Lenient forms seen in the wild whose meaning is unambiguous.
TEST(Parse, LenientForms) {
  auto ar = parsed("example.com; iprev=pass policy.iprev=2001:db8::1;");  // trailing ';'
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].properties[0].value, "2001:db8::1");

  ar = parsed(
      "example.com; dmarc=pass action=none header.from=example.com;"
      " compauth=pass reason=100");
  ASSERT_EQ(ar.results.size(), 2u);
  EXPECT_EQ(ar.results[0].properties[0], (Property{"", "action", "none", ""}));
  EXPECT_EQ(ar.results[1].reason, "100");

  ar = parsed("example.com; spf=pass smtp.mailfrom=a@example.com reason=\"late reason\"");
  EXPECT_EQ(ar.results[0].reason, "late reason");

  ar = parsed("example.com;; spf=pass;;");
  EXPECT_EQ(ar.results.size(), 1u);

  ar = parsed("example.com; dkim=none header.d=");  // empty value
  EXPECT_EQ(ar.results[0].properties[0].value, "");

  ar = parsed("example.com");  // authserv-id alone: nothing was checked
  EXPECT_EQ(ar.authserv_id, "example.com");
  EXPECT_TRUE(ar.results.empty());
}

TEST(Parse, NoResult) {
  for (std::string_view text : {"example.org; none", "example.org 1; none", " example.org ; none ;",
                                "example.org; NONE (nothing to check)", "example.org;\r\n\tnone"}) {
    const auto ar = parsed(text);
    EXPECT_EQ(ar.authserv_id, "example.org") << text;
    EXPECT_TRUE(ar.results.empty()) << text;
  }
  // A method named "none" is still a method when a result follows.
  const auto ar = parsed("example.org; none=pass");
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].method, "none");
  expect_syntax_error("example.org; none; spf=pass", "after 'none'");
  expect_syntax_error("example.org; spf=pass; none", "'none' cannot follow results");
  expect_syntax_error("example.org; none smtp.mailfrom=x", "after 'none'");
}

TEST(Parse, RejectsMalformedHeaders) {
  expect_syntax_error("", "expected an authserv-id");
  expect_syntax_error("  \r\n ", "expected an authserv-id");
  expect_syntax_error(";", "expected authserv-id");
  expect_syntax_error("(unterminated", "unterminated comment");
  expect_syntax_error("example.com; spf", "expected '='");
  expect_syntax_error("example.com; spf=", "expected a result for method 'spf', found the end");
  expect_syntax_error("example.com; =pass", "expected a method name");
  expect_syntax_error("example.com; spf=pass smtp.mailfrom", "expected '=' after property");
  expect_syntax_error("example.com; spf=pass smtp.=x", "expected a property name after 'smtp.'");
  expect_syntax_error("example.com; spf=pass reason=\"unterminated", "unterminated quoted string");
  expect_syntax_error("example.com; spf=pass smtp.mailfrom=\"a", "unterminated quoted string");
  expect_syntax_error("example.com; dkim/=pass", "expected method version");
  expect_syntax_error("example.com; dkim/12345678901=pass", "method version too long");
  expect_syntax_error("example.com 99999999999; none", "authres-version too long");
  expect_syntax_error("example.com 1 1; none", "expected ';' after the authserv-id");
  expect_syntax_error("example.com x; spf=pass", "expected ';' after the authserv-id at offset 12");
  expect_syntax_error("example.com; spf=pass reason=a reason=b", "second reason");
  expect_syntax_error("example.com; spf=pass \"x\"", "expected a property or reason");
  expect_syntax_error("example.com; spf=pass (unterminated", "unterminated comment at offset 22");
  expect_syntax_error("example.com; spf=pass (a \\", "unterminated comment");
  expect_syntax_error("example.com; spf=pass smtp.mailfrom=x (y", "unterminated comment");
  expect_syntax_error("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com",
                      "expected ';' after the authserv-id");
}

// A forged header with our authserv-id must be found even when the rest does not parse.
TEST(ParseAuthservId, ReadsOnlyTheLeadingId) {
  EXPECT_EQ(parse_authserv_id(" (c) mx.example.org 1; spf=pass"), "mx.example.org");
  EXPECT_EQ(parse_authserv_id("mx.example.org; dkim=pass header.d=\"unterminated"),
            "mx.example.org");
  EXPECT_FALSE(parse("mx.example.org; dkim=pass header.d=\"unterminated"));
  EXPECT_EQ(parse_authserv_id("\"quoted id\" ; none"), "quoted id");
  EXPECT_EQ(parse_authserv_id("mx.example.org"), "mx.example.org");
  for (std::string_view bad : {"", " \r\n\t", "(unterminated mx.example.org", "; spf=pass",
                               "\"\"; none", "\"unterminated"}) {
    auto id = parse_authserv_id(bad);
    ASSERT_FALSE(id) << bad;
    EXPECT_EQ(id.error().code, ErrorCode::Syntax);
  }
}

TEST(Parse, DeepNestingIsLinearAndSafe) {
  std::string deep(1 << 20, '(');
  expect_syntax_error("example.com; spf=pass " + deep, "unterminated comment");
  std::string balanced = "example.com; spf=pass " + std::string(100000, '(') +
                         std::string(100000, ')') + " smtp.mailfrom=a@example.com";
  const auto ar = parsed(balanced);
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0].properties[0].value, "a@example.com");
}

// Random garbage and mutated headers never crash; whatever parses formats and parses back equal.
TEST(Parse, GarbageNeverCrashes) {
  const std::string seeds[] = {
      "example.com; dkim=pass (good) header.d=example.com reason=\"x y\" header.i=@a.example",
      "foo.example.net (foobar) 1 (baz); dkim (c) / 1 (d) = (e) fail policy . expired = 1",
      "example.org 1; none",
  };
  const std::string alphabet = "ab=.;()\"\\ \t\r\n@/1-xy";
  std::mt19937 rng(7601);
  std::size_t parsed_count = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    if (round % 2 == 0) {
      const std::size_t length = rng() % 64;
      for (std::size_t i = 0; i < length; ++i) {
        text += rng() % 4 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
      }
    } else {
      text = seeds[rng() % std::size(seeds)];
      for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
        const std::size_t at = rng() % (text.size() + 1);
        switch (rng() % 3) {
          case 0:
            text.insert(at, 1, alphabet[rng() % alphabet.size()]);
            break;
          case 1:
            if (at < text.size()) text.erase(at, 1);
            break;
          default:
            if (at < text.size()) text[at] = static_cast<char>(rng() % 256);
            break;
        }
      }
    }
    auto first = parse(text);
    if (!first) {
      EXPECT_TRUE(first.error().code == ErrorCode::Syntax ||
                  first.error().code == ErrorCode::Unsupported)
          << first.error().message;
      continue;
    }
    ++parsed_count;
    auto again = parse(format(*first));
    ASSERT_TRUE(again) << text << "\n -> " << format(*first) << "\n -> " << again.error().message;
    EXPECT_EQ(*again, *first) << text << "\n -> " << format(*first);
  }
  EXPECT_GT(parsed_count, 1000u);  // the mutations must exercise the success path too
}

}  // namespace
}  // namespace auth::authres
