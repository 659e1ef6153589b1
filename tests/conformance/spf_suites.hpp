// Loads the SPF conformance cases (OpenSPF YAML suites, stalwart line format) for the
// parameterized runner.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "spf_test_zone.hpp"

namespace mailauth::test {

struct SpfCase {
  std::string name;    // GoogleTest parameter name (letters, digits, '_')
  std::string origin;  // file and scenario, for failure messages
  std::string helo;
  std::string host;
  std::string mailfrom;        // OpenSPF: MAIL FROM ("" = null sender)
  bool stalwart = false;       // stalwart: check_host(host, domain-of(mailfrom) or helo, mailfrom)
  bool helo_identity = false;  // stalwart "HELO identity" block: check the HELO name
  std::vector<std::string> results;        // any one is acceptable
  std::optional<std::string> explanation;  // compared exactly when present
  std::shared_ptr<SpfTestZone> zone;
  std::string suite;       // "spf/rfc7208", for the summary of scripts/test.sh
  std::string suite_file;  // the file or folder it comes from; may be missing (one case says so)
};

// Keeps GoogleTest from dumping the bytes of a case.
inline void PrintTo(const SpfCase& c, std::ostream* os) { *os << c.origin; }

std::string spf_conformance_dir();
// `prefix_scenario`: test ids repeat across scenarios (blitiri), so prefix "sN_".
std::vector<SpfCase> load_openspf_suite(const std::string& relative_path, bool prefix_scenario);
std::vector<SpfCase> load_stalwart_suite();

}  // namespace mailauth::test
