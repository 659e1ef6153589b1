// Verification of every DKIM-Signature of one message in one pass (RFC 6376 §6): signatures are
// parsed and their header hashes computed at end of headers, when key lookups are also started;
// the body is hashed once per distinct (canonicalization, hash, l=); finish() checks keys and
// signatures through the verify path DKIM shares with ARC (dkim/shared.hpp).
#include <auth/dkim.hpp>

#include <algorithm>

#include "dkim/body_diagnosis.hpp"
#include "dkim/shared.hpp"

namespace auth::dkim {
namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

struct Candidate {
  std::size_t field = 0;  // index of the DKIM-Signature field in the header fields
  DkimResult result;
  bool decided = false;  // result is final before any key lookup
  std::optional<Signature> signature;
  crypto::Digest header_digest;
  std::size_t body = npos;
};

void decide(Candidate& candidate, Result result, ReasonCode code, std::string reason) {
  candidate.result.result = result;
  candidate.result.reason_code = code;
  candidate.result.reason = std::move(reason);
  candidate.decided = true;
}

// Best effort d=, s=, a=, i=, b= for a signature that does not parse, so the result names it;
// printable whatever bytes the message carried there.
void describe_unparsed(std::string_view raw_value, DkimResult& result) {
  auto tags = parse_tag_list(raw_value);
  if (!tags) return;
  if (const Tag* d = find_tag(*tags, "d")) result.domain = printable(to_lower(d->value));
  if (const Tag* s = find_tag(*tags, "s")) result.selector = printable(to_lower(s->value));
  if (const Tag* a = find_tag(*tags, "a")) result.algorithm = printable(to_lower(a->value));
  if (const Tag* i = find_tag(*tags, "i")) result.auid = printable(i->value);
  if (const Tag* b = find_tag(*tags, "b")) result.header_b = printable(remove_whitespace(b->value));
}

}  // namespace

struct Verifier::Impl {
  dns::Resolver* resolver;
  const Clock* clock;
  Limits limits;
  VerifyOptions options;
  message::HeaderList own_headers;
  const message::HeaderList* headers = &own_headers;  // or the caller's
  std::vector<Candidate> candidates;
  BodyHashSet own_bodies;
  BodyHashSet::Impl* bodies = nullptr;  // own_bodies' or the shared set's
  std::uint64_t body_offset = 0;        // body bytes received
  bool headers_done = false;
  std::optional<KeyMemo> keys;
  std::optional<KeptBody> kept_body;  // with keep_body_for_diagnosis

  void prepare(Candidate& candidate, std::span<const message::HeaderField* const> fields);
  void check(Candidate& candidate);
};

Verifier::Verifier(dns::Resolver& resolver, const Clock& clock, const Limits& limits,
                   const VerifyOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.resolver = &resolver;
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

Verifier::~Verifier() = default;
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;

void Verifier::header(std::string_view name, std::string_view raw_value) {
  Impl& m = *impl_;
  if (m.headers_done || m.options.shared_headers != nullptr) return;
  m.own_headers.add(name, raw_value);
}

void Verifier::Impl::prepare(Candidate& candidate,
                             std::span<const message::HeaderField* const> fields) {
  const message::HeaderField& field = *fields[candidate.field];
  DkimResult& result = candidate.result;
  auto parsed = parse_signature(field.raw_value, SignatureKind::Dkim);
  if (!parsed) {
    describe_unparsed(field.raw_value, result);
    decide(candidate, Result::PermError, parsed.error().code, std::move(parsed.error().text));
    return;
  }
  const Signature& sig = *parsed;
  result.domain = sig.domain;
  result.selector = sig.selector;
  result.algorithm = sig.algorithm_text;
  result.auid = sig.auid;
  result.header_b = sig.b_text;
  if (headers->overflowed())
    return decide(candidate, Result::PermError, ReasonCode::HeaderLimit,
                  "too many header fields to verify");
  if (expired(sig, clock->now(), limits))
    return decide(candidate, Result::Neutral, ReasonCode::Expired, "signature expired");
  candidate.header_digest = header_hash(sig, select_headers(fields, sig.headers), field);
  candidate.body =
      bodies->add(BodyHashKey{sig.canonicalization.body, hash_of(sig.algorithm), sig.length},
                  options.diagnose_body_mismatch);
  candidate.signature = std::move(*parsed);
}

void Verifier::end_of_headers() {
  Impl& m = *impl_;
  if (m.headers_done) return;
  m.headers_done = true;
  const std::vector<const message::HeaderField*> fields = views_of(m.headers->fields());
  for (std::size_t index = 0; index < fields.size(); ++index) {
    if (!is_field(*fields[index], "DKIM-Signature")) continue;
    Candidate candidate;
    candidate.field = index;
    if (m.candidates.size() >= m.limits.max_signatures) {
      describe_unparsed(fields[index]->raw_value, candidate.result);
      decide(candidate, Result::Neutral, ReasonCode::TooManySignatures,
             "not checked: more than " + std::to_string(m.limits.max_signatures) + " signatures");
    } else {
      m.prepare(candidate, fields);
    }
    m.candidates.push_back(std::move(candidate));
  }
  if (m.options.diagnose_body_mismatch && m.options.keep_body_for_diagnosis &&
      !m.candidates.empty())
    m.kept_body.emplace();
  // Start the key lookups now so that DNS overlaps the body transfer.
  const TimePoint now = m.clock->now();
  for (const Candidate& candidate : m.candidates)
    if (candidate.signature) m.keys->prefetch(candidate.signature->key_name(), now);
}

void Verifier::body(std::string_view chunk) {
  Impl& m = *impl_;
  if (!m.headers_done) end_of_headers();
  m.bodies->update(m.body_offset, chunk);
  m.body_offset += chunk.size();
  if (m.kept_body) m.kept_body->append(chunk);
}

void Verifier::Impl::check(Candidate& candidate) {
  DkimResult& result = candidate.result;
  const Signature& sig = *candidate.signature;
  const FetchedKey& found = keys->get(sig.key_name(), clock->now());
  if (!found.key) {
    result.result = found.temporary ? Result::TempError : Result::PermError;
    result.reason_code = found.failure.code;
    result.reason = found.failure.text;
    return;
  }
  const BodyHash& body = bodies->result(candidate.body);
  Verification v =
      verify_with_key(sig, *found.key, candidate.header_digest, &body, limits.min_rsa_bits);
  result.key_bits = v.key_bits;
  result.testing = v.testing;
  result.reason_code = v.code;
  switch (v.code) {
    case ReasonCode::None:
      if (sig.algorithm == Algorithm::RsaSha1 && !options.allow_rsa_sha1) {
        result.result = Result::Policy;
        result.reason_code = ReasonCode::WeakAlgorithm;
        result.reason = "rsa-sha1 is not accepted (RFC 8301)";
        return;
      }
      result.result = Result::Pass;
      result.reason.clear();
      return;
    case ReasonCode::KeyTooSmall:  // a local policy (RFC 8301), not the record's rules
      result.result = Result::Policy;
      break;
    case ReasonCode::BodyHashMismatch:
      result.result = Result::Fail;
      if (options.diagnose_body_mismatch)
        v.text =
            diagnose_body_mismatch(sig, body, kept_body ? kept_body->text() : nullptr).text(sig);
      break;
    case ReasonCode::SignatureMismatch:
      result.result = Result::Fail;
      break;
    default:
      result.result = Result::PermError;
      break;
  }
  result.reason = std::move(v.text);
}

std::vector<DkimResult> Verifier::finish() {
  Impl& m = *impl_;
  if (!m.headers_done) end_of_headers();
  // Only this verifier's hashes: a shared set may hold some that another feeder still feeds.
  for (const Candidate& candidate : m.candidates)
    if (candidate.body != npos) m.bodies->finish(candidate.body);
  std::vector<DkimResult> results;
  results.reserve(m.candidates.size());
  for (Candidate& candidate : m.candidates) {
    if (!candidate.decided) m.check(candidate);
    results.push_back(candidate.result);
  }
  return results;
}

std::string_view to_string(Result result) {
  switch (result) {
    case Result::Pass:
      return "pass";
    case Result::Fail:
      return "fail";
    case Result::Neutral:
      return "neutral";
    case Result::Policy:
      return "policy";
    case Result::TempError:
      return "temperror";
    case Result::PermError:
      return "permerror";
  }
  return "permerror";
}

}  // namespace auth::dkim
