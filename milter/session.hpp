// Per-connection and per-message state of the milter. Only adaptation lives here: libmilter's
// arguments become the event values libauth takes (docs/architecture.md); no protocol logic.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/ip_address.hpp>
#include <auth/limits.hpp>
#include <auth/message.hpp>

namespace mailauth::milter {

// One message: MAIL FROM to end of message (or abort). Collects the events in the form
// auth::MessageAuth takes them, so the verify pipeline plugs in here.
class Transaction {
 public:
  Transaction(std::string mail_from, const auth::Limits& limits);

  void rcpt_to(std::string_view address);
  // `value` as libmilter hands it: folded with bare LF; `has_leading_space` says whether the
  // MTA kept the white space after the colon (SMFIP_HDR_LEADSPC).
  void header(std::string_view name, std::string_view value, bool has_leading_space);
  void end_of_headers();
  void body(std::string_view chunk);  // any split; bare LF normalized to CRLF
  void end_of_message();

  const std::string& mail_from() const { return mail_from_; }
  const std::vector<std::string>& recipients() const { return recipients_; }
  const std::vector<auth::message::HeaderField>& headers() const { return headers_.fields(); }
  std::uint64_t body_bytes() const { return body_bytes_; }
  bool headers_complete() const { return end_of_headers_; }
  bool complete() const { return end_of_message_; }
  // Header bytes or count beyond auth::Limits, as auth::message::HeaderList counts them: the
  // excess was not kept.
  bool over_limit() const { return headers_.overflowed(); }
  std::string summary() const;  // one line for the debug log

 private:
  std::string mail_from_;
  std::vector<std::string> recipients_;
  auth::message::HeaderList headers_;
  bool end_of_headers_ = false;
  bool end_of_message_ = false;
  auth::message::LineEndingNormalizer body_normalizer_;
  std::string body_chunk_;  // reused: the normalized form of the current chunk
  std::uint64_t body_bytes_ = 0;
};

// One MTA connection: from xxfi_connect to xxfi_close, owned through smfi_setpriv.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sessions alive now, in all threads (shutdown waits for them briefly).
  static std::size_t live_count();

  std::uint64_t id() const { return id_; }
  // The client as the MTA reports it: its host name (or "[address]") and address (none for
  // unix-domain or unknown clients).
  void connect(std::string_view host, std::optional<auth::IpAddress> ip);
  const std::string& client_host() const { return client_host_; }
  const std::optional<auth::IpAddress>& client_ip() const { return client_ip_; }
  const std::string& helo_name() const { return helo_name_; }
  void helo(std::string_view name) { helo_name_ = name; }

  bool header_leading_space() const { return header_leading_space_; }
  void set_header_leading_space(bool on) { header_leading_space_ = on; }

  // Starts a message, dropping any unfinished one.
  Transaction& begin_transaction(std::string mail_from);
  Transaction* transaction() { return transaction_ ? &*transaction_ : nullptr; }
  void end_transaction() { transaction_.reset(); }
  std::uint64_t messages() const { return messages_; }

 private:
  static std::atomic<std::size_t> live_;
  static std::atomic<std::uint64_t> next_id_;
  std::uint64_t id_;
  std::string client_host_;
  std::optional<auth::IpAddress> client_ip_;
  std::string helo_name_;
  bool header_leading_space_ = false;
  std::optional<Transaction> transaction_;
  std::uint64_t messages_ = 0;
};

}  // namespace mailauth::milter
