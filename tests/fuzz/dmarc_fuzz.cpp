// Fuzzes DMARC evaluation: the input's first line is the From header value; each following line
// is one TXT record, served at _dmarc.<name> for the names of a fixed list in turn (a line
// starting with '&' adds one more record at the previous name). The evaluator runs for that From
// with aligned and unaligned identifiers, and the record check for the From's first domain.
// Invariants: a From that yields no Author Domain is a permerror, never a pass; a pass has an
// aligned identifier and asks for no disposition; reasons are printable; the Authentication-
// Results entry parses back equal; every Author Domain is a valid name; Punycode decoding and
// encoding are inverse.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <auth/authres.hpp>
#include <auth/dmarc.hpp>
#include <auth/dns.hpp>
#include <auth/domain_name.hpp>

#include "authres_check.hpp"
#include "dmarc/idna.hpp"
#include "fuzz_check.hpp"

namespace {

constexpr std::string_view names[] = {"example.com",        "com",         "mail.example.com",
                                      "a.mail.example.com", "example.org", "org",
                                      "bank.example",       "example"};

class FuzzResolver final : public auth::dns::Resolver {
 public:
  explicit FuzzResolver(std::string_view records) {
    std::size_t index = 0;
    std::string last;
    for (std::size_t start = 0; start < records.size();) {
      auto end = records.find('\n', start);
      if (end == std::string_view::npos) end = records.size();
      std::string_view line = records.substr(start, end - start);
      start = end + 1;
      if (line.starts_with('&') && !last.empty()) {
        txt_[last].push_back(std::string(line.substr(1)));
        continue;
      }
      if (index >= std::size(names)) break;
      last = "_dmarc." + std::string(names[index++]);
      txt_[last].push_back(std::string(line));
    }
  }
  auth::dns::Answer query(std::string_view name, auth::dns::RrType type) override {
    auth::dns::Answer a;
    const std::string key = auth::to_lower(name);
    if (key.starts_with("_dmarc.slow")) {
      a.status = auth::dns::Status::Timeout;
      return a;
    }
    const auto it = txt_.find(key);
    if (it == txt_.end() || type != auth::dns::RrType::TXT) {
      // Names that exist: every listed name and its parents; the rest is NXDOMAIN.
      a.status = key.ends_with("example.com") || key.ends_with("example.org")
                     ? auth::dns::Status::Ok
                     : auth::dns::Status::NxDomain;
      return a;
    }
    a.txt = it->second;
    return a;
  }

 private:
  std::map<std::string, std::vector<std::string>> txt_;
};

bool printable(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

void check(const auth::dmarc::DmarcResult& r, bool from_usable) {
  using auth::dmarc::Result;
  FUZZ_CHECK(printable(r.reason));
  if (!from_usable) FUZZ_CHECK(r.result == Result::PermError);
  if (r.result == Result::Pass) FUZZ_CHECK(r.spf_aligned || r.dkim_aligned);
  if (r.result != Result::Fail) FUZZ_CHECK(r.disposition == auth::dmarc::Policy::None);
  if (r.result == Result::Fail) FUZZ_CHECK(r.policy.has_value());
  if (r.result != Result::PermError) FUZZ_CHECK(!r.organizational_domain.empty());
  for (const auto& d : r.author_domains) FUZZ_CHECK(auth::DomainName::parse(d).has_value());
  auth::authres::AuthenticationResults ar;
  ar.authserv_id = "mx.example.net";
  ar.results.push_back(auth::dmarc::to_method_result(r));
  auth::fuzz::check_round_trip(ar);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = auth::fuzz::as_text(data, size);
  const auto newline = input.find('\n');
  const std::string from(input.substr(0, newline));
  FuzzResolver resolver(newline == std::string_view::npos ? std::string_view{}
                                                          : input.substr(newline + 1));
  auth::dmarc::EvaluatorOptions options;
  options.trusted_arc_sealers = {"example.org"};
  const auth::dmarc::Evaluator evaluator(resolver, {}, options);
  const std::vector<std::string> from_values = {from};
  const bool usable = auth::dmarc::author_domains(from_values).has_value();

  auth::dmarc::Identifiers none;
  check(evaluator.evaluate(from_values, none), usable);
  auth::dmarc::Identifiers ids;
  ids.spf = auth::dmarc::SpfIdentity{auth::spf::Result::Pass, "mail.example.com"};
  ids.dkim.push_back({auth::dkim::Result::Pass, "a.mail.example.com", "s"});
  ids.dkim.push_back({auth::dkim::Result::Pass, "slow.example.com", "s"});
  auth::arc::ArcResult arc;
  arc.result = auth::arc::ChainResult::Pass;
  arc.instances = 1;
  arc.sets.resize(1);
  arc.sets[0].instance = 1;
  arc.sets[0].seal_domain = "example.org";
  arc.sets[0].authentication_results =
      "example.org; dmarc=pass header.from=" +
      (usable ? auth::dmarc::author_domains(from_values)->front() : std::string("x.example"));
  ids.arc = &arc;
  check(evaluator.evaluate(from_values, ids), usable);

  if (usable) {
    const auto domain = auth::dmarc::author_domains(from_values)->front();
    const auto c = evaluator.check_record(domain);
    for (const auto& w : c.warnings) FUZZ_CHECK(printable(w));
    if (c.discovery.record) (void)auth::dmarc::effective_tags(*c.discovery.record);
  }
  // Punycode: whatever decodes encodes to text that decodes to the same code points.
  if (const auto decoded = auth::dmarc::punycode_decode(from)) {
    const auto encoded = auth::dmarc::punycode_encode(*decoded);
    FUZZ_CHECK(encoded.has_value());
    FUZZ_CHECK(auth::dmarc::punycode_decode(*encoded) == decoded);
  }
  // Records parse without surprises on their own too.
  if (auto record = auth::dmarc::parse_record(input)) {
    for (const auto& w : record->warnings) FUZZ_CHECK(printable(w));
    FUZZ_CHECK(!record->usable() || record->p.has_value() || !record->rua.empty());
  }
  return 0;
}
