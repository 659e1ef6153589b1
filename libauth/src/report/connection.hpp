// One database connection, as the store's SQL needs it: SQLite and PostgreSQL behind one small
// interface, so the schema, the migrations and the report queries are written once.
// Not thread-safe: each thread of the store uses its own connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/error.hpp>
#include <auth/report.hpp>

namespace auth::dmarc::store {

using Value = std::optional<std::string>;  // nullopt is SQL NULL
using Row = std::vector<Value>;

enum class Dialect { Sqlite, Postgres };

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Statements without parameters or results (DDL, BEGIN, COMMIT); several separated by ';'.
  virtual Expected<void> exec(std::string_view sql) = 0;
  // One statement with parameters $1..$n; its rows, every value as text.
  virtual Expected<std::vector<Row>> query(std::string_view sql,
                                           std::span<const Value> params = {}) = 0;
  // One statement with parameters; the number of rows it changed.
  virtual Expected<std::uint64_t> execute(std::string_view sql,
                                          std::span<const Value> params = {}) = 0;
  virtual Expected<bool> has_table(std::string_view name) = 0;
  // Opens a transaction that holds the schema lock (one schema change at a time across
  // processes) until COMMIT or ROLLBACK.
  virtual Expected<void> begin_schema_change() = 0;
  // Appends the records in one transaction: all or none.
  virtual Expected<void> insert_records(std::span<const ReportRecord> records) = 0;
  // Whether the connection still works (false after the server went away).
  virtual bool healthy() const = 0;
};

// `path` is created when missing (WAL mode, synchronous=NORMAL).
Expected<std::unique_ptr<Connection>> connect_sqlite(const std::string& path,
                                                     std::chrono::milliseconds busy_timeout);
// A libpq connection string or URI.
Expected<std::unique_ptr<Connection>> connect_postgres(const std::string& conninfo);

}  // namespace auth::dmarc::store
