// auth::arc: Authenticated Received Chain (RFC 8617): push-based chain validation (§5.2) and
// sealing (§5.1). Built on the DKIM tag lists, canonicalization, body hashing and key records of
// auth/dkim.hpp; fed the same events as dkim::Verifier.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <auth/authres.hpp>
#include <auth/clock.hpp>
#include <auth/crypto.hpp>
#include <auth/dkim.hpp>
#include <auth/dns.hpp>
#include <auth/error.hpp>
#include <auth/limits.hpp>
#include <auth/message.hpp>

namespace auth::arc {

// The Chain Validation Status (RFC 8617 §4.4), plus TempError: a DNS failure kept the validator
// from a verdict (the milter tempfails; RFC 8617 registers only none/pass/fail for "arc").
enum class ChainResult { None, Pass, Fail, TempError };
std::string_view to_string(ChainResult result);  // "none", "pass", "fail", "temperror"

// What one ARC Set of the chain said and how its signatures fared.
struct SetResult {
  unsigned instance = 0;
  std::string seal_domain;         // ARC-Seal d=
  std::string seal_selector;       // ARC-Seal s=
  std::string cv;                  // ARC-Seal cv= as written (lower case)
  std::string ams_domain;          // ARC-Message-Signature d=
  std::string ams_selector;        // ARC-Message-Signature s=
  std::string authserv_id;         // of the ARC-Authentication-Results
  std::optional<bool> ams_valid;   // absent: not checked
  std::optional<bool> seal_valid;  // absent: not checked
  // The ARC-Authentication-Results payload after "i=N;", unfolded and trimmed: what that hop
  // concluded ("mx.example; dkim=pass header.d=example.com; ..."), for local policy.
  std::string authentication_results;
};

struct ArcResult {
  ChainResult result = ChainResult::None;
  unsigned instances = 0;  // N, the highest instance of the chain (0: no ARC header field)
  // RFC 8617 §5.2 step 5: the lowest instance whose AMS and every newer AMS validate; 0 when
  // every AMS validates (and when the chain does not pass).
  unsigned oldest_pass = 0;
  std::string reason;           // why the chain failed (or was a temperror); empty for pass/none
  std::vector<SetResult> sets;  // by instance, 1..N; empty when the structure is broken

  // The ARC-Seal d= of each set, oldest first (RFC 8617 §4.2.1's sealing domains).
  std::vector<std::string> sealing_domains() const;
};

struct ValidatorOptions {
  dkim::KeyCache* key_cache = nullptr;  // parsed keys reused across messages (not owned)
  bool allow_ed25519 = true;            // a=ed25519-sha256 in ARC sets (RFC 8463 via RFC 6376)
  // Body hashes shared with the DKIM verifier of the same message (not owned; see
  // dkim::BodyHashSet). Feed both the same events as usual: the body is hashed once per
  // distinct (canonicalization, hash algorithm, l=) across the two.
  dkim::BodyHashSet* shared_body_hashes = nullptr;
};

// Push-based chain validation (RFC 8617 §5.2). Key lookups are prefetched at end_of_headers();
// finish() validates and returns the result. Never throws for anything the message contains.
class Validator {
 public:
  Validator(dns::Resolver& resolver, const Clock& clock, const Limits& limits = {},
            const ValidatorOptions& options = {});
  ~Validator();
  Validator(Validator&&) noexcept;
  Validator& operator=(Validator&&) noexcept;

  void header(std::string_view name, std::string_view raw_value);
  void header(const message::HeaderField& field) { header(field.name, field.raw_value); }
  void end_of_headers();
  void body(std::string_view chunk);
  ArcResult finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One sealing domain: the ADMD's d=, selector and key.
struct SealingKey {
  std::string domain;    // d=
  std::string selector;  // s=
  std::shared_ptr<const crypto::PrivateKey> key;
  std::optional<dkim::Algorithm> algorithm;  // default: rsa-sha256 or ed25519-sha256 by key type
};

struct SealerOptions {
  std::vector<SealingKey> keys;  // at least one; the domain is chosen per message in finish()
  // AMS h= names. Empty: dkim::default_signed_headers(), each once per instance present, plus
  // From. ARC-* header fields and Authentication-Results are never signed.
  std::vector<std::string> headers;
  bool timestamp = true;  // t= on AMS and AS
};

// What this hop concluded, for the new set.
struct SealInput {
  std::string_view domain;                // which SealingKey (its d=); empty: the first one
  const ArcResult* validation = nullptr;  // the chain as received (null: no chain, cv=none)
  // This hop's Authentication-Results payload: "authserv-id; method=result ...", as
  // collect_authentication_results() gives it.
  std::string_view authentication_results;
};

// Seals a message (RFC 8617 §5.1). create() validates every key once; afterwards finish() fails
// only on an OpenSSL error, an unknown domain, a chain that cannot be extended, or with
// LimitExceeded (naming the limit) when the header passed limits.max_header_count or
// max_header_bytes.
class Sealer {
 public:
  static Expected<Sealer> create(const SealerOptions& options, const Clock& clock,
                                 const Limits& limits = {});
  ~Sealer();
  Sealer(Sealer&&) noexcept;
  Sealer& operator=(Sealer&&) noexcept;

  void header(std::string_view name, std::string_view raw_value);
  void header(const message::HeaderField& field) { header(field.name, field.raw_value); }
  void end_of_headers();
  void body(std::string_view chunk);
  // The new ARC Set to prepend, in order ARC-Seal, ARC-Message-Signature,
  // ARC-Authentication-Results (top first). Empty when no set may be added: the newest incoming
  // set already says cv=fail (RFC 8617 §5.1.2), or the chain holds the maximum of instances.
  Expected<std::vector<message::HeaderField>> finish(const SealInput& input);

 private:
  struct Impl;
  explicit Sealer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The Authentication-Results entry for the chain (RFC 8617 §10.1): arc=<result> [reason]
// header.oldest-pass=N when the chain passes and an older AMS no longer validates.
authres::MethodResult to_method_result(const ArcResult& result);

// The payload for this hop's ARC-Authentication-Results: every Authentication-Results field
// carrying `authserv_id` (in message order), their results joined, "authserv-id; r1; r2 ...".
// nullopt when there is none.
std::optional<std::string> collect_authentication_results(
    std::span<const message::HeaderField> fields, std::string_view authserv_id);

}  // namespace auth::arc
