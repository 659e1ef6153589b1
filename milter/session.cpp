#include "session.hpp"

#include <libmilter/mfapi.h>

#include "metrics.hpp"

namespace mailauth::milter {

std::atomic<std::size_t> Session::live_{0};
std::atomic<std::size_t> Session::in_flight_{0};
std::atomic<std::uint64_t> Session::next_id_{1};

Session::Session() : id_(next_id_++) { ++live_; }

Session::~Session() {
  end_message();
  --live_;
}

std::size_t Session::live_count() { return live_.load(); }
std::size_t Session::messages_in_flight() { return in_flight_.load(); }

bool Session::leading_space() const { return (steps & SMFIP_HDR_LEADSPC) != 0; }

Message& Session::begin_message(std::shared_ptr<const Runtime> runtime,
                                std::string_view mail_from) {
  end_message();
  failure.clear();
  ++messages_;
  message_ = std::make_unique<Message>(std::move(runtime), client_, mail_from, leading_space());
  ++in_flight_;
  metrics::message_started();
  return *message_;
}

void Session::end_message() {
  if (!message_) return;
  message_.reset();
  --in_flight_;
  metrics::message_ended();
}

}  // namespace mailauth::milter
