// Consolidating this hop's Authentication-Results for the AAR.
#include <gtest/gtest.h>

#include <auth/arc.hpp>

namespace auth::arc {
namespace {

using message::HeaderField;

TEST(ArcAuthresPayload, JoinsOurFieldsInOrder) {
  const std::vector<HeaderField> fields = {
      {"Authentication-Results",
       " mx.example.net; arc=none;\r\n  spf=pass smtp.mailfrom=a@example.org"},
      {"Received", " from x"},
      {"authentication-results",
       " MX.example.net; dkim=pass (2048-bit key; good) header.d=example.org   "},
      {"Authentication-Results", " other.example; spf=fail"},
      {"Authentication-Results", " mx.example.net;\r\n\tdmarc=pass header.from=\"x;y\""},
  };
  EXPECT_EQ(collect_authentication_results(fields, "mx.example.net"),
            "mx.example.net; arc=none; spf=pass smtp.mailfrom=a@example.org; dkim=pass (2048-bit "
            "key; good) "
            "header.d=example.org; dmarc=pass header.from=\"x;y\"");
  EXPECT_EQ(collect_authentication_results(fields, "other.example"), "other.example; spf=fail");
  EXPECT_EQ(collect_authentication_results(fields, "nobody.example"), std::nullopt);
}

TEST(ArcAuthresPayload, NoneAndVersion) {
  const std::vector<HeaderField> none = {{"Authentication-Results", " mx.example.net; none"}};
  EXPECT_EQ(collect_authentication_results(none, "mx.example.net"), "mx.example.net; none");
  const std::vector<HeaderField> versioned = {
      {"Authentication-Results", " mx.example.net 1; spf=pass"}};
  EXPECT_EQ(collect_authentication_results(versioned, "mx.example.net"),
            "mx.example.net; spf=pass");
}

}  // namespace
}  // namespace auth::arc
