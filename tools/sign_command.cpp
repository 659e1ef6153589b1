// mailauth sign: add DKIM-Signature fields to a message (RFC 6376) and write it to stdout.
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <auth/clock.hpp>
#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/message.hpp>

#include "batch.hpp"
#include "command_setup.hpp"
#include "message_io.hpp"
#include "message_reader.hpp"
#include "options.hpp"
#include "subcommand.hpp"

namespace mailauth::cli {
namespace {

class SignHandler final : public auth::message::MessageHandler {
 public:
  explicit SignHandler(auth::dkim::Signer& signer) : signer_(signer) {}
  void header(const auth::message::HeaderField& field) override { signer_.header(field); }
  void end_of_headers() override { signer_.end_of_headers(); }
  void body(std::string_view chunk) override { signer_.body(chunk); }
  void end_of_message() override {}

 private:
  auth::dkim::Signer& signer_;
};

// Signs one file: written to standard output, or to a new file under --output-dir.
FileOutcome sign_file(std::span<const auth::dkim::SignerOptions> options, const auth::Clock& clock,
                      const std::string& output_dir, MessageReader& reader,
                      const std::string& file) {
  FileOutcome outcome;
  const auto fail = [&outcome](int status, std::string_view message) {
    outcome.err = "mailauth sign: " + std::string(message) + "\n";
    outcome.status = status;
    return outcome;
  };
  std::string target;
  if (!output_dir.empty()) {
    auto path = output_path(output_dir, file);
    if (!path) return fail(exit_usage, path.error());
    target = std::move(*path);
  }
  const auto message = reader.read(file);
  if (!message) return fail(exit_usage, message.error());
  auto signer = auth::dkim::Signer::create(options, clock);
  if (!signer) return fail(exit_usage, signer.error().message);  // checked once before
  SignHandler handler(*signer);
  if (auto parsed = parse_message(file, *message, handler); !parsed)
    return fail(exit_usage, parsed.error());
  auto fields = signer->finish();
  if (!fields) {
    return fail(exit_fail, output_dir.empty()
                               ? fields.error().message
                               : MessageReader::display_name(file) + ": " + fields.error().message);
  }
  std::string head = fields_text(*fields, *message);
  if (output_dir.empty()) {
    outcome.out = std::move(head);
    outcome.out += *message;
  } else if (auto written = write_new_file(target, head, *message); !written) {
    return fail(exit_usage, written.error());
  }
  return outcome;
}

int run_sign(const std::vector<std::string>& args) {
  std::string domain, selector, key_file, algorithm, canonicalization = "relaxed/relaxed", headers;
  std::string identity;
  std::vector<std::string> signer_specs;
  std::string output_dir;
  bool body_length = false, no_oversign = false;
  std::optional<std::int64_t> expire, now;
  CommandLine cl{"sign",
                 "--domain D --selector S --key FILE [options] [FILE | -]\n"
                 "       mailauth sign --signer D:S:KEYFILE [--signer ...] [options] [FILE | -]\n"
                 "       mailauth sign ... --output-dir DIR [--jobs N] [--files-from LIST] FILE...",
                 "Sign a message (standard input when no FILE is given) and write it, with the\n"
                 "new DKIM-Signature fields on top, to standard output. --signer may be repeated\n"
                 "to add several signatures in one pass (for example RSA and Ed25519). The other\n"
                 "options apply to every signature. With --output-dir, each FILE (and each path\n"
                 "in --files-from) is signed into DIR under its own file name, --jobs at a time;\n"
                 "an existing file there is never replaced."};
  cl.options.add_options()                                                                    //
      ("domain", po::value(&domain)->value_name("D"), "signing domain (d=)")                  //
      ("selector", po::value(&selector)->value_name("S"), "selector (s=)")                    //
      ("key", po::value(&key_file)->value_name("FILE"), "private key (PEM; RSA or Ed25519)")  //
      ("signer", po::value(&signer_specs)->value_name("D:S:KEYFILE"),
       "a signature to add; may be repeated")  //
      ("algorithm", po::value(&algorithm)->value_name("A"),
       "rsa-sha256 or ed25519-sha256 (default: by key type)")  //
      ("canonicalization", po::value(&canonicalization)->value_name("H/B"),
       "c= value (default relaxed/relaxed)")  //
      ("headers", po::value(&headers)->value_name("LIST"),
       "colon-separated fields to sign (default: RFC 6376 5.4.1 list of present fields)")        //
      ("no-oversign", po::bool_switch(&no_oversign), "do not sign From one extra time")          //
      ("body-length", po::bool_switch(&body_length), "add l= (the signed body length)")          //
      ("identity", po::value(&identity)->value_name("ADDR"), "agent or user identifier (i=)")    //
      ("expire", po::value<std::int64_t>()->value_name("SECONDS"), "add x= this long after t=")  //
      ("now", po::value<std::int64_t>()->value_name("UNIX_TIME"),
       "sign as if the time were this")  //
      ("output-dir", po::value(&output_dir)->value_name("DIR"),
       "write each signed message to DIR/<its file name> (needed for several files)");
  BatchOptions batch;
  add_batch_options(cl, batch);
  cl.add_positional("file", -1, "message files (- for standard input)");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  if (vm->count("expire") != 0) expire = (*vm)["expire"].as<std::int64_t>();
  if (vm->count("now") != 0) now = (*vm)["now"].as<std::int64_t>();
  std::vector<std::string> files;
  if (vm->count("file") != 0) files = (*vm)["file"].as<std::vector<std::string>>();
  const auto jobs = batch_jobs(cl, batch);
  if (!jobs) return jobs.error();
  auto inputs = FileList::open(std::move(files), batch.files_from);
  if (!inputs) return usage_error(cl.name, inputs.error());
  if (output_dir.empty() && inputs->total() != 1)
    return usage_error(cl.name, "several messages need --output-dir (standard output takes one)");

  struct Spec {
    std::string domain, selector, key_file;
  };
  std::vector<Spec> specs;
  if (!domain.empty() || !selector.empty() || !key_file.empty()) {
    if (domain.empty() || selector.empty() || key_file.empty())
      return usage_error(cl.name, "--domain, --selector and --key go together");
    specs.push_back({domain, selector, key_file});
  }
  for (const std::string& spec : signer_specs) {
    const std::size_t a = spec.find(':');
    const std::size_t b = a == std::string::npos ? a : spec.find(':', a + 1);
    if (b == std::string::npos)
      return usage_error(cl.name, "--signer wants DOMAIN:SELECTOR:KEYFILE");
    specs.push_back({spec.substr(0, a), spec.substr(a + 1, b - a - 1), spec.substr(b + 1)});
  }
  if (specs.empty()) return usage_error(cl.name, "give --domain/--selector/--key or --signer");

  auth::dkim::SignerOptions common;
  auto pair = auth::dkim::parse_canonicalization(canonicalization);
  if (!pair) return usage_error(cl.name, "--canonicalization: " + pair.error().message);
  common.canonicalization = *pair;
  if (!algorithm.empty()) {
    common.algorithm = auth::dkim::parse_algorithm(algorithm);
    if (!common.algorithm)
      return usage_error(cl.name, "--algorithm: unknown algorithm " + algorithm);
  }
  if (!headers.empty()) common.headers = split_list(headers, ':');
  if (no_oversign) common.oversign.clear();
  common.body_length = body_length;
  if (!identity.empty()) common.identity = identity;
  if (expire) common.expire_after = std::chrono::seconds(*expire);

  // Each key file is loaded once, even when several signatures use it.
  std::map<std::string, std::shared_ptr<const auth::crypto::PrivateKey>> keys;
  std::vector<auth::dkim::SignerOptions> options;
  for (const Spec& spec : specs) {
    auto& key = keys[spec.key_file];
    if (!key) {
      auto loaded = auth::crypto::PrivateKey::from_file(spec.key_file);
      if (!loaded) return usage_error(cl.name, loaded.error().message);
      key = std::make_shared<const auth::crypto::PrivateKey>(std::move(*loaded));
    }
    auth::dkim::SignerOptions o = common;
    o.domain = spec.domain;
    o.selector = spec.selector;
    o.key = key;
    options.push_back(std::move(o));
  }
  const std::unique_ptr<auth::Clock> clock = make_clock(now);
  // Checked once here, so that a bad option is one usage error rather than one per file.
  if (auto signer = auth::dkim::Signer::create(options, *clock); !signer)
    return usage_error(cl.name, signer.error().message);

  return run_batch(cl.name, *inputs, *jobs, [&] {
    return [&, reader = std::make_shared<MessageReader>()](const std::string& file) {
      return sign_file(options, *clock, output_dir, *reader, file);
    };
  });
}

const Registration registration{{"sign", "add DKIM signatures to a message (RFC 6376)", run_sign}};

}  // namespace
}  // namespace mailauth::cli
