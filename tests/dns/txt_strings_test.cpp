// Answer::txt_string_lengths: where each TXT RR was split into character-strings, as ZoneResolver
// and LdnsResolver see it, kept by CachingResolver (used by the DKIM key check to find records
// split badly).
#include <gtest/gtest.h>

#include <chrono>
#include <numeric>

#include <auth/dns.hpp>

#include "fake_dns_server.hpp"
#include "zone_test_util.hpp"

namespace auth::dns {
namespace {

using testing::FakeDnsServer;
using testing::FakeQuery;
using testing::FakeReply;
using Lengths = std::vector<std::vector<std::uint8_t>>;

// Every RR's lengths add up to its joined text.
void expect_consistent(const Answer& a) {
  ASSERT_EQ(a.txt_string_lengths.size(), a.txt.size());
  for (std::size_t i = 0; i < a.txt.size(); ++i)
    EXPECT_EQ(std::accumulate(a.txt_string_lengths[i].begin(), a.txt_string_lengths[i].end(),
                              std::size_t{0}),
              a.txt[i].size());
}

TEST(TxtStringLengths, ZoneResolverKeepsEachRrsSplit) {
  auto zone = testing::load_zone(
      "$ORIGIN example.\n"
      "one IN TXT \"abc\"\n"
      "split IN TXT ( \"v=DKIM1; \" \"p=AB\" \"\" \"CD\" )\n"
      "split IN TXT \"second rr\"\n");
  ASSERT_TRUE(zone);
  const Answer one = zone->query("one.example", RrType::TXT);
  EXPECT_EQ(one.txt_string_lengths, (Lengths{{3}}));
  const Answer split = zone->query("split.example", RrType::TXT);
  ASSERT_EQ(split.txt, (std::vector<std::string>{"v=DKIM1; p=ABCD", "second rr"}));
  EXPECT_EQ(split.txt_string_lengths, (Lengths{{9, 4, 0, 2}, {9}}));
  expect_consistent(split);
}

TEST(TxtStringLengths, ZoneResolverFollowsCnameAndLeavesOtherTypesEmpty) {
  auto zone = testing::load_zone(
      "$ORIGIN example.\n"
      "alias IN CNAME target\n"
      "target IN TXT \"ab\" \"cd\"\n"
      "target IN A 192.0.2.1\n");
  ASSERT_TRUE(zone);
  const Answer txt = zone->query("alias.example", RrType::TXT);
  EXPECT_EQ(txt.txt_string_lengths, (Lengths{{2, 2}}));
  EXPECT_TRUE(zone->query("target.example", RrType::A).txt_string_lengths.empty());
  EXPECT_TRUE(zone->query("missing.example", RrType::TXT).txt_string_lengths.empty());
}

TEST(TxtStringLengths, LdnsResolverKeepsEachRrsSplit) {
  FakeDnsServer server([](const FakeQuery&) {
    FakeReply r;
    r.answer = {"example.com. 60 IN TXT \"v=spf1 \" \"ip4:192.0.2.0/24\" \" -all\"",
                "example.com. 60 IN TXT \"other\""};
    return r;
  });
  LdnsOptions options;
  options.servers = {server.address()};
  Limits limits;
  limits.dns_timeout = std::chrono::milliseconds(500);
  auto resolver = LdnsResolver::create(options, limits);
  ASSERT_TRUE(resolver.has_value()) << resolver.error().message;
  const Answer a = (*resolver)->query("example.com", RrType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.txt_string_lengths, (Lengths{{7, 16, 5}, {5}}));
  expect_consistent(a);
}

TEST(TxtStringLengths, CachingResolverKeepsThem) {
  auto zone = testing::load_zone("example. IN TXT \"a\" \"bc\"\n");
  ASSERT_TRUE(zone);
  const FixedClock clock = FixedClock::at_unix(1'000'000);
  CachingResolver cache(*zone, clock, {.prefetch_threads = 0});
  EXPECT_EQ(cache.query("example", RrType::TXT).txt_string_lengths, (Lengths{{1, 2}}));
  EXPECT_EQ(cache.query("example", RrType::TXT).txt_string_lengths, (Lengths{{1, 2}}));
  EXPECT_EQ(cache.stats().hits, 1u);
}

}  // namespace
}  // namespace auth::dns
