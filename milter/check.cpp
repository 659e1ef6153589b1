#include "check.hpp"

#include <ostream>

#include <auth/key_check.hpp>

#include "runtime.hpp"

namespace mailauth::milter {
namespace {

// With --check-dns: each key against its published record, as `mailauth keycheck` does.
void check_dns(const Runtime& runtime, std::vector<ConfigError>& errors, std::ostream& out) {
  auto check = [&](const LoadedKey& k, const char* what) {
    const std::string name = std::string(what) + " " + k.spec.domain + ":" + k.spec.selector;
    auto result = auth::dkim::check_published_key(*runtime.resolver, k.spec.domain,
                                                  k.spec.selector, *k.key, runtime.limits);
    if (!result) {
      errors.push_back({k.spec.origin, name + ": " + result.error().message});
      return;
    }
    std::string problems;
    for (const auth::dkim::KeyProblem& p : result->problems)
      problems += (problems.empty() ? "" : "; ") + p.text;
    if (result->result != auth::dkim::KeyCheckResult::Ok) {
      errors.push_back({k.spec.origin, name + ": DNS record " + result->name + " is " +
                                           std::string(auth::dkim::to_string(result->result)) +
                                           (problems.empty() ? "" : ": " + problems)});
      return;
    }
    out << name << ": " << result->name << " publishes this key"
        << (problems.empty() ? "" : " (" + problems + ")") << '\n';
  };
  for (const LoadedKey& k : runtime.signers) check(k, "signer");
  for (const LoadedKey& k : runtime.seals) check(k, "seal");
}

}  // namespace

int run_check(const Invocation& invocation, std::ostream& out, std::ostream& err) {
  std::vector<ConfigError> errors = invocation.errors;
  const Config& config = invocation.config;
  auto runtime = build_runtime(config);
  if (!runtime)
    errors.insert(errors.end(), runtime.error().begin(), runtime.error().end());
  else if (invocation.check_dns)
    check_dns(**runtime, errors, out);
  for (const ConfigError& e : errors) err << "mailauth-milter: " << e.text() << '\n';
  const std::string source = config.config_file.empty() ? "the command line" : config.config_file;
  if (!errors.empty()) {
    err << "mailauth-milter: " << errors.size() << " problem" << (errors.size() == 1 ? "" : "s")
        << " in " << source << '\n';
    return exit_usage;
  }
  out << source << ": OK (" << config.signers.size() << " signer"
      << (config.signers.size() == 1 ? "" : "s") << ", " << config.seals.size() << " seal"
      << (config.seals.size() == 1 ? "" : "s") << ", mode " << to_string(config.mode)
      << (invocation.check_dns ? ", keys checked in DNS" : "") << ")\n";
  return exit_ok;
}

}  // namespace mailauth::milter
