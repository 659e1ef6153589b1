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

TEST(MilterTransaction, HeaderLimitsBoundMemory) {
  auth::Limits limits;
  limits.max_header_count = 3;
  Transaction t("<>", limits);
  for (int i = 0; i < 5; ++i) t.header("X-N", std::to_string(i), true);
  EXPECT_EQ(t.headers().size(), 3u);
  EXPECT_TRUE(t.over_limit());

  limits = auth::Limits{};
  limits.max_header_bytes = 40;
  Transaction bytes("<>", limits);
  bytes.header("Subject", std::string(20, 'x'), true);  // 7 + 1 + 20 + 3 = 31 bytes
  EXPECT_FALSE(bytes.over_limit());
  bytes.header("Subject", "y", true);  // 12 more: over 40
  EXPECT_TRUE(bytes.over_limit());
  EXPECT_EQ(bytes.headers().size(), 1u);
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
