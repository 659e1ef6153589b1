// Runs the ValiMail ARC signing suite (17 cases, each its own GoogleTest case): the incoming
// chain is validated with auth::arc::Validator, this hop's Authentication-Results consolidated,
// and the new set compared with the expected AS, AMS and AAR the way the upstream harness does
// (white space removed, tags compared as a set), which includes b= byte for byte.
#include <gtest/gtest.h>

#include <auth/arc.hpp>
#include <auth/crypto.hpp>

#include <set>

#include "../arc/arc_test_support.hpp"
#include "../support/conformance_suite.hpp"
#include "arc_suite.hpp"

namespace mailauth::test {
namespace {

using namespace auth::arc;
using auth::arc::testing::TxtResolver;

std::set<std::string> tag_set(std::string_view value) {
  std::string compact;
  for (char c : value)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact.push_back(c);
  std::set<std::string> out;
  std::size_t pos = 0;
  while (pos <= compact.size()) {
    const std::size_t end = std::min(compact.find(';', pos), compact.size());
    if (end > pos) out.insert(compact.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string joined(const std::set<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += t + "; ";
  return out;
}

std::vector<std::string> split_colons(const std::string& list) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t end = std::min(list.find(':', pos), list.size());
    if (end > pos) out.push_back(list.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

class ArcSigning : public ::testing::TestWithParam<ArcSigningCase> {};

TEST_P(ArcSigning, Case) {
  const ArcSigningCase& c = GetParam();
  MAILAUTH_REQUIRE_SUITE("arc/valimail-signing",
                         c.missing_file.empty()
                             ? arc_conformance_dir() + "/valimail/arc-draft-sign-tests.yml"
                             : c.missing_file);
  SCOPED_TRACE(c.id + ": " + c.description + " (" + c.scenario + ")");
  TxtResolver resolver;
  for (const auto& [name, value] : c.txt_records) resolver.add_txt(name, value);
  const auto clock = auth::FixedClock::at_unix(c.t);
  const std::string text = auth::arc::testing::lf_to_crlf(c.message);
  const auto message = auth::arc::testing::split_message(text);

  auto key = auth::crypto::PrivateKey::from_pem(c.private_key);
  ASSERT_TRUE(key) << key.error().message;
  SealerOptions options;
  options.keys.push_back(SealingKey{
      c.domain, c.selector, std::make_shared<auth::crypto::PrivateKey>(std::move(*key)), {}});
  options.headers = split_colons(c.sig_headers);
  // The suite predicts b= from every tag in alphabetical order (SUITE-SCHEMA).
  options.instance_first = false;
  auto sealer = Sealer::create(options, clock);
  ASSERT_TRUE(sealer) << sealer.error().message;

  for (std::size_t chunk : {0, 1, 3, 64}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    const ArcResult incoming = auth::arc::testing::validate(resolver, clock, text, chunk);
    auto payload = collect_authentication_results(message.headers, c.srv_id);
    ASSERT_TRUE(payload.has_value());
    auto s = Sealer::create(options, clock);
    ASSERT_TRUE(s);
    auth::arc::testing::feed(*s, message, chunk);
    SealInput input;
    input.validation = &incoming;
    input.authentication_results = *payload;
    auto set = s->finish(input);
    ASSERT_TRUE(set) << set.error().message;
    if (c.as.empty()) {
      EXPECT_TRUE(set->empty()) << "a set was added to a chain already marked cv=fail";
      continue;
    }
    ASSERT_EQ(set->size(), 3u);
    EXPECT_EQ((*set)[0].name, "ARC-Seal");
    EXPECT_EQ((*set)[1].name, "ARC-Message-Signature");
    EXPECT_EQ((*set)[2].name, "ARC-Authentication-Results");
    EXPECT_EQ(joined(tag_set((*set)[2].raw_value)), joined(tag_set(c.aar)));
    EXPECT_EQ(joined(tag_set((*set)[1].raw_value)), joined(tag_set(c.ams)));
    EXPECT_EQ(joined(tag_set((*set)[0].raw_value)), joined(tag_set(c.as)));

    // The sealed message validates, unless the new set says cv=fail.
    std::vector<auth::message::HeaderField> sealed = *set;
    sealed.insert(sealed.end(), message.headers.begin(), message.headers.end());
    const ArcResult outgoing = auth::arc::testing::validate(
        resolver, clock, auth::arc::testing::join_message(sealed, message.body), chunk);
    EXPECT_EQ(outgoing.result,
              incoming.result == ChainResult::Fail ? ChainResult::Fail : ChainResult::Pass)
        << outgoing.reason;
  }
}

INSTANTIATE_TEST_SUITE_P(ValiMail, ArcSigning, ::testing::ValuesIn(load_arc_signing_cases()),
                         [](const auto& param_info) { return gtest_name(param_info.param.id); });

}  // namespace
}  // namespace mailauth::test
