#include <auth/message.hpp>

#include <gtest/gtest.h>

#include <string>

namespace auth::message {
namespace {

void expect_envelope(std::string_view text, std::string_view local, std::string_view domain) {
  SCOPED_TRACE(std::string(text));
  const auto a = parse_envelope_address(text);
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(a->local_part, local);
  EXPECT_EQ(a->domain, domain);
  EXPECT_FALSE(a->is_null());
}

Error expect_error(std::string_view text) {
  const auto a = parse_envelope_address(text);
  EXPECT_FALSE(a.has_value()) << "accepted: " << text;
  if (a) return {};
  EXPECT_EQ(a.error().code, ErrorCode::Syntax);
  return a.error();
}

TEST(EnvelopeAddress, AngleBracketedPath) {
  expect_envelope("<alice@example.org>", "alice", "example.org");
  expect_envelope("<First.Last+tag@Mail.Example.ORG>", "First.Last+tag", "Mail.Example.ORG");
  expect_envelope("  <alice@example.org>  ", "alice", "example.org");
}

TEST(EnvelopeAddress, NullReversePath) {
  for (const std::string_view text : {"<>", " <> ", "<> SIZE=1000"}) {
    const auto a = parse_envelope_address(text);
    ASSERT_TRUE(a.has_value()) << text;
    EXPECT_TRUE(a->is_null());
    EXPECT_EQ(a->local_part, "");
    EXPECT_EQ(a->domain, "");
  }
}

TEST(EnvelopeAddress, SourceRouteIsDropped) {
  expect_envelope("<@relay.example:user@dest.example>", "user", "dest.example");
  expect_envelope("<@a.example,@b.example:user@c.example>", "user", "c.example");
}

TEST(EnvelopeAddress, BareAddressWithoutBrackets) {
  expect_envelope("alice@example.org", "alice", "example.org");
  expect_envelope("alice@example.org SIZE=10", "alice", "example.org");
}

TEST(EnvelopeAddress, EsmtpParametersAfterThePathAreIgnored) {
  expect_envelope("<alice@example.org> SIZE=12345 BODY=8BITMIME", "alice", "example.org");
}

TEST(EnvelopeAddress, QuotedLocalPart) {
  expect_envelope("<\"john doe\"@example.com>", "john doe", "example.com");
  expect_envelope("<\"a\\\"b@c\"@example.com>", "a\"b@c", "example.com");
  expect_envelope("<\"x>y\"@example.com>", "x>y", "example.com");
}

TEST(EnvelopeAddress, AddressLiterals) {
  expect_envelope("<user@[192.0.2.1]>", "user", "[192.0.2.1]");
  expect_envelope("<user@[IPv6:2001:db8::1]>", "user", "[IPv6:2001:db8::1]");
}

TEST(EnvelopeAddress, PostmasterWithoutDomain) {
  expect_envelope("<Postmaster>", "Postmaster", "");
  expect_envelope("<postmaster>", "postmaster", "");
}

TEST(EnvelopeAddress, Utf8Address) {
  expect_envelope("<j\xC3\xBCrgen@b\xC3\xBC\x63her.example>", "j\xC3\xBCrgen",
                  "b\xC3\xBC\x63her.example");
}

TEST(EnvelopeAddress, Errors) {
  EXPECT_EQ(expect_error("<user>").message,
            "envelope address \"<user>\": no '@domain' at offset 5");
  EXPECT_NE(expect_error("").message.find("empty address"), std::string::npos);
  expect_error("   ");
  expect_error("<user@>");
  expect_error("<@example.org>");
  expect_error("<user@example.org");
  expect_error("<user@example.org>x");
  expect_error("<user@example..org>");
  expect_error("<user@.example.org>");
  expect_error("<user@example.org.>");
  expect_error("<us er@example.org>");
  expect_error("<\"unterminated@example.org>");
  expect_error("<user@[192.0.2.1>");
  expect_error("<user@[]>");
  expect_error("<@relay.example user@dest.example>");
  expect_error("<@relay.example:>");
  expect_error("<a@b@c>");
  expect_error("<(comment)a@b>");
  expect_error("< a@b>");
  expect_error("<<a@b>>");
  expect_error("<>x");
}

}  // namespace
}  // namespace auth::message
