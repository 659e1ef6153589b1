// The words a report store and the reports use for DMARC values, both ways. They are the RFC 9989
// and RFC 9990 words ("quarantine", "treewalk", "policy_test_mode"), so a stored value reads the
// same as in a report. Kept here, not taken from dmarc/, because the database format must not
// change when a display text does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auth/dmarc.hpp>

namespace auth::dmarc::report_codes {

std::string_view word(Result result);
std::string_view word(Policy policy);
std::string_view word(AlignmentMode mode);
std::string_view word(PsdFlag flag);
std::string_view word(DiscoveryMethod method);
std::string_view word(OverrideReason reason);

std::optional<Result> parse_result(std::string_view text);
std::optional<Policy> parse_policy(std::string_view text);
std::optional<AlignmentMode> parse_alignment(std::string_view text);
std::optional<PsdFlag> parse_psd(std::string_view text);
std::optional<DiscoveryMethod> parse_discovery(std::string_view text);
std::optional<OverrideReason> parse_override(std::string_view text);

// Lists in one text column: items separated by ',', fields of an item by ' '; '%', ',', ' '
// and control bytes inside a field are %XX-escaped, so any bytes survive a round trip.
std::string encode_list(const std::vector<std::vector<std::string>>& items);
std::vector<std::vector<std::string>> decode_list(std::string_view text);
// Single-field shorthands.
std::string encode_words(const std::vector<std::string>& words);
std::vector<std::string> decode_words(std::string_view text);

}  // namespace auth::dmarc::report_codes
