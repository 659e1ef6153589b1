// ARC chain validation (RFC 8617 §5.2), fed the events of one message. The chain's structure is
// settled at end of headers, when the key lookups start and the body hashes the AMSs need are
// registered; finish() verifies the newest AMS, every AS and (for oldest-pass) the older AMSs.
#include <auth/arc.hpp>
#include <auth/domain_name.hpp>

#include "arc/chain.hpp"
#include "arc/signatures.hpp"

namespace auth::arc {

using detail::Check;

struct Validator::Impl {
  const Clock* clock = nullptr;
  Limits limits;
  ValidatorOptions options;
  message::HeaderList own_headers;
  const message::HeaderList* headers = &own_headers;  // or the caller's
  bool headers_done = false;
  detail::Chain chain;
  dkim::BodyHashSet own_bodies;
  dkim::BodyHashSet::Impl* bodies = nullptr;  // own_bodies' or the shared set's
  std::uint64_t body_offset = 0;              // body bytes received
  std::vector<std::size_t> body_index;        // per set
  std::optional<dkim::KeyMemo> keys;
};

Validator::Validator(dns::Resolver& resolver, const Clock& clock, const Limits& limits,
                     const ValidatorOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.clock = &clock;
  m.limits = limits;
  m.options = options;
  if (options.shared_headers != nullptr)
    m.headers = options.shared_headers;
  else
    m.own_headers = message::HeaderList(limits);
  m.bodies = options.shared_body_hashes != nullptr ? &options.shared_body_hashes->impl()
                                                   : &m.own_bodies.impl();
  m.keys.emplace(resolver, options.key_cache);
}

Validator::~Validator() = default;
Validator::Validator(Validator&&) noexcept = default;
Validator& Validator::operator=(Validator&&) noexcept = default;

void Validator::header(std::string_view name, std::string_view raw_value) {
  Impl& m = *impl_;
  if (m.headers_done || m.options.shared_headers != nullptr) return;
  m.own_headers.add(name, raw_value);
}

void Validator::end_of_headers() {
  Impl& m = *impl_;
  if (m.headers_done) return;
  m.headers_done = true;
  detail::ParseOptions parse;
  parse.max_instance = static_cast<unsigned>(m.limits.max_arc_instances);
  parse.allow_ed25519 = m.options.allow_ed25519;
  m.chain = detail::collect_chain(m.headers->fields(), parse);
  if (!m.chain.sound() || m.chain.sets.empty() || m.headers->overflowed()) return;
  const TimePoint now = m.clock->now();
  for (const detail::ArcSet& set : m.chain.sets) {
    m.body_index.push_back(m.bodies->add(detail::body_hash_key(set.ams)));
    m.keys->prefetch(set.seal.key_name(), now);
  }
  // The newest AMS decides the chain; older ones only feed oldest-pass.
  for (auto it = m.chain.sets.rbegin(); it != m.chain.sets.rend(); ++it)
    m.keys->prefetch(it->ams.key_name(), now);
}

void Validator::body(std::string_view chunk) {
  Impl& m = *impl_;
  if (!m.headers_done) end_of_headers();
  m.bodies->update(m.body_offset, chunk);
  m.body_offset += chunk.size();
}

ArcResult Validator::finish() {
  Impl& m = *impl_;
  if (!m.headers_done) end_of_headers();
  // Only this validator's hashes: a shared set may hold some that another feeder still feeds.
  for (const std::size_t index : m.body_index) m.bodies->finish(index);
  ArcResult result;
  const detail::Chain& chain = m.chain;
  if (!chain.present) return result;
  result.instances = chain.highest;
  result.result = ChainResult::Fail;
  auto fail = [&](ReasonCode code, std::string reason) {
    result.reason_code = code;
    result.reason = std::move(reason);
    return result;
  };
  if (m.headers->overflowed())
    return fail(ReasonCode::HeaderLimit, "too many header fields to validate the chain");
  if (!chain.sound()) return fail(chain.failure.code, chain.failure.text);
  const unsigned n = static_cast<unsigned>(chain.sets.size());
  for (const detail::ArcSet& set : chain.sets) {
    SetResult s;
    s.instance = set.ams.instance;
    s.seal_domain = set.seal.domain;
    s.seal_selector = set.seal.selector;
    s.cv = set.seal.cv;
    s.ams_domain = set.ams.domain;
    s.ams_selector = set.ams.selector;
    s.authserv_id = set.aar.authserv_id;
    s.authentication_results = set.aar.payload;
    result.sets.push_back(std::move(s));
  }
  const TimePoint now = m.clock->now();
  const std::span<const message::HeaderField> fields = m.headers->fields();
  auto check_ams = [&](unsigned instance) {
    const Check check =
        detail::verify_ams(chain, instance, fields, m.bodies->result(m.body_index[instance - 1]),
                           *m.keys, m.limits, now);
    result.sets[instance - 1].ams_valid = check.pass();
    result.sets[instance - 1].ams_reason_code = check.code;
    return check;
  };
  // Step 4: the newest AMS. Step 6: every AS, newest first. A failure decides; a DNS temporary
  // failure only when nothing failed for good.
  std::optional<Check> temporary;
  const Check newest = check_ams(n);
  if (newest.outcome == Check::Outcome::Fail) return fail(ReasonCode::ArcAmsFailed, newest.reason);
  if (newest.outcome == Check::Outcome::TempError) temporary = newest;
  for (unsigned i = n; i >= 1; --i) {
    const Check seal = detail::verify_seal(chain, i, fields, *m.keys, m.limits, now);
    result.sets[i - 1].seal_valid = seal.pass();
    result.sets[i - 1].seal_reason_code = seal.code;
    if (seal.outcome == Check::Outcome::Fail) return fail(ReasonCode::ArcSealFailed, seal.reason);
    if (seal.outcome == Check::Outcome::TempError && !temporary) temporary = seal;
  }
  if (temporary) {
    result.result = ChainResult::TempError;
    result.reason_code = temporary->code;  // DnsTimeout or DnsServerFailure
    result.reason = temporary->reason;
    return result;
  }
  result.result = ChainResult::Pass;
  // Step 5: oldest-pass, the oldest instance from which every AMS still validates.
  for (unsigned i = n - 1; i >= 1; --i) {
    if (!check_ams(i).pass()) {
      result.oldest_pass = i + 1;
      break;
    }
  }
  return result;
}

}  // namespace auth::arc
