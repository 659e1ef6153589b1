// The PostgreSQL connection (libpq). Records are appended with COPY, one statement per batch
// (atomic by itself); schema changes hold a transaction-scoped advisory lock so that every
// process of a fleet sees one migration.
#include <libpq-fe.h>

#include <memory>

#include "report/connection.hpp"
#include "report/schema.hpp"

namespace auth::dmarc::store {
namespace {

struct PgFinish {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, PgClear>;

// COPY text format: NULL is \N; backslash, tab, newline and carriage return are escaped.
void append_copy_value(std::string& out, const Value& value) {
  if (!value) {
    out += "\\N";
    return;
  }
  for (const char c : *value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
}

// A key for pg_advisory_xact_lock: any fixed number, the same in every process.
constexpr const char* schema_lock_sql = "SELECT pg_advisory_xact_lock(7283101990)";

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}

  Dialect dialect() const override { return Dialect::Postgres; }
  bool healthy() const override { return PQstatus(conn_.get()) == CONNECTION_OK; }

  Expected<void> exec(std::string_view sql) override {
    const std::string text(sql);
    Result r(PQexec(conn_.get(), text.c_str()));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(r.get());
    return {};
  }

  Expected<std::vector<Row>> query(std::string_view sql, std::span<const Value> params) override {
    auto r = run(sql, params);
    if (!r) return std::unexpected(r.error());
    std::vector<Row> rows;
    const int n = PQntuples(r->get()), m = PQnfields(r->get());
    rows.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      Row row;
      row.reserve(static_cast<std::size_t>(m));
      for (int j = 0; j < m; ++j) {
        if (PQgetisnull(r->get(), i, j))
          row.emplace_back(std::nullopt);
        else
          row.emplace_back(std::string(PQgetvalue(r->get(), i, j),
                                       static_cast<std::size_t>(PQgetlength(r->get(), i, j))));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Expected<std::uint64_t> execute(std::string_view sql, std::span<const Value> params) override {
    auto r = run(sql, params);
    if (!r) return std::unexpected(r.error());
    const char* affected = PQcmdTuples(r->get());
    return affected != nullptr && *affected != '\0' ? std::stoull(affected) : 0;
  }

  Expected<bool> has_table(std::string_view name) override {
    const Value param = std::string(name);
    auto rows = query("SELECT to_regclass($1) IS NOT NULL", std::span<const Value>(&param, 1));
    if (!rows) return std::unexpected(rows.error());
    return !rows->empty() && rows->front()[0] && *rows->front()[0] == "t";
  }

  Expected<void> begin_schema_change() override {
    if (auto begun = exec("BEGIN"); !begun) return begun;
    if (auto locked = exec(schema_lock_sql); !locked) {
      (void)exec("ROLLBACK");
      return locked;
    }
    return {};
  }

  Expected<void> insert_records(std::span<const ReportRecord> records) override {
    const std::string sql = "COPY dmarc_message (" + column_list() + ") FROM STDIN";
    Result started(PQexec(conn_.get(), sql.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) return failure(started.get());
    std::string buffer;
    buffer.reserve(64 * 1024);
    bool ok = true;
    for (const auto& record : records) {
      const auto values = record_values(record);
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (i != 0) buffer.push_back('\t');
        append_copy_value(buffer, values[i]);
      }
      buffer.push_back('\n');
      if (buffer.size() >= 60 * 1024) {
        ok = PQputCopyData(conn_.get(), buffer.data(), static_cast<int>(buffer.size())) == 1;
        buffer.clear();
        if (!ok) break;
      }
    }
    if (ok && !buffer.empty())
      ok = PQputCopyData(conn_.get(), buffer.data(), static_cast<int>(buffer.size())) == 1;
    // Ending with an error message aborts the COPY: nothing of the batch is kept.
    PQputCopyEnd(conn_.get(), ok ? nullptr : "client failed to send the batch");
    Error error{ErrorCode::Io, ""};
    bool failed = !ok;
    while (Result r{PQgetResult(conn_.get())}) {
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && !failed) {
        failed = true;
        error = failure(r.get()).error();
      }
    }
    if (failed) {
      if (error.message.empty()) error.message = "postgresql: " + connection_error();
      return std::unexpected(error);
    }
    return {};
  }

 private:
  std::string connection_error() const {
    std::string text = PQerrorMessage(conn_.get());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  std::unexpected<Error> failure(const PGresult* r) const {
    std::string text = r != nullptr ? PQresultErrorMessage(r) : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.empty()) text = connection_error();
    return std::unexpected(Error{ErrorCode::Io, "postgresql: " + text});
  }

  Expected<Result> run(std::string_view sql, std::span<const Value> params) {
    const std::string text(sql);
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& p : params) {
      values.push_back(p ? p->data() : nullptr);
      lengths.push_back(p ? static_cast<int>(p->size()) : 0);
    }
    Result r(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(params.size()), nullptr,
                          values.data(), lengths.data(), nullptr, 0));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(r.get());
    return r;
  }

  std::unique_ptr<PGconn, PgFinish> conn_;
};

}  // namespace

Expected<std::unique_ptr<Connection>> connect_postgres(const std::string& conninfo) {
  // A default connect timeout that the URI's own connect_timeout overrides (later wins; only
  // the first dbname is expanded as a connection string).
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", conninfo.c_str(), nullptr};
  std::unique_ptr<PGconn, PgFinish> conn(PQconnectdbParams(keywords, values, 1));
  if (!conn) return fail(ErrorCode::Io, "postgresql: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string text = PQerrorMessage(conn.get());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return fail(ErrorCode::Io, "postgresql: cannot connect: " + text);
  }
  // Quiet the NOTICEs (e.g. of CREATE ... IF NOT EXISTS) that libpq prints to stderr.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(std::make_unique<PostgresConnection>(conn.release()));
}

}  // namespace auth::dmarc::store
