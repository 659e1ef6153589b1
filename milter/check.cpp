#include "check.hpp"

#include <ostream>

#include "runtime.hpp"

namespace mailauth::milter {

int run_check(const Invocation& invocation, std::ostream& out, std::ostream& err) {
  std::vector<ConfigError> errors = invocation.errors;
  const Config& config = invocation.config;
  auto runtime = build_runtime(config);
  if (!runtime) errors.insert(errors.end(), runtime.error().begin(), runtime.error().end());
  for (const ConfigError& e : errors) err << "mailauth-milter: " << e.text() << '\n';
  const std::string source = config.config_file.empty() ? "the command line" : config.config_file;
  if (!errors.empty()) {
    err << "mailauth-milter: " << errors.size() << " problem" << (errors.size() == 1 ? "" : "s")
        << " in " << source << '\n';
    return exit_usage;
  }
  out << source << ": OK (" << config.signers.size() << " signer"
      << (config.signers.size() == 1 ? "" : "s") << ", " << config.seals.size() << " seal"
      << (config.seals.size() == 1 ? "" : "s") << ", mode " << to_string(config.mode) << ")\n";
  return exit_ok;
}

}  // namespace mailauth::milter
