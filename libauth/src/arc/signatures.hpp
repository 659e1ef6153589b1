// Verifying the signatures of an ARC chain through DKIM's verify path (dkim/shared.hpp): the
// ARC-Message-Signature of one instance (as DKIM does, RFC 8617 §5.2 steps 4-5) and the
// ARC-Seal of one instance (§5.2 step 6, signed content from §5.1.1).
#pragma once

#include <auth/clock.hpp>
#include <auth/limits.hpp>

#include <span>
#include <string>

#include "arc/chain.hpp"

namespace auth::arc::detail {

struct Check {
  enum class Outcome { Pass, Fail, TempError };
  Outcome outcome = Outcome::Fail;
  ReasonCode code = ReasonCode::None;  // None for pass
  std::string reason;                  // empty for pass
  bool pass() const { return outcome == Outcome::Pass; }
};

// The body hash an AMS needs.
dkim::BodyHashKey body_hash_key(const dkim::Signature& ams);

Check verify_ams(const Chain& chain, unsigned instance,
                 std::span<const message::HeaderField> fields, const dkim::BodyHash& body,
                 dkim::KeyMemo& keys, const Limits& limits, TimePoint now);

Check verify_seal(const Chain& chain, unsigned instance,
                  std::span<const message::HeaderField> fields, dkim::KeyMemo& keys,
                  const Limits& limits, TimePoint now);

// The fields an ARC-Seal of instance N signs (RFC 8617 §5.1.1): the AAR, AMS and AS of sets 1 to
// N-1 in that order, then the AAR and AMS of set N.
std::vector<const message::HeaderField*> sealed_fields(
    const Chain& chain, unsigned instance, std::span<const message::HeaderField> fields);

}  // namespace auth::arc::detail
