// Diagnosing DKIM key records split badly across TXT character-strings or TXT records, for the
// published-key check (auth/key_check.hpp). Verifiers join an RR's strings with nothing between
// them (RFC 6376 §3.6.2.2); these helpers explain what a split did to the joined text.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>

namespace auth::dkim {

// The offsets in answer.txt[index] where one character-string ends and the next begins, strictly
// inside the text. Empty when the RR is one string, or the resolver did not report the split
// (or reported lengths that do not add up to the text).
std::vector<std::size_t> split_points(const dns::Answer& answer, std::size_t index);

// For a record that parses: the splits (1-based string numbers) that fall inside the p= value
// with white space on either side, as text for people; nullopt when there is none.
std::optional<std::string> whitespace_at_splits(std::string_view text,
                                                std::span<const std::size_t> splits);

// For a record of several strings that does not parse (`error`): what lies at each split, and
// whether a ';' added at one split would make the record parse.
std::string describe_unparsable_split(std::string_view text, std::span<const std::size_t> splits,
                                      const Error& error);

// When no single TXT record holds a usable key: the records of the RRset (2 to 4 of them) joined
// in some order into a key record with a valid, non-revoked public key.
struct JoinedRecords {
  std::vector<std::size_t> order;  // indexes into the RRset, in joining order
  KeyRecord record;
  crypto::PublicKey key;
};
std::optional<JoinedRecords> join_records(std::span<const std::string> txt);

}  // namespace auth::dkim
