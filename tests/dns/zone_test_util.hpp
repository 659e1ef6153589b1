// Helpers shared by the dns tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include <auth/dns.hpp>

namespace auth::dns::testing {

inline std::unique_ptr<ZoneResolver> load_zone(std::string_view text) {
  auto zone = ZoneResolver::from_string(text, "test.zone");
  EXPECT_TRUE(zone.has_value()) << (zone ? "" : zone.error().message);
  return zone ? std::move(*zone) : nullptr;
}

inline std::string zone_path(std::string_view file) {
  return std::string(MAILAUTH_TESTDATA) + "/zones/" + std::string(file);
}

}  // namespace auth::dns::testing
