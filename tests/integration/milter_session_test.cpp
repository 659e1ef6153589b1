// The milter's per-message object: libmilter's arguments become libauth's event values.
#include <gtest/gtest.h>

#include <string>

#include "session.hpp"

namespace mailauth::milter {
namespace {

TEST(MilterTransaction, CollectsEnvelopeAndHeadersWithCrlfFolding) {
  Transaction t("<alice@example.org>", auth::Limits{});
  t.rcpt_to("<bob@example.com>");
  t.rcpt_to("<carol@example.com>");
  t.header("Subject", " folded\n\tline ", true);  // libmilter folds with bare LF
  t.header("From", "alice@example.org", false);   // MTA stripped the leading space
  t.end_of_headers();
  EXPECT_EQ(t.mail_from(), "<alice@example.org>");
  ASSERT_EQ(t.recipients().size(), 2u);
  EXPECT_EQ(t.recipients()[1], "<carol@example.com>");
  ASSERT_EQ(t.headers().size(), 2u);
  EXPECT_EQ(t.headers()[0].name, "Subject");
  EXPECT_EQ(t.headers()[0].raw_value, " folded\r\n\tline ");
  EXPECT_EQ(t.headers()[1].raw_value, " alice@example.org");
  EXPECT_TRUE(t.headers_complete());
  EXPECT_FALSE(t.complete());
  t.end_of_message();
  EXPECT_TRUE(t.complete());
}

TEST(MilterTransaction, BodyByteCountDoesNotDependOnTheSplit) {
  // 4 lines, two with bare LF, one CRLF split across chunks, and a bare CR kept as is.
  const std::string body = "a\nbb\r\nccc\rx\n\n";
  const std::uint64_t expected = std::string("a\r\nbb\r\nccc\rx\r\n\r\n").size();
  for (std::size_t split : {1u, 2u, 3u, 7u, 64u}) {
    Transaction t("<>", auth::Limits{});
    for (std::size_t i = 0; i < body.size(); i += split)
      t.body(std::string_view(body).substr(i, split));
    EXPECT_EQ(t.body_bytes(), expected) << "split " << split;
  }
}

TEST(MilterTransaction, HeaderCountLimitAtAndOver) {
  auth::Limits limits;
  limits.max_header_count = 3;
  Transaction t("<>", limits);
  for (int i = 0; i < 3; ++i) t.header("X-N", std::to_string(i), true);
  EXPECT_EQ(t.headers().size(), 3u);
  EXPECT_FALSE(t.over_limit());  // exactly at the limit
  t.header("X-N", "3", true);
  t.header("X-N", "4", true);
  EXPECT_EQ(t.headers().size(), 3u);
  EXPECT_EQ(t.headers()[2].raw_value, "2");
  EXPECT_TRUE(t.over_limit());
}

// auth::message::HeaderList's accounting: name + raw value (as kept: CRLF folding, restored
// leading space) + 3 bytes for the colon and CRLF.
TEST(MilterTransaction, HeaderByteLimitAtAndOver) {
  auth::Limits limits;
  limits.max_header_bytes = 40;
  {
    Transaction t("<>", limits);
    t.header("Subject", std::string(30, 'x'), true);  // 7 + 30 + 3 = 40: at the limit
    EXPECT_FALSE(t.over_limit());
    ASSERT_EQ(t.headers().size(), 1u);
    t.header("X", "", true);  // 1 + 0 + 3 more: over
    EXPECT_TRUE(t.over_limit());
    EXPECT_EQ(t.headers().size(), 1u);
  }
  {
    Transaction t("<>", limits);
    t.header("Subject", std::string(31, 'x'), true);  // 41: over, nothing kept
    EXPECT_TRUE(t.over_limit());
    EXPECT_TRUE(t.headers().empty());
    t.header("X", "", true);  // a breach is final, however small the next field
    EXPECT_TRUE(t.headers().empty());
  }
  {
    Transaction t("<>", limits);
    t.header("Subject", std::string(29, 'x'), false);  // restored space: 7 + 1 + 29 + 3 = 40
    EXPECT_FALSE(t.over_limit());
    ASSERT_EQ(t.headers().size(), 1u);
    EXPECT_EQ(t.headers()[0].raw_value.size(), 30u);
  }
  {
    Transaction t("<>", limits);
    // Folded with bare LF by libmilter, kept and counted with CRLF: 7 + (14 + 1 + 15) + 3 = 40
    // as received, 41 as kept.
    t.header("Subject", std::string(14, 'x') + "\n " + std::string(14, 'y'), true);
    EXPECT_TRUE(t.over_limit());
    EXPECT_TRUE(t.headers().empty());
  }
}

TEST(MilterSession, OwnsOneTransactionAtATimeAndCountsLiveSessions) {
  const std::size_t before = Session::live_count();
  {
    Session s;
    EXPECT_EQ(Session::live_count(), before + 1);
    s.connect("mail.example.net", auth::IpAddress::parse("192.0.2.7").value());
    EXPECT_EQ(s.client_ip()->str(), "192.0.2.7");
    EXPECT_EQ(s.transaction(), nullptr);
    s.begin_transaction("<a@example.org>").header("From", " a@example.org", true);
    ASSERT_NE(s.transaction(), nullptr);
    s.begin_transaction("<b@example.org>");  // MAIL again without end: the old one is dropped
    EXPECT_EQ(s.transaction()->mail_from(), "<b@example.org>");
    EXPECT_TRUE(s.transaction()->headers().empty());
    s.end_transaction();
    EXPECT_EQ(s.transaction(), nullptr);
    EXPECT_EQ(s.messages(), 2u);
  }
  EXPECT_EQ(Session::live_count(), before);
}

}  // namespace
}  // namespace mailauth::milter
