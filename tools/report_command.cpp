// mailauth report: DMARC reports from the report store (RFC 9990 aggregate, RFC 9991 failure).
//   report init       create or upgrade the store's schema
//   report aggregate  aggregate reports for a period: files, messages, --send
//   report prune      remove old records
//   report failure    a failure report for one saved message
#include <charconv>
#include <iostream>

#include <auth/report.hpp>

#include "report_tools.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace report {

int store_error(std::string_view command, const std::string& uri, const auth::Error& error) {
  std::cerr << "mailauth " << command << ": " << error.message << '\n';
  const bool server = !uri.starts_with("sqlite:");
  return server && error.code == auth::ErrorCode::Io ? exit_temporary : exit_usage;
}

std::optional<std::int64_t> parse_age(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  std::int64_t n = 0;
  const auto digits = text.substr(0, text.size() - 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0 || n > INT64_MAX / unit)
    return std::nullopt;
  return n * unit;
}

int run_init(const std::vector<std::string>& args) {
  std::string uri;
  CommonOptions common;
  CommandLine cl{"report init", "--store URI",
                 "Create the report schema in a new SQLite file or an existing empty PostgreSQL\n"
                 "database, or upgrade an older schema. A schema newer than this mailauth is\n"
                 "refused. URI: sqlite:PATH or a libpq URI such as\n"
                 "postgresql:///dmarc?host=/run/postgresql&user=dmarc."};
  cl.options.add_options()("store", po::value(&uri)->required()->value_name("URI"),
                           "the report store");
  add_common_options(cl, common);  // --dns-zone is accepted (and not needed) like elsewhere
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  auto store = auth::dmarc::ReportStore::open(uri);
  if (!store) return store_error(cl.name, uri, store.error());
  auto changed = (*store)->init();
  if (!changed) return store_error(cl.name, uri, changed.error());
  if (common.json)
    print_json_line({{"store", uri}, {"from_version", changed->from}, {"version", changed->to}});
  else if (changed->from == 0)
    std::cout << uri << ": created the report schema (version " << changed->to << ")\n";
  else if (changed->from != changed->to)
    std::cout << uri << ": upgraded the report schema from version " << changed->from << " to "
              << changed->to << '\n';
  else
    std::cout << uri << ": the report schema is current (version " << changed->to << ")\n";
  return exit_ok;
}

int run_prune(const std::vector<std::string>& args) {
  std::string uri, older_than;
  std::optional<std::int64_t> now;
  CommonOptions common;
  CommandLine cl{"report prune", "--store URI --older-than AGE",
                 "Remove the records older than AGE (a number and a unit: s, m, h, d or w;\n"
                 "30d is 30 days). Reports already made are kept in the ledger."};
  cl.options.add_options()                                                               //
      ("store", po::value(&uri)->required()->value_name("URI"), "the report store")      //
      ("older-than", po::value(&older_than)->required()->value_name("AGE"), "e.g. 30d")  //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),
       "count the age from this time (seconds since 1970) instead of now");
  add_common_options(cl, common);
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  const auto age = parse_age(older_than);
  if (!age)
    return usage_error(
        cl.name, "--older-than: expected a number and a unit (s, m, h, d, w) such as 30d, got '" +
                     older_than + "'");
  const std::int64_t reference = now ? *now : auth::to_unix(auth::SystemClock().now());
  auto store = auth::dmarc::ReportStore::open(uri);
  if (!store) return store_error(cl.name, uri, store.error());
  auto removed = (*store)->prune(reference - *age);
  if (!removed) return store_error(cl.name, uri, removed.error());
  if (common.json)
    print_json_line({{"store", uri}, {"removed", *removed}, {"before", reference - *age}});
  else
    std::cout << uri << ": removed " << *removed << " records older than " << older_than << '\n';
  return exit_ok;
}

}  // namespace report

namespace {

int run_report(const std::vector<std::string>& args) {
  static constexpr std::string_view usage =
      "Usage: mailauth report ACTION [options]\n\n"
      "DMARC reports from the report store.\n\n"
      "Actions:\n"
      "  init       create or upgrade the store's schema\n"
      "  aggregate  aggregate reports (RFC 9990) for a period; --send mails them\n"
      "  prune      remove old records\n"
      "  failure    a failure report (RFC 9991) for one saved message\n\n"
      "'mailauth report ACTION --help' describes each.\n";
  if (args.empty()) {
    std::cerr << "mailauth report: missing action (init, aggregate, prune or failure); see "
                 "'mailauth report --help'\n";
    return exit_usage;
  }
  const std::string& action = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (action == "--help" || action == "-h" || action == "help") {
    std::cout << usage;
    return exit_ok;
  }
  if (action == "init") return report::run_init(rest);
  if (action == "aggregate") return report::run_aggregate(rest);
  if (action == "prune") return report::run_prune(rest);
  if (action == "failure") return report::run_failure(rest);
  std::cerr << "mailauth report: unknown action '" << action << "'; see 'mailauth report --help'\n";
  return exit_usage;
}

const Registration registration{
    {"report", "DMARC reports: store schema, aggregate and failure reports, pruning", run_report}};

}  // namespace
}  // namespace mailauth::cli
