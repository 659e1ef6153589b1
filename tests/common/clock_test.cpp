#include <auth/clock.hpp>

#include <gtest/gtest.h>

namespace auth {
namespace {

TEST(Clock, FixedClockIsSetAndAdvanced) {
  auto clock = FixedClock::at_unix(1700000000);
  EXPECT_EQ(to_unix(clock.now()), 1700000000);
  clock.advance(std::chrono::seconds(30));
  EXPECT_EQ(to_unix(clock.now()), 1700000030);
}

TEST(Clock, SystemClockIsAfter2025) {
  SystemClock clock;
  EXPECT_GT(to_unix(clock.now()), 1735689600);
}

}  // namespace
}  // namespace auth
