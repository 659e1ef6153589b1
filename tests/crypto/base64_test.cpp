#include <gtest/gtest.h>

#include <random>
#include <string>

#include <auth/crypto.hpp>

#include "test_util.hpp"

namespace auth::crypto {
namespace {

using test::bytes_of;

std::string as_string(const Bytes& b) { return std::string(b.begin(), b.end()); }

// RFC 4648 §10 test vectors.
const std::pair<const char*, const char*> kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfc4648Vectors) {
  for (auto [plain, encoded] : kRfc4648) {
    EXPECT_EQ(base64_encode(bytes_of(plain)), encoded) << plain;
  }
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (auto [plain, encoded] : kRfc4648) {
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded << ": " << decoded.error().message;
    EXPECT_EQ(as_string(*decoded), plain);
  }
}

TEST(Base64, SkipsFoldingWhiteSpaceAnywhere) {
  const std::pair<const char*, const char*> cases[] = {
      {"Zm9v\r\n\tYmFy", "foobar"}, {"  Z m 9 v Y m F y  ", "foobar"},
      {"Zm9vYg\r\n =\t=", "foob"},  // RFC 6376 base64string allows FWS before each '='
      {"Zm9vYmE=\r\n", "fooba"},    {"\t\r\n ", ""},
      {"Z\ng\n=\n=\n", "f"},
  };
  for (auto [encoded, plain] : cases) {
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded << ": " << decoded.error().message;
    EXPECT_EQ(as_string(*decoded), plain) << encoded;
  }
}

void expect_syntax_error(std::string_view text, std::string_view needle) {
  auto decoded = base64_decode(text);
  ASSERT_FALSE(decoded) << "accepted: " << text;
  EXPECT_EQ(decoded.error().code, ErrorCode::Syntax);
  EXPECT_NE(decoded.error().message.find(needle), std::string::npos)
      << "input '" << text << "' gave: " << decoded.error().message;
}

TEST(Base64, RejectsInvalidCharacters) {
  expect_syntax_error("Zm9v!mFy", "invalid character 0x21 '!' at offset 4");
  expect_syntax_error("Zm9v-_Fy", "'-' at offset 4");  // base64url is not base64
  expect_syntax_error(std::string_view("Zm9\0v", 5), "0x00 at offset 3");
  expect_syntax_error("Zm9v\xC3\xA9", "0xc3 at offset 4");
  expect_syntax_error("Zm9v\vYmFy", "0x0b at offset 4");  // VT is not folding white space
  expect_syntax_error("Zg==!", "invalid character 0x21 '!' at offset 4");
}

TEST(Base64, RejectsBadPadding) {
  expect_syntax_error("Zg=", "incomplete padding");
  expect_syntax_error("Zg= ", "incomplete padding");
  expect_syntax_error("Zg===", "after the padding");
  expect_syntax_error("Zm8==", "after the padding");
  expect_syntax_error("Z===", "after a single character");
  expect_syntax_error("=", "where a new quantum should start");
  expect_syntax_error("Zm9v=", "where a new quantum should start");
  expect_syntax_error("Zg==Zg==", "after the padding");
  expect_syntax_error("Zm=9v", "unexpected 0x39 '9' at offset 3 after the padding");
}

TEST(Base64, RejectsTruncatedInput) {
  expect_syntax_error("Zm9vY", "truncated");
  expect_syntax_error("Zm9vYm", "truncated");
  expect_syntax_error("Zm9vYmF", "truncated");
  expect_syntax_error("Zm9vYmF \r\n", "truncated");
}

// Every length from 0 to 300 and every byte value, with and without folding inserted.
TEST(Base64, RoundTripsRandomData) {
  std::mt19937 rng(8601);
  for (std::size_t length = 0; length <= 300; ++length) {
    Bytes data(length);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    const std::string encoded = base64_encode(data);
    EXPECT_EQ(encoded.size(), (length + 2) / 3 * 4);
    auto plain = base64_decode(encoded);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(*plain, data) << "length " << length;

    for (std::size_t every : {1u, 3u, 7u, 76u}) {
      std::string folded;
      for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (i != 0 && i % every == 0) folded += (i / every) % 2 ? "\r\n\t" : " ";
        folded += encoded[i];
      }
      auto unfolded = base64_decode(folded);
      ASSERT_TRUE(unfolded) << folded << ": " << unfolded.error().message;
      EXPECT_EQ(*unfolded, data) << folded;
    }
  }
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string encoded = base64_encode(all);
  EXPECT_EQ(encoded.substr(0, 8), "AAECAwQF");
  EXPECT_EQ(encoded.substr(encoded.size() - 8), "/P3+/w==");
  EXPECT_EQ(*base64_decode(encoded), all);
}

// Every single byte value in every position of a quantum: only the alphabet, '=' and folding
// white space may be accepted.
TEST(Base64, ClassifiesEveryByte) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    std::string text = "AAA";
    text += ch;
    const bool in_alphabet = alphabet.find(ch) != std::string::npos;
    const bool space = ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
    auto decoded = base64_decode(text);
    if (in_alphabet || ch == '=') {
      EXPECT_TRUE(decoded) << c;
    } else if (space) {
      ASSERT_FALSE(decoded);
      EXPECT_NE(decoded.error().message.find("truncated"), std::string::npos);
    } else {
      ASSERT_FALSE(decoded) << c;
      EXPECT_NE(decoded.error().message.find("invalid character"), std::string::npos);
    }
  }
}

TEST(Base64, IgnoresNonZeroTrailingBits) {
  // "Zh==" carries bits below the decoded byte that a canonical encoder would have zeroed;
  // RFC 4648 §3.5 lets decoders accept them, as common DKIM verifiers do.
  auto decoded = base64_decode("Zh==");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(as_string(*decoded), "f");
}

}  // namespace
}  // namespace auth::crypto
