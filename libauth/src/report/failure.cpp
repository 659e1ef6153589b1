// Failure reports (RFC 9991): ARF (RFC 5965) messages of the auth-failure type (RFC 6591), built
// when the policy record asks for them with fo= and ruf=, sent only to authorized destinations,
// and rate-limited per destination.
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include <auth/authres.hpp>
#include <auth/domain_name.hpp>
#include <auth/message.hpp>
#include <auth/report.hpp>

#include "report/mime.hpp"
#include "spf/record.hpp"

namespace auth::dmarc {
namespace {

bool dkim_failed(dkim::Result r) { return r == dkim::Result::Fail || r == dkim::Result::PermError; }

// RFC 6591 §3.1 Auth-Failure for a failed DKIM signature. The DKIM result carries its reason in
// words only, so the words decide.
AuthFailure dkim_failure_kind(const dkim::DkimResult& r) {
  const std::string reason = to_lower(r.reason);
  if (reason.find("body hash") != std::string::npos || reason.find("bodyhash") != std::string::npos)
    return AuthFailure::BodyHash;
  if (reason.find("revoked") != std::string::npos) return AuthFailure::Revoked;
  return AuthFailure::Signature;
}

bool aligned(std::string_view domain, std::string_view author, AlignmentMode mode,
             const Evaluator& evaluator) {
  if (domain.empty() || author.empty()) return false;
  const std::string d = to_lower(domain), a = to_lower(author);
  if (mode == AlignmentMode::Strict) return d == a;
  return d == a || to_lower(evaluator.organizational_domain(d)) ==
                       to_lower(evaluator.organizational_domain(a));
}

std::string angle(std::string_view address) {
  std::string a(address);
  while (!a.empty() && (a.front() == '<' || a.front() == ' ')) a.erase(a.begin());
  while (!a.empty() && (a.back() == '>' || a.back() == ' ')) a.pop_back();
  return "<" + mime::header_safe(a) + ">";
}

std::string_view delivery_result(Policy disposition) {
  switch (disposition) {
    case Policy::Reject:
      return "reject";
    case Policy::Quarantine:
      return "spam";
    case Policy::None:
      return "delivered";
  }
  return "other";
}

// One trigger with the signature it is about (DKIM reports).
struct Trigger {
  AuthFailure failure;
  const dkim::DkimResult* signature = nullptr;
};

}  // namespace

std::string_view to_string(AuthFailure failure) {
  switch (failure) {
    case AuthFailure::Dmarc:
      return "dmarc";
    case AuthFailure::Signature:
      return "signature";
    case AuthFailure::BodyHash:
      return "bodyhash";
    case AuthFailure::Revoked:
      return "revoked";
    case AuthFailure::Spf:
      return "spf";
  }
  return "";
}

std::vector<AuthFailure> failure_triggers(const FailureOptions& fo, const DmarcResult& dmarc,
                                          const spf::SpfResult* spf,
                                          std::span<const dkim::DkimResult> dkim) {
  std::vector<AuthFailure> out;
  if (dmarc.result != Result::Pass && dmarc.result != Result::Fail) return out;
  const bool none_aligned = !dmarc.spf_aligned && !dmarc.dkim_aligned;
  const bool some_unaligned = !dmarc.spf_aligned || !dmarc.dkim_aligned;
  if ((fo.all_fail && none_aligned) || (fo.any_fail && some_unaligned))
    out.push_back(AuthFailure::Dmarc);
  if (fo.dkim)
    for (const auto& d : dkim)
      if (dkim_failed(d.result)) out.push_back(dkim_failure_kind(d));
  if (fo.spf && spf != nullptr &&
      (spf->result == spf::Result::Fail || spf->result == spf::Result::SoftFail))
    out.push_back(AuthFailure::Spf);
  return out;
}

struct FailureReporter::State {
  std::mutex mutex;
  std::map<std::string, std::deque<TimePoint>> sent_to;  // per recipient, within a minute
  struct Like {
    TimePoint last{};
    unsigned suppressed = 0;
  };
  std::map<std::string, Like> like;  // per like incident
};

FailureReporter::FailureReporter(const Evaluator& evaluator, dns::Resolver& resolver,
                                 const Clock& clock, FailureReportOptions options)
    : evaluator_(evaluator),
      resolver_(resolver),
      clock_(clock),
      options_(std::move(options)),
      state_(std::make_unique<State>()) {}

FailureReporter::~FailureReporter() = default;

namespace {

struct BuildInput {
  const FailureReportOptions& options;
  const FailureIncident& incident;
  const DmarcResult& dmarc;
  const Trigger& trigger;
  std::string_view recipient;
  unsigned incidents;
  TimePoint now;
  const std::string& identity_alignment;
  const dkim::DkimResult* aligned_failed_dkim;  // for the DMARC report's DKIM-* fields
  std::string spf_dns;                          // "" when not needed
};

std::string authentication_results(const FailureReportOptions& options,
                                   const FailureIncident& incident, const DmarcResult& dmarc) {
  if (!incident.authentication_results.empty())
    return mime::header_safe(message::unfold(incident.authentication_results));
  authres::AuthenticationResults ar;
  ar.authserv_id = options.authserv_id.empty() ? "localhost" : options.authserv_id;
  if (incident.spf != nullptr) ar.results.push_back(spf::to_method_result(*incident.spf));
  for (const auto& d : incident.dkim) ar.results.push_back(dkim::to_method_result(d));
  authres::MethodResult m;
  m.method = "dmarc";
  switch (dmarc.result) {
    case Result::Pass:
      m.result = "pass";
      break;
    case Result::Fail:
      m.result = "fail";
      break;
    case Result::TempError:
      m.result = "temperror";
      break;
    case Result::PermError:
      m.result = "permerror";
      break;
    case Result::None:
      m.result = "none";
      break;
  }
  m.properties.push_back({"header", "from", dmarc.author_domain, ""});
  ar.results.push_back(std::move(m));
  return authres::format_unfolded(ar);
}

std::string build_report(const BuildInput& in) {
  const auto& inc = in.incident;
  const std::string boundary = "=_mailauth_arf_" + mime::random_hex(8);
  const std::string ip = inc.client_ip ? inc.client_ip->unmapped().str() : std::string();
  const std::string author = in.dmarc.author_domain;
  std::string m;
  m += "From: <" + mime::header_safe(in.options.from) + ">\r\n";
  m += "To: <" + mime::header_safe(in.recipient) + ">\r\n";
  m += "Date: " + mime::date(in.now) + "\r\n";
  m += "Subject: Authentication failure report (" + std::string(to_string(in.trigger.failure)) +
       ") for " + author + (ip.empty() ? std::string() : " from " + ip) + "\r\n";
  const auto at = in.options.from.rfind('@');
  const std::string from_domain =
      at == std::string::npos ? "localhost" : in.options.from.substr(at + 1);
  m += "Message-ID: <" + mime::random_hex(16) + "@" + mime::header_safe(from_domain) + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=feedback-report;\r\n\tboundary=\"" + boundary +
       "\"\r\n\r\n";

  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=us-ascii\r\n";
  m += "Content-Transfer-Encoding: 7bit\r\n\r\n";
  m += "This is an authentication failure report (RFC 9991) for an email message\r\n";
  m += "with the From domain " + author;
  if (!ip.empty()) m += ", received from IP " + ip;
  m += " on " + mime::date(inc.arrival) + ".\r\n";
  if (in.incidents > 1)
    m += "It stands for " + std::to_string(in.incidents) + " like incidents.\r\n";
  m += "\r\n";

  m += "--" + boundary + "\r\n";
  m += "Content-Type: message/feedback-report\r\n\r\n";
  m += "Feedback-Type: auth-failure\r\n";
  m += "User-Agent: " + mime::header_safe(in.options.user_agent) + "\r\n";
  m += "Version: 1\r\n";
  if (!inc.envelope_id.empty())
    m += "Original-Envelope-Id: " + mime::header_safe(inc.envelope_id) + "\r\n";
  if (inc.mail_from) m += "Original-Mail-From: " + angle(*inc.mail_from) + "\r\n";
  for (const auto& rcpt : inc.rcpt_to) m += "Original-Rcpt-To: " + angle(rcpt) + "\r\n";
  m += "Arrival-Date: " + mime::date(inc.arrival) + "\r\n";
  if (!in.options.reporting_mta.empty())
    m += "Reporting-MTA: dns; " + mime::header_safe(in.options.reporting_mta) + "\r\n";
  if (!ip.empty()) m += "Source-IP: " + ip + "\r\n";
  m += "Incidents: " + std::to_string(in.incidents) + "\r\n";
  m += "Reported-Domain: " + mime::header_safe(author) + "\r\n";
  m += "Authentication-Results: " + authentication_results(in.options, inc, in.dmarc) + "\r\n";
  m += "Auth-Failure: " + std::string(to_string(in.trigger.failure)) + "\r\n";
  m += "Identity-Alignment: " + in.identity_alignment + "\r\n";
  m += "Delivery-Result: " + std::string(delivery_result(in.dmarc.disposition)) + "\r\n";
  const dkim::DkimResult* sig =
      in.trigger.signature != nullptr ? in.trigger.signature : in.aligned_failed_dkim;
  if (sig != nullptr) {
    m += "DKIM-Domain: " + mime::header_safe(sig->domain) + "\r\n";
    m += "DKIM-Identity: " + mime::header_safe(sig->auid.empty() ? "@" + sig->domain : sig->auid) +
         "\r\n";
    m += "DKIM-Selector: " + mime::header_safe(sig->selector) + "\r\n";
  }
  if (!in.spf_dns.empty()) m += "SPF-DNS: " + mime::header_safe(in.spf_dns) + "\r\n";
  m += "\r\n";

  m += "--" + boundary + "\r\n";
  std::string_view header = inc.header;
  // The header block without the blank line that ends it.
  while (header.ends_with("\r\n\r\n")) header.remove_suffix(2);
  m += in.options.include_body ? "Content-Type: message/rfc822\r\n"
                               : "Content-Type: text/rfc822-headers\r\n";
  const bool eight_bit =
      std::any_of(header.begin(), header.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; }) ||
      (in.options.include_body && std::any_of(inc.body.begin(), inc.body.end(), [](char c) {
         return static_cast<unsigned char>(c) >= 0x80;
       }));
  m += eight_bit ? "Content-Transfer-Encoding: 8bit\r\n\r\n"
                 : "Content-Transfer-Encoding: 7bit\r\n\r\n";
  m += header;
  if (!header.empty() && !header.ends_with("\r\n")) m += "\r\n";
  if (in.options.include_body) {
    m += "\r\n";
    m += inc.body;
    if (!inc.body.empty() && !inc.body.ends_with("\r\n")) m += "\r\n";
  }
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

// The TXT record SPF used for `domain`, as RFC 6591 SPF-DNS shows it.
std::string spf_dns_value(dns::Resolver& resolver, std::string_view domain) {
  if (domain.empty()) return {};
  const dns::Answer answer = resolver.query(domain, dns::RrType::TXT);
  for (const auto& txt : answer.txt)
    if (spf::is_spf_record(txt)) return "txt : " + std::string(domain) + " : " + txt;
  return {};
}

Expected<std::filesystem::path> write_spool(const std::filesystem::path& dir,
                                            std::string_view message, TimePoint now) {
  const std::string name = std::to_string(to_unix(now)) + "." + mime::random_hex(8) + ".eml";
  const std::filesystem::path tmp = dir / ("." + name + ".tmp");
  std::filesystem::path path = dir / name;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(ErrorCode::Io, "cannot write " + tmp.string());
    out.write(message.data(), static_cast<std::streamsize>(message.size()));
    out.flush();
    if (!out) return fail(ErrorCode::Io, "cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(ErrorCode::Io, "cannot write " + path.string());
  return path;
}

}  // namespace

FailureOutcome FailureReporter::report(const FailureIncident& incident) {
  FailureOutcome out;
  try {
    if (incident.dmarc == nullptr) {
      out.skipped.emplace_back("no DMARC result");
      return out;
    }
    const DmarcResult& dmarc = *incident.dmarc;
    if (!dmarc.record) {
      out.skipped.emplace_back("no DMARC policy record applied");
      return out;
    }
    const Record& record = *dmarc.record;
    if (record.ruf.empty()) {
      out.skipped.emplace_back("the policy record has no ruf");
      return out;
    }
    // RFC 9989 §10.2 / RFC 9991: ruf in a PSD record (psd=y) is ignored.
    if (record.psd == PsdFlag::Yes) {
      out.skipped.emplace_back("ruf of a public suffix domain record (psd=y) is ignored");
      return out;
    }
    out.triggered = failure_triggers(record.fo, dmarc, incident.spf, incident.dkim);
    if (out.triggered.empty()) {
      out.skipped.push_back("fo=" + record.fo_text + " asks for no report for this message");
      return out;
    }
    std::vector<Trigger> triggers;
    {
      // Pair DKIM triggers with their signatures (failure_triggers lists them in order).
      std::vector<const dkim::DkimResult*> failed;
      for (const auto& d : incident.dkim)
        if (dkim_failed(d.result)) failed.push_back(&d);
      std::size_t next = 0;
      for (const auto f : out.triggered) {
        Trigger t{f, nullptr};
        if (f == AuthFailure::Signature || f == AuthFailure::BodyHash || f == AuthFailure::Revoked)
          t.signature = next < failed.size() ? failed[next++] : nullptr;
        triggers.push_back(t);
      }
    }

    std::vector<std::string> uris;
    uris.reserve(record.ruf.size());
    for (const auto& u : record.ruf) uris.push_back(u.uri);
    out.destinations =
        check_destinations(evaluator_, dmarc.policy_domain, uris, ReportKind::Failure);
    std::vector<std::string> recipients;
    for (const auto& d : out.destinations) {
      if (d.status == DestinationStatus::Authorized) {
        if (std::find(recipients.begin(), recipients.end(), d.uri.address) == recipients.end())
          recipients.push_back(d.uri.address);
      } else {
        out.skipped.push_back(d.uri.uri + ": " + std::string(to_string(d.status)) + " (" +
                              d.detail + ")");
      }
    }
    if (recipients.empty()) {
      out.skipped.emplace_back("no authorized ruf destination");
      return out;
    }

    // Identity-Alignment (RFC 9991 §4): the mechanisms that failed to give an aligned pass.
    std::string identity_alignment;
    if (!dmarc.dkim_aligned) identity_alignment = "dkim";
    if (!dmarc.spf_aligned) identity_alignment += identity_alignment.empty() ? "spf" : ", spf";
    if (identity_alignment.empty()) identity_alignment = "none";

    // DKIM-* fields when an aligned DKIM identifier failed; SPF-DNS when an aligned SPF one did.
    const dkim::DkimResult* aligned_failed = nullptr;
    for (const auto& d : incident.dkim)
      if (d.result != dkim::Result::Pass &&
          aligned(d.domain, dmarc.author_domain, record.adkim, evaluator_)) {
        aligned_failed = &d;
        break;
      }
    const bool spf_aligned_failed =
        incident.spf != nullptr && incident.spf->result != spf::Result::Pass &&
        aligned(incident.spf->domain, dmarc.author_domain, record.aspf, evaluator_);
    std::string spf_dns;
    const bool need_spf_dns =
        spf_aligned_failed || std::find(out.triggered.begin(), out.triggered.end(),
                                        AuthFailure::Spf) != out.triggered.end();
    if (need_spf_dns && incident.spf != nullptr)
      spf_dns = spf_dns_value(resolver_, incident.spf->domain);

    const TimePoint now = clock_.now();
    const std::string ip = incident.client_ip ? incident.client_ip->unmapped().str() : "";
    for (const auto& recipient : recipients) {
      for (const auto& trigger : triggers) {
        unsigned incidents = 1;
        {
          std::lock_guard lock(state_->mutex);
          auto& times = state_->sent_to[to_lower(recipient)];
          while (!times.empty() && now - times.front() >= std::chrono::minutes(1))
            times.pop_front();
          std::string key = to_lower(recipient) + '\n' + ip + '\n' + dmarc.author_domain + '\n' +
                            std::string(to_string(trigger.failure));
          if (trigger.signature != nullptr)
            key += '\n' + trigger.signature->domain + '\n' + trigger.signature->selector;
          auto& like = state_->like[key];
          if (like.last != TimePoint{} && now - like.last < options_.merge_window) {
            ++like.suppressed;
            out.skipped.push_back(recipient + ": " + std::string(to_string(trigger.failure)) +
                                  " merged with a like incident reported at " +
                                  mime::date(like.last));
            continue;
          }
          if (times.size() >= options_.max_per_minute) {
            ++like.suppressed;
            out.skipped.push_back(recipient + ": rate limit of " +
                                  std::to_string(options_.max_per_minute) +
                                  " reports per minute reached");
            continue;
          }
          incidents = 1 + like.suppressed;
          like.suppressed = 0;
          like.last = now;
          times.push_back(now);
          // Forget like incidents long past, so the map stays bounded by the traffic of a window.
          if (state_->like.size() > 10000)
            std::erase_if(state_->like, [&](const auto& e) {
              return e.second.suppressed == 0 && now - e.second.last >= options_.merge_window;
            });
        }
        FailureReport report;
        report.recipient = recipient;
        report.failure = trigger.failure;
        report.incidents = incidents;
        const BuildInput in{options_,
                            incident,
                            dmarc,
                            trigger,
                            recipient,
                            incidents,
                            now,
                            identity_alignment,
                            trigger.failure == AuthFailure::Dmarc ? aligned_failed : nullptr,
                            trigger.failure == AuthFailure::Spf ||
                                    (trigger.failure == AuthFailure::Dmarc && spf_aligned_failed)
                                ? spf_dns
                                : std::string()};
        report.message = build_report(in);
        if (!options_.spool_dir.empty()) {
          if (auto path = write_spool(options_.spool_dir, report.message, now))
            report.spool_file = *path;
          else
            report.error = path.error().message;
        } else if (!options_.sendmail.empty()) {
          if (auto sent = send_with_sendmail(options_.sendmail, report.message))
            report.sent = true;
          else
            report.error = sent.error().message;
        }
        out.reports.push_back(std::move(report));
      }
    }
  } catch (const std::exception& e) {
    out.skipped.push_back(std::string("failure report not made: ") + e.what());
  }
  return out;
}

}  // namespace auth::dmarc
