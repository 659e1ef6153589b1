// Verifying the signatures of an ARC chain: the ARC-Message-Signature of one instance (as DKIM
// does, RFC 8617 §5.2 steps 4-5) and the ARC-Seal of one instance (§5.2 step 6, signed content
// from §5.1.1).
#pragma once

#include "chain.hpp"

#include <auth/clock.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/limits.hpp>

#include <map>
#include <string>

namespace auth::arc::detail {

struct Check {
  enum class Outcome { Pass, Fail, TempError };
  Outcome outcome = Outcome::Fail;
  std::string reason;  // empty for pass
  bool pass() const { return outcome == Outcome::Pass; }
};

// Keys of one message, each name looked up once (through the process-wide cache when given).
class KeySource {
 public:
  KeySource(dns::Resolver& resolver, dkim::KeyCache* cache) : resolver_(&resolver), cache_(cache) {}
  void prefetch(const std::string& name, TimePoint now);
  const dkim::FetchedKey& get(const std::string& name, TimePoint now);

 private:
  dns::Resolver* resolver_;
  dkim::KeyCache* cache_;
  std::map<std::string, dkim::FetchedKey, std::less<>> keys_;
};

// The body hash an AMS needs.
dkim::BodyHashKey body_hash_key(const Ams& ams);

Check verify_ams(const Chain& chain, unsigned instance,
                 std::span<const message::HeaderField> fields, const dkim::BodyHash& body,
                 KeySource& keys, const Limits& limits, TimePoint now);

Check verify_seal(const Chain& chain, unsigned instance,
                  std::span<const message::HeaderField> fields, KeySource& keys,
                  const Limits& limits, TimePoint now);

// The header hash input of an ARC-Seal (RFC 8617 §5.1.1): the ARC fields of sets 1..instance in
// order AAR, AMS, AS, relaxed, the seal itself with b= emptied. Shared with the sealer.
void hash_seal_input(crypto::Hasher& hasher, std::span<const message::HeaderField* const> previous,
                     const message::HeaderField& seal, const dkim::Tag& b_tag);

}  // namespace auth::arc::detail
