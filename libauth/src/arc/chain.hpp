// Collecting the ARC Sets of a message and checking the chain's structure (RFC 8617 §5.2 steps
// 1 to 3): every instance 1..N present exactly once in each of the three fields, at most the
// limit of instances, cv= none for instance 1 and pass above.
#pragma once

#include <auth/message.hpp>

#include <span>
#include <string>
#include <vector>

#include "arc/fields.hpp"

namespace auth::arc::detail {

struct ArcSet {
  std::size_t aar_field = 0;  // indexes into the message's header fields
  std::size_t ams_field = 0;
  std::size_t seal_field = 0;
  Aar aar;
  dkim::Signature ams;
  dkim::Signature seal;
};

struct Chain {
  bool present = false;           // any ARC header field at all
  unsigned highest = 0;           // highest instance among the fields whose i= parses (0: none)
  Failure failure;                // why the structure fails; code None when it is sound
  bool newest_says_fail = false;  // the newest ARC-Seal carries cv=fail (RFC 8617 §5.2 step 2)
  std::vector<ArcSet> sets;       // by instance 1..N when sound
  bool sound() const { return failure.code == ReasonCode::None; }
};

Chain collect_chain(std::span<const message::HeaderField> fields, const ParseOptions& options);

}  // namespace auth::arc::detail
