// DMARC Policy Records (RFC 9989 §4.7, §4.8): v=DMARC1 first and exact; every other problem
// falls back to the default and is listed, never fatal.
#include <auth/dmarc.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>
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

// The tags of RFC 9989 §4.7 (v apart), and the indexes the parser switches on.
constexpr std::array<std::string_view, 10> known_tags = {"p",    "sp",  "np",  "psd", "adkim",
                                                         "aspf", "rua", "ruf", "fo",  "t"};
enum TagIndex : std::size_t { P, SP, NP, PSD, ADKIM, ASPF, RUA, RUF, FO, T };
// Removed by RFC 9989 (Appendix C.5): ignored with a word.
constexpr std::array<std::string_view, 3> removed_tags = {"pct", "rf", "ri"};

template <std::size_t N>
std::optional<std::size_t> index_of(const std::array<std::string_view, N>& list,
                                    std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (list[i] == name) return i;
  return std::nullopt;
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

std::vector<EffectiveTag> effective_tags(const Record& r) {
  const auto is_set = [&r](std::string_view name) {
    return std::find(r.tags.begin(), r.tags.end(), name) != r.tags.end();
  };
  const auto uris = [](const std::vector<ReportUri>& list) {
    std::string out;
    for (const auto& u : list) out += (out.empty() ? "" : ",") + u.uri;
    return out;
  };
  const auto policy = [](Policy p) { return std::string(to_string(p)); };
  std::vector<EffectiveTag> out;
  out.push_back({"v", "DMARC1", false});
  out.push_back({"p", policy(r.domain_policy()), !is_set("p")});
  out.push_back({"sp", policy(r.subdomain_policy(true)), !is_set("sp")});
  out.push_back({"np", policy(r.subdomain_policy(false)), !is_set("np")});
  out.push_back({"psd", std::string(to_string(r.psd)), !is_set("psd")});
  out.push_back({"adkim", std::string(to_string(r.adkim)), !is_set("adkim")});
  out.push_back({"aspf", std::string(to_string(r.aspf)), !is_set("aspf")});
  out.push_back({"rua", uris(r.rua), !is_set("rua")});
  out.push_back({"ruf", uris(r.ruf), !is_set("ruf")});
  out.push_back({"fo", r.fo_text, !is_set("fo")});
  out.push_back({"t", r.testing ? "y" : "n", !is_set("t")});
  return out;
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
  r.tags.reserve(known_tags.size());
  unsigned seen = 0;  // bit i: known_tags[i] met
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
    const auto tag = index_of(known_tags, name);
    if (!tag) {
      if (index_of(removed_tags, name))
        r.warnings.push_back(
            concat({name, "= is no longer part of DMARC (RFC 9989) and is ignored"}));
      else
        r.warnings.push_back(
            concat({name == "v" ? "repeated tag " : "unknown tag ", name, "= ignored"}));
      continue;
    }
    if ((seen & (1u << *tag)) != 0) {
      r.warnings.push_back(concat({"repeated tag ", name, "= ignored (the first one applies)"}));
      continue;
    }
    seen |= 1u << *tag;
    const bool is_policy = *tag == P || *tag == SP || *tag == NP;
    bool* const policy_invalid = *tag == P    ? &r.p_invalid
                                 : *tag == SP ? &r.sp_invalid
                                 : *tag == NP ? &r.np_invalid
                                              : nullptr;
    if (value.empty() || !printable_value(value)) {
      invalid(name, value, value.empty() ? " (empty)" : " (not printable ASCII)");
      if (policy_invalid != nullptr) *policy_invalid = true;
      continue;
    }

    bool ok = false;
    switch (*tag) {
      case P:
      case SP:
      case NP: {
        const auto policy = parse_policy(value);
        (*tag == P ? r.p : *tag == SP ? r.sp : r.np) = policy;
        *policy_invalid = !policy;
        ok = policy.has_value();
        break;
      }
      case ADKIM:
      case ASPF: {
        const auto mode = parse_mode(value);
        if (mode) (*tag == ADKIM ? r.adkim : r.aspf) = *mode;
        ok = mode.has_value();
        break;
      }
      case PSD: {
        const auto psd = parse_psd(value);
        if (psd) r.psd = *psd;
        ok = psd.has_value();
        break;
      }
      case T: {
        const auto t = parse_yorn(value);
        if (t) r.testing = *t;
        ok = t.has_value();
        break;
      }
      case FO: {
        const auto fo = parse_fo(value);
        if (fo) {
          r.fo = *fo;
          r.fo_text = std::string(value);
        }
        ok = fo.has_value();
        break;
      }
      default: {  // rua, ruf
        ok = parse_urilist(name, value, *tag == RUA ? r.rua : r.ruf, r.warnings);
        if (!ok) {
          r.invalid_tags.push_back(name);
          r.warnings.push_back(concat({name, "= has no valid URI; ignored"}));
          continue;
        }
      }
    }
    if (ok) {
      r.tags.push_back(name);
    } else {
      invalid(name, value, is_policy ? "" : "; the default applies");
    }
  }

  if (!r.p && !r.p_invalid) r.warnings.emplace_back("no p= tag");
  if (!r.p || r.sp_invalid || r.np_invalid) {
    r.warnings.emplace_back(
        r.rua.empty() ? "p= missing or invalid (or sp=/np= invalid) and no valid rua=: "
                        "the record does not apply (RFC 9989 §4.10.1)"
                      : "p= missing or invalid (or sp=/np= invalid): the record counts as "
                        "p=none because rua= holds a valid URI (RFC 9989 §4.10.1)");
  }
  if (r.ruf.empty() && std::find(r.tags.begin(), r.tags.end(), "fo") != r.tags.end())
    r.warnings.emplace_back("fo= has no effect without ruf=");
  return r;
}

}  // namespace auth::dmarc
