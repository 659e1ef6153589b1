// ReportStore: the bounded queue and background writer (the message path only ever queues),
// and the administrative calls (init, report queries, ledger, prune) on the caller's thread.
#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <auth/report.hpp>

#include "report/codes.hpp"
#include "report/connection.hpp"
#include "report/schema.hpp"

namespace auth::dmarc {
namespace {

using store::Connection;
using store::Row;
using store::Value;
using Clock = std::chrono::steady_clock;

enum class Kind { Sqlite, Postgres };

std::int64_t to_int(const Value& v) {
  std::int64_t n = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), n);
  return n;
}
std::string str(const Value& v) { return v ? *v : std::string(); }
std::optional<Policy> opt_policy(const Value& v) {
  if (!v) return std::nullopt;
  return report_codes::parse_policy(*v);
}

void default_log(std::string_view line) { std::cerr << "mailauth: " << line << '\n'; }

}  // namespace

struct ReportStore::Impl {
  std::string uri;
  Kind kind = Kind::Sqlite;
  std::string target;  // the SQLite path or the libpq connection string
  StoreOptions options;

  // Writer state, under `mutex`.
  mutable std::mutex mutex;
  std::condition_variable wake;  // the writer waits here for records, flushes and stop
  std::condition_variable idle;  // flush() waits here for the queue to drain
  std::deque<ReportRecord> queue;
  std::size_t in_flight = 0;  // records taken by the writer, not yet committed
  unsigned flushers = 0;      // threads waiting in flush()
  bool stopping = false;
  Clock::time_point stop_deadline{};
  StoreStats stats;
  Clock::time_point last_drop_log{};
  bool dropping = false;
  std::thread writer;

  // Administrative connection, under `admin_mutex`.
  std::mutex admin_mutex;
  std::unique_ptr<Connection> admin;
  bool admin_schema_checked = false;

  void log(std::string_view line) const {
    if (options.log)
      options.log(line);
    else
      default_log(line);
  }

  Expected<std::unique_ptr<Connection>> connect(std::chrono::milliseconds busy) const {
    if (kind == Kind::Sqlite) return store::connect_sqlite(target, busy);
    return store::connect_postgres(target);
  }

  void run_writer();

  // Runs `fn` on the administrative connection, (re)connecting as needed. With `need_schema`,
  // first checks that the schema is the current one.
  template <class F>
  auto with_admin(bool need_schema, F fn) -> decltype(fn(std::declval<Connection&>())) {
    std::lock_guard lock(admin_mutex);
    if (admin && !admin->healthy()) {
      admin.reset();
      admin_schema_checked = false;
    }
    if (!admin) {
      auto made = connect(std::chrono::seconds(30));
      if (!made) return std::unexpected(made.error());
      admin = std::move(*made);
    }
    if (need_schema && !admin_schema_checked) {
      auto version = store::read_version(*admin);
      if (!version) return std::unexpected(version.error());
      if (*version == 0)
        return fail(ErrorCode::InvalidArgument,
                    uri + ": no report schema; create it with 'mailauth report init'");
      if (*version < ReportStore::schema_version)
        return fail(ErrorCode::InvalidArgument, uri + ": the report schema is version " +
                                                    std::to_string(*version) +
                                                    "; upgrade it with 'mailauth report init'");
      if (*version > ReportStore::schema_version)
        return fail(ErrorCode::InvalidArgument,
                    uri + ": the report schema is version " + std::to_string(*version) +
                        ", newer than this mailauth supports (" +
                        std::to_string(ReportStore::schema_version) + ")");
      admin_schema_checked = true;
    }
    auto result = fn(*admin);
    if (!result && !admin->healthy()) {
      admin.reset();
      admin_schema_checked = false;
    }
    return result;
  }
};

void ReportStore::Impl::run_writer() {
  std::unique_ptr<Connection> conn;
  std::vector<ReportRecord> batch;
  auto backoff = options.retry_min;
  bool reported_down = false;
  while (true) {
    {
      std::unique_lock lock(mutex);
      if (batch.empty()) {
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) break;  // stopping with nothing left
        const auto due = Clock::now() + options.flush_interval;
        wake.wait_until(lock, due, [&] {
          return stopping || flushers > 0 || queue.size() >= options.batch_size;
        });
        const std::size_t n = std::min(options.batch_size, queue.size());
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
        in_flight = batch.size();
      }
    }

    Error error{ErrorCode::Io, ""};
    if (conn && !conn->healthy()) conn.reset();
    if (!conn) {
      auto made = connect(std::chrono::seconds(10));
      if (made) {
        if (auto schema = store::ensure_current(**made); schema)
          conn = std::move(*made);
        else
          error = schema.error();
      } else {
        error = made.error();
      }
    }
    if (conn) {
      if (auto written = conn->insert_records(batch); written) {
        std::lock_guard lock(mutex);
        stats.written += batch.size();
        in_flight = 0;
        batch.clear();
        backoff = options.retry_min;
        if (queue.empty()) idle.notify_all();
        if (reported_down) {
          reported_down = false;
          // cppcheck-suppress ignoredReturnValue ; our log member, not std::log
          log("report store " + uri + ": writing again");
        }
        continue;
      } else {
        error = written.error();
        if (!conn->healthy()) conn.reset();
      }
    }

    // The database is down or refused the batch: keep the batch, wait, retry.
    {
      std::lock_guard lock(mutex);
      ++stats.failures;
    }
    if (!reported_down) {
      reported_down = true;
      // cppcheck-suppress ignoredReturnValue ; our log member, not std::log
      log("report store " + uri + ": " + error.message + " (records wait in the queue)");
    }
    std::unique_lock lock(mutex);
    if (stopping && Clock::now() >= stop_deadline) break;
    wake.wait_for(lock, backoff, [&] { return stopping && Clock::now() >= stop_deadline; });
    if (stopping && Clock::now() >= stop_deadline) break;
    backoff = std::min(backoff * 2, options.retry_max);
  }

  std::lock_guard lock(mutex);
  const std::uint64_t lost = queue.size() + batch.size();
  stats.lost += lost;
  queue.clear();
  in_flight = 0;
  idle.notify_all();
  if (lost != 0)
    // cppcheck-suppress ignoredReturnValue ; our log member, not std::log
    log("report store " + uri + ": " + std::to_string(lost) +
        " records not written at shutdown (lost)");
}

ReportStore::ReportStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->writer = std::thread([impl = impl_.get()] { impl->run_writer(); });
}

ReportStore::~ReportStore() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->stop_deadline = Clock::now() + impl_->options.shutdown_timeout;
  }
  impl_->wake.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
}

Expected<std::unique_ptr<ReportStore>> ReportStore::open(std::string_view uri,
                                                         StoreOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->uri = std::string(uri);
  if (uri.starts_with("sqlite:")) {
    impl->kind = Kind::Sqlite;
    impl->target = std::string(uri.substr(7));
    if (impl->target.empty())
      return fail(ErrorCode::InvalidArgument, "report store '" + impl->uri + "': no file name");
  } else if (uri.starts_with("postgresql://") || uri.starts_with("postgres://")) {
    impl->kind = Kind::Postgres;
    impl->target = std::string(uri);
  } else {
    return fail(
        ErrorCode::InvalidArgument,
        "report store '" + impl->uri + "': expected sqlite:PATH or postgresql://... (a libpq URI)");
  }
  if (options.batch_size == 0) options.batch_size = 1;
  if (options.queue_capacity < options.batch_size) options.queue_capacity = options.batch_size;
  if (options.retry_min.count() <= 0) options.retry_min = std::chrono::milliseconds(1);
  if (options.retry_max < options.retry_min) options.retry_max = options.retry_min;
  impl->options = std::move(options);
  return std::unique_ptr<ReportStore>(new ReportStore(std::move(impl)));
}

const std::string& ReportStore::uri() const { return impl_->uri; }

bool ReportStore::add(ReportRecord record) noexcept {
  std::string message;
  bool queued = false;
  {
    std::lock_guard lock(impl_->mutex);
    const auto now = Clock::now();
    if (impl_->queue.size() + impl_->in_flight >= impl_->options.queue_capacity) {
      ++impl_->stats.dropped;
      // Logged when dropping starts, then at most every 10 seconds while it goes on.
      if (!impl_->dropping || now - impl_->last_drop_log >= std::chrono::seconds(10)) {
        message = "report store " + impl_->uri + ": queue full (" +
                  std::to_string(impl_->options.queue_capacity) + " records); " +
                  std::to_string(impl_->stats.dropped) + " records dropped so far";
        impl_->last_drop_log = now;
        impl_->dropping = true;
      }
    } else {
      try {
        impl_->queue.push_back(std::move(record));
        ++impl_->stats.added;
        queued = true;
        impl_->dropping = false;
      } catch (...) {
        ++impl_->stats.dropped;
      }
    }
    if (queued && (impl_->queue.size() == 1 || impl_->queue.size() == impl_->options.batch_size))
      impl_->wake.notify_one();
  }
  if (!message.empty()) {
    try {
      impl_->log(message);
      // NOLINTNEXTLINE(bugprone-empty-catch): the caller's log sink failed; the entry is queued
    } catch (...) {
    }
  }
  return queued;
}

bool ReportStore::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  ++impl_->flushers;
  impl_->wake.notify_one();
  const bool done = impl_->idle.wait_for(lock, timeout, [&] {
    return (impl_->queue.empty() && impl_->in_flight == 0) || impl_->stopping;
  });
  --impl_->flushers;
  return done && impl_->queue.empty() && impl_->in_flight == 0;
}

StoreStats ReportStore::stats() const {
  std::lock_guard lock(impl_->mutex);
  StoreStats s = impl_->stats;
  s.queued = impl_->queue.size() + impl_->in_flight;
  return s;
}

Expected<SchemaChange> ReportStore::init() { return init_to(schema_version); }

Expected<SchemaChange> ReportStore::init_to(unsigned version) {
  return impl_->with_admin(false, [&](Connection& c) -> Expected<SchemaChange> {
    auto changed = store::migrate(c, version);
    impl_->admin_schema_checked = false;
    if (!changed) return fail(changed.error().code, impl_->uri + ": " + changed.error().message);
    return changed;
  });
}

Expected<unsigned> ReportStore::version() {
  return impl_->with_admin(false, [](Connection& c) { return store::read_version(c); });
}

Expected<ReportStore::Period> ReportStore::period(std::int64_t begin, std::int64_t end) {
  // Groups by the digest of the grouped values (two integers, covered by the time index), then
  // reads each group's values from its latest record. The latest record of each policy domain
  // (the largest id among its groups) gives the policy as last seen.
  static const std::string group_sql =
      "SELECT m.policy_domain, m.header_from, m.source_ip, m.envelope_from, m.envelope_to,"
      " m.result, m.disposition, m.evaluated_policy, m.dkim_aligned, m.spf_aligned, m.overrides,"
      " m.spf_domain, m.spf_scope, m.spf_result, m.dkim, g.n, g.last FROM (SELECT MAX(id) AS last,"
      " COUNT(*) AS n FROM dmarc_message WHERE time BETWEEN $1 AND $2"
      " GROUP BY group_hi, group_lo) g JOIN dmarc_message m ON m.id = g.last";
  static const std::string policy_columns =
      "SELECT policy_domain, discovery_method, p, sp, np, adkim, aspf, fo, testing, psd, rua,"
      " ruf, policy_errors FROM dmarc_message WHERE id IN (";
  return impl_->with_admin(true, [&](Connection& c) -> Expected<Period> {
    const Value params[] = {std::to_string(begin), std::to_string(end)};
    auto rows = c.query(group_sql, params);
    if (!rows) return std::unexpected(rows.error());
    std::vector<std::pair<std::string, StoredGroup>> keyed;
    keyed.reserve(rows->size());
    std::map<std::string, std::int64_t> latest;  // policy domain -> its latest record id
    for (const Row& row : *rows) {
      if (row.size() != 17) continue;
      StoredGroup g;
      g.policy_domain = str(row[0]);
      g.header_from = str(row[1]);
      g.source_ip = str(row[2]);
      g.envelope_from = row[3];
      g.envelope_to = row[4];
      g.result = report_codes::parse_result(str(row[5])).value_or(Result::None);
      g.disposition = report_codes::parse_policy(str(row[6])).value_or(Policy::None);
      g.evaluated_policy = opt_policy(row[7]);
      g.dkim_aligned = to_int(row[8]) != 0;
      g.spf_aligned = to_int(row[9]) != 0;
      for (const auto& w : report_codes::decode_words(str(row[10])))
        if (auto o = report_codes::parse_override(w)) g.overrides.push_back(*o);
      if (row[11]) g.spf = ReportSpf{*row[11], str(row[12]) != "helo", str(row[13])};
      for (auto& item : report_codes::decode_list(str(row[14]))) {
        item.resize(3);
        g.dkim.push_back({item[0], item[1], item[2]});
      }
      g.count = static_cast<std::uint64_t>(to_int(row[15]));
      auto& last = latest[g.policy_domain];
      last = std::max(last, to_int(row[16]));
      // A byte-wise key over every grouped value: the same order from SQLite and PostgreSQL,
      // whatever their collations.
      std::string key;
      for (std::size_t i = 0; i < 15; ++i) {
        key.push_back(row[i] ? '\1' : '\0');
        if (row[i]) key += *row[i];
        key.push_back('\0');
      }
      keyed.emplace_back(std::move(key), std::move(g));
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    Period out;
    out.groups.reserve(keyed.size());
    for (auto& [key, g] : keyed) out.groups.push_back(std::move(g));

    // The policies, a few hundred ids per query (ids are our own integers).
    std::vector<std::int64_t> ids;
    ids.reserve(latest.size());
    for (const auto& [domain, id] : latest) ids.push_back(id);
    for (std::size_t from = 0; from < ids.size(); from += 500) {
      std::string sql = policy_columns;
      for (std::size_t i = from; i < std::min(ids.size(), from + 500); ++i)
        sql += (i == from ? "" : ",") + std::to_string(ids[i]);
      sql += ")";
      auto policy_rows = c.query(sql, {});
      if (!policy_rows) return std::unexpected(policy_rows.error());
      for (const Row& row : *policy_rows) {
        if (row.size() != 13) continue;
        PublishedPolicy p;
        p.domain = str(row[0]);
        p.discovery =
            report_codes::parse_discovery(str(row[1])).value_or(DiscoveryMethod::TreeWalk);
        p.p = opt_policy(row[2]);
        p.sp = opt_policy(row[3]);
        p.np = opt_policy(row[4]);
        p.adkim = report_codes::parse_alignment(str(row[5])).value_or(AlignmentMode::Relaxed);
        p.aspf = report_codes::parse_alignment(str(row[6])).value_or(AlignmentMode::Relaxed);
        p.fo = str(row[7]);
        p.testing = to_int(row[8]) != 0;
        p.psd = report_codes::parse_psd(str(row[9])).value_or(PsdFlag::Unspecified);
        p.rua = report_codes::decode_words(str(row[10]));
        p.ruf = report_codes::decode_words(str(row[11]));
        p.errors = report_codes::decode_words(str(row[12]));
        out.policies.push_back(std::move(p));
      }
    }
    std::sort(out.policies.begin(), out.policies.end(),
              [](const auto& a, const auto& b) { return a.domain < b.domain; });
    return out;
  });
}

Expected<std::vector<StoredGroup>> ReportStore::groups(std::int64_t begin, std::int64_t end) {
  auto p = period(begin, end);
  if (!p) return std::unexpected(p.error());
  return std::move(p->groups);
}

Expected<std::vector<PublishedPolicy>> ReportStore::policies(std::int64_t begin, std::int64_t end) {
  auto p = period(begin, end);
  if (!p) return std::unexpected(p.error());
  return std::move(p->policies);
}

Expected<std::uint64_t> ReportStore::count(std::int64_t begin, std::int64_t end) {
  return impl_->with_admin(true, [&](Connection& c) -> Expected<std::uint64_t> {
    const Value params[] = {std::to_string(begin), std::to_string(end)};
    auto rows = c.query("SELECT COUNT(*) FROM dmarc_message WHERE time BETWEEN $1 AND $2", params);
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty() || rows->front().empty()) return 0u;
    return static_cast<std::uint64_t>(to_int(rows->front()[0]));
  });
}

Expected<std::uint64_t> ReportStore::prune(std::int64_t before) {
  return impl_->with_admin(true, [&](Connection& c) {
    const Value param = std::to_string(before);
    return c.execute("DELETE FROM dmarc_message WHERE time < $1",
                     std::span<const Value>(&param, 1));
  });
}

Expected<std::optional<ReportEntry>> ReportStore::find_report(std::string_view policy_domain,
                                                              std::int64_t begin,
                                                              std::int64_t end) {
  return impl_->with_admin(true, [&](Connection& c) -> Expected<std::optional<ReportEntry>> {
    const Value params[] = {std::string(policy_domain), std::to_string(begin), std::to_string(end)};
    auto rows = c.query(
        "SELECT report_id, file_name, created, sent FROM dmarc_report"
        " WHERE policy_domain = $1 AND begin_time = $2 AND end_time = $3",
        params);
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty() || rows->front().size() != 4) return std::optional<ReportEntry>();
    const Row& row = rows->front();
    ReportEntry e;
    e.policy_domain = std::string(policy_domain);
    e.begin = begin;
    e.end = end;
    e.report_id = str(row[0]);
    e.file_name = str(row[1]);
    e.created = to_int(row[2]);
    if (row[3]) e.sent = to_int(row[3]);
    return std::optional<ReportEntry>(std::move(e));
  });
}

Expected<ReportEntry> ReportStore::save_report(const ReportEntry& entry) {
  auto inserted = impl_->with_admin(true, [&](Connection& c) {
    const Value params[] = {entry.policy_domain,
                            std::to_string(entry.begin),
                            std::to_string(entry.end),
                            entry.report_id,
                            entry.file_name,
                            std::to_string(entry.created),
                            entry.sent ? Value(std::to_string(*entry.sent)) : std::nullopt};
    return c.execute(
        "INSERT INTO dmarc_report (policy_domain, begin_time, end_time, report_id, file_name,"
        " created, sent) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (policy_domain, begin_time, end_time) DO NOTHING",
        params);
  });
  if (!inserted) return std::unexpected(inserted.error());
  auto found = find_report(entry.policy_domain, entry.begin, entry.end);
  if (!found) return std::unexpected(found.error());
  if (!*found) return fail(ErrorCode::Io, impl_->uri + ": the report ledger lost an entry");
  return std::move(**found);
}

Expected<void> ReportStore::mark_sent(std::string_view policy_domain, std::int64_t begin,
                                      std::int64_t end, std::int64_t when) {
  auto updated = impl_->with_admin(true, [&](Connection& c) {
    const Value params[] = {std::string(policy_domain), std::to_string(begin), std::to_string(end),
                            std::to_string(when)};
    return c.execute(
        "UPDATE dmarc_report SET sent = $4 WHERE policy_domain = $1 AND begin_time = $2"
        " AND end_time = $3",
        params);
  });
  if (!updated) return std::unexpected(updated.error());
  return {};
}

}  // namespace auth::dmarc
