#include <auth/dkim.hpp>

#include "dkim/shared.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace auth::dkim;

namespace {

std::string canonical_body(Canonicalization c, std::string_view body, std::size_t chunk) {
  BodyCanonicalizer canon(c);
  std::string out;
  if (chunk == 0) chunk = std::max<std::size_t>(body.size(), 1);
  for (std::size_t i = 0; i < body.size(); i += chunk) canon.update(body.substr(i, chunk), out);
  canon.finish(out);
  return out;
}

// Straightforward whole-body reference implementations of RFC 6376 §3.4.3 and §3.4.4.
std::string reference_simple(std::string body) {
  while (body.size() >= 2 && body.compare(body.size() - 2, 2, "\r\n") == 0)
    body.resize(body.size() - 2);
  return body + "\r\n";
}

std::string reference_relaxed(std::string_view body) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (true) {
    const std::size_t eol = body.find("\r\n", pos);
    std::string_view line =
        body.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    std::string out;
    bool space = false;
    for (char c : line) {
      if (c == ' ' || c == '\t') {
        space = true;
        continue;
      }
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
    lines.push_back(out);
    if (eol == std::string_view::npos) break;
    pos = eol + 2;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const auto& l : lines) out += l + "\r\n";
  return out;
}

constexpr std::size_t chunk_sizes[] = {1, 2, 3, 7, 64, 0};

}  // namespace

// RFC 6376 §3.4.5 examples.
TEST(Canonicalization, Rfc6376HeaderExamples) {
  std::string relaxed, simple;
  canonicalize_header(Canonicalization::Relaxed, "A", " X", relaxed);
  canonicalize_header(Canonicalization::Relaxed, "B ", " Y\t\r\n\tZ  ", relaxed);
  EXPECT_EQ(relaxed, "a:X\r\nb:Y Z\r\n");
  canonicalize_header(Canonicalization::Simple, "A", " X", simple);
  canonicalize_header(Canonicalization::Simple, "B ", " Y\t\r\n\tZ  ", simple);
  EXPECT_EQ(simple, "A: X\r\nB : Y\t\r\n\tZ  \r\n");
}

TEST(Canonicalization, Rfc6376BodyExamples) {
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  for (std::size_t chunk : chunk_sizes) {
    EXPECT_EQ(canonical_body(Canonicalization::Relaxed, body, chunk), " C\r\nD E\r\n") << chunk;
    EXPECT_EQ(canonical_body(Canonicalization::Simple, body, chunk), " C \r\nD \t E\r\n") << chunk;
  }
}

TEST(Canonicalization, EmptyAndUnterminatedBodies) {
  for (std::size_t chunk : chunk_sizes) {
    EXPECT_EQ(canonical_body(Canonicalization::Simple, "", chunk), "\r\n");
    EXPECT_EQ(canonical_body(Canonicalization::Relaxed, "", chunk), "");
    EXPECT_EQ(canonical_body(Canonicalization::Simple, "\r\n\r\n", chunk), "\r\n");
    EXPECT_EQ(canonical_body(Canonicalization::Relaxed, " \r\n\t\r\n", chunk), "");
    EXPECT_EQ(canonical_body(Canonicalization::Simple, "abc", chunk), "abc\r\n");
    EXPECT_EQ(canonical_body(Canonicalization::Relaxed, "abc  ", chunk), "abc\r\n");
    EXPECT_EQ(canonical_body(Canonicalization::Simple, "a\r", chunk), "a\r\r\n");
    EXPECT_EQ(canonical_body(Canonicalization::Relaxed, "a \r b\r\n", chunk), "a \r b\r\n");
  }
}

TEST(Canonicalization, RelaxedHeaderDropsLeadingAndTrailingSpace) {
  std::string out;
  canonicalize_header(Canonicalization::Relaxed, "SubJect", "\t  Hello \t World \r\n  ", out);
  EXPECT_EQ(out, "subject:Hello World\r\n");
  out.clear();
  canonicalize_header(Canonicalization::Relaxed, "X-Empty", "", out);
  EXPECT_EQ(out, "x-empty:\r\n");
}

// Random bodies over the bytes that matter, against the reference, split every way.
TEST(Canonicalization, StreamingMatchesReferenceForAnySplit) {
  std::mt19937 rng(12345);
  const char alphabet[] = {'a', 'b', ' ', '\t', '\r', '\n', '\r', '\n'};
  const char texty[] = {'a', 'b', 'c', 'd', 'e', 'f', ' ', ' ', '\r', '\n', '\t'};
  for (int round = 0; round < 600; ++round) {
    // Short bodies dense in special bytes, and longer text-like ones (the vectorized path).
    std::string body;
    const bool dense = round % 2 == 0;
    const std::size_t n = rng() % (dense ? 80 : 400);
    for (std::size_t i = 0; i < n; ++i) {
      if (dense)
        body.push_back(alphabet[rng() % sizeof alphabet]);
      else if (rng() % 40 == 0)
        body += "\r\n";
      else
        body.push_back(texty[rng() % sizeof texty]);
    }
    const std::string want_simple = reference_simple(body);
    const std::string want_relaxed = reference_relaxed(body);
    for (std::size_t chunk : chunk_sizes) {
      ASSERT_EQ(canonical_body(Canonicalization::Simple, body, chunk), want_simple)
          << "chunk " << chunk;
      ASSERT_EQ(canonical_body(Canonicalization::Relaxed, body, chunk), want_relaxed)
          << "chunk " << chunk;
    }
  }
}
