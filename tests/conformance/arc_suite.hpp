// Loading the ValiMail ARC suites (../shared/conformance/arc/valimail, see SUITE-SCHEMA.md there).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace mailauth::test {

std::string arc_conformance_dir();  // <conformance folder>/arc

struct ArcValidationCase {
  std::string id;        // test id, unique in the file
  std::string scenario;  // scenario description
  std::string spec;
  std::string description;
  std::string message;  // LF line endings, as stored
  std::string cv;       // "Pass", "Fail", "None" or ""
  std::map<std::string, std::string> txt_records;
  std::string missing_file;  // non-empty: the suite file is absent (the one case says so)
};

struct ArcSigningCase {
  std::string id;
  std::string scenario;
  std::string description;
  std::string message;
  std::int64_t t = 0;
  std::string sig_headers;  // h= list, colon separated
  std::string srv_id;
  std::string as, ams, aar;  // expected values, without header names
  std::string domain, selector, private_key;
  std::map<std::string, std::string> txt_records;
  std::string missing_file;
};

std::vector<ArcValidationCase> load_arc_validation_cases();
std::vector<ArcSigningCase> load_arc_signing_cases();

// GoogleTest prints the case id, not its bytes.
inline void PrintTo(const ArcValidationCase& c, std::ostream* os) { *os << c.id; }
inline void PrintTo(const ArcSigningCase& c, std::ostream* os) { *os << c.id; }

// GoogleTest-safe name: letters, digits and '_'.
std::string gtest_name(const std::string& id);

}  // namespace mailauth::test
