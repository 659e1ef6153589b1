#include "spf/record.hpp"

#include <auth/domain_name.hpp>

#include "spf/macro.hpp"
#include "spf/quote.hpp"

namespace auth::spf {
namespace {

constexpr std::string_view version_tag = "v=spf1";

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.'; }

// ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6 likewise up to 128. No leading zeros.
Expected<unsigned> parse_cidr(std::string_view digits, unsigned max, std::string_view term) {
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
    return fail(ErrorCode::Syntax, "invalid CIDR length in " + quote(term));
  unsigned value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return fail(ErrorCode::Syntax, "invalid CIDR length in " + quote(term));
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return fail(ErrorCode::Syntax, "CIDR length out of range in " + quote(term));
  return value;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// Splits a trailing dual-cidr-length ("/24", "//64", "/24//64") off `rest`.
Expected<void> take_dual_cidr(std::string_view& rest, Directive& d, std::string_view term) {
  const auto dslash = rest.rfind("//");
  if (dslash != std::string_view::npos && all_digits(rest.substr(dslash + 2))) {
    auto v6 = parse_cidr(rest.substr(dslash + 2), 128, term);
    if (!v6) return std::unexpected(std::move(v6.error()));
    d.cidr6 = *v6;
    rest = rest.substr(0, dslash);
  }
  const auto slash = rest.rfind('/');
  if (slash != std::string_view::npos && all_digits(rest.substr(slash + 1))) {
    auto v4 = parse_cidr(rest.substr(slash + 1), 32, term);
    if (!v4) return std::unexpected(std::move(v4.error()));
    d.cidr4 = *v4;
    rest = rest.substr(0, slash);
  }
  return {};
}

Expected<void> parse_ip_mechanism(std::string_view rest, Directive& d, std::string_view term) {
  const bool v4 = d.kind == MechanismKind::Ip4;
  if (rest.empty() || rest.front() != ':')
    return fail(ErrorCode::Syntax, "missing address in " + quote(term));
  rest.remove_prefix(1);
  std::string_view address = rest;
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    address = rest.substr(0, slash);
    auto cidr = parse_cidr(rest.substr(slash + 1), v4 ? 32 : 128, term);
    if (!cidr) return std::unexpected(std::move(cidr.error()));
    (v4 ? d.cidr4 : d.cidr6) = *cidr;
  }
  // ip4 networks are dotted quads (no ':'); ip6 networks are IPv6 text.
  if (v4 == (address.find(':') != std::string_view::npos))
    return fail(ErrorCode::Syntax, "invalid address in " + quote(term));
  auto ip = IpAddress::parse(address);
  if (!ip) return fail(ErrorCode::Syntax, "invalid address in " + quote(term));
  d.network = *ip;
  return {};
}

Expected<Directive> parse_directive(std::string_view term) {
  Directive d;
  d.text = term;
  std::string_view rest = term;
  switch (rest.front()) {
    case '+':
      d.qualifier = Qualifier::Pass;
      rest.remove_prefix(1);
      break;
    case '-':
      d.qualifier = Qualifier::Fail;
      rest.remove_prefix(1);
      break;
    case '~':
      d.qualifier = Qualifier::SoftFail;
      rest.remove_prefix(1);
      break;
    case '?':
      d.qualifier = Qualifier::Neutral;
      rest.remove_prefix(1);
      break;
    default:
      break;
  }
  std::size_t name_end = 0;
  while (name_end < rest.size() && rest[name_end] != ':' && rest[name_end] != '/') ++name_end;
  const std::string_view name = rest.substr(0, name_end);
  rest.remove_prefix(name_end);

  if (iequals(name, "all")) {
    d.kind = MechanismKind::All;
    if (!rest.empty()) return fail(ErrorCode::Syntax, "'all' takes no argument: " + quote(term));
    return d;
  }
  if (iequals(name, "ip4") || iequals(name, "ip6")) {
    d.kind = iequals(name, "ip4") ? MechanismKind::Ip4 : MechanismKind::Ip6;
    auto ok = parse_ip_mechanism(rest, d, term);
    if (!ok) return std::unexpected(std::move(ok.error()));
    return d;
  }
  bool domain_required = false, cidr_allowed = false;
  if (iequals(name, "include")) {
    d.kind = MechanismKind::Include;
    domain_required = true;
  } else if (iequals(name, "exists")) {
    d.kind = MechanismKind::Exists;
    domain_required = true;
  } else if (iequals(name, "a")) {
    d.kind = MechanismKind::A;
    cidr_allowed = true;
  } else if (iequals(name, "mx")) {
    d.kind = MechanismKind::Mx;
    cidr_allowed = true;
  } else if (iequals(name, "ptr")) {
    d.kind = MechanismKind::Ptr;
  } else {
    return fail(ErrorCode::Syntax, "unknown mechanism " + quote(term));
  }
  if (cidr_allowed) {
    auto ok = take_dual_cidr(rest, d, term);
    if (!ok) return std::unexpected(std::move(ok.error()));
  }
  if (rest.empty()) {
    if (domain_required) return fail(ErrorCode::Syntax, "missing domain-spec in " + quote(term));
    return d;
  }
  if (rest.front() != ':') return fail(ErrorCode::Syntax, "malformed mechanism " + quote(term));
  rest.remove_prefix(1);
  auto spec = check_domain_spec(rest);
  if (!spec) return fail(ErrorCode::Syntax, spec.error().message + " in " + quote(term));
  d.domain_spec = rest;
  return d;
}

}  // namespace

Result result_of(Qualifier qualifier) {
  switch (qualifier) {
    case Qualifier::Pass:
      return Result::Pass;
    case Qualifier::Fail:
      return Result::Fail;
    case Qualifier::SoftFail:
      return Result::SoftFail;
    case Qualifier::Neutral:
      return Result::Neutral;
  }
  return Result::Neutral;
}

bool is_spf_record(std::string_view txt) {
  return txt.size() >= version_tag.size() &&
         iequals(txt.substr(0, version_tag.size()), version_tag) &&
         (txt.size() == version_tag.size() || txt[version_tag.size()] == ' ');
}

Expected<Record> parse_record(std::string_view txt) {
  if (!is_spf_record(txt)) return fail(ErrorCode::Syntax, "record does not start with v=spf1");
  Record record;
  std::string_view rest = txt.substr(version_tag.size());
  while (!rest.empty()) {
    // terms = *( 1*SP ( directive / modifier ) ); record = version terms *SP
    if (rest.front() == ' ') {
      rest.remove_prefix(1);
      continue;
    }
    const auto end = rest.find(' ');
    const std::string_view term = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    for (char c : term) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x21 || u > 0x7e)
        return fail(ErrorCode::Syntax, "record contains a byte that is not visible ASCII");
    }
    // modifier = name "=" macro-string, where name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
    std::size_t n = 0;
    while (n < term.size() && is_name_char(term[n])) ++n;
    if (n > 0 && n < term.size() && term[n] == '=' && is_alpha(term[0])) {
      const std::string_view name = term.substr(0, n);
      const std::string_view value = term.substr(n + 1);
      const bool redirect = iequals(name, "redirect");
      if (redirect || iequals(name, "exp")) {
        auto& slot = redirect ? record.redirect : record.exp;
        if (slot) return fail(ErrorCode::Syntax, "duplicate " + to_lower(name) + "= modifier");
        auto spec = check_domain_spec(value);
        if (!spec) return fail(ErrorCode::Syntax, spec.error().message + " in " + quote(term));
        slot = value;
      } else {
        // Unknown modifiers are ignored (§6) but their value must be a valid macro-string.
        auto ok = check_macro_string(value, MacroContext::DomainSpec);
        if (!ok) return fail(ErrorCode::Syntax, ok.error().message + " in " + quote(term));
      }
      continue;
    }
    auto directive = parse_directive(term);
    if (!directive) return std::unexpected(std::move(directive.error()));
    record.directives.push_back(*directive);
  }
  return record;
}

}  // namespace auth::spf
