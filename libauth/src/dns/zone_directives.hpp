// The ZoneResolver's own directives, $SERVFAIL and $TIMEOUT, taken out of a master file before
// ldns reads it (their lines become blank, so ldns's line numbers stay right).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/dns.hpp>
#include <auth/error.hpp>

namespace auth::dns {

struct FailureDirective {
  std::string key;             // name key (names.hpp)
  bool below = false;          // `*.name`: every name strictly below `key`
  std::optional<RrType> type;  // nullopt: every type
  Status status = Status::ServFail;

  bool matches(std::string_view name_key, RrType query_type) const;
};

struct PreparedZone {
  std::string text;  // the master file with directive lines blanked
  std::vector<FailureDirective> directives;
};

std::optional<RrType> parse_rr_type(std::string_view text);
Expected<PreparedZone> extract_directives(std::string_view text, std::string_view source_name);

}  // namespace auth::dns
