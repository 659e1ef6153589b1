#include "dkim/tag_list.hpp"

#include <gtest/gtest.h>

using namespace auth::dkim;

TEST(TagList, ParsesNamesValuesAndOffsets) {
  const std::string_view text = " v=1; a = rsa-sha256 ;\r\n\tb=abc\r\n def; x=;";
  auto tags = parse_tag_list(text);
  ASSERT_TRUE(tags) << tags.error().message;
  ASSERT_EQ(tags->size(), 4u);
  EXPECT_EQ((*tags)[0].name, "v");
  EXPECT_EQ((*tags)[0].value, "1");
  EXPECT_EQ((*tags)[1].name, "a");
  EXPECT_EQ((*tags)[1].value, "rsa-sha256");
  EXPECT_EQ((*tags)[2].value, "abc\r\n def");
  EXPECT_EQ((*tags)[3].value, "");
  // b= offsets cover everything between '=' and ';'
  const Tag& b = (*tags)[2];
  EXPECT_EQ(text.substr(b.value_begin, b.value_end - b.value_begin), "abc\r\n def");
  EXPECT_EQ(text[b.value_end], ';');
  EXPECT_EQ(find_tag(*tags, "x"), &(*tags)[3]);
  EXPECT_EQ(find_tag(*tags, "B"), nullptr);  // names are case-sensitive
}

TEST(TagList, EmptyTextAndTrailingSemicolon) {
  auto empty = parse_tag_list("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto trailing = parse_tag_list("a=1; \r\n ");
  ASSERT_TRUE(trailing);
  EXPECT_EQ(trailing->size(), 1u);
}

TEST(TagList, RejectsMalformedLists) {
  EXPECT_FALSE(parse_tag_list("a=1; b=2; a=3"));  // duplicate
  EXPECT_FALSE(parse_tag_list("a=1;; b=2"));      // empty tag
  EXPECT_FALSE(parse_tag_list("novalue"));        // no '='
  EXPECT_FALSE(parse_tag_list("1a=2"));           // name must start with a letter
  EXPECT_FALSE(parse_tag_list("a-b=2"));          // '-' not allowed in names
  EXPECT_FALSE(parse_tag_list("a=x\x01y"));       // control byte in a value
  EXPECT_FALSE(parse_tag_list("=1"));
  auto dup = parse_tag_list("d=a; d=b");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message, "duplicate tag d=");
}

TEST(TagList, ColonListsAndWhitespace) {
  const auto items = split_colon_list("from : to:\r\n subject");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], "from");
  EXPECT_EQ(items[1], "to");
  EXPECT_EQ(items[2], "subject");
  EXPECT_EQ(remove_whitespace(" ab\r\n\tc d "), "abcd");
}

// Reasons end up in logs and JSON: bytes from the message are shown printable, never raw.
TEST(TagList, ErrorsQuoteMessageBytesPrintably) {
  auto no_equals = parse_tag_list("v=1; evil\r\nInjected: yes\x7f");
  ASSERT_FALSE(no_equals);
  EXPECT_EQ(no_equals.error().message.find_first_of("\r\n\x7f"), std::string::npos);
  EXPECT_NE(no_equals.error().message.find("evil\\x0D\\x0AInjected"), std::string::npos)
      << no_equals.error().message;
  auto bad_name = parse_tag_list("a\x01z=1");
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().message.find("a\\x01z"), std::string::npos)
      << bad_name.error().message;
}

TEST(TagList, TrimFwsDropsOuterWhiteSpaceOnly) {
  EXPECT_EQ(trim_fws(" \t\r\n a b \r\n\t "), "a b");
  EXPECT_EQ(trim_fws("a"), "a");
  EXPECT_EQ(trim_fws(" \t "), "");
  EXPECT_EQ(trim_fws(""), "");
}
