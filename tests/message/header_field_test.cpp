#include <auth/message.hpp>

#include <gtest/gtest.h>

#include <string>

namespace auth::message {
namespace {

TEST(HeaderField, IsComparesNamesCaseInsensitively) {
  const HeaderField field{"DKIM-Signature", " v=1"};
  EXPECT_TRUE(field.is("DKIM-Signature"));
  EXPECT_TRUE(field.is("dkim-signature"));
  EXPECT_TRUE(field.is("DKIM-SIGNATURE"));
  EXPECT_FALSE(field.is("DKIM-Signatur"));
  EXPECT_FALSE(field.is("DKIM-Signature2"));
  EXPECT_FALSE(field.is("ARC-Message-Signature"));
  EXPECT_FALSE(field.is(""));
}

TEST(HeaderField, IsIgnoresObsoleteWhitespaceBeforeColon) {
  EXPECT_TRUE((HeaderField{"From  ", " x"}.is("from")));
  EXPECT_TRUE((HeaderField{"Subject\t", " x"}.is("SUBJECT")));
  // White space is only dropped at the end of the name.
  EXPECT_FALSE((HeaderField{" From", " x"}.is("From")));
}

TEST(HeaderField, UnfoldedRemovesFolding) {
  const HeaderField field{"Subject", " This is\r\n a test"};
  EXPECT_EQ(field.unfolded(), " This is a test");
}

TEST(Unfold, RemovesCrlfBeforeWhitespaceOnly) {
  EXPECT_EQ(unfold(" a\r\n b"), " a b");
  EXPECT_EQ(unfold(" a\r\n\tb"), " a\tb");
  EXPECT_EQ(unfold(" a\r\n  \r\n\tb"), " a  \tb");  // a whitespace-only line (obs-FWS)
  EXPECT_EQ(unfold("a\r\nb"), "a\r\nb");            // not folding: kept
  EXPECT_EQ(unfold("a\r\n"), "a\r\n");              // nothing follows: kept
}

TEST(Unfold, KeepsLeadingAndTrailingWhitespace) {
  EXPECT_EQ(unfold("  a  \t"), "  a  \t");
  EXPECT_EQ(unfold("  a \r\n b  "), "  a  b  ");
  EXPECT_EQ(unfold(""), "");
}

TEST(Unfold, AcceptsBareLfFolding) {
  EXPECT_EQ(unfold(" a\n b\n\tc"), " a b\tc");
  EXPECT_EQ(unfold("a\nb"), "a\nb");
}

TEST(Unfold, LoneCrIsKept) { EXPECT_EQ(unfold(" a\r b"), " a\r b"); }

TEST(UnfoldAndTrim, TrimsBothEnds) {
  EXPECT_EQ(unfold_and_trim(" \t Hello\r\n  World \t "), "Hello  World");
  EXPECT_EQ(unfold_and_trim("x"), "x");
  EXPECT_EQ(unfold_and_trim(" \r\n \t "), "");
  EXPECT_EQ(unfold_and_trim(""), "");
}

}  // namespace
}  // namespace auth::message
