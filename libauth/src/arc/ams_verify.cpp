// ARC-Message-Signature verification (RFC 8617 §5.2 steps 4-5): DKIM's verification (RFC 6376
// §6.1.3) over the header fields as they were when that instance was added.
#include "signatures.hpp"

#include <algorithm>

namespace auth::arc::detail {
namespace {

bool same_bytes(const crypto::Digest& digest, const crypto::Bytes& bytes) {
  return digest.size == bytes.size() &&
         std::equal(bytes.begin(), bytes.end(), digest.bytes.begin());
}

// The fields the signer of `instance` saw: everything but the ARC fields of that instance and
// later ones, except its own AAR (added before the AMS, RFC 8617 §5.1).
std::vector<message::HeaderField> fields_at(const Chain& chain, unsigned instance,
                                            std::span<const message::HeaderField> fields) {
  std::vector<bool> hidden(fields.size(), false);
  for (const ArcSet& set : chain.sets) {
    if (set.ams.instance < instance) continue;
    hidden[set.ams_field] = true;
    hidden[set.seal_field] = true;
    if (set.ams.instance > instance) hidden[set.aar_field] = true;
  }
  std::vector<message::HeaderField> out;
  out.reserve(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (!hidden[i]) out.push_back(fields[i]);
  return out;
}

Check failed(std::string reason) { return Check{Check::Outcome::Fail, std::move(reason)}; }

}  // namespace

dkim::BodyHashKey body_hash_key(const Ams& ams) {
  return dkim::BodyHashKey{ams.canonicalization.body, dkim::hash_of(ams.algorithm), ams.length};
}

Check verify_ams(const Chain& chain, unsigned instance,
                 std::span<const message::HeaderField> fields, const dkim::BodyHash& body,
                 KeySource& keys, const Limits& limits, TimePoint now) {
  const ArcSet& set = chain.sets.at(instance - 1);
  const Ams& ams = set.ams;
  const std::string which = "ARC-Message-Signature i=" + std::to_string(instance);
  if (ams.expiration && *ams.expiration + limits.clock_skew.count() < to_unix(now))
    return failed(which + " has expired");
  const dkim::FetchedKey& fetched = keys.get(ams.key_name(), now);
  if (!fetched.key) {
    const auto outcome = fetched.result == dkim::Result::TempError ? Check::Outcome::TempError
                                                                   : Check::Outcome::Fail;
    return Check{outcome, which + ": " + fetched.reason};
  }
  if (auto unusable = dkim::check_key(*fetched.key, ams.algorithm, limits))
    return failed(which + ": " + *unusable);
  if (!same_bytes(body.digest, ams.bh)) return failed(which + ": body hash mismatch");

  const std::vector<message::HeaderField> visible = fields_at(chain, instance, fields);
  const message::HeaderField& field = fields[set.ams_field];
  crypto::Hasher hasher(dkim::hash_of(ams.algorithm));
  const auto selected = dkim::select_headers(visible, ams.headers);
  dkim::hash_signed_headers(hasher, ams.canonicalization.header, selected, field.name,
                            field.raw_value, ams.b_tag);
  const crypto::Digest digest = hasher.finish();
  if (!fetched.key->key->verify(dkim::hash_of(ams.algorithm), digest.view(), ams.b))
    return failed(which + ": signature did not verify");
  return Check{Check::Outcome::Pass, {}};
}

}  // namespace auth::arc::detail
