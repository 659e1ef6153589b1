// ARC-Message-Signature verification (RFC 8617 §5.2 steps 4-5): DKIM's verification (RFC 6376
// §6.1.3) over the header fields as they were when that instance was added, picked from views
// of the message's fields (no field is copied, however many instances a chain has).
#include "arc/signatures.hpp"

namespace auth::arc::detail {
namespace {

// The fields the signer of `instance` saw: everything but the ARC fields of that instance and
// later ones, except its own AAR (added before the AMS, RFC 8617 §5.1).
std::vector<const message::HeaderField*> fields_at(const Chain& chain, unsigned instance,
                                                   std::span<const message::HeaderField> fields) {
  std::vector<bool> hidden(fields.size(), false);
  for (const ArcSet& set : chain.sets) {
    if (set.ams.instance < instance) continue;
    hidden[set.ams_field] = true;
    hidden[set.seal_field] = true;
    if (set.ams.instance > instance) hidden[set.aar_field] = true;
  }
  std::vector<const message::HeaderField*> out;
  out.reserve(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (!hidden[i]) out.push_back(&fields[i]);
  return out;
}

}  // namespace

dkim::BodyHashKey body_hash_key(const dkim::Signature& ams) {
  return dkim::BodyHashKey{ams.canonicalization.body, dkim::hash_of(ams.algorithm), ams.length};
}

Check verify_ams(const Chain& chain, unsigned instance,
                 std::span<const message::HeaderField> fields, const dkim::BodyHash& body,
                 dkim::KeyMemo& keys, const Limits& limits, TimePoint now) {
  const ArcSet& set = chain.sets.at(instance - 1);
  const dkim::Signature& ams = set.ams;
  const std::string which = "ARC-Message-Signature i=" + std::to_string(instance) + ": ";
  if (dkim::expired(ams, now, limits))
    return Check{Check::Outcome::Fail, ReasonCode::Expired, which + "signature expired"};
  const dkim::FetchedKey& fetched = keys.get(ams.key_name(), now);
  if (!fetched.key)
    return Check{fetched.temporary ? Check::Outcome::TempError : Check::Outcome::Fail,
                 fetched.failure.code, which + fetched.failure.text};
  const auto selected = dkim::select_headers(fields_at(chain, instance, fields), ams.headers);
  const crypto::Digest digest = dkim::header_hash(ams, selected, fields[set.ams_field]);
  dkim::Verification v =
      dkim::verify_with_key(ams, *fetched.key, digest, &body, limits.min_rsa_bits);
  if (!v.pass()) return Check{Check::Outcome::Fail, v.code, which + v.text};
  return Check{Check::Outcome::Pass, ReasonCode::None, {}};
}

}  // namespace auth::arc::detail
