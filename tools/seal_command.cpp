// mailauth seal: validate a message's ARC chain (RFC 8617 §5.2), check what this hop checks
// (DKIM, and SPF when the SMTP client is given), and write the message with a new ARC set
// (§5.1) on top to standard output.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <auth/arc.hpp>
#include <auth/authres.hpp>
#include <auth/clock.hpp>
#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/message.hpp>
#include <auth/message_auth.hpp>
#include <auth/spf.hpp>

#include "batch.hpp"
#include "command_setup.hpp"
#include "message_io.hpp"
#include "message_reader.hpp"
#include "options.hpp"
#include "result_json.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

// Feeds one message to the verifying pipeline and the sealer at once.
class SealHandler final : public auth::message::MessageHandler {
 public:
  SealHandler(auth::MessageAuth& auth, auth::arc::Sealer& sealer) : auth_(auth), sealer_(sealer) {}
  void header(const auth::message::HeaderField& field) override {
    auth_.header(field);
    sealer_.header(field);
  }
  void end_of_headers() override {
    auth_.end_of_headers();
    sealer_.end_of_headers();
  }
  void body(std::string_view chunk) override {
    auth_.body(chunk);
    sealer_.body(chunk);
  }
  void end_of_message() override {}

 private:
  auth::MessageAuth& auth_;
  auth::arc::Sealer& sealer_;
};

// What sealing one file needs besides the message: shared by every thread, read-only.
struct SealSettings {
  const auth::MessageAuthContext& context;
  const auth::arc::SealerOptions& options;
  const std::optional<auth::IpAddress>& ip;
  const std::string& helo;
  const std::optional<std::string>& mail_from;
  const std::string& authserv_id;
  const std::string& output_dir;
  bool json;
  bool name_files;  // messages name the file (several files, or --output-dir)
};

// Seals one file: the message with its new set to standard output or to a new file under
// --output-dir, and with --json a line describing the set.
FileOutcome seal_file(const SealSettings& s, MessageReader& reader, const std::string& file) {
  FileOutcome outcome;
  const std::string prefix =
      "mailauth seal: " + (s.name_files ? MessageReader::display_name(file) + ": " : "");
  const auto fail = [&](int status, std::string_view message) {
    outcome.err += prefix + std::string(message) + "\n";
    outcome.status = status;
    return outcome;
  };
  std::string target;
  if (!s.output_dir.empty()) {
    auto path = output_path(s.output_dir, file);
    if (!path) return fail(exit_usage, path.error());
    target = std::move(*path);
  }
  const auto message = reader.read(file);
  if (!message) {
    outcome.err = "mailauth seal: " + message.error() + "\n";
    outcome.status = exit_usage;
    return outcome;
  }
  auto sealer = auth::arc::Sealer::create(s.options, s.context.clock());
  if (!sealer) return fail(exit_usage, sealer.error().message);  // checked once before
  auth::MessageAuth auth(s.context);
  if (s.ip) {
    auth.connect(s.ip);
    auth.helo(s.helo);
    auth.mail_from(s.mail_from.value_or(""));
  }
  SealHandler handler(auth, *sealer);
  if (auto parsed = parse_message(file, *message, handler, s.context.limits()); !parsed) {
    outcome.err = "mailauth seal: " + parsed.error() + "\n";
    outcome.status = exit_usage;
    return outcome;
  }
  const auth::Verdict verdict = auth.finish();
  const auth::arc::ArcResult& chain = verdict.arc;
  if (chain.result == auth::arc::ChainResult::TempError)
    return fail(exit_temporary, "cannot validate the ARC chain now: " + chain.reason);
  // This hop's results (SPF, DKIM, ARC, DMARC) go into the new ARC-Authentication-Results.
  const std::string payload = verdict.arc_authentication_results(s.authserv_id);

  auth::arc::SealInput input;
  input.validation = &chain;
  input.authentication_results = payload;
  auto set = sealer->finish(input);
  if (!set)
    return fail(set.error().code == auth::ErrorCode::DnsTemporary ? exit_temporary : exit_fail,
                set.error().message);
  if (set->empty())
    outcome.err = prefix + "not sealed: " +
                  (chain.reason.empty() ? "the chain cannot be extended" : chain.reason) + "\n";

  if (!s.output_dir.empty()) {
    if (auto written = write_new_file(target, fields_text(*set, *message), *message); !written)
      return fail(exit_usage, written.error());
  }
  if (s.json) {
    Json fields = Json::array();
    for (const auto& field : *set)
      fields.push_back({{"name", field.name}, {"value", field.raw_value}});
    outcome.out = json_line({{"file", file},
                             {"arc", arc_json(chain)},
                             {"authentication_results", payload},
                             {"sealed", !set->empty()},
                             {"fields", fields}});
  } else if (s.output_dir.empty()) {
    outcome.out = fields_text(*set, *message);
    outcome.out += *message;
  }
  return outcome;
}

int run_seal(const std::vector<std::string>& args) {
  std::string domain, selector, key_file, authserv_id, algorithm, headers, ip_text, helo;
  std::string output_dir;
  std::optional<std::string> mail_from;
  std::optional<std::int64_t> now;
  CommonOptions common;
  CommandLine cl{"seal",
                 "--domain D --selector S --key FILE --authserv-id ID [--ip IP --helo H "
                 "--mail-from M] [options] [FILE | -]\n"
                 "       mailauth seal ... --output-dir DIR [--jobs N] [--files-from LIST] FILE...",
                 "Validate the message's ARC chain (standard input when no FILE is given), verify\n"
                 "its DKIM signatures and, with --ip, SPF; then write the message with a new ARC\n"
                 "set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results carrying these\n"
                 "results under --authserv-id) on top to standard output. A chain whose newest\n"
                 "set already says cv=fail is not extended: the message is written unchanged.\n"
                 "With --json, one JSON object describing the new set is written instead.\n"
                 "With --output-dir, each FILE (and each path in --files-from) is sealed into DIR\n"
                 "under its own file name, --jobs at a time; an existing file is never replaced.\n"
                 "Exits 3 when a temporary DNS failure prevented validating the chain."};
  cl.options.add_options()                                                                //
      ("domain", po::value(&domain)->required()->value_name("D"), "sealing domain (d=)")  //
      ("selector", po::value(&selector)->required()->value_name("S"), "selector (s=)")    //
      ("key", po::value(&key_file)->required()->value_name("FILE"),
       "private key (PEM; RSA or Ed25519)")  //
      ("authserv-id", po::value(&authserv_id)->required()->value_name("ID"),
       "this ADMD's authserv-id for the ARC-Authentication-Results")  //
      ("algorithm", po::value(&algorithm)->value_name("A"),
       "rsa-sha256 or ed25519-sha256 (default: by key type)")  //
      ("headers", po::value(&headers)->value_name("LIST"),
       "colon-separated fields for the ARC-Message-Signature (default: the DKIM signer's list)")  //
      ("ip", po::value(&ip_text)->value_name("IP"), "SMTP client address, to check SPF")          //
      ("helo", po::value(&helo)->value_name("NAME"), "HELO/EHLO name")                            //
      ("mail-from", po::value<std::string>()->value_name("ADDR"), "envelope sender (MAIL FROM)")  //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),
       "seal as if the time were this")  //
      ("output-dir", po::value(&output_dir)->value_name("DIR"),
       "write each sealed message to DIR/<its file name> (needed for several files)");
  add_common_options(cl, common);
  BatchOptions batch;
  add_batch_options(cl, batch);
  cl.add_positional("file", -1, "message files (- for standard input)");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("mail-from") != 0) mail_from = (*vm)["mail-from"].as<std::string>();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  auto inputs = batch_inputs(cl, *vm, batch);
  if (!inputs) return inputs.error();
  if (output_dir.empty() && !common.json && inputs->files.total() != 1)
    return usage_error(cl.name,
                       "several messages need --output-dir or --json (standard output takes one)");
  std::optional<auth::IpAddress> ip;
  if (!ip_text.empty()) {
    auto parsed = auth::IpAddress::parse(ip_text);
    if (!parsed) return usage_error(cl.name, "--ip: " + parsed.error().message);
    ip.emplace(*parsed);
  } else if (mail_from || !helo.empty()) {
    return usage_error(cl.name, "--helo and --mail-from need --ip");
  }

  auto loaded = auth::crypto::PrivateKey::from_file(key_file);
  if (!loaded) return usage_error(cl.name, loaded.error().message);
  auth::arc::SealerOptions options;
  auth::arc::SealingKey key{
      domain, selector, std::make_shared<const auth::crypto::PrivateKey>(std::move(*loaded)), {}};
  if (!algorithm.empty()) {
    key.algorithm = auth::dkim::parse_algorithm(algorithm);
    if (!key.algorithm) return usage_error(cl.name, "--algorithm: unknown algorithm " + algorithm);
  }
  options.keys.push_back(std::move(key));
  if (!headers.empty()) options.headers = split_list(headers, ':');

  const std::unique_ptr<auth::Clock> clock = make_clock(now);
  // Checked once here, so that a bad option is one usage error rather than one per file.
  if (auto sealer = auth::arc::Sealer::create(options, *clock); !sealer)
    return usage_error(cl.name, sealer.error().message);

  auto made = make_resolver(cl, common);
  if (!made) return made.error();
  const std::unique_ptr<auth::dns::Resolver> upstream = std::move(*made);
  auth::dns::CachingResolver resolver(*upstream, *clock);  // shared by every file and thread
  const auth::Limits limits;
  auth::MessageAuthOptions verify_options;
  verify_options.spf_checker.receiving_host = authserv_id;
  const auth::MessageAuthContext context(resolver, *clock, limits, std::move(verify_options));
  const SealSettings settings{
      context,    options,     ip,
      helo,       mail_from,   authserv_id,
      output_dir, common.json, !output_dir.empty() || inputs->files.total() != 1};
  return run_batch(cl.name, inputs->files, inputs->jobs, [&settings] {
    return [&settings, reader = std::make_shared<MessageReader>()](const std::string& file) {
      return seal_file(settings, *reader, file);
    };
  });
}

const Registration registration{{"seal", "add an ARC set to a message (RFC 8617)", run_seal}};

}  // namespace
}  // namespace mailauth::cli
