// check_host() (RFC 7208 §4) and the mechanisms (§5), modifiers (§6) and limits (§4.6.4).
#include <algorithm>
#include <array>
#include <expected>
#include <map>
#include <span>

#include <auth/domain_name.hpp>
#include <auth/spf.hpp>

#include "spf/macro.hpp"
#include "spf/quote.hpp"
#include "spf/record.hpp"
#include "spf/selected_record.hpp"
#include "spf/time_budget.hpp"

namespace auth::spf {
namespace {

using dns::RrType;

// include/redirect nesting is bounded by the lookup limit; this guards configurations that
// raise that limit very high.
constexpr unsigned max_depth = 64;

// A check_host() that ends early: temperror or permerror, with the reason.
struct Failure {
  Result result;
  std::string reason;
  ReasonCode code = ReasonCode::None;
};
std::unexpected<Failure> temperror(ReasonCode code, std::string reason) {
  return std::unexpected(Failure{Result::TempError, std::move(reason), code});
}
std::unexpected<Failure> permerror(ReasonCode code, std::string reason) {
  return std::unexpected(Failure{Result::PermError, std::move(reason), code});
}

struct Evaluation {
  Result result = Result::None;
  std::string mechanism;
  std::string explanation;
  std::string reason;
  ReasonCode code = ReasonCode::None;
};

std::string_view strip_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

// "example.com", "mail.example.com" under "example.com", case-insensitively.
bool is_within(std::string_view name, std::string_view target) {
  name = strip_dot(name);
  target = strip_dot(target);
  if (name.size() < target.size()) return false;
  if (!iequals(name.substr(name.size() - target.size()), target)) return false;
  return name.size() == target.size() || name[name.size() - target.size() - 1] == '.';
}

// §4.3: a multi-label name of valid length, not a domain literal.
bool is_valid_check_domain(std::string_view domain) {
  domain = strip_dot(domain);
  if (!is_queryable_name(domain) || domain.find('.') == std::string_view::npos) return false;
  return std::none_of(domain.begin(), domain.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '[' || c == ']';
  });
}

class Evaluator {
 public:
  Evaluator(dns::Resolver& resolver, const Limits& limits, const CheckerOptions& options,
            const IpAddress& ip, std::string_view local_part, std::string_view sender_domain,
            std::string_view helo, std::int64_t timestamp)
      : resolver_(resolver),
        limits_(limits),
        options_(options),
        ip_(ip),
        local_part_(local_part),
        sender_domain_(sender_domain),
        sender_(std::string(local_part) + "@" + std::string(sender_domain)),
        helo_(helo),
        timestamp_(timestamp) {}

  // `outer`: the result is check_host()'s own (not an include's), so it carries the matched
  // mechanism, the reason text and, for fail, the explanation.
  Evaluation check_host(std::string_view domain, unsigned depth, bool outer);

  unsigned lookups() const { return lookups_; }
  unsigned void_lookups() const { return void_lookups_; }
  std::string take_sender() { return std::move(sender_); }

 private:
  MacroValues values(std::string_view domain) {
    MacroValues v;
    v.sender = sender_;
    v.local_part = local_part_;
    v.sender_domain = sender_domain_;
    v.domain = domain;
    v.helo = helo_;
    v.receiving_host = options_.receiving_host;
    v.ip = ip_;
    v.timestamp = timestamp_;
    v.validated_name = [this, domain] { return validated_name(domain); };
    return v;
  }

  RrType address_type() const { return ip_.is_v4() ? RrType::A : RrType::AAAA; }

  std::expected<void, Failure> count_term(std::string_view term, std::string_view prefix = {}) {
    if (++lookups_ > limits_.spf_dns_lookups)
      return permerror(ReasonCode::SpfLookupLimit,
                       "more than " + std::to_string(limits_.spf_dns_lookups) +
                           " DNS-querying terms (at " +
                           quote(std::string(prefix) + std::string(term)) + ")");
    return {};
  }

  // A query whose temporary failure ends check_host() with temperror, and whose empty
  // answer counts as a void lookup (§4.6.4). Shared, not copied, out of a cache.
  std::expected<std::shared_ptr<const dns::SharedAnswer>, Failure> query(std::string_view name,
                                                                         RrType type) {
    auto shared = resolver_.query_shared(name, type);
    const dns::Answer& answer = shared->answer();
    if (answer.is_temporary_failure())
      return temperror(
          answer.status == dns::Status::Timeout ? ReasonCode::DnsTimeout
                                                : ReasonCode::DnsServerFailure,
          "DNS " +
              std::string(answer.status == dns::Status::Timeout ? "timeout" : "server failure") +
              " for " + std::string(name));
    if (answer.status == dns::Status::NxDomain || answer.empty()) {
      if (++void_lookups_ > limits_.spf_void_lookups)
        return permerror(ReasonCode::SpfVoidLookupLimit,
                         "more than " + std::to_string(limits_.spf_void_lookups) +
                             " void DNS lookups (at " + std::string(name) + ")");
    }
    return shared;
  }

  // A mechanism's target: a view of <domain> or of the record when no macro needs expanding
  // (the common case, which then copies nothing), the expanded name otherwise.
  struct TargetName {
    std::string_view literal;
    std::optional<std::string> expanded;
    std::string_view str() const { return expanded ? std::string_view(*expanded) : literal; }
  };
  std::expected<TargetName, Failure> target_name(const Directive& d, std::string_view domain) {
    if (d.domain_spec.empty()) return TargetName{strip_dot(domain), std::nullopt};
    const std::string_view literal = strip_dot(d.domain_spec);
    if (d.domain_spec.find('%') == std::string_view::npos && literal.size() <= 253)
      return TargetName{literal, std::nullopt};
    auto name = expand_domain(d.domain_spec, values(domain));
    if (!name) return permerror(ReasonCode::SpfSyntax, name.error().message);
    return TargetName{{}, std::move(*name)};
  }

  bool address_matches(const std::vector<IpAddress>& addresses, unsigned cidr4,
                       unsigned cidr6) const {
    const unsigned prefix = ip_.is_v4() ? cidr4 : cidr6;
    return std::any_of(addresses.begin(), addresses.end(),
                       [&](const IpAddress& a) { return ip_.in_network(a.unmapped(), prefix); });
  }

  std::expected<bool, Failure> matches(const Directive& d, std::string_view domain, unsigned depth);
  std::expected<bool, Failure> match_a(const Directive& d, std::string_view domain);
  std::expected<bool, Failure> match_mx(const Directive& d, std::string_view domain);
  std::expected<bool, Failure> match_ptr(const Directive& d, std::string_view domain);
  std::expected<bool, Failure> match_exists(const Directive& d, std::string_view domain);
  std::expected<bool, Failure> match_include(const Directive& d, std::string_view domain,
                                             unsigned depth);
  std::string explanation(const Record& record, std::string_view domain);
  std::string validated_name(std::string_view domain);
  std::string find_validated_name(std::string_view domain);

  dns::Resolver& resolver_;
  const Limits& limits_;
  const CheckerOptions& options_;
  IpAddress ip_;
  std::string_view local_part_, sender_domain_;  // the caller's, alive for the whole check
  std::string sender_;
  std::string_view helo_;
  std::int64_t timestamp_;
  unsigned lookups_ = 0;
  unsigned void_lookups_ = 0;
  std::map<std::string, std::string, std::less<>> validated_names_;  // %{p} by <domain>
};

Evaluation from_failure(Failure f) {
  Evaluation e;
  e.result = f.result;
  e.reason = std::move(f.reason);
  e.code = f.code;
  return e;
}

// NOLINTNEXTLINE(misc-no-recursion): include and redirect recurse, bounded by max_depth
Evaluation Evaluator::check_host(std::string_view domain, unsigned depth, bool outer) {
  domain = strip_dot(domain);
  if (!is_valid_check_domain(domain))
    return Evaluation{Result::None,
                      {},
                      {},
                      "not a valid multi-label domain name: " + quote(domain),
                      ReasonCode::SpfBadDomain};
  if (depth > max_depth)
    return from_failure(
        {Result::PermError, "include/redirect nesting too deep", ReasonCode::SpfLookupLimit});

  // §4.4: TXT only.
  const auto txt = resolver_.query_shared(domain, RrType::TXT);
  const dns::Answer& answer = txt->answer();
  if (answer.is_temporary_failure())
    return from_failure(
        {Result::TempError,
         "DNS " +
             std::string(answer.status == dns::Status::Timeout ? "timeout" : "server failure") +
             " looking up TXT " + std::string(domain),
         answer.status == dns::Status::Timeout ? ReasonCode::DnsTimeout
                                               : ReasonCode::DnsServerFailure});
  if (answer.status == dns::Status::NxDomain)
    return Evaluation{Result::None,
                      {},
                      {},
                      "domain " + std::string(domain) + " does not exist",
                      ReasonCode::SpfNoRecord};
  // §4.5: exactly one record starting "v=spf1"; selected and parsed once per cached answer.
  std::optional<SelectedRecord> unshared;
  const SelectedRecord& selected = select_record(*txt, unshared);
  const std::size_t count = selected.count;
  if (count == 0)
    return Evaluation{
        Result::None, {}, {}, "no SPF record at " + std::string(domain), ReasonCode::SpfNoRecord};
  if (count > 1)
    return from_failure({Result::PermError,
                         std::to_string(count) + " SPF records at " + std::string(domain),
                         ReasonCode::SpfMultipleRecords});
  const Expected<Record>& record = selected.record;
  if (!record)
    return from_failure({Result::PermError, record.error().message, ReasonCode::SpfSyntax});

  for (const Directive& d : record->directives) {
    auto matched = matches(d, domain, depth);
    if (!matched) return from_failure(std::move(matched.error()));
    if (!*matched) continue;
    Evaluation e;
    e.result = result_of(d.qualifier);
    if (!outer) return e;  // an include's verdict: nobody reads its texts
    e.mechanism = std::string(d.text);
    e.reason.reserve(d.text.size() + domain.size() + 16);
    e.reason += "matched ";
    append_quoted(e.reason, d.text);
    e.reason += " at ";
    e.reason += domain;
    e.code = ReasonCode::SpfMatched;
    if (e.result == Result::Fail) e.explanation = explanation(*record, domain);
    return e;
  }
  // §6.1: redirect applies only when no mechanism matched.
  if (record->redirect) {
    if (auto ok = count_term(*record->redirect, "redirect="); !ok)
      return from_failure(std::move(ok.error()));
    auto target = expand_domain(*record->redirect, values(domain));
    if (!target)
      return from_failure({Result::PermError, target.error().message, ReasonCode::SpfSyntax});
    Evaluation e = check_host(*target, depth + 1, outer);
    if (e.result == Result::None) {
      e.result = Result::PermError;
      e.reason = "redirect=" + *target + ": " + e.reason;
      e.code = ReasonCode::SpfIncludeNone;
    }
    return e;
  }
  if (!outer) return Evaluation{Result::Neutral, {}, {}, {}, ReasonCode::SpfDefault};
  return Evaluation{Result::Neutral,
                    "default",
                    {},
                    "no mechanism matched at " + std::string(domain),
                    ReasonCode::SpfDefault};
}

// NOLINTNEXTLINE(misc-no-recursion): part of check_host's recursion, bounded by max_depth
std::expected<bool, Failure> Evaluator::matches(const Directive& d, std::string_view domain,
                                                unsigned depth) {
  if (d.queries_dns()) {
    if (auto ok = count_term(d.text); !ok) return std::unexpected(std::move(ok.error()));
  }
  switch (d.kind) {
    case MechanismKind::All:
      return true;
    case MechanismKind::Ip4:
    case MechanismKind::Ip6: {
      if (ip_.is_v4() != (d.kind == MechanismKind::Ip4)) return false;
      return ip_.in_network(d.network, ip_.is_v4() ? d.cidr4 : d.cidr6);
    }
    case MechanismKind::A:
      return match_a(d, domain);
    case MechanismKind::Mx:
      return match_mx(d, domain);
    case MechanismKind::Ptr:
      return match_ptr(d, domain);
    case MechanismKind::Exists:
      return match_exists(d, domain);
    case MechanismKind::Include:
      return match_include(d, domain, depth);
  }
  return false;
}

// Target names that cannot be queried (empty or long labels, §4.8) match nothing.
std::expected<bool, Failure> Evaluator::match_a(const Directive& d, std::string_view domain) {
  auto target = target_name(d, domain);
  if (!target) return std::unexpected(std::move(target.error()));
  if (!is_queryable_name(target->str())) return false;
  auto answer = query(target->str(), address_type());
  if (!answer) return std::unexpected(std::move(answer.error()));
  return address_matches((*answer)->answer().addresses, d.cidr4, d.cidr6);
}

std::expected<bool, Failure> Evaluator::match_mx(const Directive& d, std::string_view domain) {
  auto target = target_name(d, domain);
  if (!target) return std::unexpected(std::move(target.error()));
  if (!is_queryable_name(target->str())) return false;
  auto answer = query(target->str(), RrType::MX);
  if (!answer) return std::unexpected(std::move(answer.error()));
  // By preference, without copying the records (they may be the cache's) and, for the usual
  // handful of them, without allocating.
  const auto& records = (*answer)->answer().mx;
  std::array<const dns::MxRecord*, 16> few{};
  std::vector<const dns::MxRecord*> many;
  if (records.size() > few.size()) many.resize(records.size());
  const std::span<const dns::MxRecord*> mx =
      many.empty() ? std::span(few.data(), records.size()) : std::span(many);
  std::transform(records.begin(), records.end(), mx.begin(), [](const auto& r) { return &r; });
  const auto by_preference = [](const auto* x, const auto* y) {
    return x->preference < y->preference;
  };
  if (many.empty()) {
    // Insertion sort: stable, and std::stable_sort would allocate its buffer.
    for (std::size_t i = 1; i < mx.size(); ++i)
      for (std::size_t j = i; j > 0 && by_preference(mx[j], mx[j - 1]); --j)
        std::swap(mx[j], mx[j - 1]);
  } else {
    std::stable_sort(mx.begin(), mx.end(), by_preference);
  }
  for (std::size_t i = 0; i < mx.size(); ++i) {
    const auto& record = *mx[i];
    if (record.exchange.empty()) continue;  // null MX (RFC 7505)
    // §4.6.4: looking up an 11th MX host's addresses exceeds the limit: permerror. A match among
    // the first ten ends the mechanism before that.
    if (i >= limits_.spf_mx_names)
      return permerror(ReasonCode::SpfLookupLimit, std::to_string(mx.size()) + " MX records at " +
                                                       std::string(target->str()) + " (limit " +
                                                       std::to_string(limits_.spf_mx_names) + ")");
    const auto shared = resolver_.query_shared(record.exchange, address_type());
    const dns::Answer& addresses = shared->answer();
    if (addresses.is_temporary_failure())
      return temperror(addresses.status == dns::Status::Timeout ? ReasonCode::DnsTimeout
                                                                : ReasonCode::DnsServerFailure,
                       "DNS failure looking up MX host " + record.exchange);
    if (address_matches(addresses.addresses, d.cidr4, d.cidr6)) return true;
  }
  return false;
}

std::expected<bool, Failure> Evaluator::match_ptr(const Directive& d, std::string_view domain) {
  auto target = target_name(d, domain);
  if (!target) return std::unexpected(std::move(target.error()));
  if (!is_queryable_name(target->str())) return false;
  const std::string reverse = ip_.reverse_name();
  const dns::Answer answer = resolver_.query(reverse, RrType::PTR);
  // §5.5: a DNS error on the PTR lookup makes the mechanism not match.
  if (answer.is_temporary_failure()) return false;
  if (answer.status == dns::Status::NxDomain || answer.empty()) {
    if (++void_lookups_ > limits_.spf_void_lookups)
      return permerror(ReasonCode::SpfVoidLookupLimit,
                       "more than " + std::to_string(limits_.spf_void_lookups) +
                           " void DNS lookups (at " + reverse + ")");
    return false;
  }
  const std::size_t n = std::min<std::size_t>(answer.names.size(), limits_.spf_ptr_names);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& name = answer.names[i];
    if (!is_within(name, target->str())) continue;
    // §5.5: an error validating one name skips that name.
    const dns::Answer addresses = resolver_.query(name, address_type());
    if (!addresses.ok()) continue;
    if (address_matches(addresses.addresses, 128, 128)) return true;
  }
  return false;
}

std::expected<bool, Failure> Evaluator::match_exists(const Directive& d, std::string_view domain) {
  auto target = target_name(d, domain);
  if (!target) return std::unexpected(std::move(target.error()));
  if (!is_queryable_name(target->str())) return false;
  // §5.7: always an A query, whatever the client's family.
  auto answer = query(target->str(), RrType::A);
  if (!answer) return std::unexpected(std::move(answer.error()));
  return !(*answer)->answer().addresses.empty();
}

// NOLINTNEXTLINE(misc-no-recursion): part of check_host's recursion, bounded by max_depth
std::expected<bool, Failure> Evaluator::match_include(const Directive& d, std::string_view domain,
                                                      unsigned depth) {
  auto target = target_name(d, domain);
  if (!target) return std::unexpected(std::move(target.error()));
  const Evaluation inner = check_host(target->str(), depth + 1, false);
  switch (inner.result) {
    case Result::Pass:
      return true;
    case Result::Fail:
    case Result::SoftFail:
    case Result::Neutral:
      return false;
    case Result::TempError:
      return temperror(inner.code, inner.reason);
    case Result::PermError:
      return permerror(inner.code, inner.reason);
    case Result::None:
      return permerror(ReasonCode::SpfIncludeNone,
                       "include:" + std::string(target->str()) + ": " + inner.reason);
  }
  return false;
}

// §6.2: problems with exp= fall back to the default explanation; its lookup is not a term and
// not a void lookup.
std::string Evaluator::explanation(const Record& record, std::string_view domain) {
  const MacroValues v = values(domain);
  if (record.exp) {
    auto target = expand_domain(*record.exp, v);
    if (target && is_queryable_name(*target)) {
      const dns::Answer answer = resolver_.query(*target, RrType::TXT);
      if (answer.ok() && answer.txt.size() == 1) {
        auto text = expand(answer.txt.front(), MacroContext::Explanation, v);
        if (text) return *text;
      }
    }
  }
  auto text = expand(options_.default_explanation, MacroContext::Explanation, v);
  return text ? *text : options_.default_explanation;
}

// §7.3 %{p}: a PTR name whose A/AAAA records include the client; a name within <domain> is
// preferred. Lookup failures give "unknown".
std::string Evaluator::validated_name(std::string_view domain) {
  const auto cached = validated_names_.find(domain);
  if (cached != validated_names_.end()) return cached->second;
  std::string name = find_validated_name(domain);
  validated_names_.emplace(std::string(domain), name);
  return name;
}

std::string Evaluator::find_validated_name(std::string_view domain) {
  const dns::Answer answer = resolver_.query(ip_.reverse_name(), RrType::PTR);
  if (!answer.ok()) return "unknown";
  std::string first_valid;
  const std::size_t n = std::min<std::size_t>(answer.names.size(), limits_.spf_ptr_names);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name(strip_dot(answer.names[i]));
    const dns::Answer addresses = resolver_.query(name, address_type());
    if (!addresses.ok() || !address_matches(addresses.addresses, 128, 128)) continue;
    if (is_within(name, domain)) return name;
    if (first_valid.empty()) first_valid = name;
  }
  return first_valid.empty() ? "unknown" : first_valid;
}

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

// "<local@domain>", "local@domain", "@domain", "domain", "" -> (local part, domain).
std::pair<std::string_view, std::string_view> split_sender(std::string_view sender) {
  const auto at = sender.rfind('@');
  if (at == std::string_view::npos) return {{}, sender};
  return {sender.substr(0, at), sender.substr(at + 1)};
}

}  // namespace

Checker::Checker(dns::Resolver& resolver, const Limits& limits, const Clock& clock,
                 CheckerOptions options)
    : resolver_(resolver), limits_(limits), clock_(clock), options_(std::move(options)) {}

Checker::Checker(dns::Resolver& resolver, const Limits& limits, CheckerOptions options)
    : Checker(resolver, limits, system_clock(), std::move(options)) {}

SpfResult Checker::check_host(const IpAddress& ip, std::string_view domain, std::string_view sender,
                              std::string_view helo) const {
  auto [local_part, sender_domain] = split_sender(sender);
  if (sender_domain.empty()) sender_domain = domain;
  if (local_part.empty()) local_part = "postmaster";  // §4.3
  SpfResult out;
  out.ip = ip.unmapped();  // §5: IPv4-mapped clients are IPv4 clients
  out.helo = std::string(helo);
  out.domain = to_lower(strip_dot(domain));
  TimeBudgetResolver budget(resolver_, clock_, limits_.spf_time_budget);
  Evaluator evaluator(budget, limits_, options_, out.ip, local_part, sender_domain, helo,
                      to_unix(clock_.now()));
  Evaluation e = evaluator.check_host(domain, 0, true);
  out.result = e.result;
  out.sender = evaluator.take_sender();
  out.mechanism = std::move(e.mechanism);
  out.explanation = std::move(e.explanation);
  out.reason = std::move(e.reason);
  out.reason_code = e.code;
  out.lookups = evaluator.lookups();
  out.void_lookups = evaluator.void_lookups();
  if (budget.exhausted()) {
    // §4.6.4: whatever the refused queries led to, the check was cut short.
    out.result = Result::TempError;
    out.mechanism.clear();
    out.explanation.clear();
    out.reason = "SPF check took longer than its time budget (" +
                 std::to_string(limits_.spf_time_budget.count()) + " s)";
    out.reason_code = ReasonCode::SpfTimeBudget;
  }
  return out;
}

SpfResult Checker::check_mail_from(const IpAddress& ip, std::string_view mail_from,
                                   std::string_view helo) const {
  if (mail_from.size() >= 2 && mail_from.front() == '<' && mail_from.back() == '>')
    mail_from = mail_from.substr(1, mail_from.size() - 2);
  // A source route (<@a,@b:user@domain>) is not part of the identity.
  if (!mail_from.empty() && mail_from.front() == '@') {
    if (const auto colon = mail_from.find(':'); colon != std::string_view::npos)
      mail_from = mail_from.substr(colon + 1);
  }
  if (mail_from.empty()) {
    // §2.4: a null reverse-path checks postmaster@<HELO>.
    SpfResult r = check_host(ip, helo, {}, helo);
    r.identity = Identity::MailFrom;
    return r;
  }
  SpfResult r = check_host(ip, split_sender(mail_from).second, mail_from, helo);
  r.identity = Identity::MailFrom;
  return r;
}

SpfResult Checker::check_helo(const IpAddress& ip, std::string_view helo) const {
  SpfResult r = check_host(ip, helo, {}, helo);
  r.identity = Identity::Helo;
  return r;
}

}  // namespace auth::spf
