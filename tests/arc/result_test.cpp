// ArcResult names and sealing domains.
#include <gtest/gtest.h>

#include <auth/arc.hpp>

namespace auth::arc {
namespace {

TEST(ArcResult, Names) {
  EXPECT_EQ(to_string(ChainResult::None), "none");
  EXPECT_EQ(to_string(ChainResult::Pass), "pass");
  EXPECT_EQ(to_string(ChainResult::Fail), "fail");
  EXPECT_EQ(to_string(ChainResult::TempError), "temperror");
}

TEST(ArcResult, SealingDomains) {
  ArcResult r;
  r.sets.push_back(SetResult{1, "a.example", "s", "none", "a.example", "s", "mx", true, true, ""});
  r.sets.push_back(SetResult{2, "b.example", "s", "pass", "b.example", "s", "mx", true, true, ""});
  EXPECT_EQ(r.sealing_domains(), (std::vector<std::string>{"a.example", "b.example"}));
}

}  // namespace
}  // namespace auth::arc
