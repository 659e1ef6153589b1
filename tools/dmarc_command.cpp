// mailauth dmarc: the DMARC record check of a domain (`mailauth dmarc DOMAIN`) and the what-if
// evaluation of given SPF and DKIM results (`mailauth dmarc evaluate ...`), RFC 9989.
#include <expected>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <auth/dmarc.hpp>
#include <auth/dns.hpp>
#include <auth/domain_name.hpp>
#include <auth/message.hpp>

#include "command_setup.hpp"
#include "options.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

using nlohmann::ordered_json;
namespace dmarc = auth::dmarc;

constexpr const char* debian_psl = "/usr/share/publicsuffix/public_suffix_list.dat";

constexpr std::string_view check_usage = "DOMAIN [--dns-zone FILE] [--psl FILE] [--json]";
constexpr std::string_view evaluate_usage =
    "--from DOMAIN [--spf RESULT:DOMAIN] [--dkim RESULT:DOMAIN[:SELECTOR]]...\n"
    "                               [--psl FILE] [--dns-zone FILE] [--json]";

constexpr std::string_view check_description =
    "Check the DMARC set-up of DOMAIN (RFC 9989): the DNS queries of the discovery, the record\n"
    "that applies and where it was found, the Organizational Domain, the policy DOMAIN gets\n"
    "(p, sp, or np when DOMAIN does not exist; t=y lowers it one level), every tag with its\n"
    "effective value (defaults marked), each rua/ruf destination with its authorization, and\n"
    "warnings: missing or invalid p, invalid values ignored, removed or unknown tags, several\n"
    "records at one name, rua/ruf URIs at another organization without the\n"
    "<domain>._report._dmarc.<host> authorization record, psd= on a name that the public\n"
    "suffix list does not call a suffix (or psd=n on one it does).\n"
    "\n"
    "Discovery is the DNS tree walk unless --psl FILE selects RFC 7489's public suffix list\n"
    "method. psd= is judged against --psl FILE, else against /usr/share/publicsuffix/\n"
    "public_suffix_list.dat when present.\n"
    "\n"
    "--json prints one object: \"domain\", \"status\" (ok: a usable record applies; none: no\n"
    "record; unusable: the record has no valid p and no valid rua, so DMARC does not apply;\n"
    "temperror: a DNS query failed), \"discovery\" (treewalk or psl), \"policy_domain\" (where\n"
    "the record was found; \"\" when none), \"organizational_domain\", \"record\" (its text),\n"
    "\"policy\" (the evaluated policy for DOMAIN; \"\" when none), \"requested_policy\" (before\n"
    "t=y), \"policy_tag\" (p, sp or np), \"domain_exists\" (true, false, or null when not asked\n"
    "or unknown), \"tags\" (tag to effective value; rua and ruf as lists), \"defaults\" (tags\n"
    "whose value is a default), \"report_uris\" (each {\"tag\", \"uri\", \"authorization\":\n"
    "same_organization, authorized, not_authorized or temperror, \"query\", \"replacements\",\n"
    "\"reason\"}), \"queries\" (each {\"name\", \"answer\": ok, nxdomain, servfail or timeout,\n"
    "\"txt_records\", \"dmarc_records\", \"psd\"}), \"warnings\", \"reason\", \"reason_code\".\n"
    "\n"
    "Exit codes: 0 a usable record applies (warnings or not), 1 no record applies, 3 a DNS\n"
    "query failed, 2 usage errors.";

constexpr std::string_view evaluate_description =
    "What-if: evaluate DMARC for the Author Domain --from (a domain, or an address) with the\n"
    "given authentication results, without a message. --spf gives the SPF result for the MAIL\n"
    "FROM domain (or the HELO name of a null path); --dkim, repeatable, one DKIM signature's\n"
    "result for its d= (and s=). SPF results: pass fail softfail neutral none temperror\n"
    "permerror. DKIM results: pass fail neutral policy temperror permerror.\n"
    "\n"
    "--json prints one object: \"result\" (pass, fail, none, temperror, permerror),\n"
    "\"author_domain\", \"policy_domain\" (where the applied record was found; \"\" when none),\n"
    "\"organizational_domain\", \"policy\" (the evaluated policy after p/sp/np selection and\n"
    "t=y; \"\" when no record applies), \"disposition\" (what the policy asks for this message:\n"
    "none unless the result is fail), \"spf_aligned\", \"dkim_aligned\", \"discovery\" (treewalk\n"
    "or psl), \"reason\", \"reason_code\".\n"
    "\n"
    "Exit codes: 0 pass or none, 1 fail, 3 temperror, 2 usage errors (and an unusable --from).";

// cppcheck-suppress constParameter ; Boost.Program_options writes through &psl
void add_psl_option(CommandLine& cl, std::string& psl) {
  cl.options.add_options()("psl", po::value(&psl)->value_name("FILE"),
                           "public suffix list file: RFC 7489 discovery, not the tree walk");
}

// Loads --psl FILE; on failure explains it and returns the usage exit code.
std::expected<std::shared_ptr<const dmarc::PublicSuffixList>, int> load_psl(
    const CommandLine& cl, const std::string& file) {
  auto list = dmarc::PublicSuffixList::from_file(file);
  if (!list) return std::unexpected(usage_error(cl.name, "--psl: " + list.error().message));
  return *list;
}

std::string policy_text(const std::optional<dmarc::Policy>& p) {
  return p ? std::string(dmarc::to_string(*p)) : std::string();
}

void print_json(const ordered_json& out) {
  // Names and records may carry arbitrary bytes: replace invalid UTF-8 rather than throw.
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

// ---------------------------------------------------------------------------------------------
// mailauth dmarc evaluate

template <class Result>
std::optional<Result> parse_result(std::string_view text, std::initializer_list<Result> values) {
  for (Result r : values)
    if (auth::iequals(to_string(r), text)) return r;
  return std::nullopt;
}

int run_evaluate(const std::vector<std::string>& args) {
  std::string from, spf_text, psl_file;
  std::vector<std::string> dkim_texts;
  CommonOptions common;
  CommandLine cl{"dmarc evaluate", evaluate_usage, evaluate_description};
  cl.options.add_options()  //
      ("from", po::value(&from)->required()->value_name("DOMAIN"),
       "the Author Domain (RFC5322.From domain)")  //
      ("spf", po::value(&spf_text)->value_name("RESULT:DOMAIN"),
       "SPF result and the domain it was checked for")  //
      ("dkim", po::value(&dkim_texts)->value_name("RESULT:DOMAIN[:SELECTOR]"),
       "a DKIM signature's result and d= (and s=); repeat for several");
  add_psl_option(cl, psl_file);
  add_common_options(cl, common);
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();

  std::string domain = from;
  if (auto d = auth::message::domain_of(from)) domain = std::string(*d);
  if (!auth::DomainName::parse(domain)) return usage_error(cl.name, "--from: not a domain name");

  dmarc::Identifiers ids;
  if (!spf_text.empty()) {
    const auto colon = spf_text.find(':');
    const auto result =
        parse_result(std::string_view(spf_text).substr(0, colon),
                     {auth::spf::Result::Pass, auth::spf::Result::Fail, auth::spf::Result::SoftFail,
                      auth::spf::Result::Neutral, auth::spf::Result::None,
                      auth::spf::Result::TempError, auth::spf::Result::PermError});
    if (colon == std::string::npos || colon + 1 == spf_text.size() || !result)
      return usage_error(
          cl.name, "--spf: expected RESULT:DOMAIN with an SPF result, got '" + spf_text + "'");
    ids.spf = dmarc::SpfIdentity{*result, spf_text.substr(colon + 1)};
  }
  for (const std::string& text : dkim_texts) {
    const auto colon = text.find(':');
    const auto result = parse_result(
        std::string_view(text).substr(0, colon),
        {auth::dkim::Result::Pass, auth::dkim::Result::Fail, auth::dkim::Result::Neutral,
         auth::dkim::Result::Policy, auth::dkim::Result::TempError, auth::dkim::Result::PermError});
    if (colon == std::string::npos || colon + 1 == text.size() || !result)
      return usage_error(cl.name,
                         "--dkim: expected RESULT:DOMAIN[:SELECTOR] with a DKIM "
                         "result, got '" +
                             text + "'");
    const std::string rest = text.substr(colon + 1);
    const auto second = rest.find(':');
    ids.dkim.push_back({*result, rest.substr(0, second),
                        second == std::string::npos ? std::string() : rest.substr(second + 1)});
    if (ids.dkim.back().domain.empty()) return usage_error(cl.name, "--dkim: empty domain");
  }

  dmarc::EvaluatorOptions options;
  if (!psl_file.empty()) {
    auto psl = load_psl(cl, psl_file);
    if (!psl) return psl.error();
    options.discovery = dmarc::DiscoveryMethod::Psl;
    options.psl = std::move(*psl);
  }
  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> resolver = std::move(*made);
  const dmarc::Evaluator evaluator(*resolver, auth::Limits{}, std::move(options));
  const dmarc::DmarcResult r = evaluator.evaluate_domain(domain, ids);

  if (r.result == dmarc::Result::PermError) {
    std::cerr << "mailauth dmarc evaluate: " << r.reason << '\n';
    return exit_usage;
  }
  if (common.json) {
    print_json(dmarc_json(r));  // the same object as verify's "dmarc"
  } else {
    std::cout << "result: " << dmarc::to_string(r.result) << '\n'
              << "author domain: " << r.author_domain << '\n'
              << "policy domain: " << (r.policy_domain.empty() ? "(none)" : r.policy_domain) << '\n'
              << "organizational domain: " << r.organizational_domain << '\n'
              << "policy: " << (r.policy ? dmarc::to_string(*r.policy) : "(none)") << '\n'
              << "disposition: " << dmarc::to_string(r.disposition) << '\n'
              << "spf aligned: " << (r.spf_aligned ? "yes" : "no") << '\n'
              << "dkim aligned: " << (r.dkim_aligned ? "yes" : "no") << '\n'
              << "discovery: " << dmarc::to_string(r.discovery) << '\n'
              << "reason: " << r.reason << '\n';
  }
  switch (r.result) {
    case dmarc::Result::Fail:
      return exit_fail;
    case dmarc::Result::TempError:
      return exit_temporary;
    default:
      return exit_ok;
  }
}

// ---------------------------------------------------------------------------------------------
// mailauth dmarc DOMAIN

std::string status_of(const dmarc::RecordCheck& c) {
  if (c.discovery.temporary_failure) return "temperror";
  if (!c.discovery.record) return "none";
  return c.discovery.record->usable() ? "ok" : "unusable";
}

ordered_json check_json(const dmarc::RecordCheck& c) {
  const dmarc::Discovery& d = c.discovery;
  ordered_json tags = ordered_json::object();
  ordered_json defaults = ordered_json::array();
  if (d.record) {
    for (const auto& t : dmarc::effective_tags(*d.record)) {
      if (t.name == "rua" || t.name == "ruf") {
        ordered_json list = ordered_json::array();
        for (const auto& u : t.name == "rua" ? d.record->rua : d.record->ruf) list.push_back(u.uri);
        tags[t.name] = std::move(list);
      } else {
        tags[t.name] = t.value;
      }
      if (t.defaulted) defaults.push_back(t.name);
    }
  }
  ordered_json uris = ordered_json::array();
  for (const auto* list : {&c.rua, &c.ruf}) {
    for (const auto& dest : *list) {
      ordered_json replacements = ordered_json::array();
      for (const auto& u : dest.replacements) replacements.push_back(u.uri);
      uris.push_back({{"tag", list == &c.rua ? "rua" : "ruf"},
                      {"uri", dest.uri.uri},
                      {"authorization", std::string(dmarc::to_string(dest.authorization))},
                      {"query", dest.query},
                      {"replacements", std::move(replacements)},
                      {"reason", dest.reason}});
    }
  }
  ordered_json queries = ordered_json::array();
  for (const auto& step : d.steps) {
    queries.push_back({{"name", step.name},
                       {"answer", std::string(auth::dns::to_string(step.status))},
                       {"txt_records", step.txt_records},
                       {"dmarc_records", step.dmarc_records},
                       {"psd", step.psd ? std::string(dmarc::to_string(*step.psd)) : ""}});
  }
  return {
      {"domain", d.domain},
      {"status", status_of(c)},
      {"discovery", std::string(dmarc::to_string(d.method))},
      {"policy_domain", d.policy_domain},
      {"organizational_domain", d.organizational_domain},
      {"record", d.record ? d.record->text : ""},
      {"policy", policy_text(c.policy)},
      {"requested_policy", policy_text(c.requested_policy)},
      {"policy_tag", c.policy_tag},
      {"domain_exists", c.domain_exists ? ordered_json(*c.domain_exists) : ordered_json()},
      {"tags", std::move(tags)},
      {"defaults", std::move(defaults)},
      {"report_uris", std::move(uris)},
      {"queries", std::move(queries)},
      {"warnings", c.warnings},
      {"reason", d.reason},
      {"reason_code", std::string(auth::to_string(d.reason_code))},
  };
}

void print_check_text(const dmarc::RecordCheck& c, bool psd_checked) {
  const dmarc::Discovery& d = c.discovery;
  std::cout << "domain: " << d.domain << '\n'
            << "status: " << status_of(c) << '\n'
            << "discovery: " << dmarc::to_string(d.method) << '\n'
            << "queries:\n";
  for (const auto& step : d.steps) {
    std::cout << "  " << step.name << ": ";
    if (step.status != auth::dns::Status::Ok) {
      std::cout << auth::dns::to_string(step.status);
    } else if (step.dmarc_records == 1) {
      std::cout << "DMARC record (psd="
                << dmarc::to_string(step.psd.value_or(dmarc::PsdFlag::Unspecified)) << ")";
    } else {
      std::cout << step.dmarc_records << " DMARC records, " << step.txt_records << " TXT";
    }
    std::cout << '\n';
  }
  if (d.record) {
    std::cout << "record: " << d.record->text << '\n'
              << "found at: _dmarc." << d.policy_domain << '\n';
  } else {
    std::cout << "record: (none)\n";
  }
  std::cout << "organizational domain: " << d.organizational_domain << '\n';
  if (c.policy) {
    std::cout << "policy for " << d.domain << ": " << dmarc::to_string(*c.policy) << " (from "
              << c.policy_tag << "=";
    std::cout << dmarc::to_string(*c.requested_policy)
              << (c.policy != c.requested_policy ? ", lowered by t=y" : "") << ")\n";
  }
  if (c.domain_exists) std::cout << "domain exists: " << (*c.domain_exists ? "yes" : "no") << '\n';
  if (d.record) {
    std::cout << "tags:\n";
    for (const auto& t : dmarc::effective_tags(*d.record))
      std::cout << "  " << t.name << "=" << t.value << (t.defaulted ? "  (default)" : "") << '\n';
  }
  if (!c.rua.empty() || !c.ruf.empty()) {
    std::cout << "report destinations:\n";
    for (const auto* list : {&c.rua, &c.ruf}) {
      for (const auto& dest : *list) {
        std::cout << "  " << (list == &c.rua ? "rua " : "ruf ") << dest.uri.uri << ": "
                  << dmarc::to_string(dest.authorization);
        if (!dest.query.empty()) std::cout << " (" << dest.query << ")";
        for (const auto& u : dest.replacements) std::cout << " -> " << u.uri;
        std::cout << '\n';
      }
    }
  }
  if (!psd_checked) std::cout << "note: psd= not checked (no public suffix list)\n";
  if (!c.warnings.empty()) {
    std::cout << "warnings:\n";
    for (const auto& w : c.warnings) std::cout << "  - " << w << '\n';
  }
  if (!d.reason.empty()) std::cout << "reason: " << d.reason << '\n';
}

int run_check(const std::vector<std::string>& args) {
  std::string psl_file;
  CommonOptions common;
  CommandLine cl{"dmarc", check_usage, check_description};
  add_psl_option(cl, psl_file);
  add_common_options(cl, common);
  cl.add_positional("domain", 1, "the domain to check");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("domain") == 0) return usage_error(cl.name, "give a DOMAIN (or 'evaluate ...')");
  const std::string domain = (*vm)["domain"].as<std::vector<std::string>>().front();
  if (!auth::DomainName::parse(domain)) return usage_error(cl.name, "not a domain name: " + domain);

  dmarc::EvaluatorOptions options;
  if (!psl_file.empty()) {
    auto psl = load_psl(cl, psl_file);
    if (!psl) return psl.error();
    options.discovery = dmarc::DiscoveryMethod::Psl;
    options.psl = std::move(*psl);
  } else if (std::filesystem::exists(debian_psl)) {
    // Only to judge psd= tags; discovery stays the tree walk.
    auto psl = dmarc::PublicSuffixList::from_file(debian_psl);
    if (psl) options.psl = std::move(*psl);
  }
  const bool psd_checked = options.psl != nullptr;
  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> resolver = std::move(*made);
  const dmarc::Evaluator evaluator(*resolver, auth::Limits{}, std::move(options));
  const dmarc::RecordCheck c = evaluator.check_record(domain);

  if (common.json) {
    print_json(check_json(c));
  } else {
    print_check_text(c, psd_checked);
  }
  const std::string status = status_of(c);
  if (status == "temperror") return exit_temporary;
  return status == "ok" ? exit_ok : exit_fail;
}

// `mailauth dmarc --help` shows both forms.
void print_both_help() {
  CommandLine check{"dmarc", check_usage, check_description};
  std::string ignored;
  CommonOptions common;
  add_psl_option(check, ignored);
  add_common_options(check, common);
  std::cout << "Usage: mailauth dmarc " << check_usage << "\n"
            << "       mailauth dmarc evaluate " << evaluate_usage << "\n\n"
            << "Record check (mailauth dmarc DOMAIN):\n\n"
            << check_description << "\n\n"
            << check.options << "\n"
            << "What-if evaluation (mailauth dmarc evaluate; its options: 'mailauth dmarc evaluate "
               "--help'):\n\n"
            << evaluate_description << '\n';
}

int run_dmarc(const std::vector<std::string>& args) {
  if (!args.empty() && args.front() == "evaluate")
    return run_evaluate(std::vector<std::string>(args.begin() + 1, args.end()));
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      print_both_help();
      return exit_ok;
    }
  }
  return run_check(args);
}

const Registration registration{
    {"dmarc", "check a domain's DMARC record, or evaluate DMARC for given SPF/DKIM results",
     run_dmarc}};

}  // namespace
}  // namespace mailauth::cli
