// mailauth report aggregate: one RFC 9990 report per policy domain for a period, written to
// --out as <file>.xml.gz and <file>.eml, and with --send handed to the local MTA.
#include <filesystem>
#include <iostream>
#include <memory>

#include <auth/dmarc.hpp>
#include <auth/report.hpp>

#include "command_setup.hpp"
#include "report_tools.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli::report {
namespace {

Json outcome_json(const auth::dmarc::AggregateOutcome& o) {
  Json destinations = Json::array();
  for (const auto& d : o.destinations)
    destinations.push_back({{"uri", d.uri.uri},
                            {"status", std::string(auth::dmarc::to_string(d.status))},
                            {"detail", d.detail}});
  return {{"policy_domain", o.policy_domain},
          {"action", std::string(auth::dmarc::to_string(o.action))},
          {"report_id", o.report.report_id},
          {"file", o.xml_gz_path.empty() ? o.report.file_name : o.xml_gz_path.string()},
          {"eml", o.eml_path.string()},
          {"rows", o.report.rows},
          {"messages", o.report.messages},
          {"recipients", o.recipients},
          {"sent", o.sent},
          {"destinations", std::move(destinations)},
          {"detail", o.detail}};
}

void print_text(const auth::dmarc::AggregateOutcome& o) {
  using Action = auth::dmarc::AggregateOutcome::Action;
  std::cout << o.policy_domain << ": ";
  switch (o.action) {
    case Action::Written: {
      std::cout << "wrote " << o.xml_gz_path.filename().string() << " (" << o.report.rows
                << " rows, " << o.report.messages << " messages, Report-ID " << o.report.report_id
                << ") for";
      for (std::size_t i = 0; i < o.recipients.size(); ++i)
        std::cout << (i == 0 ? " " : ", ") << o.recipients[i];
      if (o.sent) std::cout << "; sent";
      std::cout << '\n';
      break;
    }
    case Action::AlreadyReported:
      std::cout << "already reported (Report-ID " << o.report.report_id << "; " << o.detail
                << ")\n";
      break;
    default:
      std::cout << auth::dmarc::to_string(o.action) << " (" << o.detail << ")\n";
  }
  for (const auto& d : o.destinations)
    if (d.status != auth::dmarc::DestinationStatus::Authorized)
      std::cout << "  skipped " << d.uri.uri << ": " << auth::dmarc::to_string(d.status) << " ("
                << d.detail << ")\n";
}

}  // namespace

int run_aggregate(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string uri, out_dir, psl_file;
  std::optional<std::int64_t> begin, end, now;
  auth::dmarc::AggregateRunOptions options;
  CommandLine cl{
      "report aggregate",
      "--store URI --org-name NAME --email ADDR --out DIR [--begin T --end T] [--send]",
      "Make one aggregate report (RFC 9990) per policy domain with records in the period:\n"
      "DIR/<receiver>!<domain>!<begin>!<end>.xml.gz and the same name with .eml, a message\n"
      "to the authorized rua= addresses. The receiver is the domain of --email. The period\n"
      "is --begin to --end (inclusive, seconds since 1970), by default the last whole UTC\n"
      "day. A period already reported is not reported again; a report written but not sent\n"
      "keeps its Report-ID and file name and is sent by a later run with --send. Exit 0\n"
      "when all is done (also when there was nothing new), 3 when a temporary failure\n"
      "(DNS, sendmail) left a report to retry, 2 for usage or store errors."};
  cl.options.add_options()                                                           //
      ("store", po::value(&uri)->required()->value_name("URI"), "the report store")  //
      ("org-name", po::value(&options.reporter.org_name)->required()->value_name("NAME"),
       "report_metadata/org_name: the reporting organization")  //
      ("email", po::value(&options.reporter.email)->required()->value_name("ADDR"),
       "report_metadata/email and the messages' From")  //
      ("extra-contact-info", po::value(&options.reporter.extra_contact_info)->value_name("TEXT"),
       "report_metadata/extra_contact_info")                                                //
      ("out", po::value(&out_dir)->required()->value_name("DIR"), "an existing directory")  //
      ("begin", po::value<std::int64_t>()->value_name("T"), "first second of the period")   //
      ("end", po::value<std::int64_t>()->value_name("T"), "last second of the period")      //
      ("send", po::bool_switch(&options.send), "hand the messages to the local MTA")        //
      ("sendmail", po::value(&options.sendmail)->value_name("PATH"),
       "the sendmail program for --send (default /usr/sbin/sendmail, run as -oi -t)")  //
      ("psl", po::value(&psl_file)->value_name("FILE"),
       "Organizational Domains (for the destination check) from this public suffix list "
       "instead of the DNS tree walk")  //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),
       "take this as the current time (default period, message dates)");
  add_common_options(cl, common);
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("begin") != 0) begin = (*vm)["begin"].as<std::int64_t>();
  if (vm->count("end") != 0) end = (*vm)["end"].as<std::int64_t>();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  if (begin.has_value() != end.has_value())
    return usage_error(cl.name, "give both --begin and --end, or neither");
  if (begin && *begin > *end) return usage_error(cl.name, "--begin is after --end");
  if (options.reporter.receiver().empty() || options.reporter.email.find('@') == std::string::npos)
    return usage_error(cl.name, "--email: expected an address (local@domain)");
  std::error_code ec;
  if (!std::filesystem::is_directory(out_dir, ec))
    return usage_error(cl.name, "--out: " + out_dir + " is not an existing directory");
  options.out_dir = out_dir;
  options.reporter.generator = std::string("mailauth ") + MAILAUTH_VERSION;

  const std::unique_ptr<auth::Clock> clock = make_clock(now);
  if (!begin) {
    // The last whole UTC day before now.
    const std::int64_t today = auth::to_unix(clock->now()) / 86400 * 86400;
    begin = today - 86400;
    end = today - 1;
  }
  options.begin = *begin;
  options.end = *end;

  auth::dmarc::EvaluatorOptions evaluator_options;
  if (!psl_file.empty()) {
    auto psl = auth::dmarc::PublicSuffixList::from_file(psl_file);
    if (!psl) return usage_error(cl.name, "--psl: " + psl.error().message);
    evaluator_options.discovery = auth::dmarc::DiscoveryMethod::Psl;
    evaluator_options.psl = std::move(*psl);
  }
  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> resolver = std::move(*made);
  const auth::dmarc::Evaluator evaluator(*resolver, auth::Limits{}, evaluator_options);

  auto store = auth::dmarc::ReportStore::open(uri);
  if (!store) return store_error(cl.name, uri, store.error());
  auto outcomes = auth::dmarc::run_aggregate(**store, evaluator, options, *clock);
  if (!outcomes) return store_error(cl.name, uri, outcomes.error());
  bool deferred = false;
  for (const auto& o : *outcomes) {
    if (o.action == auth::dmarc::AggregateOutcome::Action::Deferred) deferred = true;
    if (common.json)
      print_json_line(outcome_json(o));
    else
      print_text(o);
  }
  if (!common.json && outcomes->empty())
    std::cout << "no records from " << options.begin << " to " << options.end << '\n';
  return deferred ? exit_temporary : exit_ok;
}

}  // namespace mailauth::cli::report
