// Aggregate report runs: from the store's rows to files and mail, once per policy domain and
// period (RFC 9990 §3, §4, §5).
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <auth/report.hpp>

#include "report/mime.hpp"

namespace auth::dmarc {
namespace {

// A name safe to put in a file name: letters, digits, '-', '_' and '.', not starting with '.'.
bool file_safe_domain(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

std::string utc_text(std::int64_t t) {
  std::string d = mime::date(TimePoint(std::chrono::seconds(t)));
  return d;
}

// Writes `data` to `path` through a temporary file and rename, so a reader never sees half.
Expected<void> write_file(const std::filesystem::path& path, std::string_view data) {
  const std::filesystem::path tmp =
      path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(ErrorCode::Io, "cannot write " + tmp.string());
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return fail(ErrorCode::Io, "cannot write " + tmp.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return fail(ErrorCode::Io, "cannot write " + path.string());
  }
  return {};
}

}  // namespace

std::string new_report_id(std::string_view receiver) {
  return mime::random_hex(16) + "@" + std::string(receiver);
}

std::string aggregate_message(const ReporterInfo& reporter, const AggregateReport& report,
                              std::span<const std::string> to, TimePoint date) {
  const std::string receiver = reporter.receiver();
  const std::string boundary = "=_mailauth_" + report.report_id.substr(0, 16);
  std::string m;
  m += "From: ";
  if (!reporter.org_name.empty())
    m += mime::display_name(mime::header_safe(reporter.org_name)) + " ";
  m += "<" + mime::header_safe(reporter.email) + ">\r\n";
  m += "To: ";
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (i != 0) m += ",\r\n ";
    m += "<" + mime::header_safe(to[i]) + ">";
  }
  m += "\r\n";
  m += "Date: " + mime::date(date) + "\r\n";
  m += "Subject: Report Domain: " + report.policy_domain + " Submitter: " + receiver +
       " Report-ID: " + report.report_id + "\r\n";
  m += "Message-ID: <" + report.report_id + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=us-ascii\r\n";
  m += "Content-Transfer-Encoding: 7bit\r\n\r\n";
  m += "This is a DMARC aggregate report (RFC 9990) for " + report.policy_domain + "\r\n";
  m += "from " + receiver + " for " + utc_text(report.begin) + " to " + utc_text(report.end) +
       "\r\n";
  m += "(" + std::to_string(report.messages) + " messages in " + std::to_string(report.rows) +
       " rows).\r\n";
  m += "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: application/gzip; name=\"" + report.file_name + "\"\r\n";
  m += "Content-Disposition: attachment; filename=\"" + report.file_name + "\"\r\n";
  m += "Content-Transfer-Encoding: base64\r\n\r\n";
  m += mime::base64_lines(report.gzip);
  m += "--" + boundary + "--\r\n";
  return m;
}

std::string_view to_string(AggregateOutcome::Action action) {
  switch (action) {
    case AggregateOutcome::Action::Written:
      return "written";
    case AggregateOutcome::Action::AlreadyReported:
      return "already_reported";
    case AggregateOutcome::Action::NoRua:
      return "no_rua";
    case AggregateOutcome::Action::NoDestination:
      return "no_destination";
    case AggregateOutcome::Action::Deferred:
      return "deferred";
  }
  return "";
}

Expected<std::vector<AggregateOutcome>> run_aggregate(ReportStore& store,
                                                      const Evaluator& evaluator,
                                                      const AggregateRunOptions& options,
                                                      const Clock& clock) {
  using Action = AggregateOutcome::Action;
  const std::string receiver = options.reporter.receiver();
  if (receiver.empty() || !file_safe_domain(receiver))
    return fail(ErrorCode::InvalidArgument,
                "the reporter address '" + options.reporter.email + "' has no usable domain");
  if (options.begin > options.end)
    return fail(ErrorCode::InvalidArgument, "the period begins after it ends");
  std::error_code ec;
  if (!std::filesystem::is_directory(options.out_dir, ec))
    return fail(ErrorCode::Io, options.out_dir.string() + ": not a directory");

  auto period = store.period(options.begin, options.end);
  if (!period) return std::unexpected(period.error());
  std::map<std::string, std::vector<StoredGroup>> by_domain;
  for (auto& g : period->groups) by_domain[g.policy_domain].push_back(std::move(g));

  std::vector<AggregateOutcome> outcomes;
  for (const PublishedPolicy& policy : period->policies) {
    AggregateOutcome o;
    o.policy_domain = policy.domain;
    const auto& groups = by_domain[policy.domain];
    if (policy.rua.empty()) {
      o.action = Action::NoRua;
      o.detail = "the policy record has no rua";
      outcomes.push_back(std::move(o));
      continue;
    }
    if (!file_safe_domain(policy.domain)) {
      o.action = Action::NoDestination;
      o.detail = "the policy domain is not a usable domain name";
      outcomes.push_back(std::move(o));
      continue;
    }
    auto entry = store.find_report(policy.domain, options.begin, options.end);
    if (!entry) return std::unexpected(entry.error());
    if (*entry && ((*entry)->sent || !options.send)) {
      o.action = Action::AlreadyReported;
      o.report.report_id = (*entry)->report_id;
      o.report.file_name = (*entry)->file_name;
      o.detail = (*entry)->sent ? "reported and sent before" : "reported before (not sent)";
      outcomes.push_back(std::move(o));
      continue;
    }

    o.destinations =
        check_destinations(evaluator, policy.domain, policy.rua, ReportKind::Aggregate);
    std::set<std::string> unique;
    bool deferred = false;
    for (const auto& d : o.destinations) {
      if (d.status == DestinationStatus::Authorized && unique.insert(d.uri.address).second)
        o.recipients.push_back(d.uri.address);
      if (d.status == DestinationStatus::TempError) deferred = true;
    }
    if (o.recipients.empty()) {
      o.action = deferred ? Action::Deferred : Action::NoDestination;
      o.detail = deferred ? "the destination check failed temporarily"
                          : "no authorized mailto: destination in rua";
      outcomes.push_back(std::move(o));
      continue;
    }

    ReportEntry wanted;
    if (*entry) {
      wanted = **entry;
    } else {
      wanted.policy_domain = policy.domain;
      wanted.begin = options.begin;
      wanted.end = options.end;
      wanted.report_id = new_report_id(receiver);
      wanted.file_name = aggregate_file_name(receiver, policy.domain, options.begin, options.end);
      wanted.created = to_unix(clock.now());
    }
    // Another run may have been first: the ledger's entry wins, so the IDs stay one.
    auto saved = store.save_report(wanted);
    if (!saved) return std::unexpected(saved.error());

    AggregateReport& r = o.report;
    r.policy_domain = policy.domain;
    r.begin = options.begin;
    r.end = options.end;
    r.report_id = saved->report_id;
    r.file_name = saved->file_name;
    r.rows = groups.size();
    for (const auto& g : groups) r.messages += g.count;
    r.xml = aggregate_xml(options.reporter, policy, r.report_id, r.begin, r.end, groups);
    auto gz = gzip_compress(r.xml);
    if (!gz) return std::unexpected(gz.error());
    r.gzip = std::move(*gz);

    const std::string stem =
        r.file_name.substr(0, r.file_name.size() - std::string_view(".xml.gz").size());
    o.xml_gz_path = options.out_dir / r.file_name;
    o.eml_path = options.out_dir / (stem + ".eml");
    const std::string message = aggregate_message(options.reporter, r, o.recipients, clock.now());
    if (auto w = write_file(o.xml_gz_path, r.gzip); !w) return std::unexpected(w.error());
    if (auto w = write_file(o.eml_path, message); !w) return std::unexpected(w.error());
    o.action = Action::Written;
    if (options.send) {
      if (auto sent = send_with_sendmail(options.sendmail, message); sent) {
        if (auto marked = store.mark_sent(policy.domain, r.begin, r.end, to_unix(clock.now()));
            !marked)
          return std::unexpected(marked.error());
        o.sent = true;
      } else {
        o.action = Action::Deferred;
        o.detail = sent.error().message;
      }
    }
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

}  // namespace auth::dmarc
