// The milter's own decisions, apart from libmilter so that they are tested as plain functions:
// whether a message is outbound (signed) or inbound (verified), and what the MTA is told once
// the verdict is in (accept, reject, quarantine or tempfail), following the on_* parameters.
#pragma once

#include <optional>
#include <string>

#include <auth/ip_address.hpp>
#include <auth/message_auth.hpp>

#include "config.hpp"

namespace mailauth::milter {

enum class Direction { Inbound, Outbound };
const char* to_string(Direction direction);

// Outbound: the client authenticated (SMTP AUTH) or its address is in internal_hosts. In
// `verify` mode every message is inbound; in `sign` mode inbound messages pass untouched.
Direction direction_of(const Config& config, bool authenticated,
                       const std::optional<auth::IpAddress>& client);

struct Action {
  enum class Kind { Accept, Reject, Quarantine, Tempfail };
  Kind kind = Kind::Accept;
  std::string rcode;    // "550", "451" (reject and tempfail)
  std::string xcode;    // "5.7.1", "4.7.5"
  std::string message;  // the SMTP reply text, or the quarantine reason
  std::string why;      // a word for the log and the metrics: "dmarc_reject", "bad_from", ...
};
const char* to_string(Action::Kind kind);  // "accept", "reject", "quarantine", "tempfail"

// What an inbound verdict asks of the MTA under `config` (before dry_run).
Action decide(const Config& config, const auth::Verdict& verdict);

// The answer when the milter itself could not decide (on_internal_error).
Action internal_error_action(const Config& config, std::string why);

}  // namespace mailauth::milter
