// DMARC reporting from the milter: one report record per inbound message that had a DMARC
// policy record (into `report_store`, whose add() never blocks), and failure reports (RFC 9991)
// when the record's ruf= and fo= ask for them, built and sent by one background thread so that
// DNS checks and sendmail never delay a message. A full queue drops the report and says so.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <auth/message_auth.hpp>
#include <auth/report.hpp>

namespace mailauth::milter {

// What the milter knows of a message when it reports it.
struct ReportedMessage {
  const auth::Verdict* verdict = nullptr;
  std::string queue_id;
  std::string authentication_results;  // the A-R value we added (unfolded)
  // The header fields as received; copied only when a failure report is due.
  const std::vector<auth::message::HeaderField>* fields = nullptr;
};

class Reporting {
 public:
  // `store` and `failures` may each be null (that kind of reporting is off). The context must
  // outlive this object.
  Reporting(const auth::MessageAuthContext& context,
            std::shared_ptr<auth::dmarc::ReportStore> store,
            std::optional<auth::dmarc::FailureReportOptions> failures);
  ~Reporting();
  Reporting(const Reporting&) = delete;
  Reporting& operator=(const Reporting&) = delete;

  // Records the message and queues the failure reports it deserves. Never blocks on I/O.
  void report(const ReportedMessage& message);

  auth::dmarc::ReportStore* store() const { return store_.get(); }
  std::shared_ptr<auth::dmarc::ReportStore> shared_store() const { return store_; }
  // Waits until every queued failure report was handled (tests, shutdown).
  void drain();

 private:
  struct Incident;
  void work();

  const auth::MessageAuthContext& context_;
  std::shared_ptr<auth::dmarc::ReportStore> store_;
  std::unique_ptr<auth::dmarc::FailureReporter> reporter_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::unique_ptr<Incident>> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace mailauth::milter
