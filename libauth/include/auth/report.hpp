// DMARC reports: the per-message report record, the ReportStore that keeps them (SQLite by
// default, PostgreSQL for fleets), aggregate reports (RFC 9990) and failure reports (RFC 9991,
// the RFC 6591 auth-failure profile of ARF). docs/architecture.md places this above dmarc/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dmarc.hpp>
#include <auth/dns.hpp>
#include <auth/error.hpp>
#include <auth/ip_address.hpp>
#include <auth/spf.hpp>

namespace auth::dmarc {

// ---------------------------------------------------------------------------------------------
// Report records: one per evaluated message that had a DMARC policy record.

// One DKIM signature as an aggregate report lists it (RFC 9990 auth_results/dkim).
struct ReportDkim {
  std::string domain;    // d=
  std::string selector;  // s=
  std::string result;    // RFC 8601 words: pass, fail, neutral, policy, temperror, permerror
  friend bool operator==(const ReportDkim&, const ReportDkim&) = default;
};

// The SPF result as an aggregate report lists it (RFC 9990 auth_results/spf).
struct ReportSpf {
  std::string domain;  // the checked domain (MAIL FROM domain, or HELO name for a null path)
  bool mfrom = true;   // scope: the MAIL FROM identity (false: the HELO identity was checked)
  std::string result;  // none, pass, fail, softfail, neutral, temperror, permerror
  friend bool operator==(const ReportSpf&, const ReportSpf&) = default;
};

// The policy record as published, for policy_published (and rua/ruf for delivery).
struct PublishedPolicy {
  std::string domain;  // the DMARC Policy Domain (where the record was found)
  DiscoveryMethod discovery = DiscoveryMethod::TreeWalk;
  std::optional<Policy> p, sp, np;  // absent when not set (or invalid)
  AlignmentMode adkim = AlignmentMode::Relaxed;
  AlignmentMode aspf = AlignmentMode::Relaxed;
  std::string fo = "0";
  bool testing = false;  // t=y
  PsdFlag psd = PsdFlag::Unspecified;
  std::vector<std::string> rua;     // URIs as written
  std::vector<std::string> ruf;     // URIs as written
  std::vector<std::string> errors;  // the record's warnings (report_metadata/error)
  friend bool operator==(const PublishedPolicy&, const PublishedPolicy&) = default;
};

struct ReportRecord {
  TimePoint time{};
  std::string source_ip;                     // "" when unknown
  std::string header_from;                   // the Author Domain evaluated
  std::optional<std::string> envelope_from;  // MAIL FROM domain; "" for the null path
  std::optional<std::string> envelope_to;    // the first RCPT TO domain
  PublishedPolicy policy;
  Result result = Result::None;
  std::optional<Policy> requested_policy;  // p, sp or np for this Author Domain
  std::optional<Policy> evaluated_policy;  // after t=y
  Policy disposition = Policy::None;       // what the policy asked for this message
  bool dkim_aligned = false;               // an aligned DKIM pass
  bool spf_aligned = false;                // an aligned SPF pass
  std::vector<OverrideReason> overrides;   // why the disposition differs from the policy
  std::optional<ReportSpf> spf;            // absent: SPF was not evaluated
  std::vector<ReportDkim> dkim;
  friend bool operator==(const ReportRecord&, const ReportRecord&) = default;
};

// The pieces of one message as the pipeline knows them. The record is made only when a DMARC
// policy record applied (nullopt otherwise). A fail whose disposition differs from the requested
// policy always carries a reason: the evaluator's overrides, else policy_test_mode under t=y,
// else other.
std::optional<ReportRecord> make_report_record(const DmarcResult& dmarc, const spf::SpfResult* spf,
                                               std::span<const dkim::DkimResult> dkim,
                                               const std::optional<IpAddress>& client_ip,
                                               const std::optional<std::string>& mail_from,
                                               std::span<const std::string> rcpt_to,
                                               TimePoint time);

// ---------------------------------------------------------------------------------------------
// The store.

struct StoreOptions {
  std::size_t queue_capacity = 100000;  // records waiting for the writer; beyond: dropped
  std::size_t batch_size = 1000;        // records per transaction
  // A batch is written when full or when its oldest record has waited this long.
  std::chrono::milliseconds flush_interval{500};
  // After a failed connection or write: the first wait, doubled up to retry_max.
  std::chrono::milliseconds retry_min{200};
  std::chrono::milliseconds retry_max{30000};
  // The destructor waits at most this long for queued records to be written.
  std::chrono::milliseconds shutdown_timeout{5000};
  // Where the store's problems go (a lost connection, dropped records); default: stderr.
  std::function<void(std::string_view)> log;
};

struct StoreStats {
  std::uint64_t added = 0;     // add() calls that queued their record
  std::uint64_t written = 0;   // records committed to the database
  std::uint64_t dropped = 0;   // records lost because the queue was full
  std::uint64_t lost = 0;      // records still queued when the store was destroyed
  std::size_t queued = 0;      // waiting now (including the batch being written)
  std::uint64_t failures = 0;  // failed connections or batch writes
};

// What report init did.
struct SchemaChange {
  unsigned from = 0;  // 0: the store was empty
  unsigned to = 0;
};

// One aggregate row read back: the records of a period that share every reported value.
struct StoredGroup {
  std::string policy_domain;
  std::string header_from;
  std::string source_ip;
  std::optional<std::string> envelope_from;
  std::optional<std::string> envelope_to;
  Result result = Result::None;
  Policy disposition = Policy::None;
  std::optional<Policy> evaluated_policy;
  bool dkim_aligned = false;
  bool spf_aligned = false;
  std::vector<OverrideReason> overrides;
  std::optional<ReportSpf> spf;
  std::vector<ReportDkim> dkim;
  std::uint64_t count = 0;
};

// A report already made for a policy domain and period (so a re-run keeps its Report-ID).
struct ReportEntry {
  std::string policy_domain;
  std::int64_t begin = 0, end = 0;
  std::string report_id;
  std::string file_name;
  std::int64_t created = 0;
  std::optional<std::int64_t> sent;  // when it was handed to the MTA
};

// auth::dmarc::ReportStore: `sqlite:PATH` or `postgresql://...` / `postgres://...` (libpq URIs,
// e.g. postgresql:///dmarc?host=/run/postgresql&user=dmarc).
//
// add() is for the message path: it never blocks on the database and never fails the message.
// Records go to a bounded queue; a background thread writes them in batches, one transaction
// each, reconnecting with backoff when the database is down. A full queue drops the record,
// counts it and logs it. The schema is created when missing; an older one is upgraded; a newer
// one is refused (logged, records kept queued).
//
// The other member functions run on the caller's thread with their own connection.
class ReportStore {
 public:
  static constexpr unsigned schema_version = 2;

  // Checks the URI only; connects lazily. Errors: InvalidArgument naming the URI.
  static Expected<std::unique_ptr<ReportStore>> open(std::string_view uri,
                                                     StoreOptions options = {});
  ~ReportStore();
  ReportStore(const ReportStore&) = delete;
  ReportStore& operator=(const ReportStore&) = delete;

  const std::string& uri() const;

  // Queues a record for the writer. False when the queue was full (the record is dropped).
  bool add(ReportRecord record) noexcept;
  // Waits until everything queued so far is committed; false when `timeout` passed first.
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  StoreStats stats() const;

  // Creates or upgrades the schema. Refuses (InvalidArgument) a schema newer than this build's.
  Expected<SchemaChange> init();
  // The schema version found (0: none). Io errors when the database cannot be reached.
  Expected<unsigned> version();
  // What a period holds for its reports (one grouping pass over the records):
  struct Period {
    // The policy as last seen (latest record) for each policy domain, sorted by domain.
    std::vector<PublishedPolicy> policies;
    // Records with begin <= time <= end (Unix seconds) grouped by every reported value, in a
    // stable order (policy domain, header from, source IP, ...) whatever the database.
    std::vector<StoredGroup> groups;
  };
  Expected<Period> period(std::int64_t begin, std::int64_t end);
  Expected<std::vector<StoredGroup>> groups(std::int64_t begin, std::int64_t end);
  Expected<std::vector<PublishedPolicy>> policies(std::int64_t begin, std::int64_t end);
  // Records in the period (all of them without arguments).
  Expected<std::uint64_t> count(std::int64_t begin = INT64_MIN, std::int64_t end = INT64_MAX);
  // Removes records older than `before` (time < before). Returns how many.
  Expected<std::uint64_t> prune(std::int64_t before);

  // The report ledger: reports already made, by policy domain and exact period.
  Expected<std::optional<ReportEntry>> find_report(std::string_view policy_domain,
                                                   std::int64_t begin, std::int64_t end);
  // Inserts the entry, or keeps the one already there (returned) when another run was first.
  Expected<ReportEntry> save_report(const ReportEntry& entry);
  Expected<void> mark_sent(std::string_view policy_domain, std::int64_t begin, std::int64_t end,
                           std::int64_t when);

  // For tests of migration: creates the schema only up to `version`.
  Expected<SchemaChange> init_to(unsigned version);

  struct Impl;

 private:
  explicit ReportStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// Report destinations (RFC 9990 §4, RFC 9991 §5): external destinations need the
// <policy domain>._report._dmarc.<host> authorization record.

enum class DestinationStatus {
  Authorized,     // same Organizational Domain, or the authorization record allows it
  NotMailto,      // a scheme other than mailto: (not delivered)
  NotAuthorized,  // no v=DMARC1 record at the authorization name, a rua/ruf there for another
                  // host, an unusable URI, or a name too long for DNS
  TempError,      // the authorization query failed temporarily (retry later)
};
std::string_view to_string(DestinationStatus status);

struct Destination {
  ReportUri uri;  // the URI to deliver to (replaced by the authorization record's, same host)
  DestinationStatus status = DestinationStatus::Authorized;
  std::string detail;  // in words, for logs: "no v=DMARC1 record at x._report._dmarc.y"
};

enum class ReportKind { Aggregate, Failure };  // which tag (rua or ruf) an authorization may set

// Checks every URI in order (duplicates once) with Evaluator::authorize_report_uri. `uris` are
// the record's rua or ruf as written.
std::vector<Destination> check_destinations(const Evaluator& evaluator,
                                            std::string_view policy_domain,
                                            std::span<const std::string> uris, ReportKind kind);

// ---------------------------------------------------------------------------------------------
// Aggregate reports (RFC 9990).

struct ReporterInfo {
  std::string org_name;            // report_metadata/org_name
  std::string email;               // report_metadata/email; its domain is the receiver
  std::string extra_contact_info;  // optional
  std::string generator = "mailauth";
  // The receiver (file names, Subject, Report-ID): the domain of `email`.
  std::string receiver() const;
};

struct AggregateReport {
  std::string policy_domain;
  std::int64_t begin = 0, end = 0;
  std::string report_id;
  std::string file_name;  // receiver!policy-domain!begin!end.xml.gz
  std::string xml;
  std::string gzip;  // the XML, gzip-compressed (RFC 1952)
  std::uint64_t rows = 0, messages = 0;
};

// The RFC 9990 XML of one report: `groups` must all belong to `policy.domain`.
std::string aggregate_xml(const ReporterInfo& reporter, const PublishedPolicy& policy,
                          std::string_view report_id, std::int64_t begin, std::int64_t end,
                          std::span<const StoredGroup> groups);
// receiver!policy-domain!begin!end.xml.gz
std::string aggregate_file_name(std::string_view receiver, std::string_view policy_domain,
                                std::int64_t begin, std::int64_t end);
// A new Report-ID: 32 hex digits @ receiver (RFC 9990 ridfmt).
std::string new_report_id(std::string_view receiver);
// The report as a MIME message (RFC 9990 §5): `to` are the recipients' addresses, the report
// the application/gzip attachment named file_name, Subject
// "Report Domain: <domain> Submitter: <receiver> Report-ID: <id>". CRLF line endings.
std::string aggregate_message(const ReporterInfo& reporter, const AggregateReport& report,
                              std::span<const std::string> to, TimePoint date);

// gzip (RFC 1952) of `data`, and back.
Expected<std::string> gzip_compress(std::string_view data);
Expected<std::string> gzip_decompress(std::string_view data, std::size_t max_size = 1u << 30);

// Hands a message to the local MTA: `sendmail -oi -t` (recipients from To/Cc). Errors name the
// program and its exit status.
Expected<void> send_with_sendmail(const std::string& sendmail, std::string_view message);

struct AggregateRunOptions {
  ReporterInfo reporter;
  std::int64_t begin = 0, end = 0;  // inclusive Unix seconds
  std::filesystem::path out_dir;    // must exist
  bool send = false;
  std::string sendmail = "/usr/sbin/sendmail";
};

// What a run did for one policy domain.
struct AggregateOutcome {
  std::string policy_domain;
  enum class Action {
    Written,          // files written (and sent when asked)
    AlreadyReported,  // the period was reported before: nothing to do
    NoRua,            // the record has no rua: no report owed
    NoDestination,    // no authorized mailto: destination (see destinations)
    Deferred,         // a temporary failure (DNS, sendmail): a re-run will retry
  } action = Action::Written;
  AggregateReport report;                 // filled for Written (and a re-send)
  std::vector<Destination> destinations;  // every rua URI and what the check said
  std::vector<std::string> recipients;    // the authorized addresses
  std::filesystem::path xml_gz_path, eml_path;
  bool sent = false;
  std::string detail;  // why, in words, for anything but Written
};
std::string_view to_string(AggregateOutcome::Action action);

// One report per policy domain with records in the period: rows from the store, destination
// checks, files <file_name> and <file_name minus .xml.gz>.eml in out_dir, the ledger (a period
// already reported is skipped; a report written but not yet sent keeps its Report-ID and file
// name and is sent by a run with send). Errors: the store or the out directory failed.
Expected<std::vector<AggregateOutcome>> run_aggregate(ReportStore& store,
                                                      const Evaluator& evaluator,
                                                      const AggregateRunOptions& options,
                                                      const Clock& clock);

// ---------------------------------------------------------------------------------------------
// Failure reports (RFC 9991; ARF RFC 5965 with the auth-failure profile of RFC 6591).

struct FailureReportOptions {
  std::string from;           // the report's From address (should be DMARC-aligned for its domain)
  std::string authserv_id;    // for the Authentication-Results field when none is given
  std::string reporting_mta;  // Reporting-MTA (dns; name); empty: omitted
  std::string user_agent = "mailauth";
  bool include_body = false;     // message/rfc822 with the body instead of text/rfc822-headers
  unsigned max_per_minute = 10;  // reports per destination address per minute; the rest dropped
  // Like incidents (same destination, source IP, Author Domain and failure) within this window
  // are merged: the next report after it carries their number in Incidents.
  std::chrono::seconds merge_window{60};
  std::filesystem::path spool_dir;  // when set: each report written here as a .eml file
  std::string sendmail;             // otherwise, when set: handed to `sendmail -oi -t`
};

// The failed message as the MTA saw it.
struct FailureIncident {
  const DmarcResult* dmarc = nullptr;  // required
  const spf::SpfResult* spf = nullptr;
  std::span<const dkim::DkimResult> dkim;
  std::optional<IpAddress> client_ip;
  std::optional<std::string> mail_from;  // the reverse-path
  std::vector<std::string> rcpt_to;
  std::string envelope_id;  // the MTA's queue id, for Original-Envelope-Id
  TimePoint arrival{};
  std::string authentication_results;  // the A-R value this host added (optional)
  std::string_view header;             // the original header block, CRLF line endings
  std::string_view body;               // the original body (used with include_body)
};

// Which failure a report is about (RFC 6591 Auth-Failure).
enum class AuthFailure { Dmarc, Signature, BodyHash, Revoked, Spf };
std::string_view to_string(AuthFailure failure);  // "dmarc", "signature", "bodyhash", ...

struct FailureReport {
  std::string recipient;  // address
  AuthFailure failure = AuthFailure::Dmarc;
  std::string message;  // the ARF message (CRLF)
  unsigned incidents = 1;
  std::filesystem::path spool_file;  // when written to the spool
  bool sent = false;                 // handed to sendmail
  std::string error;                 // why writing or sending failed ("" when it did not)
};

struct FailureOutcome {
  std::vector<AuthFailure> triggered;     // what fo= asked for this message
  std::vector<Destination> destinations;  // ruf URIs and what the check said
  std::vector<FailureReport> reports;     // built (and written or sent)
  std::vector<std::string> skipped;       // why nothing, or some, was sent: for logs
};

// Thread-safe; keeps the rate-limit state between calls. The evaluator (destination checks,
// Organizational Domains), the resolver (the SPF record for SPF-DNS) and the clock must outlive
// it.
class FailureReporter {
 public:
  FailureReporter(const Evaluator& evaluator, dns::Resolver& resolver, const Clock& clock,
                  FailureReportOptions options);
  ~FailureReporter();
  // Builds the reports the record's fo= asks for (when ruf is present, the record is not psd=y
  // and the destination check allows), rate-limits them per destination and writes or sends
  // them. Never throws; problems end in `skipped`.
  FailureOutcome report(const FailureIncident& incident);

 private:
  struct State;
  const Evaluator& evaluator_;
  dns::Resolver& resolver_;
  const Clock& clock_;
  FailureReportOptions options_;
  std::unique_ptr<State> state_;
};

// What fo= asks for a verdict (RFC 9989 §4.7): Dmarc for 0 (no aligned pass) or 1 (some
// mechanism without an aligned pass), DKIM failures for d (one per failed signature, as
// Signature/BodyHash/Revoked), Spf for s (SPF fail or softfail).
std::vector<AuthFailure> failure_triggers(const FailureOptions& fo, const DmarcResult& dmarc,
                                          const spf::SpfResult* spf,
                                          std::span<const dkim::DkimResult> dkim);

}  // namespace auth::dmarc
