// Where the runners find the public conformance suites, and what they say when one is missing
// (README, "Conformance suites").
//
// The folder is MAILAUTH_CONFORMANCE_DIR, read at run time, else ../shared/conformance beside
// the source tree (MAILAUTH_CONFORMANCE, fixed at build time). A suite file that is not there
// skips its tests with a message naming the variable and the path, except in CI (CI=true),
// where it fails them. Each runner also records, for the summary scripts/test.sh prints, that
// its suite ran or why it was skipped: one small file per suite in MAILAUTH_SUITE_STATUS_DIR.
//
//   TEST(...) {
//     MAILAUTH_REQUIRE_SUITE("dkim/dkimpy", conformance_dir() / "dkim" / "dkimpy" /
//     "MANIFEST.yaml");
//     ...
//   }
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace mailauth::test {

inline std::filesystem::path conformance_dir() {
  const char* dir = std::getenv("MAILAUTH_CONFORMANCE_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
  return MAILAUTH_CONFORMANCE;
}

// CI (.ci/run sets CI=true) has the suites: a missing file there is a failure.
inline bool missing_suite_fails() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

// Writes "ran" or "skipped: <why>" for `suite` ("dkim/dkimpy") into the status folder, whole
// (a temporary file renamed into place: ctest runs many cases of one suite at once).
inline void record_suite(std::string_view suite, std::string_view status) {
#ifdef MAILAUTH_SUITE_STATUS_DIR
  std::error_code ec;
  const std::filesystem::path dir = MAILAUTH_SUITE_STATUS_DIR;
  std::filesystem::create_directories(dir, ec);
  std::string name(suite);
  for (char& c : name)
    if (c == '/') c = '.';
  const std::filesystem::path target = dir / name;
  const std::filesystem::path temporary = dir / (name + ".tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << status << '\n';
    if (!out) return;
  }
  std::filesystem::rename(temporary, target, ec);
  if (ec) std::filesystem::remove(temporary, ec);
#else
  (void)suite;
  (void)status;
#endif
}

// Records the suite as run when `path` exists; otherwise as skipped and returns the message
// that says why, naming the variable and the missing path.
inline std::optional<std::string> check_suite(std::string_view suite,
                                              const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    record_suite(suite, "ran");
    return std::nullopt;
  }
  const char* set = std::getenv("MAILAUTH_CONFORMANCE_DIR");
  const std::string where = set != nullptr && *set != '\0'
                                ? "MAILAUTH_CONFORMANCE_DIR=" + std::string(set)
                                : "MAILAUTH_CONFORMANCE_DIR is not set; the default is " +
                                      std::string(MAILAUTH_CONFORMANCE);
  const std::string why = path.string() + " not found (" + where + ")";
  record_suite(suite, "skipped: " + why);
  return std::string(suite) + ": " + why +
         "; point MAILAUTH_CONFORMANCE_DIR at a folder laid out like ../shared/conformance";
}

}  // namespace mailauth::test

// In a test body: skips the test (fails it in CI) when the suite file `path` is missing. ctest
// marks a runner skipped on the words "conformance suite skipped" (tests/CMakeLists.txt).
#define MAILAUTH_REQUIRE_SUITE(suite, path)                                         \
  do {                                                                              \
    if (const auto mailauth_missing = ::mailauth::test::check_suite(suite, path)) { \
      if (::mailauth::test::missing_suite_fails())                                  \
        FAIL() << "conformance suite missing (CI=true makes this a failure): "      \
               << *mailauth_missing;                                                \
      GTEST_SKIP() << "conformance suite skipped: " << *mailauth_missing;           \
    }                                                                               \
  } while (false)
