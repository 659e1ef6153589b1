// Chain collection and structure (RFC 8617 §5.2 steps 1-3), without signatures.
#include <gtest/gtest.h>

#include "arc/chain.hpp"

namespace auth::arc::detail {
namespace {

using message::HeaderField;

HeaderField aar(unsigned i) {
  return {"ARC-Authentication-Results", " i=" + std::to_string(i) + "; mx.example.net; none"};
}
HeaderField ams(unsigned i) {
  return {"ARC-Message-Signature",
          " i=" + std::to_string(i) +
              "; a=rsa-sha256; d=example.org; s=s; h=from; bh=dGVzdA==; b=dGVzdA=="};
}
HeaderField seal(unsigned i, std::string_view cv) {
  return {"ARC-Seal", " i=" + std::to_string(i) + "; a=rsa-sha256; cv=" + std::string(cv) +
                          "; d=example.org; s=s; b=dGVzdA=="};
}
std::vector<HeaderField> set(unsigned i) {
  return {seal(i, i == 1 ? "none" : "pass"), ams(i), aar(i)};
}

std::vector<HeaderField> chain_of(unsigned n) {
  std::vector<HeaderField> out;
  for (unsigned i = n; i >= 1; --i) {
    auto s = set(i);
    out.insert(out.end(), s.begin(), s.end());
  }
  out.push_back({"From", " a@example.org"});
  return out;
}

TEST(ArcChain, NoArcFields) {
  const std::vector<HeaderField> fields = {{"From", " a@example.org"},
                                           {"Authentication-Results", " x; none"}};
  const Chain chain = collect_chain(fields, {});
  EXPECT_FALSE(chain.present);
  EXPECT_EQ(chain.highest, 0u);
}

TEST(ArcChain, SoundChainsOfOneToFifty) {
  for (unsigned n : {1u, 2u, 3u, 50u}) {
    const auto fields = chain_of(n);
    const Chain chain = collect_chain(fields, {});
    EXPECT_TRUE(chain.sound()) << n << ": " << chain.failure.text;
    ASSERT_EQ(chain.sets.size(), n);
    EXPECT_EQ(chain.highest, n);
    for (unsigned i = 1; i <= n; ++i) EXPECT_EQ(chain.sets[i - 1].seal.instance, i);
  }
}

TEST(ArcChain, FiftyOneSetsFail) {
  auto fields = chain_of(50);
  const auto extra = set(51);
  fields.insert(fields.begin(), extra.begin(), extra.end());
  const Chain chain = collect_chain(fields, {});
  EXPECT_EQ(chain.failure.code, ReasonCode::ArcTooManyInstances);
  EXPECT_GT(chain.highest, 50u);
  ParseOptions lower;
  lower.max_instance = 2;
  EXPECT_EQ(collect_chain(chain_of(3), lower).failure.code, ReasonCode::ArcTooManyInstances);
}

TEST(ArcChain, StructureFailuresNameTheProblem) {
  struct Case {
    std::string name;
    std::vector<HeaderField> fields;
    ReasonCode code;
  };
  auto without = [](std::vector<HeaderField> f, std::size_t index) {
    f.erase(f.begin() + static_cast<std::ptrdiff_t>(index));
    return f;
  };
  auto with = [](std::vector<HeaderField> f, HeaderField extra) {
    f.insert(f.begin() + 1, std::move(extra));
    return f;
  };
  const auto two = chain_of(2);  // AS2 AMS2 AAR2 AS1 AMS1 AAR1 From
  const std::vector<Case> cases = {
      {"missing AS 1", without(two, 3), ReasonCode::ArcStructure},
      {"missing AMS 2", without(two, 1), ReasonCode::ArcStructure},
      {"missing AAR 1", without(two, 5), ReasonCode::ArcStructure},
      {"duplicate AMS 1", with(two, ams(1)), ReasonCode::ArcStructure},
      {"gap",
       [] {
         auto f = set(3);
         const auto one = chain_of(1);
         f.insert(f.end(), one.begin(), one.end());
         return f;
       }(),
       ReasonCode::ArcStructure},
      {"bad AAR instance",
       with(two, HeaderField{"ARC-Authentication-Results", " i=squanch; x; none"}),
       ReasonCode::ArcStructure},
      {"AS without i=",
       with(two, HeaderField{"ARC-Seal", " a=rsa-sha256; cv=none; d=example.org; s=s; b=dGVzdA=="}),
       ReasonCode::ArcStructure},
      {"first cv=pass",
       [] {
         auto f = chain_of(1);
         f[0] = seal(1, "pass");
         return f;
       }(),
       ReasonCode::ArcInvalidCv},
      {"later cv=none",
       [] {
         auto f = chain_of(2);
         f[0] = seal(2, "none");
         return f;
       }(),
       ReasonCode::ArcInvalidCv},
      {"older cv=fail",
       [] {
         auto f = chain_of(2);
         f[3] = seal(1, "fail");
         return f;
       }(),
       ReasonCode::ArcInvalidCv},
      {"newest cv=fail",
       [] {
         auto f = chain_of(2);
         f[0] = seal(2, "fail");
         return f;
       }(),
       ReasonCode::ArcChainAlreadyFailed},
  };
  for (const Case& c : cases) {
    const Chain chain = collect_chain(c.fields, {});
    EXPECT_EQ(chain.failure.code, c.code) << c.name << ": " << chain.failure.text;
    EXPECT_FALSE(chain.failure.text.empty()) << c.name;
    EXPECT_TRUE(chain.present) << c.name;
  }
  auto failed = chain_of(2);
  failed[0] = seal(2, "fail");
  EXPECT_TRUE(collect_chain(failed, {}).newest_says_fail);
  EXPECT_FALSE(collect_chain(chain_of(2), {}).newest_says_fail);
}

TEST(ArcChain, SetsAreFoundWhereverTheFieldsAre) {
  // Order in the header does not matter for collection; instances do.
  std::vector<HeaderField> fields = {aar(1), {"Received", " x"}, seal(2, "pass"), ams(1),
                                     aar(2), seal(1, "none"),    ams(2)};
  const Chain chain = collect_chain(fields, {});
  ASSERT_TRUE(chain.sound()) << chain.failure.text;
  ASSERT_EQ(chain.sets.size(), 2u);
  EXPECT_EQ(chain.sets[0].aar_field, 0u);
  EXPECT_EQ(chain.sets[0].ams_field, 3u);
  EXPECT_EQ(chain.sets[0].seal_field, 5u);
  EXPECT_EQ(chain.sets[1].seal_field, 2u);
  // Each AAR parsed once, its payload kept for the result.
  EXPECT_EQ(chain.sets[0].aar.payload, "mx.example.net; none");
  EXPECT_EQ(chain.sets[1].aar.authserv_id, "mx.example.net");
}

}  // namespace
}  // namespace auth::arc::detail
