#include "session.hpp"

namespace mailauth::milter {

Transaction::Transaction(std::string mail_from, const auth::Limits& limits)
    : limits_(limits), mail_from_(std::move(mail_from)) {}

void Transaction::rcpt_to(std::string_view address) { recipients_.emplace_back(address); }

void Transaction::header(std::string_view name, std::string_view value, bool has_leading_space) {
  // Keep memory bounded whatever the MTA sends; the pipeline reports the breach.
  const std::size_t size = name.size() + 1 + value.size() + 3;
  if (over_limit_ || headers_.size() >= limits_.max_header_count ||
      size > limits_.max_header_bytes - header_bytes_) {
    over_limit_ = true;
    return;
  }
  header_bytes_ += size;
  auth::message::HeaderField field;
  field.name = name;
  // Without SMFIP_HDR_LEADSPC the MTA strips the space after the colon; one space is what
  // nearly every sender writes, so restore it for `simple` canonicalization.
  if (!has_leading_space) field.raw_value = " ";
  field.raw_value += auth::message::normalize_folding(value);
  headers_.push_back(std::move(field));
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
         " headers=" + std::to_string(headers_.size()) + (over_limit_ ? " (over limit)" : "") +
         " body_bytes=" + std::to_string(body_bytes_);
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
