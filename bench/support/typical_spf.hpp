// The typical SPF check of testdata/spf/typical.zone, shared by the mailauth and libspf2 cases.
#pragma once

#include <string>

namespace auth::bench {

inline constexpr const char* typical_client = "198.18.5.5";  // allowed by include:spf.crm.example
inline constexpr const char* typical_sender = "alice@example.com";
inline constexpr const char* typical_helo = "mail.example.org";

inline std::string typical_zone_path() {
  return std::string(MAILAUTH_TESTDATA) + "/spf/typical.zone";
}

}  // namespace auth::bench
