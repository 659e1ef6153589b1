// One message through the milter, MAIL FROM to end of message: libmilter's arguments become the
// events libauth takes (auth::MessageAuth for inbound mail, auth::dkim::Signer for outbound,
// auth::arc::Sealer after verification), and the verdict becomes header edits and an action.
// No protocol logic: every check is libauth's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/arc.hpp>
#include <auth/dkim.hpp>
#include <auth/ip_address.hpp>
#include <auth/message.hpp>
#include <auth/message_auth.hpp>

#include "policy.hpp"
#include "runtime.hpp"

namespace mailauth::milter {

// What the connection knows about the client when a message starts.
struct Client {
  std::optional<auth::IpAddress> ip;  // absent for unix-domain or unknown clients
  std::string host;                   // as the MTA reports it ("[192.0.2.1]" when unresolved)
  std::string helo;
  bool authenticated = false;  // the {auth_authen} macro was set
};

// A header change for the MTA, in the form libmilter takes it.
struct HeaderEdit {
  enum class Kind { Insert, Delete };
  Kind kind = Kind::Insert;
  std::string name;
  std::string value;  // Insert: folded with LF (libmilter's convention); Delete: unused
  int index = 0;      // Insert: position (0 = top); Delete: 1-based occurrence of `name`
};

struct Outcome {
  Direction direction = Direction::Inbound;
  // In the order to apply them: deletions from the last occurrence up, then insertions.
  std::vector<HeaderEdit> edits;
  Action action;                         // after dry_run
  std::optional<Action> dry_run_action;  // the action dry_run kept from being taken
  std::optional<auth::Verdict> verdict;  // inbound mail
  std::string summary;                   // results and action, for the per-message log line
};

class Message {
 public:
  // `leading_space`: header values keep the space after the colon (SMFIP_HDR_LEADSPC).
  Message(std::shared_ptr<const Runtime> runtime, const Client& client,
          std::string_view mail_from, bool leading_space);
  ~Message();
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  Direction direction() const { return direction_; }
  const Runtime& runtime() const { return *runtime_; }

  void rcpt_to(std::string_view address);
  // `value` as libmilter hands it: folded with bare LF.
  void header(std::string_view name, std::string_view value);
  void end_of_headers();
  void body(std::string_view chunk);  // any split; bare LF made CRLF
  // `queue_id`: the MTA's queue id, for reports.
  Outcome end_of_message(std::string_view queue_id = {});

 private:
  Outcome finish_inbound(std::string_view queue_id);
  Outcome finish_outbound();
  void start_signer();
  std::string milter_value(std::string_view raw_value) const;

  std::shared_ptr<const Runtime> runtime_;  // this message's snapshot of the configuration
  Direction direction_;
  bool leading_space_;
  bool passthrough_;  // `sign` mode and inbound: nothing to do
  std::optional<auth::MessageAuth> auth_;
  std::optional<auth::arc::Sealer> sealer_;
  auth::message::HeaderList outbound_headers_;
  std::optional<auth::dkim::Signer> signer_;  // reads outbound_headers_ (no copy of its own)
  std::string signer_problem_;  // why an outbound message is not signed
  std::string signed_by_;       // "domain/selector ..." of the signatures the signer makes
  bool headers_done_ = false;
  auth::message::LineEndingNormalizer body_normalizer_;
  std::string body_chunk_;  // reused: the normalized form of the current chunk
};

}  // namespace mailauth::milter
