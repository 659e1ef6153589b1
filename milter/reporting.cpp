#include "reporting.hpp"

#include "log.hpp"

namespace mailauth::milter {
namespace {

constexpr std::size_t max_queued_failures = 1000;

}  // namespace

// A failure report waiting for the worker: the incident with its own copies of everything.
struct Reporting::Incident {
  auth::dmarc::DmarcResult dmarc;
  std::optional<auth::spf::SpfResult> spf;
  std::vector<auth::dkim::DkimResult> dkim;
  auth::Envelope envelope;
  std::string queue_id;
  std::string authentication_results;
  std::string header;
  auth::TimePoint arrival;
};

Reporting::Reporting(const auth::MessageAuthContext& context,
                     std::shared_ptr<auth::dmarc::ReportStore> store,
                     std::optional<auth::dmarc::FailureReportOptions> failures)
    : context_(context), store_(std::move(store)) {
  if (!failures) return;
  reporter_ = std::make_unique<auth::dmarc::FailureReporter>(
      context.dmarc_evaluator(), context.resolver(), context.clock(), std::move(*failures));
  worker_ = std::thread([this] { work(); });
}

Reporting::~Reporting() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Reporting::report(const ReportedMessage& message) {
  const auth::Verdict& v = *message.verdict;
  const auth::TimePoint now = context_.clock().now();
  if (store_) {
    auto record = auth::dmarc::make_report_record(v.dmarc, v.spf ? &*v.spf : nullptr, v.dkim,
                                                  v.envelope.client_ip, v.envelope.mail_from,
                                                  v.envelope.rcpt_to, now);
    if (record) store_->add(std::move(*record));  // a full queue is counted and logged there
  }
  if (!reporter_ || !v.dmarc.record || v.dmarc.record->ruf.empty()) return;
  if (auth::dmarc::failure_triggers(v.dmarc.record->fo, v.dmarc, v.spf ? &*v.spf : nullptr,
                                    v.dkim)
          .empty())
    return;
  std::string header;
  if (message.fields != nullptr)
    for (const auth::message::HeaderField& f : *message.fields)
      header += f.name + ":" + f.raw_value + "\r\n";
  auto incident = std::make_unique<Incident>(
      Incident{v.dmarc, v.spf, v.dkim, v.envelope, message.queue_id,
               message.authentication_results, std::move(header), now});
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued_failures) {
      log(LogLevel::Warning, "failure report for " + v.dmarc.author_domain +
                                 " dropped: " + std::to_string(queue_.size()) + " waiting");
      return;
    }
    queue_.push_back(std::move(incident));
  }
  wake_.notify_one();
}

void Reporting::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void Reporting::work() {
  for (;;) {
    std::unique_ptr<Incident> incident;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      incident = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    try {
      auth::dmarc::FailureIncident in;
      in.dmarc = &incident->dmarc;
      in.spf = incident->spf ? &*incident->spf : nullptr;
      in.dkim = incident->dkim;
      in.client_ip = incident->envelope.client_ip;
      in.mail_from = incident->envelope.mail_from;
      in.rcpt_to = incident->envelope.rcpt_to;
      in.envelope_id = incident->queue_id;
      in.arrival = incident->arrival;
      in.authentication_results = incident->authentication_results;
      in.header = incident->header;
      const auth::dmarc::FailureOutcome outcome = reporter_->report(in);
      for (const auto& r : outcome.reports)
        log(r.error.empty() ? LogLevel::Info : LogLevel::Warning,
            incident->queue_id + ": failure report (" +
                std::string(auth::dmarc::to_string(r.failure)) + ") to " + r.recipient +
                (r.error.empty() ? "" : " not delivered: " + r.error));
      for (const auto& why : outcome.skipped)
        log(LogLevel::Debug, incident->queue_id + ": failure report skipped: " + why);
    } catch (const std::exception& e) {
      log(LogLevel::Warning, std::string("failure report: ") + e.what());
    }
    {
      const std::lock_guard lock(mutex_);
      busy_ = false;
      if (queue_.empty()) idle_.notify_all();
    }
  }
}

}  // namespace mailauth::milter
