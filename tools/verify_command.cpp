// mailauth verify: the receiver's whole verdict on saved messages, through the same pipeline as
// the milter (auth::MessageAuth): every DKIM-Signature, the ARC chain, SPF when the SMTP client
// is given, DMARC, and the Authentication-Results header a receiver would add.
#include <algorithm>
#include <chrono>
#include <expected>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <auth/clock.hpp>
#include <auth/dmarc.hpp>
#include <auth/dns.hpp>
#include <auth/message.hpp>
#include <auth/message_auth.hpp>
#include <auth/report.hpp>

#include "batch.hpp"
#include "command_setup.hpp"
#include "message_reader.hpp"
#include "options.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

void print_text(std::ostream& out, const std::string& file, const auth::Verdict& v) {
  out << file << ":";
  if (v.dkim.empty()) out << " no DKIM signature";
  out << '\n';
  if (v.spf) {
    out << "  spf=" << auth::spf::to_string(v.spf->result) << " domain=" << v.spf->domain;
    if (!v.spf->mechanism.empty()) out << " mechanism=" << v.spf->mechanism;
    if (!v.spf->reason.empty()) out << " (" << v.spf->reason << ")";
    out << '\n';
  }
  for (const auto& r : v.dkim) {
    out << "  dkim=" << auth::dkim::to_string(r.result) << " d=" << r.domain << " s=" << r.selector
        << " a=" << r.algorithm;
    if (r.key_bits != 0) out << " bits=" << r.key_bits;
    if (!r.auid.empty()) out << " i=" << r.auid;
    if (r.testing) out << " (testing key)";
    if (!r.reason.empty()) out << " (" << r.reason << ")";
    out << '\n';
  }
  const auth::arc::ArcResult& arc = v.arc;
  out << "  arc=" << auth::arc::to_string(arc.result);
  if (arc.instances != 0) out << " instances=" << arc.instances;
  if (arc.oldest_pass != 0) out << " oldest-pass=" << arc.oldest_pass;
  if (!arc.reason.empty()) out << " (" << arc.reason << ")";
  out << '\n';
  const auth::dmarc::DmarcResult& d = v.dmarc;
  out << "  dmarc=" << auth::dmarc::to_string(d.result);
  if (!d.author_domain.empty()) out << " from=" << d.author_domain;
  if (d.policy) out << " policy=" << auth::dmarc::to_string(*d.policy);
  if (d.result == auth::dmarc::Result::Fail)
    out << " disposition=" << auth::dmarc::to_string(d.disposition);
  if (!d.reason.empty()) out << " (" << d.reason << ")";
  out << '\n';
}

// What one file's verdict needs besides the message: shared by every thread, read-only.
struct VerifySettings {
  const auth::MessageAuthContext& context;
  // The same with diagnose_body_mismatch: a copy of each body kept to explain a mismatch, paid
  // only by the messages that need it (they are verified a second time).
  const auth::MessageAuthContext& diagnosing;
  const std::optional<auth::IpAddress>& ip;
  const std::string& helo;
  const std::optional<std::string>& mail_from;
  const std::string& authserv_id;
  bool json;
  const std::vector<std::string>& rcpt_to;
  auth::dmarc::ReportStore* store;  // null: no --report-store
};

// The verdict on `bytes`, or the parse error in words.
std::expected<auth::Verdict, std::string> verdict_of(const VerifySettings& s,
                                                     const auth::MessageAuthContext& context,
                                                     const std::string& file,
                                                     std::string_view bytes) {
  auth::MessageAuth message(context);
  if (s.ip) {
    message.connect(s.ip);
    message.helo(s.helo);
    message.mail_from(s.mail_from.value_or(""));
  }
  for (const auto& r : s.rcpt_to) message.rcpt_to(r);
  auth::message::MessageParser parser(message, context.limits());
  auto read = parser.feed(bytes);
  if (read) read = parser.finish();
  if (!read)
    return std::unexpected(MessageReader::display_name(file) + ": " + read.error().message);
  return message.finish();
}

bool has_body_mismatch(const auth::Verdict& v) {
  return std::any_of(v.dkim.begin(), v.dkim.end(), [](const auth::dkim::DkimResult& r) {
    return r.result == auth::dkim::Result::Fail && r.reason.starts_with("body hash mismatch");
  });
}

FileOutcome verify_file(const VerifySettings& s, MessageReader& reader, const std::string& file) {
  FileOutcome outcome;
  const auth::MessageAuthContext& context = s.context;
  const std::string& authserv_id = s.authserv_id;
  const auto bytes = reader.read(file);
  if (!bytes) {
    outcome.err = "mailauth verify: " + bytes.error() + "\n";
    outcome.status = exit_usage;
    return outcome;
  }
  auto verdict = verdict_of(s, context, file, *bytes);
  if (verdict && has_body_mismatch(*verdict)) verdict = verdict_of(s, s.diagnosing, file, *bytes);
  if (!verdict) {
    outcome.err = "mailauth verify: " + verdict.error() + "\n";
    outcome.status = exit_usage;
    return outcome;
  }
  bool failed = false, temporary = false;
  const auth::Verdict& v = *verdict;
  // One record per message file (never deduplicated); its time is --now when given. add() only
  // queues (thread-safe); the store's own thread writes.
  if (s.store) {
    const std::optional<std::string> envelope_from =
        s.ip ? std::optional<std::string>(s.mail_from.value_or("")) : std::nullopt;
    if (auto record =
            auth::dmarc::make_report_record(v.dmarc, v.spf ? &*v.spf : nullptr, v.dkim, s.ip,
                                            envelope_from, s.rcpt_to, context.clock().now()))
      s.store->add(std::move(*record));
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
  outcome.status = failed ? exit_fail : temporary ? exit_temporary : exit_ok;
  if (s.json) {
    Json dkim = Json::array();
    dkim.get_ref<Json::array_t&>().reserve(v.dkim.size());
    for (const auto& r : v.dkim) dkim.push_back(dkim_json(r));
    JsonObject out(6);
    out.add("file", file);
    if (v.spf) out.add("spf", spf_json(*v.spf, context.options().spf_checker.receiving_host));
    out.add("dkim", std::move(dkim));
    out.add("arc", arc_json(v.arc));
    out.add("dmarc", dmarc_json(v.dmarc));
    if (!authserv_id.empty())
      out.add("authentication_results", v.arc_authentication_results(authserv_id));
    outcome.out = json_line(out.take());
  } else {
    std::ostringstream text;
    print_text(text, file, v);
    if (!authserv_id.empty()) {
      std::string field = "Authentication-Results:" + v.authentication_results(authserv_id);
      for (std::size_t at = field.find("\r\n"); at != std::string::npos; at = field.find("\r\n"))
        field.erase(at, 1);  // folded for a terminal: LF only
      text << "  " << field << '\n';
    }
    outcome.out = std::move(text).str();
  }
  return outcome;
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
      "Files are verified --jobs at a time over one DNS and key cache, and reported in\n"
      "the order given; keys fetched for one file are reused for the next. With\n"
      "--files-from, the paths come from a file (one a line) as well. Exit 0 when nothing failed,\n"
      "1 when a signature does not pass, the ARC chain fails or DMARC fails, 2 for a\n"
      "usage or unreadable-input error, 3 when only temporary (DNS) errors prevented a\n"
      "verdict."};
  cl.options.add_options()                                                          //
      ("ip", po::value(&ip_text)->value_name("ADDR"), "SMTP client address (SPF)")  //
      ("helo", po::value(&helo)->value_name("NAME"), "HELO/EHLO name")              //
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
       "instead of the DNS tree walk")                             //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),  //
       "verify as if the time were this (seconds since 1970)")     //
      ("allow-rsa-sha1", po::bool_switch(&allow_sha1),             //
       "count valid rsa-sha1 signatures as pass (RFC 8301 says they are not valid)");
  add_common_options(cl, common);
  BatchOptions batch;
  add_batch_options(cl, batch);
  cl.add_positional("file", -1, "message files (- for standard input)");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  if (vm->count("mail-from") != 0) mail_from = (*vm)["mail-from"].as<std::string>();
  auto inputs = batch_inputs(cl, *vm, batch);
  if (!inputs) return inputs.error();

  std::optional<auth::IpAddress> ip;
  if (!ip_text.empty()) {
    auto parsed = auth::IpAddress::parse(ip_text);
    if (!parsed) return usage_error(cl.name, "--ip: " + parsed.error().message);
    ip.emplace(*parsed);
    if (!mail_from && helo.empty())
      return usage_error(cl.name, "--ip needs --mail-from, --helo or both");
  } else if (mail_from || !helo.empty()) {
    return usage_error(cl.name, "--helo and --mail-from need --ip");
  }

  auth::MessageAuthOptions options;
  options.allow_rsa_sha1 = allow_sha1;
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
  auth::MessageAuthOptions diagnosing_options = options;
  diagnosing_options.diagnose_body_mismatch = true;  // an admin asking why wants the explanation
  const auth::MessageAuthContext context(resolver, *clock, limits, std::move(options));
  const auth::MessageAuthContext diagnosing(resolver, *clock, limits,
                                            std::move(diagnosing_options));

  std::unique_ptr<auth::dmarc::ReportStore> store;
  if (!report_store.empty()) {
    auto opened = auth::dmarc::ReportStore::open(report_store);
    if (!opened) return usage_error(cl.name, "--report-store: " + opened.error().message);
    store = std::move(*opened);
  }

  const VerifySettings settings{context,     diagnosing,  ip,      helo,       mail_from,
                                authserv_id, common.json, rcpt_to, store.get()};
  const int status = run_batch(cl.name, inputs->files, inputs->jobs, [&settings] {
    return [&settings, reader = std::make_shared<MessageReader>()](const std::string& file) {
      return verify_file(settings, *reader, file);
    };
  });
  if (store && !store->flush(std::chrono::seconds(60))) {
    const auto stats = store->stats();
    std::cerr << "mailauth verify: --report-store " << report_store << ": " << stats.queued
              << " records not written (the store is unreachable or refused them)\n";
    return combine_status(status, exit_temporary);
  }
  return status;
}

const Registration registration{
    {"verify", "the receiver's verdict on messages: DKIM, ARC, SPF and DMARC", run_verify}};

}  // namespace
}  // namespace mailauth::cli
