// Per-connection state of the milter, from negotiation to close: what the MTA told us about the
// client, what the negotiation granted, and the message in progress. Owned by libmilter's
// context (smfi_setpriv).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "message.hpp"

namespace mailauth::milter {

class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sessions alive now, in all threads, and those in the middle of a message (shutdown waits
  // for the latter: an idle connection holds nothing that must finish).
  static std::size_t live_count();
  static std::size_t messages_in_flight();

  std::uint64_t id() const { return id_; }
  Client& client() { return client_; }
  const Client& client() const { return client_; }

  // Protocol steps granted at negotiation (SMFIP_*): which callbacks must not reply.
  unsigned long steps = 0;
  // The MTA connection's TCP socket (-1: unix-domain or unknown) and whether we replied since
  // we last acknowledged promptly (tcp_ack.hpp).
  int tcp_socket = -1;
  bool acknowledge_due = false;
  bool leading_space() const;

  // Starts a message with the runtime in force, dropping any unfinished one.
  Message& begin_message(std::shared_ptr<const Runtime> runtime, std::string_view mail_from);
  Message* message() { return message_ ? message_.get() : nullptr; }
  void end_message();
  std::uint64_t messages() const { return messages_; }

  // A callback that may not reply (SMFIP_NR_*) failed: the message is answered with
  // on_internal_error at end of message. Cleared by begin_message.
  std::string failure;

 private:
  static std::atomic<std::size_t> live_;
  static std::atomic<std::size_t> in_flight_;
  static std::atomic<std::uint64_t> next_id_;
  std::uint64_t id_;
  Client client_;
  std::unique_ptr<Message> message_;
  std::uint64_t messages_ = 0;
};

}  // namespace mailauth::milter
