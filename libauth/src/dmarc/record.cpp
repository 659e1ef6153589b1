// DMARC Policy Records (RFC 9989 §4.7, §4.8): v=DMARC1 first and exact; every other problem
// falls back to the default and is listed, never fatal.
#include <auth/dmarc.hpp>
#include <auth/domain_name.hpp>

#include <array>

#include "dmarc/report_uri.hpp"
#include "message/excerpt.hpp"

namespace auth::dmarc {
namespace {

using message::concat;
using message::quoted_excerpt;

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

bool all_alpha(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// dmarc-value = %x20-3A / %x3C-7E (';' cannot occur: it separates tags).
bool printable_value(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) return false;
  return true;
}

std::optional<Policy> parse_policy(std::string_view v) {
  if (iequals(v, "none")) return Policy::None;
  if (iequals(v, "quarantine")) return Policy::Quarantine;
  if (iequals(v, "reject")) return Policy::Reject;
  return std::nullopt;
}

std::optional<AlignmentMode> parse_mode(std::string_view v) {
  if (iequals(v, "r")) return AlignmentMode::Relaxed;
  if (iequals(v, "s")) return AlignmentMode::Strict;
  return std::nullopt;
}

std::optional<PsdFlag> parse_psd(std::string_view v) {
  if (iequals(v, "y")) return PsdFlag::Yes;
  if (iequals(v, "n")) return PsdFlag::No;
  if (iequals(v, "u")) return PsdFlag::Unspecified;
  return std::nullopt;
}

std::optional<bool> parse_yorn(std::string_view v) {
  if (iequals(v, "y")) return true;
  if (iequals(v, "n")) return false;
  return std::nullopt;
}

// dmarc-fo: colon-separated 0, 1, d, s; "0" and "1" exclusive, each value at most once.
std::optional<FailureOptions> parse_fo(std::string_view v) {
  FailureOptions fo;
  fo.all_fail = false;
  std::array<int, 4> seen{};  // 0, 1, d, s
  for (std::size_t start = 0;;) {
    const auto colon = v.find(':', start);
    const auto item =
        trim_wsp(v.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (item.size() != 1) return std::nullopt;
    const char c = static_cast<char>(item[0] | 0x20);
    const int index = c == '0' ? 0 : c == '1' ? 1 : c == 'd' ? 2 : c == 's' ? 3 : -1;
    if (index < 0 || seen[static_cast<std::size_t>(index)]++ != 0) return std::nullopt;
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (seen[0] != 0 && seen[1] != 0) return std::nullopt;
  fo.all_fail = seen[0] != 0;
  fo.any_fail = seen[1] != 0;
  fo.dkim = seen[2] != 0;
  fo.spf = seen[3] != 0;
  return fo;
}

// dmarc-urilist: URIs separated by commas with optional WSP around them. Invalid ones are
// skipped with a warning; false when none is valid.
bool parse_urilist(std::string_view tag, std::string_view v, std::vector<ReportUri>& out,
                   std::vector<std::string>& warnings) {
  for (std::size_t start = 0;;) {
    const auto comma = v.find(',', start);
    const auto item =
        trim_wsp(v.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (auto uri = parse_report_uri(item)) {
      if (uri->scheme == "mailto" && uri->address.empty())
        warnings.push_back(concat({tag, "= URI ", quoted_excerpt(item, '\''),
                                   " has no e-mail address; no report can be sent to it"}));
      out.push_back(std::move(*uri));
    } else {
      warnings.push_back(concat({"invalid URI in ", tag, "= ignored: ", uri.error().message}));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return !out.empty();
}

constexpr std::array<std::string_view, 10> known_tags = {"p",    "sp",  "np",  "psd", "adkim",
                                                         "aspf", "rua", "ruf", "fo",  "t"};
constexpr std::array<std::string_view, 3> removed_tags = {"pct", "rf", "ri"};

bool contains(auto& list, std::string_view name) {
  for (auto t : list)
    if (t == name) return true;
  return false;
}

}  // namespace

std::string_view to_string(Result result) {
  switch (result) {
    case Result::None:
      return "none";
    case Result::Pass:
      return "pass";
    case Result::Fail:
      return "fail";
    case Result::TempError:
      return "temperror";
    case Result::PermError:
      return "permerror";
  }
  return "none";
}

std::string_view to_string(Policy policy) {
  switch (policy) {
    case Policy::None:
      return "none";
    case Policy::Quarantine:
      return "quarantine";
    case Policy::Reject:
      return "reject";
  }
  return "none";
}

std::string_view to_string(AlignmentMode mode) { return mode == AlignmentMode::Strict ? "s" : "r"; }

std::string_view to_string(PsdFlag flag) {
  switch (flag) {
    case PsdFlag::Yes:
      return "y";
    case PsdFlag::No:
      return "n";
    case PsdFlag::Unspecified:
      return "u";
  }
  return "u";
}

std::string_view to_string(DiscoveryMethod method) {
  return method == DiscoveryMethod::Psl ? "psl" : "treewalk";
}

std::string_view to_string(OverrideReason reason) {
  switch (reason) {
    case OverrideReason::LocalPolicy:
      return "local_policy";
    case OverrideReason::MailingList:
      return "mailing_list";
    case OverrideReason::Other:
      return "other";
    case OverrideReason::PolicyTestMode:
      return "policy_test_mode";
    case OverrideReason::TrustedForwarder:
      return "trusted_forwarder";
  }
  return "other";
}

bool Record::usable() const {
  if (p && !sp_invalid && !np_invalid) return true;
  return !rua.empty();
}

Policy Record::domain_policy() const {
  // RFC 9989 §4.10.1: a record with a missing/invalid p, or an invalid sp or np, counts as
  // "p=none" when rua saves it; the whole record then asks for nothing.
  if (!p || sp_invalid || np_invalid) return Policy::None;
  return *p;
}

Policy Record::subdomain_policy(bool author_domain_exists) const {
  if (!p || sp_invalid || np_invalid) return Policy::None;
  if (!author_domain_exists && np) return *np;
  return sp.value_or(*p);
}

Expected<Record> parse_record(std::string_view text) {
  const std::string_view all = trim_wsp(text);
  if (all.empty()) return fail(ErrorCode::Syntax, "empty record");

  // The version tag: "v" equals %s"DMARC1", first (RFC 9989 §4.7 v=).
  const auto first_end = all.find(';');
  const auto first = all.substr(0, first_end);
  const auto eq = first.find('=');
  if (eq == std::string_view::npos || !iequals(trim_wsp(first.substr(0, eq)), "v"))
    return fail(ErrorCode::Syntax,
                concat({"not a DMARC record (no v=DMARC1 first): ", quoted_excerpt(all)}));
  if (trim_wsp(first.substr(eq + 1)) != "DMARC1")
    return fail(ErrorCode::Syntax, concat({"not a DMARC record (version is not DMARC1): ",
                                           quoted_excerpt(trim_wsp(first.substr(eq + 1)))}));

  Record r;
  r.text = std::string(text);
  std::vector<std::string> seen;
  const auto invalid = [&r](std::string_view name, std::string_view value, std::string_view why) {
    r.invalid_tags.emplace_back(name);
    r.warnings.push_back(
        concat({"invalid value ", quoted_excerpt(value, '\''), " for ", name, "= ignored", why}));
  };

  std::size_t pos = first_end;
  while (pos != std::string_view::npos) {
    const auto next = all.find(';', pos + 1);
    const auto part =
        trim_wsp(all.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1));
    pos = next;
    if (part.empty()) continue;  // "p=none;;" or the optional final separator
    const auto equals = part.find('=');
    const auto raw_name = trim_wsp(part.substr(0, equals == std::string_view::npos ? 0 : equals));
    if (equals == std::string_view::npos || !all_alpha(raw_name)) {
      r.warnings.push_back(concat({"malformed tag ", quoted_excerpt(part, '\''), " ignored"}));
      continue;
    }
    const std::string name = to_lower(raw_name);
    const auto value = trim_wsp(part.substr(equals + 1));
    if (contains(removed_tags, name)) {
      r.warnings.push_back(
          concat({name, "= is no longer part of DMARC (RFC 9989) and is ignored"}));
      continue;
    }
    if (!contains(known_tags, name)) {
      r.warnings.push_back(
          concat({name == "v" ? "repeated tag " : "unknown tag ", name, "= ignored"}));
      continue;
    }
    if (contains(seen, name)) {
      r.warnings.push_back(concat({"repeated tag ", name, "= ignored (the first one applies)"}));
      continue;
    }
    seen.push_back(name);
    if (value.empty() || !printable_value(value)) {
      invalid(name, value, value.empty() ? " (empty)" : " (not printable ASCII)");
      if (name == "p") r.p_invalid = true;
      if (name == "sp") r.sp_invalid = true;
      if (name == "np") r.np_invalid = true;
      continue;
    }

    bool ok = true;
    if (name == "p" || name == "sp" || name == "np") {
      const auto policy = parse_policy(value);
      auto& slot = name == "p" ? r.p : name == "sp" ? r.sp : r.np;
      auto& bad = name == "p" ? r.p_invalid : name == "sp" ? r.sp_invalid : r.np_invalid;
      if (policy) slot = policy;
      bad = !policy;
      ok = policy.has_value();
    } else if (name == "adkim" || name == "aspf") {
      const auto mode = parse_mode(value);
      if (mode) (name == "adkim" ? r.adkim : r.aspf) = *mode;
      ok = mode.has_value();
    } else if (name == "psd") {
      const auto psd = parse_psd(value);
      if (psd) r.psd = *psd;
      ok = psd.has_value();
    } else if (name == "t") {
      const auto t = parse_yorn(value);
      if (t) r.testing = *t;
      ok = t.has_value();
    } else if (name == "fo") {
      const auto fo = parse_fo(value);
      if (fo) {
        r.fo = *fo;
        r.fo_text = std::string(value);
      }
      ok = fo.has_value();
    } else {  // rua, ruf
      auto& list = name == "rua" ? r.rua : r.ruf;
      ok = parse_urilist(name, value, list, r.warnings);
      if (!ok) {
        r.invalid_tags.push_back(name);
        r.warnings.push_back(concat({name, "= has no valid URI; ignored"}));
        continue;
      }
    }
    if (ok) {
      r.tags.push_back(name);
    } else {
      invalid(name, value,
              name == "p" || name == "sp" || name == "np" ? "" : "; the default applies");
    }
  }

  if (!r.p && !r.p_invalid) r.warnings.push_back("no p= tag");
  if (!r.p || r.sp_invalid || r.np_invalid) {
    r.warnings.push_back(r.rua.empty()
                             ? "p= missing or invalid (or sp=/np= invalid) and no valid rua=: "
                               "the record does not apply (RFC 9989 §4.10.1)"
                             : "p= missing or invalid (or sp=/np= invalid): the record counts as "
                               "p=none because rua= holds a valid URI (RFC 9989 §4.10.1)");
  }
  if (r.ruf.empty() && std::find(r.tags.begin(), r.tags.end(), "fo") != r.tags.end())
    r.warnings.push_back("fo= has no effect without ruf=");
  return r;
}

}  // namespace auth::dmarc
