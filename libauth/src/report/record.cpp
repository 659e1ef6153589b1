// make_report_record: what the store keeps of one evaluated message.
#include <algorithm>

#include <auth/domain_name.hpp>
#include <auth/message.hpp>
#include <auth/report.hpp>

namespace auth::dmarc {
namespace {

// The domain of a reverse-path or forward-path: "" for the null path, nullopt when unparsable.
std::optional<std::string> envelope_domain(std::string_view path) {
  auto parsed = message::parse_envelope_address(path);
  if (parsed) return to_lower(parsed->domain);
  if (auto domain = message::domain_of(path)) {
    std::string d = to_lower(*domain);
    while (!d.empty() && (d.back() == '>' || d.back() == ' ')) d.pop_back();
    return d;
  }
  return std::nullopt;
}

PublishedPolicy published(const Record& record, const DmarcResult& dmarc) {
  PublishedPolicy p;
  p.domain = dmarc.policy_domain;
  p.discovery = dmarc.discovery;
  p.p = record.p;
  p.sp = record.sp;
  p.np = record.np;
  p.adkim = record.adkim;
  p.aspf = record.aspf;
  p.fo = record.fo_text.empty() ? "0" : record.fo_text;
  p.testing = record.testing;
  p.psd = record.psd;
  for (const auto& u : record.rua) p.rua.push_back(u.uri);
  for (const auto& u : record.ruf) p.ruf.push_back(u.uri);
  p.errors = record.warnings;
  return p;
}

// RFC 9990 §3.1.1: at most 100 DKIM results per row; passes first when there are more.
constexpr std::size_t max_dkim_per_record = 100;

}  // namespace

std::optional<ReportRecord> make_report_record(const DmarcResult& dmarc, const spf::SpfResult* spf,
                                               std::span<const dkim::DkimResult> dkim,
                                               const std::optional<IpAddress>& client_ip,
                                               const std::optional<std::string>& mail_from,
                                               std::span<const std::string> rcpt_to,
                                               TimePoint time) {
  if (!dmarc.record || dmarc.policy_domain.empty()) return std::nullopt;
  ReportRecord r;
  r.time = time;
  if (client_ip) r.source_ip = client_ip->unmapped().str();
  r.header_from = to_lower(dmarc.author_domain);
  if (mail_from) r.envelope_from = envelope_domain(*mail_from);
  for (const auto& rcpt : rcpt_to) {
    auto domain = envelope_domain(rcpt);
    if (domain && !domain->empty()) {
      r.envelope_to = std::move(domain);
      break;
    }
  }
  r.policy = published(*dmarc.record, dmarc);
  r.result = dmarc.result;
  r.requested_policy = dmarc.requested_policy;
  r.evaluated_policy = dmarc.policy;
  r.disposition = dmarc.disposition;
  r.dkim_aligned = dmarc.dkim_aligned;
  r.spf_aligned = dmarc.spf_aligned;
  r.overrides = dmarc.overrides;
  // RFC 9990 §3.1.1: a reason MUST be given when the applied policy differs from the published.
  if (r.result == Result::Fail && r.requested_policy && r.disposition != *r.requested_policy &&
      r.overrides.empty())
    r.overrides.push_back(r.policy.testing ? OverrideReason::PolicyTestMode
                                           : OverrideReason::Other);

  if (spf != nullptr)
    r.spf = ReportSpf{to_lower(spf->domain), spf->identity == spf::Identity::MailFrom,
                      std::string(spf::to_string(spf->result))};
  for (const auto& d : dkim)
    r.dkim.push_back({to_lower(d.domain), d.selector, std::string(dkim::to_string(d.result))});
  if (r.dkim.size() > max_dkim_per_record) {
    std::stable_partition(r.dkim.begin(), r.dkim.end(),
                          [](const ReportDkim& d) { return d.result == "pass"; });
    r.dkim.resize(max_dkim_per_record);
  }
  return r;
}

}  // namespace auth::dmarc
