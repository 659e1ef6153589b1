// mailauth keygen: make a DKIM key pair, write the private key (mode 0600) and the DNS TXT record
// in zone-file syntax. Never replaces an existing file unless told to (--force): a private key
// overwritten while DNS still publishes its public half breaks every signature made afterwards.
#include <sys/stat.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <auth/crypto.hpp>
#include <auth/domain_name.hpp>

#include "atomic_file.hpp"
#include "options.hpp"
#include "subcommand.hpp"
#include "zone_record.hpp"

namespace mailauth::cli {
namespace {

mode_t public_file_mode() {
  const mode_t mask = ::umask(0);  // the only way to read it; single-threaded here
  ::umask(mask);
  return 0644 & ~mask;
}

int fail_with(const std::string& message) {
  std::cerr << "mailauth keygen: " << message << '\n';
  return exit_usage;
}

int run_keygen(const std::vector<std::string>& args) {
  std::string domain, selector, type = "rsa", out, record_file;
  unsigned bits = 2048;
  bool force = false;
  CommandLine cl{
      "keygen",
      "--domain D --selector S [--type rsa|ed25519] [--bits N] --out FILE [--record FILE] "
      "[--force]",
      "Generate a DKIM signing key. The private key is written to FILE (PKCS#8 PEM,\n"
      "mode 0600); the public key record to publish is printed in zone-file syntax,\n"
      "split into strings of at most 255 bytes, and written to --record FILE if given.\n"
      "An existing file is never replaced unless --force is given (exit 2 names it):\n"
      "the key it holds may be the one DNS publishes. Files are written whole or not at\n"
      "all (a temporary file in the same folder, synced, then renamed)."};
  cl.options.add_options()                                                                      //
      ("domain", po::value(&domain)->required()->value_name("D"), "signing domain (d=)")        //
      ("selector", po::value(&selector)->required()->value_name("S"), "selector (s=)")          //
      ("type", po::value(&type)->value_name("TYPE"), "rsa (default) or ed25519")                //
      ("bits", po::value(&bits)->value_name("N"), "RSA key size, 1024 to 4096 (default 2048)")  //
      ("out", po::value(&out)->required()->value_name("FILE"), "private key file to write")     //
      ("record", po::value(&record_file)->value_name("FILE"),
       "also write the DNS record (zone-file syntax) to this file")  //
      ("force", po::bool_switch(&force),
       "replace existing files (the old key is lost: a record that publishes it no longer "
       "matches)");
  auto vm = parse_options(cl, args);
  if (!vm) return vm.error();
  // cppcheck-suppress knownConditionTrueFalse ; --type is written through Boost.Program_options
  if (type != "rsa" && type != "ed25519")
    return usage_error(cl.name, "--type must be rsa or ed25519");
  // cppcheck-suppress knownConditionTrueFalse ; --type is written through Boost.Program_options
  if (type == "rsa" && (bits < 1024 || bits > 4096))
    return usage_error(cl.name, "--bits must be between 1024 and 4096");
  auto name = auth::DomainName::parse(selector + "._domainkey." + domain);
  if (domain.empty() || selector.empty() || !name)
    return usage_error(cl.name, "bad --domain or --selector");
  if (out.empty()) return usage_error(cl.name, "--out must name a file");
  if (!record_file.empty() && std::filesystem::path(record_file).lexically_normal() ==
                                  std::filesystem::path(out).lexically_normal())
    return usage_error(cl.name, "--record and --out must be different files");

  // Refuse before the (slow) key generation; commit() checks again, atomically.
  std::vector<std::string> targets{out};
  if (!record_file.empty()) targets.push_back(record_file);
  std::vector<std::string> replaced;
  for (const std::string& target : targets) {
    if (!exists_at(target)) continue;
    if (!force)
      return fail_with(target + " exists; not overwriting it (use --force to replace it)");
    replaced.push_back(target);
  }

  // cppcheck-suppress knownConditionTrueFalse ; --type is written through Boost.Program_options
  auto key = type == "rsa" ? auth::crypto::PrivateKey::generate_rsa(bits)
                           : auth::crypto::PrivateKey::generate_ed25519();
  if (!key) return fail_with(key.error().message);
  const std::string zone = dkim_zone_record(name->str(), *key);

  // Both files are staged before either is put in place, so a failure leaves nothing half done.
  auto staged_key = StagedFile::create(out, key->to_pem(), 0600);
  if (!staged_key) return fail_with(staged_key.error());
  std::optional<StagedFile> staged_record;
  if (!record_file.empty()) {
    auto staged = StagedFile::create(record_file, zone, public_file_mode());
    if (!staged) return fail_with(staged.error());
    staged_record.emplace(std::move(*staged));
  }
  if (auto done = staged_key->commit(force); !done)
    return fail_with(done.error() +
                     (force ? "" : "; not overwriting it (use --force to replace it)"));
  if (staged_record) {
    if (auto done = staged_record->commit(force); !done)
      return fail_with(done.error() + "; the private key was written to " + out);
  }
  for (const std::string& target : targets) {
    if (auto synced = sync_directory(target); !synced) return fail_with(synced.error());
  }
  for (const std::string& target : replaced)
    std::cerr << "mailauth keygen: replaced " << target << '\n';
  std::cout << zone;
  return exit_ok;
}

const Registration registration{
    {"keygen", "generate a DKIM key pair and print its DNS record", run_keygen}};

}  // namespace
}  // namespace mailauth::cli
