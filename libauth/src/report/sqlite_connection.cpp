// The SQLite connection: WAL mode so that several processes on one host write one file, with
// synchronous=NORMAL (a killed process loses nothing committed; only a power loss may lose the
// last transactions). Writers take the lock up front (BEGIN IMMEDIATE) and wait for it up to
// the busy timeout.
#include <sqlite3.h>

#include <memory>

#include "report/connection.hpp"
#include "report/schema.hpp"

namespace auth::dmarc::store {
namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

// SQLite numbers parameters ?1..?n; the shared SQL writes $1..$n.
std::string sqlite_parameters(std::string_view sql) {
  std::string out(sql);
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  return out;
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  Dialect dialect() const override { return Dialect::Sqlite; }
  bool healthy() const override { return true; }

  Expected<void> exec(std::string_view sql) override {
    const std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string what = message != nullptr ? message : sqlite3_errmsg(db_.get());
      sqlite3_free(message);
      return failure(what);
    }
    return {};
  }

  Expected<std::vector<Row>> query(std::string_view sql, std::span<const Value> params) override {
    auto stmt = prepare(sql, params);
    if (!stmt) return std::unexpected(stmt.error());
    std::vector<Row> rows;
    while (true) {
      const int rc = sqlite3_step(stmt->get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return failure(sqlite3_errmsg(db_.get()));
      const int n = sqlite3_column_count(stmt->get());
      Row row;
      row.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(stmt->get(), i) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt->get(), i));
          const int len = sqlite3_column_bytes(stmt->get(), i);
          row.emplace_back(std::string(t, static_cast<std::size_t>(len)));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Expected<std::uint64_t> execute(std::string_view sql, std::span<const Value> params) override {
    auto stmt = prepare(sql, params);
    if (!stmt) return std::unexpected(stmt.error());
    const int rc = sqlite3_step(stmt->get());
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return failure(sqlite3_errmsg(db_.get()));
    return static_cast<std::uint64_t>(sqlite3_changes64(db_.get()));
  }

  Expected<bool> has_table(std::string_view name) override {
    const Value param = std::string(name);
    auto rows = query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
                      std::span<const Value>(&param, 1));
    if (!rows) return std::unexpected(rows.error());
    return !rows->empty();
  }

  Expected<void> begin_schema_change() override { return exec("BEGIN IMMEDIATE"); }

  Expected<void> insert_records(std::span<const ReportRecord> records) override {
    if (!insert_) {
      std::string sql = "INSERT INTO dmarc_message (" + column_list() + ") VALUES (";
      for (std::size_t i = 1; i <= record_columns.size(); ++i)
        sql += (i == 1 ? "?" : ", ?") + std::to_string(i);
      sql += ")";
      sqlite3_stmt* raw = nullptr;
      if (sqlite3_prepare_v3(db_.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw,
                             nullptr) != SQLITE_OK)
        return failure(sqlite3_errmsg(db_.get()));
      insert_.reset(raw);
    }
    if (auto begun = exec("BEGIN IMMEDIATE"); !begun) return begun;
    for (const auto& record : records) {
      const auto values = record_values(record);
      sqlite3_stmt* s = insert_.get();
      sqlite3_reset(s);
      // The values outlive the step: SQLite need not copy them.
      for (std::size_t i = 0; i < values.size(); ++i)
        bind(s, static_cast<int>(i + 1), values[i], SQLITE_STATIC);
      if (sqlite3_step(s) != SQLITE_DONE) {
        auto error = failure(sqlite3_errmsg(db_.get()));
        sqlite3_reset(s);
        (void)exec("ROLLBACK");
        return std::unexpected(error.error());
      }
    }
    sqlite3_reset(insert_.get());
    if (auto committed = exec("COMMIT"); !committed) {
      (void)exec("ROLLBACK");
      return committed;
    }
    return {};
  }

 private:
  std::unexpected<Error> failure(std::string_view what) const {
    return std::unexpected(Error{ErrorCode::Io, "sqlite:" + path_ + ": " + std::string(what)});
  }

  static void bind(sqlite3_stmt* s, int index, const Value& value,
                   sqlite3_destructor_type lifetime = SQLITE_TRANSIENT) {
    if (value)
      sqlite3_bind_text(s, index, value->data(), static_cast<int>(value->size()), lifetime);
    else
      sqlite3_bind_null(s, index);
  }

  Expected<Stmt> prepare(std::string_view sql, std::span<const Value> params) {
    const std::string text = sqlite_parameters(sql);
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), text.c_str(), -1, &raw, nullptr) != SQLITE_OK)
      return failure(sqlite3_errmsg(db_.get()));
    Stmt stmt(raw);
    for (std::size_t i = 0; i < params.size(); ++i) bind(raw, static_cast<int>(i + 1), params[i]);
    return stmt;
  }

  std::string path_;
  std::unique_ptr<sqlite3, DbClose> db_;
  Stmt insert_;  // declared after db_: finalized first
};

}  // namespace

Expected<std::unique_ptr<Connection>> connect_sqlite(const std::string& path,
                                                     std::chrono::milliseconds busy_timeout) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, DbClose> db(raw);
  if (rc != SQLITE_OK) {
    const std::string what = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return fail(ErrorCode::Io, "sqlite:" + path + ": cannot open: " + what);
  }
  sqlite3_busy_timeout(db.get(), static_cast<int>(busy_timeout.count()));
  sqlite3_extended_result_codes(db.get(), 1);
  std::unique_ptr<Connection> connection = std::make_unique<SqliteConnection>(path, db.release());
  // journal_mode=WAL stays set in the file; asking again is cheap. It needs the write lock the
  // first time, which the busy timeout waits for.
  auto wal = connection->query("PRAGMA journal_mode=WAL");
  if (!wal) return std::unexpected(wal.error());
  if (wal->empty() || !wal->front()[0] || *wal->front()[0] != "wal")
    return fail(ErrorCode::Io, "sqlite:" + path + ": cannot switch to WAL journal mode");
  if (auto sync = connection->exec("PRAGMA synchronous=NORMAL"); !sync)
    return std::unexpected(sync.error());
  return connection;
}

}  // namespace auth::dmarc::store
