// The SPF record of a TXT answer (RFC 7208 §4.5 selection, then §4.6 parsing), worked out once
// per cached answer and kept in its memo slot: a warm check_host() does no parsing.
#pragma once

#include <optional>

#include <auth/dns.hpp>

#include "spf/record.hpp"

namespace auth::spf {

struct SelectedRecord final : dns::AnswerMemo {
  std::size_t count = 0;    // TXT strings that are SPF records
  Expected<Record> record;  // parsed when count == 1; views into the answer's TXT strings
};

// The selection for `txt` (a TXT answer): its memo when set, otherwise computed and attached.
// When the answer's memo slot holds something else, the selection is computed into `fallback`.
const SelectedRecord& select_record(const dns::SharedAnswer& txt,
                                    std::optional<SelectedRecord>& fallback);

}  // namespace auth::spf
