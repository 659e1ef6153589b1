#include <auth/message.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "recording_handler.hpp"

namespace auth::message {
namespace {

std::string normalize_in_chunks(std::string_view input, std::size_t chunk_size) {
  LineEndingNormalizer normalizer;
  std::string out;
  const std::size_t step = chunk_size == 0 ? std::max<std::size_t>(input.size(), 1) : chunk_size;
  for (std::size_t i = 0; i < input.size(); i += step) normalizer.feed(input.substr(i, step), out);
  return out;
}

TEST(LineEndingNormalizer, BareLfBecomesCrlf) {
  EXPECT_EQ(normalize_in_chunks("a\nb\n", 0), "a\r\nb\r\n");
  EXPECT_EQ(normalize_in_chunks("\n\n", 0), "\r\n\r\n");
  EXPECT_EQ(normalize_in_chunks("\n", 0), "\r\n");
}

TEST(LineEndingNormalizer, CrlfIsKept) {
  EXPECT_EQ(normalize_in_chunks("a\r\nb\r\n\r\n", 0), "a\r\nb\r\n\r\n");
}

TEST(LineEndingNormalizer, BareCrIsKeptAsIs) {
  EXPECT_EQ(normalize_in_chunks("a\rb\r", 0), "a\rb\r");
  EXPECT_EQ(normalize_in_chunks("\r\r\n", 0), "\r\r\n");
  EXPECT_EQ(normalize_in_chunks("\r\n\r", 0), "\r\n\r");
}

TEST(LineEndingNormalizer, EmptyInputGivesNothing) { EXPECT_EQ(normalize_in_chunks("", 0), ""); }

TEST(LineEndingNormalizer, AppendsToExistingOutput) {
  LineEndingNormalizer normalizer;
  std::string out = "kept:";
  normalizer.feed("x\n", out);
  EXPECT_EQ(out, "kept:x\r\n");
}

TEST(LineEndingNormalizer, CrAtChunkEndThenLfGivesOneCrlf) {
  LineEndingNormalizer normalizer;
  std::string out;
  normalizer.feed("line\r", out);
  normalizer.feed("\nnext", out);
  EXPECT_EQ(out, "line\r\nnext");
}

TEST(LineEndingNormalizer, EmptyChunkKeepsPendingCr) {
  LineEndingNormalizer normalizer;
  std::string out;
  normalizer.feed("a\r", out);
  normalizer.feed("", out);
  normalizer.feed("\nb\n", out);
  EXPECT_EQ(out, "a\r\nb\r\n");
}

TEST(LineEndingNormalizer, LfAtChunkStartAfterOtherByteGetsCr) {
  LineEndingNormalizer normalizer;
  std::string out;
  normalizer.feed("a", out);
  normalizer.feed("\n", out);
  normalizer.feed("\r", out);
  normalizer.feed("x", out);  // the CR was bare; a later LF must not join it
  normalizer.feed("\n", out);
  EXPECT_EQ(out, "a\r\n\rx\r\n");
}

TEST(LineEndingNormalizer, EveryChunkSizeGivesTheSameOutput) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a\nb\r\nc\rd\n", "a\r\nb\r\nc\rd\r\n"},
      {"\r\n\n\r\r\n\n\r", "\r\n\r\n\r\r\n\r\n\r"},
      {std::string(100, 'x') + "\n" + std::string(63, 'y') + "\r\n",
       std::string(100, 'x') + "\r\n" + std::string(63, 'y') + "\r\n"},
      {"no line ending", "no line ending"},
  };
  for (const auto& [input, expected] : cases) {
    for (const std::size_t size : testing::kChunkSizes) {
      EXPECT_EQ(normalize_in_chunks(input, size), expected) << "chunk size " << size;
    }
  }
}

TEST(NormalizeFolding, BareLfFoldingBecomesCrlf) {
  // libmilter hands folded values with bare LF.
  EXPECT_EQ(normalize_folding(" v=1; a=rsa-sha256;\n\td=example.org;\n s=sel"),
            " v=1; a=rsa-sha256;\r\n\td=example.org;\r\n s=sel");
}

TEST(NormalizeFolding, CrlfFoldingAndPlainValuesAreUnchanged) {
  EXPECT_EQ(normalize_folding(" a\r\n\tb"), " a\r\n\tb");
  EXPECT_EQ(normalize_folding(" plain value  "), " plain value  ");
  EXPECT_EQ(normalize_folding(""), "");
}

TEST(NormalizeFolding, MixedFolding) {
  EXPECT_EQ(normalize_folding("x\n y\r\n z\n"), "x\r\n y\r\n z\r\n");
  // The result unfolds as RFC 5322 says.
  EXPECT_EQ(unfold(normalize_folding(" a\n\tb\n c")), " a\tb c");
}

}  // namespace
}  // namespace auth::message
