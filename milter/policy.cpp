#include "policy.hpp"

namespace mailauth::milter {
namespace {

using auth::ReasonCode;

Action reject(std::string message, std::string why) {
  return Action{Action::Kind::Reject, "550", "5.7.1", std::move(message), std::move(why)};
}

Action quarantine(std::string message, std::string why) {
  return Action{Action::Kind::Quarantine, "", "", std::move(message), std::move(why)};
}

Action tempfail(std::string message, std::string why) {
  return Action{Action::Kind::Tempfail, "451", "4.7.5", std::move(message), std::move(why)};
}

bool is_bad_from(ReasonCode code) {
  return code == ReasonCode::DmarcFromMissing || code == ReasonCode::DmarcFromMultiple ||
         code == ReasonCode::DmarcFromUnparsable;
}

}  // namespace

const char* to_string(Direction direction) {
  return direction == Direction::Inbound ? "inbound" : "outbound";
}

const char* to_string(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::Accept:
      return "accept";
    case Action::Kind::Reject:
      return "reject";
    case Action::Kind::Quarantine:
      return "quarantine";
    case Action::Kind::Tempfail:
      return "tempfail";
  }
  return "?";
}

Direction direction_of(const Config& config, bool authenticated,
                       const std::optional<auth::IpAddress>& client) {
  if (config.mode == Mode::Verify) return Direction::Inbound;
  if (authenticated) return Direction::Outbound;
  if (client)
    for (const Network& network : config.internal_hosts)
      if (network.contains(*client)) return Direction::Outbound;
  return Direction::Inbound;
}

Action decide(const Config& config, const auth::Verdict& verdict) {
  const auth::dmarc::DmarcResult& dmarc = verdict.dmarc;
  if (is_bad_from(dmarc.reason_code) && config.on_bad_from == BadFromAction::Reject)
    return reject("Message refused: " + dmarc.reason + " (RFC 5322 requires exactly one From)",
                  "bad_from");
  if (verdict.temporary_failure() && config.on_temperror == ErrorAnswer::Tempfail) {
    const std::string what = dmarc.result == auth::dmarc::Result::TempError ? "DMARC" : "DKIM";
    return tempfail("Temporary DNS failure while checking " + what +
                        (dmarc.author_domain.empty() ? "" : " for " + dmarc.author_domain) +
                        "; try again later",
                    "temperror");
  }
  if (dmarc.result != auth::dmarc::Result::Fail) return Action{};
  switch (dmarc.disposition) {
    case auth::dmarc::Policy::Reject:
      if (config.on_dmarc_reject == RejectAction::Reject)
        return reject("Message rejected: DMARC policy of " + dmarc.policy_domain +
                          " rejects mail from " + dmarc.author_domain +
                          " that fails authentication",
                      "dmarc_reject");
      if (config.on_dmarc_reject == RejectAction::Quarantine)
        return quarantine("DMARC fail, policy reject, domain " + dmarc.author_domain,
                          "dmarc_reject");
      return Action{};
    case auth::dmarc::Policy::Quarantine:
      if (config.on_dmarc_quarantine == QuarantineAction::Quarantine)
        return quarantine("DMARC fail, policy quarantine, domain " + dmarc.author_domain,
                          "dmarc_quarantine");
      return Action{};
    case auth::dmarc::Policy::None:
      return Action{};
  }
  return Action{};
}

Action internal_error_action(const Config& config, std::string why) {
  if (config.on_internal_error == ErrorAnswer::Tempfail)
    return Action{Action::Kind::Tempfail, "451", "4.3.0",
                  "Temporary failure in the authentication milter; try again later",
                  std::move(why)};
  Action accept;
  accept.why = std::move(why);
  return accept;
}

}  // namespace mailauth::milter
