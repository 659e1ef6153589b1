// ARC-Seal verification (RFC 8617 §5.2 step 6). The seal signs the ARC fields of its own set and
// every older one, in instance order and AAR, AMS, AS within a set, with relaxed header
// canonicalization and no body (§5.1.1).
#include "signatures.hpp"

namespace auth::arc::detail {

void hash_seal_input(crypto::Hasher& hasher, std::span<const message::HeaderField* const> previous,
                     const message::HeaderField& seal, const dkim::Tag& b_tag) {
  dkim::hash_signed_headers(hasher, dkim::Canonicalization::Relaxed, previous, seal.name,
                            seal.raw_value, b_tag);
}

Check verify_seal(const Chain& chain, unsigned instance,
                  std::span<const message::HeaderField> fields, KeySource& keys,
                  const Limits& limits, TimePoint now) {
  const ArcSet& set = chain.sets.at(instance - 1);
  const Seal& seal = set.seal;
  const std::string which = "ARC-Seal i=" + std::to_string(instance);
  const dkim::FetchedKey& fetched = keys.get(seal.key_name(), now);
  if (!fetched.key) {
    const auto outcome = fetched.result == dkim::Result::TempError ? Check::Outcome::TempError
                                                                   : Check::Outcome::Fail;
    return Check{outcome, which + ": " + fetched.reason};
  }
  if (auto unusable = dkim::check_key(*fetched.key, seal.algorithm, limits))
    return Check{Check::Outcome::Fail, which + ": " + *unusable};
  std::vector<const message::HeaderField*> signed_fields;
  signed_fields.reserve(3 * instance);
  for (unsigned i = 1; i <= instance; ++i) {
    const ArcSet& s = chain.sets.at(i - 1);
    signed_fields.push_back(&fields[s.aar_field]);
    signed_fields.push_back(&fields[s.ams_field]);
    if (i < instance) signed_fields.push_back(&fields[s.seal_field]);
  }
  crypto::Hasher hasher(dkim::hash_of(seal.algorithm));
  hash_seal_input(hasher, signed_fields, fields[set.seal_field], seal.b_tag);
  const crypto::Digest digest = hasher.finish();
  if (!fetched.key->key->verify(dkim::hash_of(seal.algorithm), digest.view(), seal.b))
    return Check{Check::Outcome::Fail, which + ": signature did not verify"};
  return Check{Check::Outcome::Pass, {}};
}

}  // namespace auth::arc::detail
