// The store's schema, its versions and migrations, and how a record maps to a row.
#pragma once

#include <array>
#include <string_view>

#include "report/connection.hpp"

namespace auth::dmarc::store {

// The columns of dmarc_message that a record fills, in insert order.
// clang-format off
inline constexpr std::array<std::string_view, 31> record_columns{
    "time", "source_ip", "header_from", "envelope_from", "envelope_to", "policy_domain",
    "discovery_method", "p", "sp", "np", "adkim", "aspf", "fo", "testing", "psd", "rua", "ruf",
    "policy_errors", "result", "requested_policy", "evaluated_policy", "disposition",
    "dkim_aligned", "spf_aligned", "overrides", "spf_domain", "spf_scope", "spf_result", "dkim",
    "group_hi", "group_lo"};
// clang-format on

// The record's values, in record_columns order. group_hi and group_lo are a 128-bit digest of
// every value an aggregate report row groups by (policy domain, identifiers, source IP, results),
// so that grouping a day of records compares two integers instead of fifteen texts.
std::array<Value, record_columns.size()> record_values(const ReportRecord& record);

// "time, source_ip, ..."
std::string column_list();

// The version recorded in dmarc_schema (0 when there is no schema).
Expected<unsigned> read_version(Connection& connection);

// Brings the schema to `target` (<= ReportStore::schema_version) under the schema lock. A newer
// schema than this build knows is refused with a message saying so.
Expected<SchemaChange> migrate(Connection& connection, unsigned target);

// Ensures the current schema for writing: creates or upgrades it; refuses a newer one.
Expected<void> ensure_current(Connection& connection);

}  // namespace auth::dmarc::store
