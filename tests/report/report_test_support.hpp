// Helpers for the report tests: sample records and verdicts, temporary directories, the two
// store back ends (a fresh SQLite file, or a fresh database on the test PostgreSQL server that
// with_postgres.sh started), raw SQL against a store, and running programs.
#pragma once

#include <auth/dmarc.hpp>
#include <auth/report.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace auth::report_test {

// A unique empty directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A record like the pipeline makes for a message from `header_from` whose policy was found at
// `policy_domain` (p=reject, rua to dmarc-reports@<policy_domain>).
dmarc::ReportRecord sample_record(std::int64_t time, std::string header_from = "example.com",
                                  std::string policy_domain = "example.com",
                                  std::string source_ip = "192.0.2.1");

// The policy record that sample_record uses.
dmarc::Record sample_policy_record(std::vector<std::string> rua, std::vector<std::string> ruf = {});

// The two back ends.
enum class Backend { Sqlite, Postgres };
std::string to_string(Backend backend);

// Whether the test PostgreSQL server is there (MAILAUTH_TEST_PG_HOST); under CI its absence
// is a failure, elsewhere a skip with a message.
bool postgres_available();
// A new empty database on the test server: its URI.
std::string new_postgres_database();
// A store URI for a fresh store of `backend` (SQLite: a file in `dir`).
std::string fresh_store_uri(Backend backend, const std::filesystem::path& dir);
// Runs SQL directly against a store (tests that tamper with a schema). Empty on success, else
// the error.
std::string raw_sql(const std::string& uri, const std::string& sql);
// The SQLite integrity check of a store file ("ok" when intact).
std::string sqlite_integrity(const std::string& uri);

struct Process {
  int exit_code = -1;
  std::string out, err;
};
// Runs argv with standard input from `input`.
Process run(const std::vector<std::string>& argv, const std::string& input = {});

// Reads a whole file ("" when missing).
std::string read_file(const std::filesystem::path& path);

// The conformance material: <repo>/../shared/conformance/dmarc.
std::filesystem::path conformance_dir();
// The XSD and a validation of `xml` against it by xmllint: "" when valid, else its messages.
std::string xmllint_validate(const std::string& xml);

}  // namespace auth::report_test
