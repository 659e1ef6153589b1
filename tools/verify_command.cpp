// mailauth verify: check every DKIM-Signature (RFC 6376) and the ARC chain (RFC 8617) of one or
// more messages.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <auth/arc.hpp>
#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/message.hpp>
#include <auth/reason.hpp>

#include "arc_json.hpp"
#include "command_setup.hpp"
#include "options.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

// Feeds the parser's events to the DKIM verifier and the ARC validator alike.
class VerifyHandler final : public auth::message::MessageHandler {
 public:
  VerifyHandler(auth::dkim::Verifier& verifier, auth::arc::Validator& validator)
      : verifier_(verifier), validator_(validator) {}
  void header(const auth::message::HeaderField& field) override {
    verifier_.header(field);
    validator_.header(field);
  }
  void end_of_headers() override {
    verifier_.end_of_headers();
    validator_.end_of_headers();
  }
  void body(std::string_view chunk) override {
    verifier_.body(chunk);
    validator_.body(chunk);
  }
  void end_of_message() override {}

 private:
  auth::dkim::Verifier& verifier_;
  auth::arc::Validator& validator_;
};

nlohmann::ordered_json to_json(const auth::dkim::DkimResult& r) {
  return {{"domain", r.domain},       {"selector", r.selector},
          {"algorithm", r.algorithm}, {"result", std::string(auth::dkim::to_string(r.result))},
          {"reason", r.reason},       {"reason_code", std::string(auth::to_string(r.reason_code))},
          {"key_bits", r.key_bits},   {"auid", r.auid}};
}

void print_text(const std::string& file, const std::vector<auth::dkim::DkimResult>& results,
                const auth::arc::ArcResult& arc) {
  std::cout << file << ":";
  if (results.empty()) std::cout << " no DKIM signature";
  std::cout << '\n';
  for (const auto& r : results) {
    std::cout << "  dkim=" << auth::dkim::to_string(r.result) << " d=" << r.domain
              << " s=" << r.selector << " a=" << r.algorithm;
    if (r.key_bits != 0) std::cout << " bits=" << r.key_bits;
    if (!r.auid.empty()) std::cout << " i=" << r.auid;
    if (r.testing) std::cout << " (testing key)";
    if (!r.reason.empty()) std::cout << " (" << r.reason << ")";
    std::cout << '\n';
  }
  std::cout << "  arc=" << auth::arc::to_string(arc.result);
  if (arc.instances != 0) std::cout << " instances=" << arc.instances;
  if (arc.oldest_pass != 0) std::cout << " oldest-pass=" << arc.oldest_pass;
  if (!arc.reason.empty()) std::cout << " (" << arc.reason << ")";
  std::cout << '\n';
}

int run_verify(const std::vector<std::string>& args) {
  CommonOptions common;
  std::optional<std::int64_t> now;
  bool allow_sha1 = false;
  CommandLine cl{
      "verify", "[options] [FILE... | -]",
      "Verify every DKIM-Signature and the ARC chain of each message (standard input\n"
      "when no FILE is given) and print each result with its reason. Keys fetched for\n"
      "one file are reused for the next. Exit 0 when every signature passes (or there\n"
      "is none) and the ARC chain passes (or there is none), 1 when a signature does\n"
      "not pass or the ARC chain fails, 2 for a usage or unreadable-input error, 3 when\n"
      "only temporary (DNS) errors prevented a verdict."};
  cl.options.add_options()                                         //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),  //
       "verify as if the time were this (seconds since 1970)")     //
      ("allow-rsa-sha1", po::bool_switch(&allow_sha1),             //
       "count valid rsa-sha1 signatures as pass (RFC 8301 says they are not valid)");
  add_common_options(cl, common);
  cl.add_positional("file", -1, "message files (- for standard input)");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  std::vector<std::string> files;
  if (vm->count("file") != 0) files = (*vm)["file"].as<std::vector<std::string>>();
  if (files.empty()) files.push_back("-");

  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> upstream = std::move(*made);
  const std::unique_ptr<auth::Clock> clock = make_clock(now);
  auth::dns::CachingResolver resolver(*upstream, *clock);
  auth::dkim::KeyCache key_cache;
  auth::dkim::VerifyOptions options;
  options.allow_rsa_sha1 = allow_sha1;
  options.key_cache = &key_cache;
  // A person reads these results: explain body hash mismatches as far as a copy of the body
  // (up to 64 KiB) allows.
  options.keep_body_for_diagnosis = true;
  const auth::Limits limits;

  bool unreadable = false, failed = false, temporary = false;
  for (const std::string& file : files) {
    // DKIM and the ARC chain's AMSs share body hashes: one pass per distinct key.
    auth::dkim::BodyHashSet body_hashes;
    auth::dkim::VerifyOptions file_options = options;
    file_options.shared_body_hashes = &body_hashes;
    auth::dkim::Verifier verifier(resolver, *clock, limits, file_options);
    auth::arc::Validator validator(resolver, *clock, limits,
                                   {.key_cache = &key_cache, .shared_body_hashes = &body_hashes});
    VerifyHandler handler(verifier, validator);
    const auto read = file == "-"
                          ? auth::message::read_eml(std::cin, "standard input", handler, limits)
                          : auth::message::read_eml(file, handler, limits);
    if (!read) {
      std::cerr << "mailauth verify: " << read.error().message << '\n';
      unreadable = true;
      continue;
    }
    const auto results = verifier.finish();
    const auth::arc::ArcResult arc = validator.finish();
    for (const auto& r : results) {
      if (r.result == auth::dkim::Result::TempError)
        temporary = true;
      else if (r.result != auth::dkim::Result::Pass)
        failed = true;
    }
    // A broken chain is a failure; no chain (none) is not.
    if (arc.result == auth::arc::ChainResult::Fail) failed = true;
    if (arc.result == auth::arc::ChainResult::TempError) temporary = true;
    if (common.json) {
      nlohmann::ordered_json dkim = nlohmann::ordered_json::array();
      for (const auto& r : results) dkim.push_back(to_json(r));
      const nlohmann::ordered_json out = {{"file", file}, {"dkim", dkim}, {"arc", arc_json(arc)}};
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
      print_text(file, results, arc);
    }
  }
  if (unreadable) return exit_usage;
  if (failed) return exit_fail;
  if (temporary) return exit_temporary;
  return exit_ok;
}

const Registration registration{
    {"verify", "verify the DKIM signatures (RFC 6376) and ARC chain (RFC 8617) of messages",
     run_verify}};

}  // namespace
}  // namespace mailauth::cli
