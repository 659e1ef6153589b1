#include "report_test_support.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

namespace auth::report_test {

// A child that closes its input early must give the writer EPIPE, not kill the test.
const bool sigpipe_ignored = [] {
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}();

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "mailauth-report-test.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

dmarc::Record sample_policy_record(std::vector<std::string> rua, std::vector<std::string> ruf) {
  std::string text = "v=DMARC1; p=reject";
  auto list = [](const std::vector<std::string>& uris) {
    std::string joined;
    for (const auto& u : uris) joined += (joined.empty() ? "" : ",") + u;
    return joined;
  };
  if (!rua.empty()) text += "; rua=" + list(rua);
  if (!ruf.empty()) text += "; ruf=" + list(ruf);
  auto record = dmarc::parse_record(text);
  if (!record) throw std::runtime_error("sample record: " + record.error().message);
  return *record;
}

dmarc::ReportRecord sample_record(std::int64_t time, std::string header_from,
                                  std::string policy_domain, std::string source_ip) {
  dmarc::ReportRecord r;
  r.time = TimePoint(std::chrono::seconds(time));
  r.source_ip = std::move(source_ip);
  r.header_from = std::move(header_from);
  r.envelope_from = r.header_from;
  r.envelope_to = "receiver.example";
  r.policy.domain = policy_domain;
  r.policy.p = dmarc::Policy::Reject;
  r.policy.rua = {"mailto:dmarc-reports@" + policy_domain};
  r.result = dmarc::Result::Pass;
  r.requested_policy = dmarc::Policy::Reject;
  r.evaluated_policy = dmarc::Policy::Reject;
  r.disposition = dmarc::Policy::None;
  r.dkim_aligned = true;
  r.spf_aligned = true;
  r.spf = dmarc::ReportSpf{r.header_from, true, "pass"};
  r.dkim = {{r.header_from, "sel1", "pass"}};
  return r;
}

std::string to_string(Backend backend) {
  return backend == Backend::Sqlite ? "sqlite" : "postgres";
}

bool postgres_available() { return std::getenv("MAILAUTH_TEST_PG_HOST") != nullptr; }

namespace {

std::string pg_uri(const std::string& db) {
  return "postgresql:///" + db + "?host=" + std::getenv("MAILAUTH_TEST_PG_HOST") + "&user=" +
         (std::getenv("MAILAUTH_TEST_PG_USER") ? std::getenv("MAILAUTH_TEST_PG_USER") : "dmarc");
}

std::string pg_exec(const std::string& uri, const std::string& sql) {
  PGconn* c = PQconnectdb(uri.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    const auto s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

}  // namespace

std::string new_postgres_database() {
  static std::atomic<int> counter{0};
  const std::string name =
      "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  const std::string admin =
      pg_uri(std::getenv("MAILAUTH_TEST_PG_DB") ? std::getenv("MAILAUTH_TEST_PG_DB") : "postgres");
  const std::string error = pg_exec(admin, "CREATE DATABASE " + name);
  if (!error.empty()) throw std::runtime_error("CREATE DATABASE: " + error);
  return pg_uri(name);
}

std::string fresh_store_uri(Backend backend, const std::filesystem::path& dir) {
  if (backend == Backend::Sqlite) return "sqlite:" + (dir / "reports.db").string();
  return new_postgres_database();
}

std::string raw_sql(const std::string& uri, const std::string& sql) {
  if (uri.starts_with("sqlite:")) {
    sqlite3* db = nullptr;
    std::string error;
    if (sqlite3_open(uri.substr(7).c_str(), &db) != SQLITE_OK) {
      error = sqlite3_errmsg(db);
    } else {
      char* message = nullptr;
      if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        error = message != nullptr ? message : "error";
        sqlite3_free(message);
      }
    }
    sqlite3_close(db);
    return error;
  }
  return pg_exec(uri, sql);
}

std::string sqlite_integrity(const std::string& uri) {
  sqlite3* db = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(uri.substr(7).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      result = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return result;
}

Process run(const std::vector<std::string>& argv, const std::string& input) {
  Process p;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    return p;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::size_t written = 0;
  bool in_open = true;
  if (input.empty()) {
    ::close(in[1]);
    in_open = false;
  }
  bool out_open = true, err_open = true;
  char buffer[65536];
  while (out_open || err_open || in_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (in_open) fds.push_back({in[1], POLLOUT, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) break;
    for (const auto& f : fds) {
      if (f.revents == 0) continue;
      if (f.fd == in[1]) {
        const ssize_t n = ::write(in[1], input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n <= 0 || written == input.size()) {
          ::close(in[1]);
          in_open = false;
        }
        continue;
      }
      const ssize_t n = ::read(f.fd, buffer, sizeof buffer);
      if (n <= 0) {
        ::close(f.fd);
        (f.fd == out[0] ? out_open : err_open) = false;
      } else {
        (f.fd == out[0] ? p.out : p.err).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  p.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return p;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::filesystem::path conformance_dir() {
  return std::filesystem::path(MAILAUTH_CONFORMANCE) / "dmarc";
}

std::string xmllint_validate(const std::string& xml) {
  TempDir dir;
  const auto file = dir.path() / "report.xml";
  std::ofstream(file, std::ios::binary) << xml;
  const Process p = run({"/usr/bin/xmllint", "--noout", "--schema",
                         (conformance_dir() / "rfc9990-aggregate.xsd").string(), file.string()});
  if (p.exit_code == 0) return "";
  return "xmllint exit " + std::to_string(p.exit_code) + ": " + p.err;
}

}  // namespace auth::report_test
