#include "session.hpp"

namespace mailauth::milter {

Transaction::Transaction(std::string mail_from, const auth::Limits& limits)
    : mail_from_(std::move(mail_from)), headers_(limits) {}

void Transaction::rcpt_to(std::string_view address) { recipients_.emplace_back(address); }

void Transaction::header(std::string_view name, std::string_view value, bool has_leading_space) {
  // HeaderList keeps memory bounded whatever the MTA sends; the pipeline reports the breach.
  if (headers_.overflowed()) return;
  // Without SMFIP_HDR_LEADSPC the MTA strips the space after the colon; one space is what
  // nearly every sender writes, so restore it for `simple` canonicalization.
  std::string raw_value = has_leading_space ? "" : " ";
  raw_value += auth::message::normalize_folding(value);
  headers_.add(name, raw_value);
}

void Transaction::end_of_headers() { end_of_headers_ = true; }

void Transaction::body(std::string_view chunk) {
  body_chunk_.clear();
  body_normalizer_.feed(chunk, body_chunk_);
  body_bytes_ += body_chunk_.size();
}

void Transaction::end_of_message() { end_of_message_ = true; }

std::string Transaction::summary() const {
  return "from=" + mail_from_ + " rcpts=" + std::to_string(recipients_.size()) +
         " headers=" + std::to_string(headers_.fields().size()) +
         (over_limit() ? " (over limit)" : "") + " body_bytes=" + std::to_string(body_bytes_);
}

std::atomic<std::size_t> Session::live_{0};
std::atomic<std::uint64_t> Session::next_id_{1};

Session::Session() : id_(next_id_++) { ++live_; }

void Session::connect(std::string_view host, std::optional<auth::IpAddress> ip) {
  client_host_ = host;
  client_ip_ = ip;
}

Session::~Session() { --live_; }

std::size_t Session::live_count() { return live_.load(); }

Transaction& Session::begin_transaction(std::string mail_from) {
  ++messages_;
  transaction_.emplace(std::move(mail_from), auth::Limits{});
  return *transaction_;
}

}  // namespace mailauth::milter
