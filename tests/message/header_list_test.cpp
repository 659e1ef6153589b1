#include <auth/message.hpp>

#include <gtest/gtest.h>

#include <string>

namespace auth::message {
namespace {

TEST(HeaderList, KeepsFieldsInOrderWithExactBytes) {
  HeaderList list;
  EXPECT_TRUE(list.add("From", " a@example.com"));
  EXPECT_TRUE(list.add("Subject", " folded\r\n\tvalue"));
  ASSERT_EQ(list.fields().size(), 2u);
  EXPECT_EQ(list.fields()[0].name, "From");
  EXPECT_EQ(list.fields()[0].raw_value, " a@example.com");
  EXPECT_EQ(list.fields()[1].name, "Subject");
  EXPECT_EQ(list.fields()[1].raw_value, " folded\r\n\tvalue");
  EXPECT_FALSE(list.overflowed());
  EXPECT_FALSE(list.overflow().has_value());
}

TEST(HeaderList, DropsFieldsPastMaxHeaderCount) {
  Limits limits;
  limits.max_header_count = 3;
  HeaderList list(limits);
  EXPECT_TRUE(list.add("A", " 1"));
  EXPECT_TRUE(list.add("B", " 2"));
  EXPECT_TRUE(list.add("C", " 3"));
  EXPECT_FALSE(list.overflowed());
  EXPECT_FALSE(list.add("D", " 4"));
  EXPECT_FALSE(list.add("E", " 5"));
  ASSERT_EQ(list.fields().size(), 3u);
  EXPECT_EQ(list.fields()[2].name, "C");
  ASSERT_TRUE(list.overflowed());
  EXPECT_EQ(list.overflow()->code, ErrorCode::LimitExceeded);
  EXPECT_EQ(list.overflow()->message, "more than max_header_count (3) header fields");
}

TEST(HeaderList, CountsNameValueAndThreeBytesAgainstMaxHeaderBytes) {
  Limits limits;
  // "From" + " a" + 3 = 9 and "To" + " b" + 3 = 7: 16 bytes fit exactly.
  limits.max_header_bytes = 16;
  HeaderList list(limits);
  EXPECT_TRUE(list.add("From", " a"));
  EXPECT_TRUE(list.add("To", " b"));
  EXPECT_FALSE(list.overflowed());
  EXPECT_FALSE(list.add("X", ""));  // 4 more bytes: 20 > 16
  ASSERT_EQ(list.fields().size(), 2u);
  ASSERT_TRUE(list.overflowed());
  EXPECT_EQ(list.overflow()->code, ErrorCode::LimitExceeded);
  EXPECT_EQ(list.overflow()->message, "header fields larger than max_header_bytes (16 bytes)");
}

TEST(HeaderList, StaysOverflowedAndKeepsTheFirstBreach) {
  Limits limits;
  limits.max_header_bytes = 10;
  limits.max_header_count = 1;
  HeaderList list(limits);
  EXPECT_FALSE(list.add("Subject", " far too long for ten bytes"));  // bytes breach first
  // The dropped field still counts: nothing fits any more, and the first breach is kept.
  EXPECT_FALSE(list.add("A", ""));
  EXPECT_TRUE(list.fields().empty());
  ASSERT_TRUE(list.overflowed());
  EXPECT_EQ(list.overflow()->message, "header fields larger than max_header_bytes (10 bytes)");
}

TEST(HeaderList, ZeroCountKeepsNothing) {
  Limits limits;
  limits.max_header_count = 0;
  HeaderList list(limits);
  EXPECT_FALSE(list.add("From", " a@example.com"));
  EXPECT_TRUE(list.fields().empty());
  EXPECT_TRUE(list.overflowed());
}

}  // namespace
}  // namespace auth::message
