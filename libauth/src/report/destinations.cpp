// Report destinations for aggregate and failure reports: every rua/ruf URI of the record,
// checked with the evaluator's external destination check (RFC 9990 §4, RFC 9991 §5), with the
// authorization record's same-host replacements applied.
#include <set>

#include <auth/report.hpp>

#include "dmarc/report_uri.hpp"

namespace auth::dmarc {

std::string_view to_string(DestinationStatus status) {
  switch (status) {
    case DestinationStatus::Authorized:
      return "authorized";
    case DestinationStatus::NotMailto:
      return "not_mailto";
    case DestinationStatus::NotAuthorized:
      return "not_authorized";
    case DestinationStatus::TempError:
      return "temperror";
  }
  return "";
}

std::vector<Destination> check_destinations(const Evaluator& evaluator,
                                            std::string_view policy_domain,
                                            std::span<const std::string> uris, ReportKind kind) {
  std::vector<Destination> out;
  std::set<std::string> seen;
  for (const auto& text : uris) {
    Destination d;
    auto parsed = parse_report_uri(text);
    if (!parsed) {
      d.uri.uri = text;
      d.status = DestinationStatus::NotAuthorized;
      d.detail = parsed.error().message;
      if (seen.insert(text).second) out.push_back(std::move(d));
      continue;
    }
    d.uri = std::move(*parsed);
    if (!seen.insert(d.uri.uri).second) continue;
    if (d.uri.scheme != "mailto") {
      d.status = DestinationStatus::NotMailto;
      d.detail = "only mailto: URIs are delivered to";
      out.push_back(std::move(d));
      continue;
    }
    if (d.uri.address.empty()) {
      d.status = DestinationStatus::NotAuthorized;
      d.detail = "no address in the URI";
      out.push_back(std::move(d));
      continue;
    }
    const ReportDestination checked =
        evaluator.authorize_report_uri(policy_domain, d.uri, kind == ReportKind::Failure);
    switch (checked.authorization) {
      case ReportAuthorization::SameOrganization:
        d.detail = "same Organizational Domain";
        out.push_back(std::move(d));
        continue;
      case ReportAuthorization::NotAuthorized:
        d.status = DestinationStatus::NotAuthorized;
        d.detail = checked.reason;
        out.push_back(std::move(d));
        continue;
      case ReportAuthorization::TempError:
        d.status = DestinationStatus::TempError;
        d.detail = checked.reason;
        out.push_back(std::move(d));
        continue;
      case ReportAuthorization::Authorized:
        break;
    }
    if (checked.replacements.empty()) {
      d.detail = "authorized by " + checked.query;
      out.push_back(std::move(d));
      continue;
    }
    // The authorization record names the mailboxes (same host) that take the reports instead.
    for (const ReportUri& r : checked.replacements) {
      if (r.uri != d.uri.uri && !seen.insert(r.uri).second) continue;
      Destination replaced;
      replaced.uri = r;
      replaced.detail = r.uri == d.uri.uri
                            ? "authorized by " + checked.query
                            : "authorized by " + checked.query + ", in place of " + d.uri.uri;
      if (replaced.uri.address.empty()) {
        replaced.status = DestinationStatus::NotAuthorized;
        replaced.detail = "the replacement from " + checked.query + " has no address";
      }
      out.push_back(std::move(replaced));
    }
  }
  return out;
}

}  // namespace auth::dmarc
