// Runs the ValiMail ARC validation suite (171 cases, each its own GoogleTest case) and the
// stalwart ARC messages through auth::arc::Validator, DNS served from the suite's TXT records.
#include <gtest/gtest.h>

#include <auth/arc.hpp>

#include <filesystem>

#include "../arc/arc_test_support.hpp"
#include "../support/conformance_suite.hpp"
#include "arc_suite.hpp"

namespace mailauth::test {
namespace {

using auth::arc::ChainResult;
using auth::arc::testing::TxtResolver;

// Where the suite (written against draft-ietf-dmarc-arc-protocol-18) and RFC 8617 disagree, the
// runner asserts the RFC's result; each entry names the section that decides.
struct Conflict {
  ChainResult rfc8617_result;
  std::string reason;
};
const std::map<std::string, Conflict>& conflicts() {
  static const std::map<std::string, Conflict> list = {
      {"ams_fields_h_empty",
       {ChainResult::Fail,
        "AMS with h= empty: RFC 8617 §4.1.2 gives the AMS DKIM-Signature semantics, and RFC 6376 "
        "§6.1.1 makes a signature whose h= does not include From a PERMFAIL"}},
      {"ams_fields_c_na",
       {ChainResult::Fail,
        "AMS without c=, signed relaxed/relaxed: RFC 8617 §4.1.2 keeps DKIM's c= semantics, whose "
        "default is simple/simple (RFC 6376 §3.5), so the signature does not verify (the suite "
        "assumes relaxed/relaxed, as dkimpy does)"}},
  };
  return list;
}

// "" is the suite's word for a chain that already carries cv=fail; RFC 8617 §5.2 steps 2 and 3.3
// make that chain's status fail.
ChainResult expected_result(const std::string& cv) {
  if (cv == "Pass" || cv == "pass") return ChainResult::Pass;
  if (cv == "None" || cv == "none") return ChainResult::None;
  return ChainResult::Fail;
}

class ArcValidation : public ::testing::TestWithParam<ArcValidationCase> {};

TEST_P(ArcValidation, Case) {
  const ArcValidationCase& c = GetParam();
  MAILAUTH_REQUIRE_SUITE("arc/valimail-validation",
                         c.missing_file.empty() ? arc_conformance_dir() +
                                                      "/valimail/arc-draft-validation-tests.yml"
                                                : c.missing_file);
  SCOPED_TRACE(c.id + ": " + c.description + " (" + c.scenario + ")");
  TxtResolver resolver;
  for (const auto& [name, value] : c.txt_records) resolver.add_txt(name, value);
  const auto clock = auth::FixedClock::at_unix(1700000000);
  const std::string message = auth::arc::testing::lf_to_crlf(c.message);
  ChainResult expected = expected_result(c.cv);
  if (auto it = conflicts().find(c.id); it != conflicts().end()) {
    SCOPED_TRACE("RFC 8617 over the suite: " + it->second.reason);
    expected = it->second.rfc8617_result;
  }
  for (std::size_t chunk : {0, 1, 7, 64}) {
    const auth::arc::ArcResult result =
        auth::arc::testing::validate(resolver, clock, message, chunk);
    EXPECT_EQ(auth::arc::to_string(result.result), auth::arc::to_string(expected))
        << "chunk " << chunk << ", reason: " << result.reason;
    if (result.result == ChainResult::Fail) {
      EXPECT_FALSE(result.reason.empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ValiMail, ArcValidation, ::testing::ValuesIn(load_arc_validation_cases()),
                         [](const auto& param_info) { return gtest_name(param_info.param.id); });

// stalwart's two sealed messages: "<txt-name> <txt-value>" lines, an empty line, the message.
class ArcStalwart : public ::testing::TestWithParam<std::string> {};

TEST_P(ArcStalwart, Pass) {
  const std::string path = arc_conformance_dir() + "/stalwart/" + GetParam();
  MAILAUTH_REQUIRE_SUITE("arc/stalwart", path);
  TxtResolver resolver;
  const std::string message =
      auth::arc::testing::load_dns_and_message(auth::arc::testing::read_file(path), resolver);
  const auto clock = auth::FixedClock::at_unix(1700000000);
  const auto result = auth::arc::testing::validate(resolver, clock, message);
  EXPECT_EQ(result.result, ChainResult::Pass) << result.reason;
  EXPECT_EQ(result.oldest_pass, 0u);
}

INSTANTIATE_TEST_SUITE_P(Stalwart, ArcStalwart, ::testing::Values("001.txt", "002.txt"),
                         [](const auto& param_info) {
                           return gtest_name(param_info.param.substr(0, 3));
                         });

}  // namespace
}  // namespace mailauth::test
