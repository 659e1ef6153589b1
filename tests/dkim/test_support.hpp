// Helpers for the DKIM tests: the shared message helpers (tests/support) under the names the
// DKIM tests use, and verification of a whole message in chunks.
#pragma once

#include <auth/dkim.hpp>

#include <string_view>
#include <vector>

#include "../support/message_test_support.hpp"

namespace auth::dkim::testing {

using namespace test_support;
using FakeResolver = test_support::TxtResolver;

inline std::vector<DkimResult> verify(dns::Resolver& resolver, const Clock& clock,
                                      std::string_view crlf_message, std::size_t chunk = 0,
                                      const VerifyOptions& options = {},
                                      const Limits& limits = {}) {
  Verifier verifier(resolver, clock, limits, options);
  feed(verifier, split_message(crlf_message), chunk);
  return verifier.finish();
}

}  // namespace auth::dkim::testing
