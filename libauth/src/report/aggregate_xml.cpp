// The RFC 9990 aggregate report XML (namespace urn:ietf:params:xml:ns:dmarc-2.0, version 1.0),
// element order as the schema's sequences require.
#include <auth/domain_name.hpp>
#include <auth/report.hpp>

#include "report/codes.hpp"
#include "report/xml_text.hpp"

namespace auth::dmarc {
namespace {

class XmlWriter {
 public:
  XmlWriter(std::string& out, std::size_t depth) : out_(out), depth_(depth) {}
  void open(std::string_view name) {
    indent();
    out_ += '<';
    out_ += name;
    out_ += ">\n";
    ++depth_;
  }
  void close(std::string_view name) {
    --depth_;
    indent();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void element(std::string_view name, std::string_view value) {
    indent();
    out_ += '<';
    out_ += name;
    out_ += '>';
    append_xml_text(out_, value);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }

 private:
  void indent() { out_.append(2 * depth_, ' '); }
  std::string& out_;
  std::size_t depth_ = 0;
};

// RFC 9990 ActionDispositionType: "pass" for a DMARC pass under an enforcing policy.
std::string_view disposition_word(const StoredGroup& g) {
  if (g.result == Result::Pass)
    return g.evaluated_policy && *g.evaluated_policy != Policy::None ? "pass" : "none";
  return report_codes::word(g.disposition);
}

std::string joined_errors(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e;
  }
  return out;
}

}  // namespace

std::string ReporterInfo::receiver() const {
  const auto at = email.rfind('@');
  std::string domain = at == std::string::npos ? email : email.substr(at + 1);
  while (!domain.empty() && domain.back() == '>') domain.pop_back();
  for (char& c : domain) c = ascii_lower(c);
  return domain;
}

std::string aggregate_xml(const ReporterInfo& reporter, const PublishedPolicy& policy,
                          std::string_view report_id, std::int64_t begin, std::int64_t end,
                          std::span<const StoredGroup> groups) {
  using report_codes::word;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n";
  XmlWriter w(out, 1);
  w.element("version", "1.0");

  w.open("report_metadata");
  w.element("org_name", reporter.org_name);
  w.element("email", reporter.email);
  if (!reporter.extra_contact_info.empty())
    w.element("extra_contact_info", reporter.extra_contact_info);
  w.element("report_id", report_id);
  w.open("date_range");
  w.element("begin", std::to_string(begin));
  w.element("end", std::to_string(end));
  w.close("date_range");
  if (!policy.errors.empty()) w.element("error", joined_errors(policy.errors));
  if (!reporter.generator.empty()) w.element("generator", reporter.generator);
  w.close("report_metadata");

  // Every tag with its value, defaults included (RFC 9990 §3.1.1: unspecified tags are
  // reported with their default values). A missing or invalid p applies as none.
  const Policy p = policy.p.value_or(Policy::None);
  const Policy sp = policy.sp.value_or(p);
  const Policy np = policy.np.value_or(sp);
  w.open("policy_published");
  w.element("domain", policy.domain);
  w.element("discovery_method", word(policy.discovery));
  w.element("p", word(p));
  w.element("sp", word(sp));
  w.element("np", word(np));
  w.element("adkim", word(policy.adkim));
  w.element("aspf", word(policy.aspf));
  w.element("fo", policy.fo.empty() ? std::string_view("0") : std::string_view(policy.fo));
  w.element("testing", policy.testing ? "y" : "n");
  w.close("policy_published");

  for (const auto& g : groups) {
    w.open("record");
    w.open("row");
    w.element("source_ip", g.source_ip);
    w.element("count", std::to_string(g.count));
    w.open("policy_evaluated");
    w.element("disposition", disposition_word(g));
    w.element("dkim", g.dkim_aligned ? "pass" : "fail");
    w.element("spf", g.spf_aligned ? "pass" : "fail");
    for (const auto reason : g.overrides) {
      w.open("reason");
      w.element("type", word(reason));
      w.close("reason");
    }
    w.close("policy_evaluated");
    w.close("row");
    w.open("identifiers");
    w.element("header_from", g.header_from);
    if (g.envelope_from) w.element("envelope_from", *g.envelope_from);
    if (g.envelope_to) w.element("envelope_to", *g.envelope_to);
    w.close("identifiers");
    w.open("auth_results");
    for (const auto& d : g.dkim) {
      w.open("dkim");
      w.element("domain", d.domain);
      w.element("selector", d.selector);
      w.element("result", d.result);
      w.close("dkim");
    }
    if (g.spf) {
      w.open("spf");
      w.element("domain", g.spf->domain);
      if (g.spf->mfrom) w.element("scope", "mfrom");
      w.element("result", g.spf->result);
      w.close("spf");
    }
    w.close("auth_results");
    w.close("record");
  }
  out += "</feedback>\n";
  return out;
}

std::string aggregate_file_name(std::string_view receiver, std::string_view policy_domain,
                                std::int64_t begin, std::int64_t end) {
  std::string name(receiver);
  name += '!';
  name += policy_domain;
  name += '!';
  name += std::to_string(begin);
  name += '!';
  name += std::to_string(end);
  name += ".xml.gz";
  return name;
}

}  // namespace auth::dmarc
