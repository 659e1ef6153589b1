// The administrator's view of a domain's DMARC set-up (`mailauth dmarc DOMAIN`), and the external
// report destination check of RFC 9990 §4 (also RFC 9991 for ruf=).
#include <auth/dmarc.hpp>
#include <auth/domain_name.hpp>

#include "dmarc/evaluation.hpp"
#include "dmarc/idna.hpp"
#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

using message::concat;
using message::excerpt;

constexpr std::size_t max_name_octets = 253;

std::string_view without_dmarc_label(std::string_view name) {
  return name.starts_with("_dmarc.") ? name.substr(7) : name;
}

}  // namespace

std::string_view to_string(ReportAuthorization a) {
  switch (a) {
    case ReportAuthorization::SameOrganization:
      return "same_organization";
    case ReportAuthorization::Authorized:
      return "authorized";
    case ReportAuthorization::NotAuthorized:
      return "not_authorized";
    case ReportAuthorization::TempError:
      return "temperror";
  }
  return "not_authorized";
}

ReportDestination Evaluator::authorize_report_uri(std::string_view policy_domain,
                                                  const ReportUri& uri, bool failure_report) const {
  ReportDestination out;
  out.uri = uri;
  const auto refuse = [&out](std::string reason) {
    out.authorization = ReportAuthorization::NotAuthorized;
    out.reason = std::move(reason);
    return out;
  };
  auto policy = to_a_labels(policy_domain);
  if (!policy) return refuse("policy domain unusable: " + policy.error().message);
  if (uri.host.empty()) return refuse("the URI names no host to ask for authorization");
  auto host = to_a_labels(uri.host);
  if (!host) return refuse("the URI's host is not a domain name: " + host.error().message);

  // Step 0: reports within one organization need no authorization.
  Evaluation ev(resolver_, options_, *policy);
  const auto policy_od = ev.author_org_domain();
  const auto host_od = ev.org_domain(*host);
  if (policy_od && host_od && *policy_od == *host_od) {
    out.authorization = ReportAuthorization::SameOrganization;
    return out;
  }
  if (!policy_od || !host_od) {
    out.authorization = ReportAuthorization::TempError;
    out.reason = "Organizational Domain undecided: " + (ev.failure() ? ev.failure()->first : "");
    return out;
  }

  // Steps 1-4: <policy domain>._report._dmarc.<destination host>.
  out.query = concat({*policy, "._report._dmarc.", *host});
  if (out.query.size() > max_name_octets)
    return refuse(concat({"the authorization name ", out.query, " is too long for DNS"}));
  const dns::Answer& answer = ev.lookups().query(out.query, dns::RrType::TXT);
  if (answer.is_temporary_failure()) {
    out.authorization = ReportAuthorization::TempError;
    out.reason = dns_failure_reason(answer, out.query);
    return out;
  }
  // Steps 6-8: at least one record starting with v=DMARC1.
  std::optional<Record> authorization;
  for (const std::string& txt : answer.txt) {
    if (auto r = parse_record(txt)) {
      if (!authorization) authorization = std::move(*r);
    }
  }
  if (!authorization)
    return refuse(concat({excerpt(*host, 80), " does not authorize reports for ", *policy,
                          ": no v=DMARC1 TXT record at ", out.query}));
  // Step 9: the consumer may name other URIs, at the same host only.
  for (const ReportUri& r : failure_report ? authorization->ruf : authorization->rua) {
    if (!iequals(r.host, *host)) {
      out.replacements.clear();
      return refuse(
          concat({"the authorization record at ", out.query, " redirects reports to another host (",
                  excerpt(r.host, 80), "), so none may be sent (RFC 9990 §4)"}));
    }
    out.replacements.push_back(r);
  }
  out.authorization = ReportAuthorization::Authorized;
  return out;
}

RecordCheck Evaluator::check_record(std::string_view domain) const {
  RecordCheck c;
  c.discovery = discover(domain);
  const Discovery& d = c.discovery;
  c.warnings = d.warnings;
  if (d.temporary_failure)
    c.warnings.push_back(concat({d.reason, "; what follows may be incomplete"}));

  // psd= judged against the public suffix list (RFC 9989 §5.2: PSOs publish psd=y; §11.8).
  if (options_.psl) {
    for (const WalkStep& step : d.steps) {
      if (!step.psd || *step.psd == PsdFlag::Unspecified) continue;
      const auto name = without_dmarc_label(step.name);
      const bool suffix = options_.psl->public_suffix(name) == name;
      if (*step.psd == PsdFlag::Yes && !suffix)
        c.warnings.push_back(concat({"psd=y at ", step.name, ", but ", name,
                                     " is not a public suffix on the public suffix list"}));
      if (*step.psd == PsdFlag::No && suffix)
        c.warnings.push_back(concat({"psd=n at ", step.name, ", but ", name,
                                     " is a public suffix on the public suffix list"}));
    }
  }
  if (!d.record) return c;

  const Record& rec = *d.record;
  for (const std::string& w : rec.warnings)
    c.warnings.push_back(concat({"_dmarc.", d.policy_domain, ": ", w}));
  if (rec.psd == PsdFlag::Yes && !rec.ruf.empty())
    c.warnings.push_back(concat(
        {"_dmarc.", d.policy_domain, ": ruf= in a psd=y record is ignored (RFC 9989 §10.2)"}));
  if (!rec.usable()) return c;

  // The policy this domain gets.
  Policy requested = rec.domain_policy();
  if (d.policy_domain != d.domain) {
    const bool ok_first = !d.steps.empty() && d.steps.front().status == dns::Status::Ok;
    if (ok_first) {
      c.domain_exists = true;
    } else {
      Lookups lookups(resolver_);
      const dns::Answer& answer = lookups.query(d.domain, dns::RrType::TXT);
      if (answer.status == dns::Status::NxDomain)
        c.domain_exists = false;
      else if (answer.ok())
        c.domain_exists = true;
      else
        c.warnings.push_back(concat(
            {dns_failure_reason(answer, d.domain), ": whether sp= or np= applies is undecided"}));
    }
    const bool exists = c.domain_exists.value_or(true);
    requested = rec.subdomain_policy(exists);
    c.policy_tag = !exists && rec.np ? "np" : rec.sp ? "sp" : "p";
  } else {
    c.policy_tag = "p";
  }
  if (!rec.p || rec.sp_invalid || rec.np_invalid) c.policy_tag = "p";  // counts as p=none
  c.requested_policy = requested;
  c.policy = rec.testing ? lower(requested) : requested;

  const auto check_uris = [&](const std::vector<ReportUri>& uris, bool failure_report,
                              std::string_view tag, std::vector<ReportDestination>& out) {
    for (const ReportUri& uri : uris) {
      out.push_back(authorize_report_uri(d.policy_domain, uri, failure_report));
      const ReportDestination& dest = out.back();
      if (dest.authorization == ReportAuthorization::NotAuthorized ||
          dest.authorization == ReportAuthorization::TempError)
        c.warnings.push_back(concat({tag, "= URI ", excerpt(uri.uri, 120), ": ", dest.reason}));
    }
  };
  check_uris(rec.rua, false, "rua", c.rua);
  check_uris(rec.ruf, true, "ruf", c.ruf);
  return c;
}

}  // namespace auth::dmarc
