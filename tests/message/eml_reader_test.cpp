#include <auth/message.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "recording_handler.hpp"

namespace auth::message {
namespace {

using testing::RecordingHandler;
using Events = std::vector<std::string>;

const std::filesystem::path kMessages = std::filesystem::path(MAILAUTH_TESTDATA) / "messages";

Events read_ok(const std::filesystem::path& path, const Limits& limits = {}) {
  RecordingHandler handler;
  const auto r = read_eml(path, handler, limits);
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return handler.events;
}

const Events kLunchEvents{"H:From| Alice Example <alice@example.org>",
                          "H:To| Bob <bob@example.net>",
                          "H:Subject| Lunch on\r\n Friday?",
                          "H:Date| Sat, 28 Nov 2026 10:00:00 +0000",
                          "H:Message-ID| <lunch-1@example.org>",
                          "EOH",
                          "B:Hi Bob,\r\n\r\nLunch on Friday at noon?\r\n\r\nAlice\r\n",
                          "EOM"};

TEST(ReadEml, CrlfFile) { EXPECT_EQ(read_ok(kMessages / "simple_crlf.eml"), kLunchEvents); }

TEST(ReadEml, BareLfFileGivesTheSameEvents) {
  EXPECT_EQ(read_ok(kMessages / "simple_lf.eml"), kLunchEvents);
}

TEST(ReadEml, MboxFromLineIsSkipped) {
  EXPECT_EQ(read_ok(kMessages / "mbox_from.eml"), kLunchEvents);
}

TEST(ReadEml, Rfc5322ObsoleteSyntaxExample) {
  RecordingHandler handler;
  ASSERT_TRUE(read_eml(kMessages / "rfc5322_a6_3_obsolete.eml", handler).has_value());
  ASSERT_EQ(handler.fields.size(), 5u);
  EXPECT_TRUE(handler.fields[0].is("From"));
  EXPECT_EQ(handler.fields[0].name, "From  ");
  EXPECT_TRUE(handler.fields[1].is("to"));
  EXPECT_EQ(handler.fields[1].raw_value, " Mary Smith\r\n  \r\n          <mary@example.net>");
  const auto from = parse_address_list(handler.fields[0].raw_value);
  ASSERT_TRUE(from.has_value()) << from.error().message;
  ASSERT_EQ(from->size(), 1u);
  EXPECT_EQ((*from)[0].address(), "jdoe@machine.example");
  const auto to = parse_address_list(handler.fields[1].raw_value);
  ASSERT_TRUE(to.has_value()) << to.error().message;
  ASSERT_EQ(to->size(), 1u);
  EXPECT_EQ((*to)[0].display_name, "Mary Smith");
  EXPECT_EQ((*to)[0].address(), "mary@example.net");
  EXPECT_EQ(handler.events.back(), "EOM");
}

TEST(ReadEml, HeadersOnlyFileWithoutFinalLineEnding) {
  const Events expected{"H:Subject| headers only", "H:From| alice@example.org",
                        "H:X-Last| no line ending", "EOH", "EOM"};
  EXPECT_EQ(read_ok(kMessages / "headers_only.eml"), expected);
}

TEST(ReadEml, RealisticMessageHasTwentyFields) {
  RecordingHandler handler;
  ASSERT_TRUE(read_eml(kMessages / "realistic_20_headers.eml", handler).has_value());
  ASSERT_EQ(handler.fields.size(), 20u);
  EXPECT_TRUE(handler.fields[0].is("Return-Path"));
  EXPECT_TRUE(handler.fields[19].is("X-Mailer"));
  std::size_t dkim = 0;
  for (const auto& f : handler.fields) {
    if (f.is("dkim-signature")) {
      ++dkim;
      EXPECT_TRUE(f.raw_value.starts_with(" v=1; a=rsa-sha256;"));
      EXPECT_TRUE(f.raw_value.ends_with("kL1mN2oP3q=="));
      EXPECT_NE(f.raw_value.find("\r\n\ts=news2026;"), std::string::npos);
    }
  }
  EXPECT_EQ(dkim, 1u);
}

TEST(ReadEml, ErrorsNameTheFileAndLine) {
  RecordingHandler handler;
  const auto path = kMessages / "no_colon.eml";
  const auto r = read_eml(path, handler);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::Syntax);
  EXPECT_EQ(r.error().message,
            path.string() + ": line 3: header line without a colon: \"This line has no colon\"");
}

TEST(ReadEml, LimitErrorsNameTheFileAndTheLimit) {
  Limits limits;
  limits.max_header_count = 19;
  RecordingHandler handler;
  const auto path = kMessages / "realistic_20_headers.eml";
  const auto r = read_eml(path, handler, limits);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(r.error().message.find(path.string() + ": line "), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find("max_header_count (19)"), std::string::npos);
  limits.max_header_count = 20;
  EXPECT_EQ(read_ok(path, limits).back(), "EOM");
}

TEST(ReadEml, MissingFileIsAnIoErrorNamingTheFile) {
  RecordingHandler handler;
  const auto path = kMessages / "does-not-exist.eml";
  const auto r = read_eml(path, handler);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::Io);
  EXPECT_EQ(r.error().message.find(path.string() + ": cannot open"), 0u) << r.error().message;
  EXPECT_TRUE(handler.events.empty());
}

TEST(ReadEml, DirectoryIsAnIoError) {
  RecordingHandler handler;
  const auto r = read_eml(kMessages, handler);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::Io);
  EXPECT_NE(r.error().message.find("is a directory"), std::string::npos) << r.error().message;
}

TEST(ReadEmlStream, ReadsFromAnyStream) {
  std::istringstream in("Subject: x\n\nbody\n");
  RecordingHandler handler;
  ASSERT_TRUE(read_eml(in, "<stdin>", handler).has_value());
  const Events expected{"H:Subject| x", "EOH", "B:body\r\n", "EOM"};
  EXPECT_EQ(handler.events, expected);
}

TEST(ReadEmlStream, ErrorsUseTheGivenName) {
  std::istringstream in("Subject: x\n\tfolded\nno colon here\n\n");
  RecordingHandler handler;
  const auto r = read_eml(in, "<stdin>", handler);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "<stdin>: line 3: header line without a colon: \"no colon here\"");
}

TEST(ReadEmlStream, LargeMessageCrossesBufferBoundaries) {
  // Bigger than the reader's buffer, with CR and LF pairs landing on every kind of boundary.
  std::string body;
  std::string expected_body;
  for (int i = 0; body.size() < 300000; ++i) {
    const std::string line =
        "line " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), '.');
    body += line + (i % 2 == 0 ? "\n" : "\r\n");
    expected_body += line + "\r\n";
  }
  std::istringstream in("Subject: big\r\n\r\n" + body);
  RecordingHandler handler;
  ASSERT_TRUE(read_eml(in, "big", handler).has_value());
  const Events expected{"H:Subject| big", "EOH", "B:" + expected_body, "EOM"};
  EXPECT_EQ(handler.events, expected);
}

TEST(ReadEmlStream, EmptyStream) {
  std::istringstream in("");
  RecordingHandler handler;
  ASSERT_TRUE(read_eml(in, "empty", handler).has_value());
  const Events expected{"EOH", "EOM"};
  EXPECT_EQ(handler.events, expected);
}

}  // namespace
}  // namespace auth::message
