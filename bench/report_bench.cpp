// DMARC report store and aggregate reports: records written per second by one process (batched
// transactions on the background writer), and the aggregation of 1,000,000 stored records into
// the reports of 1,000 policy domains (grouping query, XML, gzip). SQLite always; PostgreSQL
// when MAILAUTH_BENCH_PG_URI names an empty database, e.g. through the test server:
//   tests/report/with_postgres.sh sh -c
//   'MAILAUTH_BENCH_PG_URI="postgresql:///dmarc_test?host=$MAILAUTH_TEST_PG_HOST&user=dmarc"
//   build-rel/bench/mailauth-bench --benchmark_filter=Report'
#include <benchmark/benchmark.h>

#include <auth/report.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <unistd.h>

namespace {

using namespace auth;
using namespace auth::dmarc;

constexpr std::size_t aggregate_records = 1000000;
constexpr int policy_domains = 1000;

// Record i of a synthetic day: 1,000 policy domains, mail from the domain and a subdomain,
// 16 sending addresses per domain, one in ten failing.
ReportRecord bench_record(std::uint64_t i) {
  const std::string domain = "d" + std::to_string(i % policy_domains) + ".example";
  ReportRecord r;
  r.time = TimePoint(std::chrono::seconds(1700006400 + static_cast<std::int64_t>(i % 86400)));
  r.source_ip = "198.51.100." + std::to_string((i / policy_domains) % 16 + 1);
  r.header_from = i % 7 == 0 ? "mail." + domain : domain;
  r.envelope_from = "bounce." + domain;
  r.envelope_to = "receiver.example";
  r.policy.domain = domain;
  r.policy.p = Policy::Quarantine;
  r.policy.rua = {"mailto:dmarc@" + domain};
  const bool fail = i % 10 == 0;
  r.result = fail ? Result::Fail : Result::Pass;
  r.requested_policy = Policy::Quarantine;
  r.evaluated_policy = Policy::Quarantine;
  r.disposition = fail ? Policy::Quarantine : Policy::None;
  r.dkim_aligned = !fail;
  r.spf_aligned = !fail;
  r.spf = ReportSpf{"bounce." + domain, true, fail ? "fail" : "pass"};
  r.dkim = {{domain, "s2026", fail ? "fail" : "pass"}};
  return r;
}

struct TempStore {
  std::filesystem::path dir;
  TempStore() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mailauth-bench.XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) dir = pattern;
  }
  ~TempStore() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

std::string store_uri(const std::string& backend, const std::string& name) {
  if (backend == "postgresql") {
    const char* uri = std::getenv("MAILAUTH_BENCH_PG_URI");
    return uri != nullptr ? uri : "";
  }
  static TempStore temp;
  return "sqlite:" + (temp.dir / (name + ".db")).string();
}

void write_records(benchmark::State& state, const std::string& backend) {
  const std::string uri = store_uri(backend, "write");
  if (uri.empty()) {
    state.SkipWithError("MAILAUTH_BENCH_PG_URI is not set");
    return;
  }
  StoreOptions options;
  options.batch_size = 1000;
  options.queue_capacity = 100000;
  auto store = ReportStore::open(uri, options);
  if (!store || !(*store)->init()) {
    state.SkipWithError("cannot open the store");
    return;
  }
  constexpr std::uint64_t per_iteration = 50000;
  std::uint64_t i = 0;
  for (auto _ : state) {
    for (std::uint64_t k = 0; k < per_iteration; ++k) (*store)->add(bench_record(i++));
    if (!(*store)->flush(std::chrono::minutes(5))) state.SkipWithError("flush timed out");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
  (void)(*store)->prune(INT64_MAX);
}

void BM_ReportStoreWrite_Sqlite(benchmark::State& state) { write_records(state, "sqlite"); }
void BM_ReportStoreWrite_Postgres(benchmark::State& state) { write_records(state, "postgresql"); }
BENCHMARK(BM_ReportStoreWrite_Sqlite)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReportStoreWrite_Postgres)->Unit(benchmark::kMillisecond)->UseRealTime();

// A store holding `aggregate_records` records of one day, filled once per back end.
ReportStore* filled_store(const std::string& backend) {
  static std::map<std::string, std::unique_ptr<ReportStore>> stores;
  auto& slot = stores[backend];
  if (slot) return slot.get();
  const std::string uri = store_uri(backend, "aggregate");
  if (uri.empty()) return nullptr;
  StoreOptions options;
  options.batch_size = 5000;
  options.queue_capacity = 200000;
  auto store = ReportStore::open(uri, options);
  if (!store || !(*store)->init()) return nullptr;
  (void)(*store)->prune(INT64_MAX);
  for (std::uint64_t i = 0; i < aggregate_records; ++i) {
    (*store)->add(bench_record(i));
    if (i % 100000 == 99999 && !(*store)->flush(std::chrono::minutes(5))) return nullptr;
  }
  if (!(*store)->flush(std::chrono::minutes(10))) return nullptr;
  slot = std::move(*store);
  return slot.get();
}

void aggregate(benchmark::State& state, const std::string& backend, bool build_reports = true) {
  ReportStore* store = filled_store(backend);
  if (store == nullptr) {
    state.SkipWithError(backend == "postgresql" ? "MAILAUTH_BENCH_PG_URI is not set"
                                                : "cannot fill the store");
    return;
  }
  const ReporterInfo reporter{"Bench", "dmarc@receiver.example", "", "mailauth"};
  const std::int64_t begin = 1700006400, end = begin + 86399;
  std::uint64_t messages = 0, rows = 0, bytes = 0;
  for (auto _ : state) {
    auto period = store->period(begin, end);
    if (!period) {
      state.SkipWithError("query failed");
      return;
    }
    const auto* policies = &period->policies;
    const auto* groups = &period->groups;
    if (!build_reports) {
      for (const auto& g : *groups) messages += g.count;
      rows += groups->size();
      continue;
    }
    // Groups come sorted by policy domain: one report per run of equal domains.
    std::size_t at = 0;
    for (const auto& policy : *policies) {
      std::size_t from = at;
      while (at < groups->size() && (*groups)[at].policy_domain == policy.domain) {
        messages += (*groups)[at].count;
        ++at;
      }
      const std::string xml =
          aggregate_xml(reporter, policy, "bench@receiver.example", begin, end,
                        std::span<const StoredGroup>(groups->data() + from, at - from));
      auto gz = gzip_compress(xml);
      bytes += gz ? gz->size() : 0;
    }
    rows += groups->size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(messages));
  state.counters["rows"] =
      benchmark::Counter(static_cast<double>(rows) / static_cast<double>(state.iterations()));
  state.counters["gzip_bytes"] =
      benchmark::Counter(static_cast<double>(bytes) / static_cast<double>(state.iterations()));
}

void BM_ReportAggregate1M_Sqlite(benchmark::State& state) { aggregate(state, "sqlite"); }
void BM_ReportAggregate1M_Postgres(benchmark::State& state) { aggregate(state, "postgresql"); }
// The store's part alone: the grouping query and reading the groups back.
void BM_ReportGroups1M_Sqlite(benchmark::State& state) { aggregate(state, "sqlite", false); }
void BM_ReportGroups1M_Postgres(benchmark::State& state) { aggregate(state, "postgresql", false); }
BENCHMARK(BM_ReportGroups1M_Sqlite)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_ReportGroups1M_Postgres)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_ReportAggregate1M_Sqlite)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_ReportAggregate1M_Postgres)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
