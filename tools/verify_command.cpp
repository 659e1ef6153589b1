// mailauth verify: the receiver's whole verdict on saved messages, through the same pipeline as
// the milter (auth::MessageAuth): every DKIM-Signature, the ARC chain, SPF when the SMTP client
// is given, DMARC, and the Authentication-Results header a receiver would add.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <auth/clock.hpp>
#include <auth/dmarc.hpp>
#include <auth/dns.hpp>
#include <auth/message.hpp>
#include <auth/message_auth.hpp>
#include <auth/report.hpp>

#include "command_setup.hpp"
#include "options.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

void print_text(const std::string& file, const auth::Verdict& v) {
  std::cout << file << ":";
  if (v.dkim.empty()) std::cout << " no DKIM signature";
  std::cout << '\n';
  if (v.spf) {
    std::cout << "  spf=" << auth::spf::to_string(v.spf->result) << " domain=" << v.spf->domain;
    if (!v.spf->mechanism.empty()) std::cout << " mechanism=" << v.spf->mechanism;
    if (!v.spf->reason.empty()) std::cout << " (" << v.spf->reason << ")";
    std::cout << '\n';
  }
  for (const auto& r : v.dkim) {
    std::cout << "  dkim=" << auth::dkim::to_string(r.result) << " d=" << r.domain
              << " s=" << r.selector << " a=" << r.algorithm;
    if (r.key_bits != 0) std::cout << " bits=" << r.key_bits;
    if (!r.auid.empty()) std::cout << " i=" << r.auid;
    if (r.testing) std::cout << " (testing key)";
    if (!r.reason.empty()) std::cout << " (" << r.reason << ")";
    std::cout << '\n';
  }
  const auth::arc::ArcResult& arc = v.arc;
  std::cout << "  arc=" << auth::arc::to_string(arc.result);
  if (arc.instances != 0) std::cout << " instances=" << arc.instances;
  if (arc.oldest_pass != 0) std::cout << " oldest-pass=" << arc.oldest_pass;
  if (!arc.reason.empty()) std::cout << " (" << arc.reason << ")";
  std::cout << '\n';
  const auth::dmarc::DmarcResult& d = v.dmarc;
  std::cout << "  dmarc=" << auth::dmarc::to_string(d.result);
  if (!d.author_domain.empty()) std::cout << " from=" << d.author_domain;
  if (d.policy) std::cout << " policy=" << auth::dmarc::to_string(*d.policy);
  if (d.result == auth::dmarc::Result::Fail)
    std::cout << " disposition=" << auth::dmarc::to_string(d.disposition);
  if (!d.reason.empty()) std::cout << " (" << d.reason << ")";
  std::cout << '\n';
}

int run_verify(const std::vector<std::string>& args) {
  CommonOptions common;
  std::optional<std::int64_t> now;
  bool allow_sha1 = false;
  std::string ip_text, helo, authserv_id, psl_file, report_store;
  std::optional<std::string> mail_from;
  std::vector<std::string> rcpt_to;
  CommandLine cl{
      "verify", "[options] [FILE... | -]",
      "Give the verdict a receiver would give each message (standard input when no FILE\n"
      "is given): every DKIM-Signature, the ARC chain, SPF when the SMTP client is given\n"
      "(--ip, with --mail-from and/or --helo), and DMARC (on DKIM alone without --ip).\n"
      "Keys fetched for one file are reused for the next. Exit 0 when nothing failed,\n"
      "1 when a signature does not pass, the ARC chain fails or DMARC fails, 2 for a\n"
      "usage or unreadable-input error, 3 when only temporary (DNS) errors prevented a\n"
      "verdict."};
  cl.options.add_options()                                                           //
      ("ip", po::value(&ip_text)->value_name("ADDR"), "SMTP client address (SPF)")  //
      ("helo", po::value(&helo)->value_name("NAME"), "HELO/EHLO name")               //
      ("mail-from", po::value<std::string>()->value_name("ADDR"),
       "envelope sender (MAIL FROM); \"\" is the null reverse-path")  //
      ("rcpt-to", po::value(&rcpt_to)->value_name("ADDR"),
       "envelope recipient (repeatable; its domain is envelope_to in reports)")  //
      ("report-store", po::value(&report_store)->value_name("URI"),
       "record each message that has a DMARC policy record in this report store "
       "(sqlite:PATH or postgresql://...), for `mailauth report aggregate`")  //
      ("authserv-id", po::value(&authserv_id)->value_name("ID"),
       "also print the Authentication-Results this host (ID) would add")  //
      ("psl", po::value(&psl_file)->value_name("FILE"),
       "DMARC Organizational Domains from this public suffix list (RFC 7489 method) "
       "instead of the DNS tree walk")                                      //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),          //
       "verify as if the time were this (seconds since 1970)")             //
      ("allow-rsa-sha1", po::bool_switch(&allow_sha1),                     //
       "count valid rsa-sha1 signatures as pass (RFC 8301 says they are not valid)");
  add_common_options(cl, common);
  cl.add_positional("file", -1, "message files (- for standard input)");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  if (vm->count("mail-from") != 0) mail_from = (*vm)["mail-from"].as<std::string>();
  std::vector<std::string> files;
  if (vm->count("file") != 0) files = (*vm)["file"].as<std::vector<std::string>>();
  if (files.empty()) files.push_back("-");

  std::optional<auth::IpAddress> ip;
  if (!ip_text.empty()) {
    auto parsed = auth::IpAddress::parse(ip_text);
    if (!parsed) return usage_error(cl.name, "--ip: " + parsed.error().message);
    ip = *parsed;
    if (!mail_from && helo.empty())
      return usage_error(cl.name, "--ip needs --mail-from, --helo or both");
  } else if (mail_from || !helo.empty()) {
    return usage_error(cl.name, "--helo and --mail-from need --ip");
  }

  auth::MessageAuthOptions options;
  options.allow_rsa_sha1 = allow_sha1;
  options.diagnose_body_mismatch = true;  // an admin asking why wants the explanation
  options.spf_checker.receiving_host = authserv_id.empty() ? "localhost" : authserv_id;
  if (!psl_file.empty()) {
    auto psl = auth::dmarc::PublicSuffixList::from_file(psl_file);
    if (!psl) return usage_error(cl.name, "--psl: " + psl.error().message);
    options.dmarc.discovery = auth::dmarc::DiscoveryMethod::Psl;
    options.dmarc.psl = std::move(*psl);
  }

  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> upstream = std::move(*made);
  const std::unique_ptr<auth::Clock> clock = make_clock(now);
  auth::dns::CachingResolver resolver(*upstream, *clock);
  const auth::Limits limits;
  const auth::MessageAuthContext context(resolver, *clock, limits, std::move(options));

  std::unique_ptr<auth::dmarc::ReportStore> store;
  if (!report_store.empty()) {
    auto opened = auth::dmarc::ReportStore::open(report_store);
    if (!opened) return usage_error(cl.name, "--report-store: " + opened.error().message);
    store = std::move(*opened);
  }

  bool unreadable = false, failed = false, temporary = false;
  for (const std::string& file : files) {
    auth::MessageAuth message(context);
    if (ip) {
      message.connect(*ip);
      message.helo(helo);
      message.mail_from(mail_from.value_or(""));
    }
    for (const auto& r : rcpt_to) message.rcpt_to(r);
    const auto read = file == "-"
                          ? auth::message::read_eml(std::cin, "standard input", message, limits)
                          : auth::message::read_eml(file, message, limits);
    if (!read) {
      std::cerr << "mailauth verify: " << read.error().message << '\n';
      unreadable = true;
      continue;
    }
    const auth::Verdict v = message.finish();
    // One record per message file (never deduplicated); its time is --now when given.
    if (store) {
      if (auto record = auth::dmarc::make_report_record(
              v.dmarc, v.spf ? &*v.spf : nullptr, v.dkim, ip, ip ? std::optional<std::string>(mail_from.value_or("")) : std::nullopt,
              rcpt_to, clock->now()))
        store->add(std::move(*record));
    }
    for (const auto& r : v.dkim) {
      if (r.result == auth::dkim::Result::TempError)
        temporary = true;
      else if (r.result != auth::dkim::Result::Pass)
        failed = true;
    }
    // A broken chain is a failure; no chain (none) is not. Likewise DMARC.
    if (v.arc.result == auth::arc::ChainResult::Fail) failed = true;
    if (v.arc.result == auth::arc::ChainResult::TempError) temporary = true;
    if (v.dmarc.result == auth::dmarc::Result::Fail) failed = true;
    if (v.dmarc.result == auth::dmarc::Result::TempError) temporary = true;
    if (common.json) {
      Json dkim = Json::array();
      for (const auto& r : v.dkim) dkim.push_back(dkim_json(r));
      Json out = {{"file", file}};
      if (v.spf) out["spf"] = spf_json(*v.spf, context.options().spf_checker.receiving_host);
      out["dkim"] = std::move(dkim);
      out["arc"] = arc_json(v.arc);
      out["dmarc"] = dmarc_json(v.dmarc);
      if (!authserv_id.empty())
        out["authentication_results"] = v.arc_authentication_results(authserv_id);
      print_json_line(out);
    } else {
      print_text(file, v);
      if (!authserv_id.empty()) {
        std::string field = "Authentication-Results:" + v.authentication_results(authserv_id);
        for (std::size_t at = field.find("\r\n"); at != std::string::npos; at = field.find("\r\n"))
          field.erase(at, 1);  // folded for a terminal: LF only
        std::cout << "  " << field << '\n';
      }
    }
  }
  if (store && !store->flush(std::chrono::seconds(60))) {
    const auto stats = store->stats();
    std::cerr << "mailauth verify: --report-store " << report_store << ": " << stats.queued
              << " records not written (the store is unreachable or refused them)\n";
    return exit_temporary;
  }
  if (unreadable) return exit_usage;
  if (failed) return exit_fail;
  if (temporary) return exit_temporary;
  return exit_ok;
}

const Registration registration{
    {"verify", "the receiver's verdict on messages: DKIM, ARC, SPF and DMARC", run_verify}};

}  // namespace
}  // namespace mailauth::cli
