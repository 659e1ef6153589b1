// Process-wide counters of the milter in the Prometheus text format: messages by result per
// protocol, actions, messages in flight, internal errors; the DNS cache figures come from the
// runtime's resolver, the DNS query figures from dns_metrics.hpp. Thread-safe; cheap enough to
// update once per message.
#pragma once

#include <string>
#include <string_view>

namespace mailauth::milter {

struct Outcome;
struct Runtime;

namespace metrics {

void message_started();
void message_ended();
// Results per protocol and the action taken, once per finished message.
void message_finished(const Outcome& outcome);
void internal_error(std::string_view where);

// Every metric in the Prometheus text exposition format (version 0.0.4). `runtime` (may be null)
// supplies the DNS cache figures.
std::string render(const Runtime* runtime);

}  // namespace metrics
}  // namespace mailauth::milter
