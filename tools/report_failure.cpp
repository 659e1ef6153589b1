// mailauth report failure: the failure reports (RFC 9991) a receiver would make for one saved
// message, evaluated through the same pipeline as the milter, with the envelope given as
// options. Printed, written to a spool directory, or handed to sendmail.
#include <filesystem>
#include <iostream>
#include <memory>

#include <auth/dmarc.hpp>
#include <auth/message.hpp>
#include <auth/message_auth.hpp>
#include <auth/report.hpp>

#include "command_setup.hpp"
#include "message_io.hpp"
#include "message_reader.hpp"
#include "report_tools.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli::report {
namespace {

// The message with CRLF line endings, split into its header block (with the CRLF that ends the
// last field) and its body.
std::pair<std::string, std::string> split_message(std::string_view text) {
  std::string crlf;
  crlf.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) crlf.push_back('\r');
    crlf.push_back(text[i]);
  }
  if (crlf.starts_with("\r\n")) return {std::string(), crlf.substr(2)};
  const auto blank = crlf.find("\r\n\r\n");
  if (blank == std::string::npos) return {crlf, std::string()};
  return {crlf.substr(0, blank + 2), crlf.substr(blank + 4)};
}

}  // namespace

int run_failure(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string file, ip_text, helo, authserv_id = "localhost", spool, envelope_id;
  std::optional<std::string> mail_from;
  std::vector<std::string> rcpt_to;
  std::optional<std::int64_t> now;
  bool send = false;
  auth::dmarc::FailureReportOptions options;
  options.sendmail.clear();
  std::string sendmail = "/usr/sbin/sendmail";
  CommandLine cl{
      "report failure", "--ip ADDR --mail-from ADDR --rcpt-to ADDR --from ADDR [options] FILE",
      "Evaluate a saved message as the milter would (SPF, DKIM, ARC, DMARC) and make the\n"
      "failure reports (RFC 9991) its DMARC record asks for with fo= and ruf=, to the\n"
      "authorized ruf= addresses. They are printed, or written to --spool DIR, or handed\n"
      "to sendmail with --send. Exit 0 when the evaluation ran (whether or not a report\n"
      "was due), 2 for usage or unreadable input, 3 when writing or sending failed."};
  cl.options.add_options()                                                    //
      ("ip", po::value(&ip_text)->value_name("ADDR"), "SMTP client address")  //
      ("helo", po::value(&helo)->value_name("NAME"), "HELO/EHLO name")        //
      ("mail-from", po::value<std::string>()->value_name("ADDR"),
       "envelope sender (MAIL FROM); \"\" is the null reverse-path")                           //
      ("rcpt-to", po::value(&rcpt_to)->value_name("ADDR"), "envelope recipient (repeatable)")  //
      ("envelope-id", po::value(&envelope_id)->value_name("ID"),
       "the MTA's queue id (Original-Envelope-Id)")  //
      ("from", po::value(&options.from)->required()->value_name("ADDR"),
       "the reports' From address")  //
      ("authserv-id", po::value(&authserv_id)->value_name("ID"),
       "this host's authserv-id for Authentication-Results (default localhost)")  //
      ("reporting-mta", po::value(&options.reporting_mta)->value_name("NAME"),
       "Reporting-MTA name")  //
      ("include-body", po::bool_switch(&options.include_body),
       "include the whole message (message/rfc822) instead of its header")                        //
      ("spool", po::value(&spool)->value_name("DIR"), "write each report to DIR as a .eml file")  //
      ("send", po::bool_switch(&send), "hand the reports to the local MTA")                       //
      ("sendmail", po::value(&sendmail)->value_name("PATH"),
       "the sendmail program for --send (default /usr/sbin/sendmail, run as -oi -t)")  //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),
       "evaluate as if the time were this (seconds since 1970)");
  add_common_options(cl, common);
  cl.add_positional("file", 1, "the message (- for standard input)");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("file") != 0) file = (*vm)["file"].as<std::vector<std::string>>().front();
  if (file.empty()) return usage_error(cl.name, "give the message FILE (or - for standard input)");
  if (vm->count("mail-from") != 0) mail_from = (*vm)["mail-from"].as<std::string>();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  if (send && !spool.empty()) return usage_error(cl.name, "--spool and --send exclude each other");
  if (!spool.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(spool, ec))
      return usage_error(cl.name, "--spool: " + spool + " is not an existing directory");
    options.spool_dir = spool;
  }
  if (send) options.sendmail = sendmail;
  options.authserv_id = authserv_id;
  options.user_agent = std::string("mailauth/") + MAILAUTH_VERSION;
  std::optional<auth::IpAddress> ip;
  if (!ip_text.empty()) {
    auto parsed = auth::IpAddress::parse(ip_text);
    if (!parsed) return usage_error(cl.name, "--ip: " + parsed.error().message);
    ip.emplace(*parsed);
  }

  MessageReader reader;
  auto text = reader.read(file);
  if (!text) return usage_error(cl.name, text.error());
  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> upstream = std::move(*made);
  const std::unique_ptr<auth::Clock> clock = make_clock(now);
  auth::dns::CachingResolver resolver(*upstream, *clock);
  const auth::Limits limits;
  auth::MessageAuthOptions auth_options;
  auth_options.spf_checker.receiving_host = authserv_id;
  const auth::MessageAuthContext context(resolver, *clock, limits, std::move(auth_options));
  auth::MessageAuth message(context);
  if (ip) {
    message.connect(ip);
    message.helo(helo);
    if (mail_from) message.mail_from(*mail_from);
  }
  for (const auto& r : rcpt_to) message.rcpt_to(r);
  if (auto parsed = parse_message(file, *text, message, limits); !parsed)
    return usage_error(cl.name, parsed.error());
  const auth::Verdict verdict = message.finish();

  const auto [header, body] = split_message(*text);
  auth::dmarc::FailureIncident incident;
  incident.dmarc = &verdict.dmarc;
  incident.spf = verdict.spf ? &*verdict.spf : nullptr;
  incident.dkim = verdict.dkim;
  incident.client_ip = ip;
  incident.mail_from = mail_from;
  incident.rcpt_to = rcpt_to;
  incident.envelope_id = envelope_id;
  incident.arrival = clock->now();
  incident.authentication_results = verdict.authentication_results(authserv_id);
  incident.header = header;
  incident.body = body;
  auth::dmarc::FailureReporter reporter(context.dmarc_evaluator(), resolver, *clock, options);
  const auth::dmarc::FailureOutcome out = reporter.report(incident);

  bool failed = false;
  for (const auto& r : out.reports)
    if (!r.error.empty()) failed = true;
  if (common.json) {
    Json reports = Json::array();
    for (const auto& r : out.reports)
      reports.push_back({{"recipient", r.recipient},
                         {"auth_failure", std::string(auth::dmarc::to_string(r.failure))},
                         {"incidents", r.incidents},
                         {"spool_file", r.spool_file.string()},
                         {"sent", r.sent},
                         {"error", r.error},
                         {"message", options.spool_dir.empty() && !send ? r.message : ""}});
    Json triggered = Json::array();
    for (const auto t : out.triggered) triggered.push_back(std::string(auth::dmarc::to_string(t)));
    print_json_line({{"file", file},
                     {"dmarc", dmarc_json(verdict.dmarc)},
                     {"triggered", std::move(triggered)},
                     {"reports", std::move(reports)},
                     {"skipped", out.skipped}});
  } else {
    std::cerr << file << ": dmarc=" << auth::dmarc::to_string(verdict.dmarc.result)
              << " header.from=" << verdict.dmarc.author_domain << '\n';
    for (const auto& s : out.skipped) std::cerr << "  " << s << '\n';
    for (const auto& r : out.reports) {
      std::cerr << "  report (" << auth::dmarc::to_string(r.failure) << ") to " << r.recipient;
      if (!r.spool_file.empty()) std::cerr << ": " << r.spool_file.string();
      if (r.sent) std::cerr << ": sent";
      if (!r.error.empty()) std::cerr << ": " << r.error;
      std::cerr << '\n';
      if (options.spool_dir.empty() && !send) std::cout << r.message;
    }
  }
  return failed ? exit_temporary : exit_ok;
}

}  // namespace mailauth::cli::report
