// The ReportStore suite, run against both back ends (Sqlite/... and Postgres/... instances):
// schema versions, writes, report queries, the ledger, pruning, a store that is down, a process
// killed while writing, and concurrent writers.
#include <auth/report.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_test_support.hpp"

namespace auth::dmarc {
namespace {

using report_test::Backend;

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Postgres && !report_test::postgres_available()) {
      if (std::getenv("CI") != nullptr)
        FAIL() << "the PostgreSQL test server is missing under CI (run through with_postgres.sh)";
      GTEST_SKIP() << "PostgreSQL tests skipped: postgresql-15 is not installed (or the test "
                      "did not run through tests/report/with_postgres.sh)";
    }
    uri_ = report_test::fresh_store_uri(GetParam(), dir_.path());
  }

  std::unique_ptr<ReportStore> open(StoreOptions options = {}) {
    if (!options.log)
      options.log = [this](std::string_view line) {
        std::lock_guard lock(log_mutex_);
        log_.emplace_back(line);
      };
    auto store = ReportStore::open(uri_, options);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
    return store ? std::move(*store) : nullptr;
  }

  std::string log_text() {
    std::lock_guard lock(log_mutex_);
    std::string all;
    for (const auto& l : log_) all += l + "\n";
    return all;
  }

  report_test::TempDir dir_;
  std::string uri_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_P(StoreTest, InitCreatesTheSchemaOnceAndReportsVersions) {
  auto store = open();
  auto before = store->version();
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(*before, 0u);
  auto created = store->init();
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->from, 0u);
  EXPECT_EQ(created->to, ReportStore::schema_version);
  auto again = store->init();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->from, ReportStore::schema_version);
  EXPECT_EQ(again->to, ReportStore::schema_version);
  EXPECT_EQ(store->version().value_or(0), ReportStore::schema_version);
}

TEST_P(StoreTest, AnOlderSchemaIsMigratedAndKeepsItsRecords) {
  {
    auto store = open();
    auto v1 = store->init_to(1);
    ASSERT_TRUE(v1) << v1.error().message;
    EXPECT_EQ(v1->to, 1u);
  }
  // A version 1 store holding a record, as an older mailauth left it.
  ASSERT_EQ(report_test::raw_sql(
                uri_,
                "INSERT INTO dmarc_message (time, source_ip, header_from, envelope_from,"
                " envelope_to, policy_domain, discovery_method, p, sp, np, adkim, aspf, fo,"
                " testing, psd, rua, ruf, policy_errors, result, requested_policy,"
                " evaluated_policy, disposition, dkim_aligned, spf_aligned, overrides, spf_domain,"
                " spf_scope, spf_result, dkim, group_hi, group_lo) VALUES (1700000000, "
                "'192.0.2.7', 'old.example',"
                " NULL, NULL, 'old.example', 'treewalk', 'none', NULL, NULL, 'r', 'r', '0', 0,"
                " 'u', 'mailto:r@old.example', '', '', 'pass', 'none', 'none', 'none', 1, 0, '',"
                " NULL, NULL, NULL, '', 1, 2)"),
            "");
  auto store = open();
  auto refused = store->groups(0, 2000000000);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("upgrade it with 'mailauth report init'"),
            std::string::npos)
      << refused.error().message;
  auto upgraded = store->init();
  ASSERT_TRUE(upgraded) << upgraded.error().message;
  EXPECT_EQ(upgraded->from, 1u);
  EXPECT_EQ(upgraded->to, 2u);
  EXPECT_EQ(store->count().value_or(0), 1u);
  auto saved = store->save_report({"old.example", 1, 2, "id@r.example", "f", 3, std::nullopt});
  EXPECT_TRUE(saved) << (saved ? "" : saved.error().message);
}

TEST_P(StoreTest, ANewerSchemaIsRefusedClearly) {
  auto store = open();
  ASSERT_TRUE(store->init());
  ASSERT_EQ(report_test::raw_sql(uri_, "UPDATE dmarc_schema SET version = 99"), "");
  auto fresh = open();
  auto init = fresh->init();
  ASSERT_FALSE(init);
  EXPECT_NE(init.error().message.find("version 99, newer than this mailauth supports (2)"),
            std::string::npos)
      << init.error().message;
  auto groups = fresh->groups(0, 1);
  ASSERT_FALSE(groups);
  EXPECT_NE(groups.error().message.find("newer"), std::string::npos);
  // The writer refuses too: nothing is written, the refusal is logged.
  StoreOptions options;
  options.flush_interval = std::chrono::milliseconds(1);
  options.shutdown_timeout = std::chrono::milliseconds(50);
  auto writer = open(options);
  EXPECT_TRUE(writer->add(report_test::sample_record(1700000000)));
  EXPECT_FALSE(writer->flush(std::chrono::milliseconds(300)));
  EXPECT_EQ(writer->stats().written, 0u);
  EXPECT_NE(log_text().find("newer than this mailauth supports"), std::string::npos) << log_text();
}

TEST_P(StoreTest, WritesEveryRecordInBatches) {
  StoreOptions options;
  options.batch_size = 300;
  auto store = open(options);
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(store->add(report_test::sample_record(1700000000 + i)));
  ASSERT_TRUE(store->flush());
  const StoreStats stats = store->stats();
  EXPECT_EQ(stats.added, 1000u);
  EXPECT_EQ(stats.written, 1000u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(store->count().value_or(0), 1000u);
  EXPECT_EQ(store->count(1700000000, 1700000099).value_or(0), 100u);  // inclusive bounds
}

TEST_P(StoreTest, GroupsCountRecordsThatShareEveryReportedValue) {
  auto store = open();
  ReportRecord a = report_test::sample_record(1000);
  ReportRecord b = report_test::sample_record(1001);  // same values, another time
  ReportRecord c = report_test::sample_record(1002, "foo.example.com", "example.com");
  ReportRecord d = report_test::sample_record(1003);
  d.result = Result::Fail;
  d.dkim_aligned = d.spf_aligned = false;
  d.disposition = Policy::None;
  d.policy.testing = true;
  d.evaluated_policy = Policy::Quarantine;
  d.overrides = {OverrideReason::PolicyTestMode};
  d.spf = ReportSpf{"bounce.other.example", true, "softfail"};
  d.envelope_from = "";  // null reverse-path
  d.envelope_to.reset();
  d.dkim = {{"other.example", "s 1,x%", "fail"}, {"example.com", "sel2", "permerror"}};
  ReportRecord e = report_test::sample_record(5000);  // outside the period
  for (auto* r : {&a, &b, &c, &d, &e}) ASSERT_TRUE(store->add(*r));
  ASSERT_TRUE(store->flush());

  auto groups = store->groups(1000, 1003);
  ASSERT_TRUE(groups) << groups.error().message;
  ASSERT_EQ(groups->size(), 3u);
  // Ordered by policy domain, header from, source IP, then the rest (bytes): the null
  // reverse-path ("") of d sorts before "example.com".
  const StoredGroup& g0 = (*groups)[1];
  EXPECT_EQ(g0.header_from, "example.com");
  EXPECT_EQ(g0.count, 2u);
  EXPECT_EQ(g0.result, Result::Pass);
  EXPECT_TRUE(g0.dkim_aligned);
  ASSERT_TRUE(g0.spf);
  EXPECT_EQ(g0.spf->result, "pass");
  EXPECT_TRUE(g0.spf->mfrom);
  ASSERT_EQ(g0.dkim.size(), 1u);
  EXPECT_EQ(g0.dkim[0], (ReportDkim{"example.com", "sel1", "pass"}));
  const StoredGroup& g1 = (*groups)[0];
  EXPECT_EQ(g1.header_from, "example.com");
  EXPECT_EQ(g1.count, 1u);
  EXPECT_EQ(g1.result, Result::Fail);
  EXPECT_EQ(g1.overrides, std::vector<OverrideReason>{OverrideReason::PolicyTestMode});
  EXPECT_EQ(g1.envelope_from, std::optional<std::string>(""));
  EXPECT_EQ(g1.envelope_to, std::nullopt);
  EXPECT_EQ(g1.evaluated_policy, Policy::Quarantine);
  ASSERT_EQ(g1.dkim.size(), 2u);
  EXPECT_EQ(g1.dkim[0], (ReportDkim{"other.example", "s 1,x%", "fail"}));  // bytes survive
  EXPECT_EQ(g1.dkim[1], (ReportDkim{"example.com", "sel2", "permerror"}));
  EXPECT_EQ(g1.spf->result, "softfail");
  EXPECT_EQ((*groups)[2].header_from, "foo.example.com");

  auto policies = store->policies(1000, 1003);
  ASSERT_TRUE(policies) << policies.error().message;
  ASSERT_EQ(policies->size(), 1u);
  // The last record seen (d) gives the policy: t=y.
  EXPECT_EQ((*policies)[0].domain, "example.com");
  EXPECT_TRUE((*policies)[0].testing);
  EXPECT_EQ((*policies)[0].rua, std::vector<std::string>{"mailto:dmarc-reports@example.com"});
  EXPECT_EQ((*policies)[0].p, Policy::Reject);
  EXPECT_EQ((*policies)[0].sp, std::nullopt);
}

TEST_P(StoreTest, TheLedgerKeepsTheFirstReportIdAndRecordsSending) {
  auto store = open();
  ASSERT_TRUE(store->init());
  auto none = store->find_report("example.com", 0, 86399);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(*none);
  ReportEntry first{
      "example.com", 0,           86399, "aaa@r.example", "r.example!example.com!0!86399.xml.gz",
      100,           std::nullopt};
  auto saved = store->save_report(first);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(saved->report_id, "aaa@r.example");
  ReportEntry second = first;
  second.report_id = "bbb@r.example";
  auto kept = store->save_report(second);
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->report_id, "aaa@r.example");
  EXPECT_FALSE(kept->sent);
  ASSERT_TRUE(store->mark_sent("example.com", 0, 86399, 200));
  auto found = store->find_report("example.com", 0, 86399);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->sent, std::optional<std::int64_t>(200));
  EXPECT_EQ((*found)->file_name, "r.example!example.com!0!86399.xml.gz");
}

TEST_P(StoreTest, PruneRemovesOnlyOlderRecords) {
  auto store = open();
  for (int t : {100, 200, 300, 400}) ASSERT_TRUE(store->add(report_test::sample_record(t)));
  ASSERT_TRUE(store->flush());
  auto removed = store->prune(300);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(store->count().value_or(0), 2u);
  EXPECT_EQ(store->count(300, 400).value_or(0), 2u);
}

// A store that cannot be reached never blocks add(): records wait in the bounded queue, the
// overflow is dropped, counted and logged, and the queue is written once the store is back.
TEST_P(StoreTest, AStoreThatIsDownNeverBlocksAndCountsTheLoss) {
  std::string down_uri;
  const char* ctl = std::getenv("MAILAUTH_TEST_PG_CTL");
  if (GetParam() == Backend::Sqlite) {
    down_uri = "sqlite:" + (dir_.path() / "missing-dir" / "reports.db").string();
  } else {
    ASSERT_NE(ctl, nullptr) << "MAILAUTH_TEST_PG_CTL not set";
    ASSERT_TRUE(open()->init());  // the database exists and has its schema
    ASSERT_EQ(std::system((std::string(ctl) + " stop").c_str()), 0);
    down_uri = uri_;
  }
  uri_ = down_uri;
  StoreOptions options;
  options.queue_capacity = 500;
  options.batch_size = 100;
  options.flush_interval = std::chrono::milliseconds(1);
  options.retry_min = std::chrono::milliseconds(20);
  options.retry_max = std::chrono::milliseconds(50);
  options.shutdown_timeout = std::chrono::milliseconds(100);
  auto store = open(options);
  unsigned accepted = 0;
  for (int i = 0; i < 620; ++i)
    accepted += store->add(report_test::sample_record(1000 + i)) ? 1 : 0;
  EXPECT_EQ(accepted, 500u);
  StoreStats stats = store->stats();
  EXPECT_EQ(stats.dropped, 120u);
  EXPECT_EQ(stats.queued, 500u);
  EXPECT_EQ(stats.written, 0u);
  EXPECT_FALSE(store->flush(std::chrono::milliseconds(200)));
  EXPECT_NE(log_text().find("queue full (500 records)"), std::string::npos) << log_text();
  EXPECT_GT(store->stats().failures, 0u);

  // Back up: the queue drains.
  if (GetParam() == Backend::Sqlite)
    std::filesystem::create_directory(dir_.path() / "missing-dir");
  else
    ASSERT_EQ(std::system((std::string(ctl) + " start").c_str()), 0);
  ASSERT_TRUE(store->flush(std::chrono::seconds(30))) << log_text();
  stats = store->stats();
  EXPECT_EQ(stats.written, 500u);
  EXPECT_EQ(stats.dropped, 120u);
  EXPECT_EQ(store->count().value_or(0), 500u);
  EXPECT_NE(log_text().find("writing again"), std::string::npos) << log_text();
}

TEST_P(StoreTest, RecordsStillQueuedAtShutdownAreCountedAsLost) {
  uri_ = GetParam() == Backend::Sqlite
             ? "sqlite:" + (dir_.path() / "no-such-dir" / "x.db").string()
             : "postgresql:///nothing?host=" + (dir_.path() / "no-server").string() + "&user=dmarc";
  StoreOptions options;
  options.shutdown_timeout = std::chrono::milliseconds(50);
  options.retry_min = std::chrono::milliseconds(10);
  options.flush_interval = std::chrono::milliseconds(1);
  {
    auto store = open(options);
    for (int i = 0; i < 7; ++i) store->add(report_test::sample_record(i));
  }
  EXPECT_NE(log_text().find("7 records not written at shutdown (lost)"), std::string::npos)
      << log_text();
}

// Runs the writer helper; returns its pid and the read end of its standard output.
// interval_ms: how long a partial batch may wait (long: every batch is full until the end).
std::pair<pid_t, int> start_writer(const std::string& uri, int count, int batch,
                                   int interval_ms = 20) {
  int out[2];
  if (::pipe(out) != 0) return {-1, -1};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    const std::string c = std::to_string(count), b = std::to_string(batch),
                      i = std::to_string(interval_ms);
    ::execl(MAILAUTH_STORE_WRITER, MAILAUTH_STORE_WRITER, uri.c_str(), c.c_str(), b.c_str(),
            i.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  return {pid, out[0]};
}

// The last "written N" line the writer printed before `stop` (or its end).
std::uint64_t read_progress(int fd, std::uint64_t stop_at, bool* reached) {
  std::string pending;
  std::uint64_t last = 0;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.starts_with("written ")) last = std::stoull(line.substr(8));
    }
    if (last >= stop_at) {
      *reached = true;
      return last;
    }
  }
  return last;
}

TEST_P(StoreTest, AProcessKilledWhileWritingLosesAtMostItsUnflushedRecords) {
  ASSERT_TRUE(open()->init());
  // Batches of exactly 200 (no partial batch is due before the loop ends), so that a torn
  // transaction would show as a count that is not a multiple of 200.
  auto [pid, fd] = start_writer(uri_, 400000, 200, 600000);
  ASSERT_GT(pid, 0);
  bool reached = false;
  std::uint64_t committed = read_progress(fd, 3000, &reached);
  ASSERT_TRUE(reached) << "the writer stopped early";
  ::kill(pid, SIGKILL);
  // Lines already in the pipe may report more commits made before the kill.
  bool ignored = false;
  committed = std::max(committed, read_progress(fd, UINT64_MAX, &ignored));
  ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  if (GetParam() == Backend::Sqlite) {
    EXPECT_EQ(report_test::sqlite_integrity(uri_), "ok");
  }
  auto store = open();
  auto count = store->count();
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_GE(*count, committed);  // every committed batch survived
  EXPECT_EQ(*count % 200, 0u);   // whole batches only: a transaction is all or nothing
  EXPECT_LT(*count, 400000u);
  // The store takes writes again.
  ASSERT_TRUE(store->add(report_test::sample_record(1)));
  ASSERT_TRUE(store->flush());
  EXPECT_EQ(store->count().value_or(0), *count + 1);
}

TEST_P(StoreTest, FourProcessesWritingAtOnceLoseNothing) {
  ASSERT_TRUE(open()->init());
  std::vector<std::pair<pid_t, int>> writers;
  for (int i = 0; i < 4; ++i) writers.push_back(start_writer(uri_, 5000, 250));
  for (auto [pid, fd] : writers) {
    bool ignored = false;
    read_progress(fd, UINT64_MAX, &ignored);
    ::close(fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer " << pid;
  }
  EXPECT_EQ(open()->count().value_or(0), 20000u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest, ::testing::Values(Backend::Sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, StoreTest, ::testing::Values(Backend::Postgres));

TEST(StoreUri, NamesTheAcceptedForms) {
  auto bad = ReportStore::open("mysql://x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("expected sqlite:PATH or postgresql://"), std::string::npos);
  EXPECT_FALSE(ReportStore::open("sqlite:"));
  EXPECT_TRUE(ReportStore::open("postgres:///db?host=/nonexistent"));  // checked lazily
}

}  // namespace
}  // namespace auth::dmarc
