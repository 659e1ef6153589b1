// The milter's decisions as plain functions: direction of a message and the action a verdict
// asks for under the on_* parameters.
#include <gtest/gtest.h>

#include "policy.hpp"

namespace mailauth::milter {
namespace {

auth::IpAddress ip(const char* text) { return auth::IpAddress::parse(text).value(); }

TEST(MilterPolicy, Direction) {
  Config c;
  EXPECT_EQ(direction_of(c, true, ip("127.0.0.1")), Direction::Inbound);  // verify mode
  c.mode = Mode::Both;
  EXPECT_EQ(direction_of(c, false, ip("127.0.0.1")), Direction::Outbound);
  EXPECT_EQ(direction_of(c, false, ip("::1")), Direction::Outbound);
  EXPECT_EQ(direction_of(c, false, ip("::ffff:127.0.0.9")), Direction::Outbound);
  EXPECT_EQ(direction_of(c, false, ip("192.0.2.1")), Direction::Inbound);
  EXPECT_EQ(direction_of(c, true, ip("192.0.2.1")), Direction::Outbound);
  EXPECT_EQ(direction_of(c, false, std::nullopt), Direction::Inbound);
  c.mode = Mode::Sign;
  EXPECT_EQ(direction_of(c, false, ip("10.0.0.1")), Direction::Inbound);
  c.internal_hosts.clear();
  EXPECT_EQ(direction_of(c, false, ip("127.0.0.1")), Direction::Inbound);
}

auth::Verdict dmarc_verdict(auth::dmarc::Result result, auth::dmarc::Policy disposition,
                            auth::ReasonCode code = auth::ReasonCode::DmarcNotAligned) {
  auth::Verdict v;
  v.dmarc.result = result;
  v.dmarc.disposition = disposition;
  v.dmarc.policy = disposition;
  v.dmarc.reason_code = code;
  v.dmarc.author_domain = "sender.example";
  v.dmarc.policy_domain = "sender.example";
  return v;
}

TEST(MilterPolicy, DmarcFailureActions) {
  using auth::dmarc::Policy;
  using auth::dmarc::Result;
  using Kind = Action::Kind;
  Config c;
  const auto reject = dmarc_verdict(Result::Fail, Policy::Reject);
  const auto quarantine = dmarc_verdict(Result::Fail, Policy::Quarantine);
  // Defaults: header only, as OpenDMARC does and RFC 9989 §7.4 asks.
  EXPECT_EQ(decide(c, reject).kind, Kind::Accept);
  EXPECT_EQ(decide(c, quarantine).kind, Kind::Accept);
  c.on_dmarc_reject = RejectAction::Reject;
  const Action a = decide(c, reject);
  EXPECT_EQ(a.kind, Kind::Reject);
  EXPECT_EQ(a.rcode, "550");
  EXPECT_EQ(a.xcode, "5.7.1");
  EXPECT_NE(a.message.find("DMARC"), std::string::npos);
  EXPECT_NE(a.message.find("sender.example"), std::string::npos);
  EXPECT_EQ(decide(c, quarantine).kind, Kind::Accept);
  c.on_dmarc_quarantine = QuarantineAction::Quarantine;
  EXPECT_EQ(decide(c, quarantine).kind, Kind::Quarantine);
  c.on_dmarc_reject = RejectAction::Quarantine;
  EXPECT_EQ(decide(c, reject).kind, Kind::Quarantine);
  // A fail accepted by local policy (trusted forwarder: disposition none) and other results.
  EXPECT_EQ(decide(c, dmarc_verdict(Result::Fail, Policy::None)).kind, Kind::Accept);
  EXPECT_EQ(decide(c, dmarc_verdict(Result::Pass, Policy::None)).kind, Kind::Accept);
  EXPECT_EQ(decide(c, dmarc_verdict(Result::None, Policy::None)).kind, Kind::Accept);
}

TEST(MilterPolicy, BadFromAndTemporaryErrors) {
  using auth::dmarc::Policy;
  using auth::dmarc::Result;
  using Kind = Action::Kind;
  Config c;
  for (auto code : {auth::ReasonCode::DmarcFromMissing, auth::ReasonCode::DmarcFromMultiple,
                    auth::ReasonCode::DmarcFromUnparsable}) {
    const auto v = dmarc_verdict(Result::PermError, Policy::None, code);
    const Action a = decide(c, v);
    EXPECT_EQ(a.kind, Kind::Reject);
    EXPECT_EQ(a.rcode + " " + a.xcode, "550 5.7.1");
    c.on_bad_from = BadFromAction::Accept;
    EXPECT_EQ(decide(c, v).kind, Kind::Accept);
    c.on_bad_from = BadFromAction::Reject;
  }
  auto temp = dmarc_verdict(Result::TempError, Policy::None, auth::ReasonCode::DnsTimeout);
  Action a = decide(c, temp);
  EXPECT_EQ(a.kind, Kind::Tempfail);
  EXPECT_EQ(a.rcode + " " + a.xcode, "451 4.7.5");
  // A DKIM temperror leaves the verdict open too.
  auto dkim_temp = dmarc_verdict(Result::Pass, Policy::None, auth::ReasonCode::None);
  dkim_temp.dkim.push_back(auth::dkim::DkimResult{});
  dkim_temp.dkim.back().result = auth::dkim::Result::TempError;
  EXPECT_EQ(decide(c, dkim_temp).kind, Kind::Tempfail);
  c.on_temperror = ErrorAnswer::Accept;
  EXPECT_EQ(decide(c, temp).kind, Kind::Accept);
  EXPECT_EQ(internal_error_action(c, "x").kind, Kind::Accept);
  c.on_internal_error = ErrorAnswer::Tempfail;
  a = internal_error_action(c, "x");
  EXPECT_EQ(a.kind, Kind::Tempfail);
  EXPECT_EQ(a.rcode, "451");
}

}  // namespace
}  // namespace mailauth::milter
