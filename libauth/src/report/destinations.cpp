// Report URIs and the external destination check (RFC 9990 §4, RFC 9991 §5): a destination
// whose Organizational Domain differs from the policy domain's must publish a v=DMARC1 record
// at <policy domain>._report._dmarc.<destination host>.
#include <algorithm>
#include <set>

#include <auth/report.hpp>

namespace auth::dmarc {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// The obsolete size limit "!10m" after a URI (RFC 9989 keeps the syntax and ignores it).
std::string_view without_size(std::string_view uri) {
  const auto bang = uri.rfind('!');
  if (bang == std::string_view::npos || bang + 1 >= uri.size()) return uri;
  std::string_view size = uri.substr(bang + 1);
  if (std::string_view("kmgtKMGT").find(size.back()) != std::string_view::npos)
    size.remove_suffix(1);
  if (size.empty() || !std::all_of(size.begin(), size.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return uri;
  return uri.substr(0, bang);
}

// True for a name DNS can carry: at most 253 characters, labels of 1 to 63.
bool fits_dns(std::string_view name) {
  if (name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto dot = name.find('.', start);
    const std::size_t len = (dot == std::string_view::npos ? name.size() : dot) - start;
    if (len == 0 || len > 63) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool is_dmarc_record(std::string_view txt) {
  if (!txt.starts_with("v=DMARC1")) return false;
  if (txt.size() == 8) return true;
  const char next = txt[8];
  return next == ';' || next == ' ' || next == '\t';
}

// The URIs of tag `name` in a record's tag list; nullopt when the tag is absent.
std::optional<std::vector<std::string>> tag_uris(std::string_view record, std::string_view name) {
  std::optional<std::vector<std::string>> found;
  std::size_t start = 0;
  while (start <= record.size()) {
    const auto semi = record.find(';', start);
    std::string_view spec = trim(record.substr(
        start, semi == std::string_view::npos ? std::string_view::npos : semi - start));
    const auto eq = spec.find('=');
    if (eq != std::string_view::npos && lower(trim(spec.substr(0, eq))) == name) {
      found.emplace();
      std::string_view list = spec.substr(eq + 1);
      std::size_t s = 0;
      while (s <= list.size()) {
        const auto comma = list.find(',', s);
        const auto uri = trim(list.substr(s, comma == std::string_view::npos ? std::string_view::npos : comma - s));
        if (!uri.empty()) found->emplace_back(uri);
        if (comma == std::string_view::npos) break;
        s = comma + 1;
      }
    }
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return found;
}

}  // namespace

ReportUri parse_report_uri(std::string_view text) {
  ReportUri u;
  const std::string_view uri = without_size(trim(text));
  u.uri = std::string(uri);
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos) return u;
  u.scheme = lower(uri.substr(0, colon));
  std::string_view rest = uri.substr(colon + 1);
  if (u.scheme == "mailto") {
    const auto query = rest.find('?');
    if (query != std::string_view::npos) rest = rest.substr(0, query);
    u.address = percent_decode(rest);
    const auto at = u.address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == u.address.size()) {
      u.address.clear();
      return u;
    }
    u.host = lower(u.address.substr(at + 1));
    return u;
  }
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    const auto end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
      authority.remove_prefix(at + 1);
    if (const auto port = authority.rfind(':'); port != std::string_view::npos &&
                                                 authority.find(']') == std::string_view::npos)
      authority = authority.substr(0, port);
    u.host = lower(authority);
  }
  return u;
}

std::string_view to_string(DestinationStatus status) {
  switch (status) {
    case DestinationStatus::Authorized: return "authorized";
    case DestinationStatus::NotMailto: return "not_mailto";
    case DestinationStatus::NotAuthorized: return "not_authorized";
    case DestinationStatus::NameTooLong: return "name_too_long";
    case DestinationStatus::TempError: return "temperror";
  }
  return "";
}

std::vector<Destination> check_destinations(dns::Resolver& resolver,
                                            const OrganizationalDomainFn& organizational_domain,
                                            std::string_view policy_domain_text,
                                            std::span<const std::string> uris, ReportKind kind) {
  std::vector<Destination> out;
  std::set<std::string> seen;
  const std::string policy_domain = lower(policy_domain_text);
  const std::string policy_org = lower(organizational_domain(policy_domain));
  const std::string_view tag = kind == ReportKind::Aggregate ? "rua" : "ruf";
  for (const auto& text : uris) {
    Destination d;
    d.uri = parse_report_uri(text);
    if (!seen.insert(d.uri.uri).second) continue;
    if (d.uri.scheme != "mailto") {
      d.status = DestinationStatus::NotMailto;
      d.detail = "only mailto: URIs are delivered to";
      out.push_back(std::move(d));
      continue;
    }
    if (d.uri.address.empty()) {
      d.status = DestinationStatus::NotAuthorized;
      d.detail = "no usable address in the URI";
      out.push_back(std::move(d));
      continue;
    }
    if (lower(organizational_domain(d.uri.host)) == policy_org) {
      d.detail = "same Organizational Domain";
      out.push_back(std::move(d));
      continue;
    }
    std::string host = d.uri.host;
    while (!host.empty() && host.back() == '.') host.pop_back();
    const std::string name = policy_domain + "._report._dmarc." + host;
    if (!fits_dns(name)) {
      d.status = DestinationStatus::NameTooLong;
      d.detail = "the authorization name " + name + " is too long for DNS";
      out.push_back(std::move(d));
      continue;
    }
    const dns::Answer answer = resolver.query(name, dns::RrType::TXT);
    if (answer.is_temporary_failure()) {
      d.status = DestinationStatus::TempError;
      d.detail = "the query for " + name + " failed: " + std::string(dns::to_string(answer.status));
      out.push_back(std::move(d));
      continue;
    }
    std::vector<std::string> records;
    for (const auto& txt : answer.txt)
      if (is_dmarc_record(txt)) records.push_back(txt);
    if (records.empty()) {
      d.status = DestinationStatus::NotAuthorized;
      d.detail = "no v=DMARC1 record at " + name;
      out.push_back(std::move(d));
      continue;
    }
    // A rua/ruf in the authorization record replaces the URI when it names the same host;
    // one naming another host authorizes neither (RFC 9990 §4 step 5).
    std::vector<ReportUri> replacements;
    bool tag_present = false;
    for (const auto& record : records) {
      if (auto listed = tag_uris(record, tag)) {
        tag_present = true;
        for (const auto& r : *listed) {
          ReportUri ru = parse_report_uri(r);
          if (ru.scheme == "mailto" && !ru.address.empty() && ru.host == d.uri.host)
            replacements.push_back(std::move(ru));
        }
      }
    }
    if (!tag_present) {
      d.detail = "authorized by " + name;
      out.push_back(std::move(d));
      continue;
    }
    if (replacements.empty()) {
      d.status = DestinationStatus::NotAuthorized;
      d.detail = "the " + std::string(tag) + "= at " + name + " names another host";
      out.push_back(std::move(d));
      continue;
    }
    for (auto& ru : replacements) {
      if (ru.uri != d.uri.uri && !seen.insert(ru.uri).second) continue;
      Destination r;
      r.detail = ru.uri == d.uri.uri ? "authorized by " + name
                                     : "authorized by " + name + ", which replaced " + d.uri.uri;
      r.uri = std::move(ru);
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace auth::dmarc
