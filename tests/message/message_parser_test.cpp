#include <auth/message.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "recording_handler.hpp"

namespace auth::message {
namespace {

using testing::kChunkSizes;
using testing::parse_in_chunks;
using testing::ParseOutcome;
using testing::RecordingHandler;
using Events = std::vector<std::string>;

// Parses whole and in every chunk size; asserts all runs agree and returns the whole-input run.
ParseOutcome parse_all_splits(std::string_view input, const Limits& limits = {}) {
  const ParseOutcome whole = parse_in_chunks(input, 0, limits);
  for (const std::size_t size : kChunkSizes) {
    const ParseOutcome split = parse_in_chunks(input, size, limits);
    EXPECT_EQ(split.events, whole.events) << "chunk size " << size;
    EXPECT_EQ(split.error.has_value(), whole.error.has_value()) << "chunk size " << size;
    if (split.error && whole.error) {
      EXPECT_EQ(split.error->code, whole.error->code) << "chunk size " << size;
      EXPECT_EQ(split.error->message, whole.error->message) << "chunk size " << size;
    }
  }
  return whole;
}

ParseOutcome parse_ok(std::string_view input, const Limits& limits = {}) {
  ParseOutcome out = parse_all_splits(input, limits);
  EXPECT_FALSE(out.error.has_value()) << out.error->message;
  return out;
}

ParseOutcome parse_error(std::string_view input, ErrorCode code, const Limits& limits = {}) {
  ParseOutcome out = parse_all_splits(input, limits);
  EXPECT_TRUE(out.error.has_value());
  if (out.error) {
    EXPECT_EQ(out.error->code, code) << out.error->message;
  }
  return out;
}

TEST(MessageParser, SplitsCrlfMessageIntoFieldsAndBody) {
  const auto out = parse_ok(
      "From: Alice <alice@example.org>\r\n"
      "To: bob@example.net\r\n"
      "Subject: Hello\r\n"
      "\r\n"
      "Hi Bob,\r\n"
      "\r\n"
      "See you.\r\n");
  const Events expected{"H:From| Alice <alice@example.org>",
                        "H:To| bob@example.net",
                        "H:Subject| Hello",
                        "EOH",
                        "B:Hi Bob,\r\n\r\nSee you.\r\n",
                        "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, BareLfInputGivesTheSameEventsAsCrlf) {
  const std::string crlf =
      "Subject: folded\r\n\tsecond line\r\nX-A: 1\r\n\r\nbody 1\r\n\r\nbody 2\r\n";
  const std::string lf = "Subject: folded\n\tsecond line\nX-A: 1\n\nbody 1\n\nbody 2\n";
  const auto a = parse_ok(crlf);
  const auto b = parse_ok(lf);
  EXPECT_EQ(a.events, b.events);
  const Events expected{"H:Subject| folded\r\n\tsecond line", "H:X-A| 1", "EOH",
                        "B:body 1\r\n\r\nbody 2\r\n", "EOM"};
  EXPECT_EQ(b.events, expected);
}

TEST(MessageParser, MixedLineEndingsAreNormalized) {
  const auto out = parse_ok("A: 1\nB: 2\r\n c\n\r\nx\ny\r\nz\n");
  const Events expected{"H:A| 1", "H:B| 2\r\n c", "EOH", "B:x\r\ny\r\nz\r\n", "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, RawValueKeepsFoldingTabsAndTrailingSpaces) {
  const auto out = parse_ok(
      "Subject:  two  spaces \t \r\n"
      "DKIM-Signature: v=1; a=rsa-sha256;\r\n"
      "\td=example.org; s=sel;  \r\n"
      "    h=from:to\r\n"
      "NoSpace:x\r\n"
      "Empty:\r\n"
      "\r\n");
  const Events expected{"H:Subject|  two  spaces \t ",
                        "H:DKIM-Signature| v=1; a=rsa-sha256;\r\n\td=example.org; s=sel;  \r\n"
                        "    h=from:to",
                        "H:NoSpace|x",
                        "H:Empty|",
                        "EOH",
                        "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, ColonsInTheValueBelongToTheValue) {
  const auto out = parse_ok("Received: from a by b; Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\n");
  ASSERT_GE(out.events.size(), 1u);
  EXPECT_EQ(out.events[0], "H:Received| from a by b; Sat, 28 Nov 2026 10:00:00 +0000");
}

TEST(MessageParser, HeaderBytesAreKeptExactly) {
  // 8-bit (UTF-8), NUL and a bare CR inside a value are passed on untouched.
  const std::string input = std::string("Subject: caf\xC3\xA9 a\0b c\rd\r\n\r\n", 25);
  const auto out = parse_ok(input);
  ASSERT_EQ(out.events.size(), 3u);
  EXPECT_EQ(out.events[0], std::string("H:Subject| caf\xC3\xA9 a\0b c\rd", 24));
}

TEST(MessageParser, WhitespaceOnlyLineContinuesTheField) {
  // RFC 5322 A.6.3: obsolete folding may leave a line of white space only.
  const auto out = parse_ok("To    : Mary Smith\r\n  \r\n          <mary@example.net>\r\n\r\n");
  const Events expected{"H:To    | Mary Smith\r\n  \r\n          <mary@example.net>", "EOH", "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, WhitespaceBeforeColonKeepsNameBytes) {
  RecordingHandler handler;
  MessageParser parser(handler);
  ASSERT_TRUE(parser.feed("Subject \t: test\r\n\r\n").has_value());
  ASSERT_TRUE(parser.finish().has_value());
  ASSERT_EQ(handler.fields.size(), 1u);
  EXPECT_EQ(handler.fields[0].name, "Subject \t");
  EXPECT_EQ(handler.fields[0].raw_value, " test");
  EXPECT_TRUE(handler.fields[0].is("subject"));
}

TEST(MessageParser, SkipsMboxFromLine) {
  const auto out = parse_ok(
      "From alice@example.org Sat Nov 28 10:00:00 2026\n"
      "From: alice@example.org\n"
      "\n"
      "body\n");
  const Events expected{"H:From| alice@example.org", "EOH", "B:body\r\n", "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, ObsoleteFromFieldOnTheFirstLineIsNoMboxLine) {
  const auto out = parse_ok("From  : a@example.org\r\nFrom \t:b@example.org\r\n\r\n");
  const Events expected{"H:From  | a@example.org", "H:From \t|b@example.org", "EOH", "EOM"};
  EXPECT_EQ(out.events, expected);
  const auto mbox = parse_ok("From \r\nA: 1\r\n\r\n");  // a bare separator
  const Events only_a{"H:A| 1", "EOH", "EOM"};
  EXPECT_EQ(mbox.events, only_a);
}

TEST(MessageParser, MboxFromLineOnlyCountsOnTheFirstLine) {
  const auto out =
      parse_error("Subject: x\r\nFrom alice@example.org Sat\r\n\r\n", ErrorCode::Syntax);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("line 2"), std::string::npos) << out.error->message;
}

TEST(MessageParser, MessageWithoutBlankLineIsAllHeader) {
  const auto out = parse_ok("Subject: x\r\nFrom: a@example.org");
  const Events expected{"H:Subject| x", "H:From| a@example.org", "EOH", "EOM"};
  EXPECT_EQ(out.events, expected);
  // The same when the last line is complete, or ends with a lone CR.
  EXPECT_EQ(parse_ok("Subject: x\r\nFrom: a@example.org\r\n").events, expected);
  EXPECT_EQ(parse_ok("Subject: x\nFrom: a@example.org\n").events, expected);
  EXPECT_EQ(parse_ok("Subject: x\r\nFrom: a@example.org\r").events, expected);
}

TEST(MessageParser, LastFieldFoldedWithoutBlankLine) {
  const auto out = parse_ok("Subject: x\r\n y");
  const Events expected{"H:Subject| x\r\n y", "EOH", "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, EmptyBodyGivesNoBodyEvent) {
  const Events expected{"H:Subject| x", "EOH", "EOM"};
  EXPECT_EQ(parse_ok("Subject: x\r\n\r\n").events, expected);
  EXPECT_EQ(parse_ok("Subject: x\n\n").events, expected);
}

TEST(MessageParser, BodyWithoutFinalLineEndingIsPassedAsSent) {
  const auto out = parse_ok("Subject: x\n\nline 1\nlast line");
  const Events expected{"H:Subject| x", "EOH", "B:line 1\r\nlast line", "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, BodyKeepsBareCrAndHeaderLikeLines) {
  const auto out = parse_ok("A: 1\r\n\r\nB: 2\r\n\r\n\r\nx\ry\r\n \r\n");
  const Events expected{"H:A| 1", "EOH", "B:B: 2\r\n\r\n\r\nx\ry\r\n \r\n", "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, BlankFirstLineMeansNoHeaders) {
  const Events expected{"EOH", "B:body\r\n", "EOM"};
  EXPECT_EQ(parse_ok("\r\nbody\r\n").events, expected);
  EXPECT_EQ(parse_ok("\nbody\n").events, expected);
}

TEST(MessageParser, EmptyInputGivesOnlyEndEvents) {
  const Events expected{"EOH", "EOM"};
  EXPECT_EQ(parse_ok("").events, expected);
}

TEST(MessageParser, HeaderLineWithoutColonIsAnErrorNamingTheLine) {
  const auto out =
      parse_error("Subject: x\r\nTo: y\r\nthis is not a header\r\n\r\nbody\r\n", ErrorCode::Syntax);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->message, "line 3: header line without a colon: \"this is not a header\"");
  // Fields before the bad line were delivered, nothing after it.
  const Events expected{"H:Subject| x", "H:To| y"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParser, LongBadLineIsShownShortAndPrintable) {
  const std::string bad = "\x01" + std::string(100, 'z');
  const auto out = parse_error("A: 1\n" + bad + "\n\n", ErrorCode::Syntax);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->message,
            "line 2: header line without a colon: \"\\x01" + std::string(39, 'z') + "...\"");
}

TEST(MessageParser, ContinuationBeforeAnyFieldIsAnError) {
  const auto out = parse_error(" folded: x\r\n\r\n", ErrorCode::Syntax);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("line 1: continuation line"), std::string::npos)
      << out.error->message;
  // After an mbox line, the first header line is line 2.
  const auto mbox = parse_error("From a@b Sat\n\tx\n\n", ErrorCode::Syntax);
  ASSERT_TRUE(mbox.error);
  EXPECT_NE(mbox.error->message.find("line 2: "), std::string::npos) << mbox.error->message;
}

TEST(MessageParser, BadFieldNamesAreErrors) {
  for (const std::string input : {": empty name\r\n\r\n", "  \t: x\r\n\r\n"}) {
    const auto out = parse_error(input, ErrorCode::Syntax);
    ASSERT_TRUE(out.error);
    EXPECT_NE(out.error->message.find("line 1"), std::string::npos) << out.error->message;
  }
  const auto space = parse_error("Not a name: x\r\n\r\n", ErrorCode::Syntax);
  ASSERT_TRUE(space.error);
  EXPECT_EQ(space.error->message,
            "line 1: header field name \"Not a name\" has a character RFC 5322 does not allow");
  const auto eight_bit = parse_error("Sub\xC3\xA9ject: x\r\n\r\n", ErrorCode::Syntax);
  ASSERT_TRUE(eight_bit.error);
  EXPECT_NE(eight_bit.error->message.find("\\xC3\\xA9"), std::string::npos);
}

TEST(MessageParser, ErrorIsStickyAndFinishReportsIt) {
  RecordingHandler handler;
  MessageParser parser(handler);
  const auto first = parser.feed("A: 1\r\nbad line\r\n");
  ASSERT_FALSE(first.has_value());
  const auto again = parser.feed("B: 2\r\n\r\n");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, first.error().message);
  const auto fin = parser.finish();
  ASSERT_FALSE(fin.has_value());
  EXPECT_EQ(fin.error().message, first.error().message);
  const Events expected{"H:A| 1"};
  EXPECT_EQ(handler.events, expected);
}

TEST(MessageParser, MisuseAfterFinishIsReported) {
  RecordingHandler handler;
  MessageParser parser(handler);
  ASSERT_TRUE(parser.feed("A: 1\r\n\r\nbody").has_value());
  ASSERT_TRUE(parser.finish().has_value());
  const auto late = parser.feed("more");
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::InvalidArgument);
  const auto twice = parser.finish();
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::InvalidArgument);
  const Events expected{"H:A| 1", "EOH", "B:body", "EOM"};
  EXPECT_EQ(handler.events, expected);
}

// --- Limits: each at the limit and one over -------------------------------------------------

TEST(MessageParserLimits, LineLengthAtTheLimitIsAccepted) {
  Limits limits;
  limits.max_line_length = 20;
  const std::string line = "Subject: " + std::string(11, 'x');  // 20 bytes
  ASSERT_EQ(line.size(), 20u);
  for (const std::string ending : {"\r\n", "\n"}) {
    const auto out = parse_ok(line + ending + ending + "body", limits);
    ASSERT_FALSE(out.events.empty());
    EXPECT_EQ(out.events[0], "H:Subject| " + std::string(11, 'x'));
  }
  // Also as the last line of a message without a line ending.
  EXPECT_FALSE(parse_all_splits(line, limits).error.has_value());
}

TEST(MessageParserLimits, LineLengthOneOverIsRejected) {
  Limits limits;
  limits.max_line_length = 20;
  const std::string line = "Subject: " + std::string(12, 'x');  // 21 bytes
  for (const std::string& input :
       {"A: 1\r\n" + line + "\r\n\r\n", "A: 1\n" + line + "\n\n", "A: 1\n" + line}) {
    const auto out = parse_error(input, ErrorCode::LimitExceeded, limits);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->message, "line 2: header line longer than max_line_length (20 bytes)");
  }
}

TEST(MessageParserLimits, LineLengthAppliesToContinuationLines) {
  Limits limits;
  limits.max_line_length = 10;
  EXPECT_FALSE(parse_all_splits("A: 1\r\n\t123456789\r\n\r\n", limits).error);  // 10 bytes
  const auto out = parse_error("A: 1\r\n\t1234567890\r\n\r\n", ErrorCode::LimitExceeded, limits);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("line 2"), std::string::npos);
}

TEST(MessageParserLimits, OverlongLineFailsWithoutWaitingForItsEnd) {
  Limits limits;
  limits.max_line_length = 100;
  RecordingHandler handler;
  MessageParser parser(handler, limits);
  ASSERT_TRUE(parser.feed("A: 1\r\nB: ").has_value());
  // A line with no end in sight: the error comes now, not after buffering all of it.
  const auto r = parser.feed(std::string(1000, 'x'));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
  EXPECT_EQ(r.error().message, "line 2: header line longer than max_line_length (100 bytes)");
}

TEST(MessageParserLimits, LineOfExactLengthWithCrAwaitingLfIsAccepted) {
  Limits limits;
  limits.max_line_length = 6;
  RecordingHandler handler;
  MessageParser parser(handler, limits);
  ASSERT_TRUE(parser.feed("A: 123\r").has_value());  // the CR may be half of CRLF
  ASSERT_TRUE(parser.feed("\n\r\n").has_value());
  ASSERT_TRUE(parser.finish().has_value());
  const Events expected{"H:A| 123", "EOH", "EOM"};
  EXPECT_EQ(handler.events, expected);
}

TEST(MessageParserLimits, HeaderBytesAtTheLimitAreAccepted) {
  Limits limits;
  limits.max_header_bytes = 26;  // every line counts its bytes plus 2 for CRLF
  // "A: 1" (4+2) + "B: 2" (4+2) + " 3" (2+2) + "C: 4" (4+2) = 22; "D:" (2+2) = 26
  const std::string crlf = "A: 1\r\nB: 2\r\n 3\r\nC: 4\r\nD:\r\n\r\nbody\r\n";
  const std::string lf = "A: 1\nB: 2\n 3\nC: 4\nD:\n\nbody\n";
  const auto a = parse_ok(crlf, limits);
  const auto b = parse_ok(lf, limits);
  const Events expected{"H:A| 1", "H:B| 2\r\n 3", "H:C| 4", "H:D|", "EOH", "B:body\r\n", "EOM"};
  EXPECT_EQ(a.events, expected);
  EXPECT_EQ(b.events, expected);
  // The mbox line and the blank line are not header bytes.
  EXPECT_EQ(parse_ok("From x@y Sat Nov 28\n" + lf, limits).events, expected);
}

TEST(MessageParserLimits, HeaderBytesOneOverAreRejected) {
  Limits limits;
  limits.max_header_bytes = 26;
  for (const std::string input :
       {"A: 1\r\nB: 2\r\n 3\r\nC: 4\r\nDD:\r\n\r\nbody\r\n", "A: 1\nB: 2\n 3\nC: 4\nDD:\n\nbody\n",
        "A: 1\nB: 2\n 3\nC: 4\nDD:"}) {
    const auto out = parse_error(input, ErrorCode::LimitExceeded, limits);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->message, "line 5: header section larger than max_header_bytes (26 bytes)");
  }
}

TEST(MessageParserLimits, HeaderBytesCountFoldedLines) {
  Limits limits;
  limits.max_header_bytes = 12;  // "A: 1" (4+2) + " 234" (4+2)
  EXPECT_FALSE(parse_all_splits("A: 1\r\n 234\r\n\r\n", limits).error);
  limits.max_header_bytes = 11;
  const auto out = parse_error("A: 1\r\n 234\r\n\r\n", ErrorCode::LimitExceeded, limits);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->message, "line 2: header section larger than max_header_bytes (11 bytes)");
}

TEST(MessageParserLimits, HeaderCountAtTheLimitIsAccepted) {
  Limits limits;
  limits.max_header_count = 3;
  const auto out = parse_ok("A: 1\r\nB: 2\r\n folded\r\nC: 3\r\n\r\nbody", limits);
  const Events expected{"H:A| 1", "H:B| 2\r\n folded", "H:C| 3", "EOH", "B:body", "EOM"};
  EXPECT_EQ(out.events, expected);
}

TEST(MessageParserLimits, HeaderCountOneOverIsRejected) {
  Limits limits;
  limits.max_header_count = 3;
  const auto out =
      parse_error("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nbody", ErrorCode::LimitExceeded, limits);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->message, "line 4: more than max_header_count (3) header fields");
  const auto mbox =
      parse_error("From a@b Sat\nA: 1\nB: 2\nC: 3\nD: 4", ErrorCode::LimitExceeded, limits);
  ASSERT_TRUE(mbox.error);
  EXPECT_EQ(mbox.error->message, "line 5: more than max_header_count (3) header fields");
}

TEST(MessageParserLimits, ZeroHeaderCountAllowsOnlyABody) {
  Limits limits;
  limits.max_header_count = 0;
  const Events expected{"EOH", "B:only body\r\n", "EOM"};
  EXPECT_EQ(parse_ok("\r\nonly body\r\n", limits).events, expected);
  EXPECT_TRUE(parse_all_splits("A: 1\r\n\r\n", limits).error);
}

TEST(MessageParserLimits, BodyIsNotLimited) {
  Limits limits;
  limits.max_line_length = 10;
  limits.max_header_bytes = 10;
  const std::string body(100000, 'b');
  const auto out = parse_in_chunks("A: 1\r\n\r\n" + body, 4096, limits);
  ASSERT_FALSE(out.error);
  ASSERT_EQ(out.events.size(), 4u);
  EXPECT_EQ(out.events[2], "B:" + body);
}

// --- Split-insensitivity over a set of awkward inputs -----------------------------------------

TEST(MessageParserSplits, EveryChunkSizeGivesTheSameEvents) {
  const std::vector<std::string> inputs = {
      "From a@b Sat Nov 28 10:00:00 2026\r\nSubject: x\r\n\r\nbody\r\n",
      "A: 1\r\n\tfold\r\n  \r\nB:\r\n\r\n\r\n\r\nbody\r\n\r\n",
      "A: 1\n\tfold\nB: 2\n\nbody\nwith\nbare\nLF\n\n",
      "A: 1\r\n\r\nx\ry\r\rz\r\n\r",
      "A: 1\r\n\nCR then LF split\r\n",
      "A: 1\n\r\nmixed blank line\n",
      "Subject: no body, no blank line",
      "Subject: header and folding only\r\n  at end\r\n",
      "A: 1\r\n\r\n" + std::string(200, 'x') + "\n" + std::string(70, 'y'),
  };
  for (const auto& input : inputs) {
    SCOPED_TRACE(input);
    const auto out = parse_ok(input);
    EXPECT_EQ(out.events.back(), "EOM");
  }
}

TEST(MessageParserSplits, RandomMessagesAreSplitInsensitive) {
  // Inputs made of the bytes that matter to the parser, with tight limits so that every error
  // path is reached; whatever the outcome, it must not depend on the split.
  std::mt19937 rng(20261128);
  const std::string alphabet = "ab:  \t\r\n\n\r\nFrom ";
  Limits limits;
  limits.max_line_length = 12;
  limits.max_header_bytes = 40;
  limits.max_header_count = 4;
  std::size_t errors = 0;
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::string input;
    const std::size_t length = rng() % 48;
    for (std::size_t i = 0; i < length; ++i) input.push_back(alphabet[rng() % alphabet.size()]);
    SCOPED_TRACE(::testing::PrintToString(input));
    if (parse_all_splits(input, limits).error) ++errors;
  }
  EXPECT_GT(errors, 0u);
  EXPECT_LT(errors, 2000u);
}

TEST(MessageParserSplits, CrlfSplitAcrossChunksInBodyGivesOneCrlf) {
  RecordingHandler handler;
  MessageParser parser(handler);
  ASSERT_TRUE(parser.feed("A: 1\r\n\r\nline\r").has_value());
  ASSERT_TRUE(parser.feed("\nnext\n").has_value());
  ASSERT_TRUE(parser.finish().has_value());
  const Events expected{"H:A| 1", "EOH", "B:line\r\nnext\r\n", "EOM"};
  EXPECT_EQ(handler.events, expected);
}

}  // namespace
}  // namespace auth::message
