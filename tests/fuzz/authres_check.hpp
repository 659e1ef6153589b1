// Shared by the fuzz targets that build Authentication-Results: format() must give text that
// parses back to the same value, except that format() writes each control character but TAB (CR
// and LF of folded input included) as a space, so that no header carries them.
#pragma once

#include <string>

#include <auth/authres.hpp>

#include "fuzz_check.hpp"

namespace auth::fuzz {

inline std::string without_controls(std::string text) {
  for (auto& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) c = ' ';
  }
  return text;
}

inline authres::AuthenticationResults without_controls(authres::AuthenticationResults results) {
  results.authserv_id = without_controls(results.authserv_id);
  for (auto& method : results.results) {
    method.method = without_controls(method.method);
    method.result = without_controls(method.result);
    method.result_comment = without_controls(method.result_comment);
    method.reason = without_controls(method.reason);
    for (auto& property : method.properties) {
      property.ptype = without_controls(property.ptype);
      property.property = without_controls(property.property);
      property.value = without_controls(property.value);
      property.comment = without_controls(property.comment);
    }
  }
  return results;
}

// `first_line_used` as for authres::format; 0 checks format_unfolded.
inline void check_round_trip(const authres::AuthenticationResults& results,
                             std::size_t first_line_used = 23) {
  const auto text = first_line_used == 0 ? authres::format_unfolded(results)
                                         : authres::format(results, first_line_used);
  const auto parsed = authres::parse(text);
  FUZZ_CHECK(parsed.has_value());
  FUZZ_CHECK(*parsed == without_controls(results));
}

}  // namespace auth::fuzz
