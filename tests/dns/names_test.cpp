#include <gtest/gtest.h>

#include "dns/names.hpp"
#include "dns/zone_directives.hpp"

namespace auth::dns {
namespace {

using namespace std::string_literals;

TEST(NameKey, LowerCasesAndIgnoresTrailingDot) {
  EXPECT_EQ(name_key("Mail.Example.COM"), "\4mail\7example\3com"s);
  EXPECT_EQ(name_key("mail.example.com."), "\4mail\7example\3com"s);
  EXPECT_EQ(name_key("."), ""s);
  EXPECT_EQ(name_key(""), ""s);
}

TEST(NameKey, Escapes) {
  EXPECT_EQ(name_key("a\\.b.c"), "\3a.b\1c"s);
  EXPECT_EQ(name_key("\\065\\066.c"), "\2ab\1c"s);
  EXPECT_EQ(name_key("x\\\\y"), "\3x\\y"s);
  EXPECT_EQ(name_key("a\\."), "\2a."s);  // the final dot is escaped: part of the label
  EXPECT_EQ(name_key("\\000"), std::string("\1\0", 2));
}

TEST(NameKey, RejectsMalformedNames) {
  EXPECT_FALSE(name_key("a..b"));
  EXPECT_FALSE(name_key(".a"));
  EXPECT_FALSE(name_key("a\\"));
  EXPECT_FALSE(name_key("a\\25"));
  EXPECT_FALSE(name_key("a\\256"));
  EXPECT_FALSE(name_key("a\\2x5"));
  EXPECT_TRUE(name_key(std::string(63, 'a')));
  EXPECT_FALSE(name_key(std::string(64, 'a')));
  // 4 labels of 63 octets: 4 * 64 + 1 = 257 wire octets, over 255.
  const std::string label(63, 'a');
  EXPECT_FALSE(name_key(label + "." + label + "." + label + "." + label));
  EXPECT_TRUE(name_key(label + "." + label + "." + label + "." + std::string(61, 'a')));
}

TEST(NameText, EscapesWhatPresentationFormatNeeds) {
  EXPECT_EQ(name_text("\4mail\7example\3com"s), "mail.example.com");
  EXPECT_EQ(name_text("\3a.b\1c"s), "a\\.b.c");
  EXPECT_EQ(name_text(std::string("\2a\0", 3) + "\1c"), "a\\000.c");
  EXPECT_EQ(name_text("\3a b"s), "a\\032b");
  EXPECT_EQ(name_text(""), "");
  for (const char* text : {"a\\.b.c", "x\\\\y.z", "sp\\032ace.example", "semi\\;colon.test"})
    EXPECT_EQ(name_text(*name_key(text)), text);
}

TEST(ParentKey, WalksUpToTheRoot) {
  const std::string key = *name_key("a.b.c");
  EXPECT_EQ(parent_key(key), "\1b\1c"s);
  EXPECT_EQ(parent_key(parent_key(key)), "\1c"s);
  EXPECT_EQ(parent_key(parent_key(parent_key(key))), ""s);
  EXPECT_EQ(parent_key(""), ""s);
}

TEST(FailureDirective, MatchesNameTypeAndBelow) {
  FailureDirective exact{*name_key("x.example"), false, RrType::TXT, Status::Timeout};
  EXPECT_TRUE(exact.matches(*name_key("x.example"), RrType::TXT));
  EXPECT_FALSE(exact.matches(*name_key("x.example"), RrType::A));
  EXPECT_FALSE(exact.matches(*name_key("y.x.example"), RrType::TXT));
  FailureDirective below{*name_key("example"), true, std::nullopt, Status::ServFail};
  EXPECT_TRUE(below.matches(*name_key("x.example"), RrType::MX));
  EXPECT_TRUE(below.matches(*name_key("a.b.example"), RrType::A));
  EXPECT_FALSE(below.matches(*name_key("example"), RrType::A));
  EXPECT_FALSE(below.matches(*name_key("xexample"), RrType::A));
  EXPECT_FALSE(below.matches(*name_key("example.org"), RrType::A));
}

}  // namespace
}  // namespace auth::dns
