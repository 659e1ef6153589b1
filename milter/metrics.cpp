#include "metrics.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <tuple>

#include "dns_metrics.hpp"
#include "message.hpp"
#include "runtime.hpp"

namespace mailauth::milter::metrics {
namespace {

std::atomic<long long> in_flight{0};

// Labelled counters; a map under one mutex is plenty for one update per message.
class Counters {
 public:
  void add(const std::string& name, const std::string& labels) {
    const std::lock_guard lock(mutex_);
    ++values_[{name, labels}];
  }
  std::map<std::pair<std::string, std::string>, unsigned long long> snapshot() const {
    const std::lock_guard lock(mutex_);
    return values_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, unsigned long long> values_;
};

Counters& counters() {
  static Counters instance;
  return instance;
}

std::string label(std::string_view name, std::string_view value) {
  std::string out(name);
  out += "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void result(std::string_view protocol, std::string_view value) {
  counters().add("mailauth_results_total",
                 label("protocol", protocol) + "," + label("result", value));
}

struct Help {
  const char* name;
  const char* type;
  const char* text;
};
constexpr Help helps[] = {
    {"mailauth_messages_total", "counter", "Messages finished, by direction."},
    {"mailauth_results_total", "counter", "Authentication results, by protocol and result."},
    {"mailauth_actions_total", "counter", "Actions taken at end of message, by action and cause."},
    {"mailauth_internal_errors_total", "counter", "Internal milter failures, by where."},
};

}  // namespace

void message_started() { ++in_flight; }
void message_ended() { --in_flight; }

void message_finished(const Outcome& outcome) {
  counters().add("mailauth_messages_total", label("direction", to_string(outcome.direction)));
  if (const auto& v = outcome.verdict) {
    if (v->spf) result("spf", auth::spf::to_string(v->spf->result));
    if (v->dkim.empty()) result("dkim", "none");
    for (const auto& r : v->dkim) result("dkim", auth::dkim::to_string(r.result));
    result("arc", auth::arc::to_string(v->arc.result));
    result("dmarc", auth::dmarc::to_string(v->dmarc.result));
  }
  counters().add("mailauth_actions_total",
                 label("action", to_string(outcome.action.kind)) + "," +
                     label("cause", outcome.action.why.empty() ? "verdict" : outcome.action.why));
}

void internal_error(std::string_view where) {
  counters().add("mailauth_internal_errors_total", label("where", where));
}

std::string render(const Runtime* runtime) {
  std::string out;
  const auto values = counters().snapshot();
  for (const Help& help : helps) {
    out += std::string("# HELP ") + help.name + " " + help.text + "\n";
    out += std::string("# TYPE ") + help.name + " " + help.type + "\n";
    for (const auto& [key, value] : values)
      if (key.first == help.name)
        out += key.first + "{" + key.second + "} " + std::to_string(value) + "\n";
  }
  out += "# HELP mailauth_messages_in_flight Messages between MAIL FROM and end of message.\n";
  out += "# TYPE mailauth_messages_in_flight gauge\n";
  out += "mailauth_messages_in_flight " + std::to_string(in_flight.load()) + "\n";
  if (runtime != nullptr && runtime->resolver) {
    const auto stats = runtime->resolver->stats();
    out += "# HELP mailauth_dns_cache_hits_total DNS answers served from the cache.\n";
    out += "# TYPE mailauth_dns_cache_hits_total counter\n";
    out += "mailauth_dns_cache_hits_total " + std::to_string(stats.hits) + "\n";
    out += "# HELP mailauth_dns_cache_misses_total DNS questions the cache passed upstream.\n";
    out += "# TYPE mailauth_dns_cache_misses_total counter\n";
    out += "mailauth_dns_cache_misses_total " + std::to_string(stats.misses) + "\n";
    out += "# HELP mailauth_dns_cache_entries DNS answers held in the cache.\n";
    out += "# TYPE mailauth_dns_cache_entries gauge\n";
    out += "mailauth_dns_cache_entries " + std::to_string(stats.entries) + "\n";
  }
  render_dns(out);
  return out;
}

}  // namespace mailauth::milter::metrics
