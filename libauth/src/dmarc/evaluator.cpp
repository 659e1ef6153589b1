// The DMARC verdict for a message (RFC 9989 §5.3): policy discovery, policy selection (p, sp,
// np, t=y), Identifier Alignment, and the result, with temperror only when a failed DNS query
// decides it.
#include <auth/dmarc.hpp>
#include <auth/domain_name.hpp>

#include "dmarc/evaluation.hpp"
#include "dmarc/idna.hpp"
#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

using message::concat;

DiscoveryMethod method_of(const EvaluatorOptions& options) {
  return options.discovery == DiscoveryMethod::Psl && options.psl ? DiscoveryMethod::Psl
                                                                  : DiscoveryMethod::TreeWalk;
}

// Why nothing aligned, for people: "SPF pass for a.example not aligned (aspf=r); no DKIM
// signature passed".
std::string not_aligned_reason(const Identifiers& ids, const Record& record) {
  std::string spf;
  if (!ids.spf) {
    spf = "SPF not evaluated";
  } else if (ids.spf->result != spf::Result::Pass) {
    spf = concat({"SPF ", spf::to_string(ids.spf->result)});
  } else {
    spf = concat({"SPF pass for ", message::excerpt(ids.spf->domain, 80),
                  " not aligned (aspf=", to_string(record.aspf), ")"});
  }
  std::string dkim;
  for (const DkimIdentity& d : ids.dkim) {
    if (d.result != dkim::Result::Pass) continue;
    dkim += concat({dkim.empty() ? "DKIM pass for d=" : ", d=", message::excerpt(d.domain, 80)});
  }
  if (!dkim.empty()) {
    dkim += concat({" not aligned (adkim=", to_string(record.adkim), ")"});
  } else {
    dkim = ids.dkim.empty() ? "no DKIM signature" : "no DKIM signature passed";
  }
  return concat({spf, "; ", dkim});
}

// 0 (weakest) .. 6: which of several Author Domains' verdicts the message gets (RFC 9989 §11.5:
// the strictest failing policy). A temperror outranks a fail that asks for nothing, since the
// domain it hides may ask for more.
int severity(const DmarcResult& r) {
  switch (r.result) {
    case Result::Fail:
      return r.disposition == Policy::Reject ? 6 : r.disposition == Policy::Quarantine ? 5 : 3;
    case Result::TempError:
      return 4;
    case Result::PermError:
      return 2;
    case Result::Pass:
      return 1;
    case Result::None:
      return 0;
  }
  return 0;
}

}  // namespace

Evaluator::Evaluator(dns::Resolver& resolver, const Limits& limits, EvaluatorOptions options)
    : resolver_(resolver), limits_(limits), options_(std::move(options)) {}

DmarcResult Evaluator::evaluate_domain(std::string_view author_domain,
                                       const Identifiers& ids) const {
  DmarcResult r;
  r.discovery = method_of(options_);
  auto author = to_a_labels(author_domain);
  if (!author) {
    r.result = Result::PermError;
    r.reason_code = ReasonCode::DmarcFromUnparsable;
    r.reason = "Author Domain unusable: " + author.error().message;
    r.author_domain = message::excerpt(to_lower(author_domain), 253);
    r.organizational_domain = r.author_domain;
    return r;
  }
  r.author_domain = std::move(*author);
  r.author_domains.push_back(r.author_domain);
  const std::string_view a = r.author_domain;

  Evaluation ev(resolver_, options_, a);
  TreeWalk& walk = ev.author_walk();
  walk.step(ev.lookups());
  // A record at the Author Domain applies whatever lies above it (RFC 9989 §4.10.1); the rest of
  // the walk is needed only for the Organizational Domain, i.e. for relaxed alignment.
  const bool record_at_author = !walk.found().empty() && walk.found().front().name == a;
  if (!record_at_author) walk.run(ev.lookups());
  const auto finish_od = [&] {
    r.organizational_domain =
        walk.done() ? std::string(walk.organizational_domain()) : r.author_domain;
  };

  if (!record_at_author && walk.temporary_failure()) {
    r.result = Result::TempError;
    r.reason_code = walk.failure()->second;
    r.reason = walk.failure()->first;
    finish_od();
    return r;
  }
  const Found* applied = record_at_author ? &walk.found().front() : walk.policy_record();
  if (applied == nullptr) {
    r.result = Result::None;
    r.reason_code = ReasonCode::DmarcNoRecord;
    r.reason = concat({"no DMARC record for ", a});
    finish_od();
    return r;
  }
  r.policy_domain = std::string(applied->name);
  // Copied out of the answer's memo: the result outlives the cache entry.
  r.record = *applied->record;
  const Record& rec = *r.record;
  if (!rec.usable()) {
    r.result = Result::None;
    r.reason_code = ReasonCode::DmarcRecordUnusable;
    r.reason = concat({"the DMARC record at _dmarc.", r.policy_domain,
                       " has no valid p= (or an invalid sp=/np=) and no valid rua=, so DMARC "
                       "does not apply (RFC 9989 §4.10.1)"});
    finish_od();
    return r;
  }

  // Policy selection (RFC 9989 §4.10.1): p at the Author Domain; above it sp, or np when the
  // Author Domain does not exist. Its existence is asked only when the answer matters.
  std::optional<std::pair<std::string, ReasonCode>> policy_failure;
  Policy requested = rec.domain_policy();
  if (r.policy_domain != a) {
    const Policy on_existing = rec.subdomain_policy(true);
    const Policy on_missing = rec.subdomain_policy(false);
    requested = on_existing;
    // Any answer at _dmarc.<author> but NXDOMAIN proves the Author Domain exists (RFC 8020).
    if (on_existing != on_missing && walk.first_status() != dns::Status::Ok) {
      const dns::Answer& answer = ev.lookups().query(a, dns::RrType::TXT);
      if (answer.status == dns::Status::NxDomain) {
        requested = on_missing;
      } else if (answer.is_temporary_failure()) {
        policy_failure.emplace(dns_failure_reason(answer, a), dns_failure_code(answer));
      }
    }
  }
  r.requested_policy = requested;
  r.policy = rec.testing ? lower(requested) : requested;

  // Identifier Alignment (RFC 9989 §4.4): an SPF pass for the MAIL FROM (or HELO) domain, or the
  // d= of any DKIM signature that verified. Exact matches first: they need no walk.
  Aligned spf_aligned = Aligned::No;
  if (ids.spf && ids.spf->result == spf::Result::Pass && !ids.spf->domain.empty()) {
    r.spf_domain = to_lower(ids.spf->domain);
    spf_aligned = ev.aligned(r.spf_domain, rec.aspf);
  }
  Aligned dkim_aligned = Aligned::No;
  for (int round = 0; round < 2 && dkim_aligned != Aligned::Yes; ++round) {
    for (const DkimIdentity& d : ids.dkim) {
      if (d.result != dkim::Result::Pass || d.domain.empty()) continue;
      if (r.dkim_domain.empty()) r.dkim_domain = to_lower(d.domain);
      const bool exact = iequals(d.domain, a);
      if (round == 0 && !exact) continue;
      const Aligned al = ev.aligned(d.domain, round == 0 ? AlignmentMode::Strict : rec.adkim);
      if (al == Aligned::Yes) {
        dkim_aligned = Aligned::Yes;
        r.dkim_domain = to_lower(d.domain);
        break;
      }
      if (al == Aligned::Unknown) dkim_aligned = Aligned::Unknown;
    }
  }
  r.spf_aligned = spf_aligned == Aligned::Yes;
  r.dkim_aligned = dkim_aligned == Aligned::Yes;

  if (r.spf_aligned || r.dkim_aligned) {
    r.result = Result::Pass;
    r.reason_code = ReasonCode::None;
    std::string& why = r.reason;
    why.reserve(40 + r.dkim_domain.size() + r.spf_domain.size());
    why = "aligned";
    if (r.dkim_aligned) why.append(" DKIM pass d=").append(r.dkim_domain);
    if (r.spf_aligned)
      why.append(r.dkim_aligned ? " and SPF pass " : " SPF pass ").append(r.spf_domain);
  } else if (spf_aligned == Aligned::Unknown || dkim_aligned == Aligned::Unknown) {
    r.result = Result::TempError;
    r.reason_code = ev.failure() ? ev.failure()->second : ReasonCode::DnsServerFailure;
    r.reason = concat({"alignment undecided: ", ev.failure() ? ev.failure()->first : ""});
  } else if (policy_failure) {
    // The message fails, but which of sp and np applies depends on the failed query.
    r.result = Result::TempError;
    r.reason_code = policy_failure->second;
    r.reason = concat({"Author Domain existence (for np=) undecided: ", policy_failure->first});
  } else {
    r.result = Result::Fail;
    r.reason_code = ReasonCode::DmarcNotAligned;
    r.reason = not_aligned_reason(ids, rec);
    r.disposition = *r.policy;
    if (rec.testing && requested != Policy::None)
      r.overrides.push_back(OverrideReason::PolicyTestMode);
    if (!options_.trusted_arc_sealers.empty() && ids.arc != nullptr) {
      if (auto why = trusted_forwarder(ev, rec, *ids.arc, options_.trusted_arc_sealers)) {
        r.disposition = Policy::None;
        r.overrides.push_back(OverrideReason::TrustedForwarder);
        r.reason_code = ReasonCode::DmarcTrustedForwarder;
        r.reason = concat({r.reason, "; accepted: ", *why});
      }
    }
  }
  finish_od();
  return r;
}

DmarcResult Evaluator::evaluate(std::span<const std::string> from_values,
                                const Identifiers& ids) const {
  auto domains = author_domains(from_values, limits_);
  if (!domains) {
    DmarcResult r;
    r.discovery = method_of(options_);
    r.result = Result::PermError;
    r.reason_code = author_domain_reason(domains.error());
    r.reason = domains.error().message;
    return r;
  }
  DmarcResult best = evaluate_domain(domains->front(), ids);
  for (std::size_t i = 1; i < domains->size(); ++i) {
    DmarcResult next = evaluate_domain((*domains)[i], ids);
    if (severity(next) > severity(best)) best = std::move(next);
  }
  best.author_domains = std::move(*domains);
  return best;
}

Discovery Evaluator::discover(std::string_view domain) const {
  Discovery d;
  d.method = method_of(options_);
  auto name = to_a_labels(domain);
  if (!name) {
    d.domain = message::excerpt(to_lower(domain), 253);
    d.organizational_domain = d.domain;
    d.reason = name.error().message;
    d.reason_code = ReasonCode::DmarcFromUnparsable;
    return d;
  }
  d.domain = std::move(*name);
  Lookups lookups(resolver_);
  TreeWalk walk(d.domain, true, d.method == DiscoveryMethod::Psl ? options_.psl.get() : nullptr);
  walk.run(lookups);
  d.queries = lookups.queries();
  d.steps = std::move(walk.steps());
  d.warnings = std::move(walk.warnings());
  d.organizational_domain = std::string(walk.organizational_domain());
  if (const Found* applied = walk.policy_record()) {
    d.record = *applied->record;
    d.policy_domain = std::string(applied->name);
  }
  if (walk.temporary_failure()) {
    d.temporary_failure = true;
    d.reason = walk.failure()->first;
    d.reason_code = walk.failure()->second;
  } else if (!d.record) {
    d.reason = concat({"no DMARC record applies to ", d.domain});
    d.reason_code = ReasonCode::DmarcNoRecord;
  }
  return d;
}

std::string Evaluator::organizational_domain(std::string_view domain) const {
  auto name = to_a_labels(domain);
  if (!name) return to_lower(domain);
  if (method_of(options_) == DiscoveryMethod::Psl)
    return options_.psl->organizational_domain(*name);
  Lookups lookups(resolver_);
  TreeWalk walk(*name, false);
  walk.run(lookups);
  return std::string(walk.organizational_domain());
}

void Evaluator::prefetch(std::string_view domain) const {
  if (auto name = to_a_labels(domain)) resolver_.prefetch("_dmarc." + *name, dns::RrType::TXT);
}

}  // namespace auth::dmarc
