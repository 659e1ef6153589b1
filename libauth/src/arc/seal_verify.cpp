// ARC-Seal verification (RFC 8617 §5.2 step 6). The seal signs the ARC fields of its own set and
// every older one, in instance order and AAR, AMS, AS within a set, with relaxed header
// canonicalization and no body (§5.1.1).
#include "arc/signatures.hpp"

namespace auth::arc::detail {

std::vector<const message::HeaderField*> sealed_fields(
    const Chain& chain, unsigned instance, std::span<const message::HeaderField> fields) {
  std::vector<const message::HeaderField*> out;
  out.reserve(3 * instance);
  for (unsigned i = 1; i <= instance; ++i) {
    const ArcSet& s = chain.sets.at(i - 1);
    out.push_back(&fields[s.aar_field]);
    out.push_back(&fields[s.ams_field]);
    if (i < instance) out.push_back(&fields[s.seal_field]);
  }
  return out;
}

Check verify_seal(const Chain& chain, unsigned instance,
                  std::span<const message::HeaderField> fields, dkim::KeyMemo& keys,
                  const Limits& limits, TimePoint now) {
  const ArcSet& set = chain.sets.at(instance - 1);
  const dkim::Signature& seal = set.seal;
  const std::string which = "ARC-Seal i=" + std::to_string(instance) + ": ";
  const dkim::FetchedKey& fetched = keys.get(seal.key_name(), now);
  if (!fetched.key)
    return Check{fetched.temporary ? Check::Outcome::TempError : Check::Outcome::Fail,
                 fetched.failure.code, which + fetched.failure.text};
  const crypto::Digest digest =
      dkim::header_hash(seal, sealed_fields(chain, instance, fields), fields[set.seal_field]);
  dkim::Verification v =
      dkim::verify_with_key(seal, *fetched.key, digest, nullptr, limits.min_rsa_bits);
  if (!v.pass()) return Check{Check::Outcome::Fail, v.code, which + v.text};
  return Check{Check::Outcome::Pass, ReasonCode::None, {}};
}

}  // namespace auth::arc::detail
