// Verification of every DKIM-Signature of one message in one pass (RFC 6376 §6): signatures are
// parsed and their header hashes computed at end of headers, when key lookups are also started;
// the body is hashed once per distinct (canonicalization, hash, l=); finish() checks keys and
// signatures.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>
#include <map>

namespace auth::dkim {
namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

struct Candidate {
  std::size_t field = 0;  // index of the DKIM-Signature field in the stored headers
  DkimResult result;
  bool decided = false;  // result is final before any key lookup
  std::optional<Signature> signature;
  crypto::Digest header_digest;
  std::size_t body = npos;
};

// A body up to this size is kept to explain a body hash mismatch with the other canonicalization.
constexpr std::size_t max_kept_body = 64 * 1024;

// Best effort d=, s=, a=, i= for a signature that does not parse, so the result names it.
void describe_unparsed(std::string_view raw_value, DkimResult& result) {
  auto tags = parse_tag_list(raw_value);
  if (!tags) return;
  if (const Tag* d = find_tag(*tags, "d")) result.domain = to_lower(d->value);
  if (const Tag* s = find_tag(*tags, "s")) result.selector = to_lower(s->value);
  if (const Tag* a = find_tag(*tags, "a")) result.algorithm = to_lower(a->value);
  if (const Tag* i = find_tag(*tags, "i")) result.auid = std::string(i->value);
  if (const Tag* b = find_tag(*tags, "b")) result.header_b = remove_whitespace(b->value);
}

bool same_bytes(const crypto::Digest& digest, const crypto::Bytes& bytes) {
  return digest.size == bytes.size() &&
         std::equal(bytes.begin(), bytes.end(), digest.bytes.begin());
}

}  // namespace

struct Verifier::Impl {
  dns::Resolver* resolver;
  const Clock* clock;
  Limits limits;
  VerifyOptions options;
  message::HeaderList headers;
  std::vector<std::size_t> signature_fields;
  std::vector<Candidate> candidates;
  BodyHashSet own_bodies;
  BodyHashSet* bodies = &own_bodies;  // or the shared set
  std::uint64_t body_offset = 0;      // body bytes received
  bool headers_done = false;
  std::map<std::string, FetchedKey> lookups;  // by key name, for this message
  std::string kept_body;                      // raw body, while it fits in max_kept_body
  bool body_kept = true;

  void prepare(Candidate& candidate);
  const FetchedKey& lookup(const std::string& name);
  void check(Candidate& candidate);
  std::string diagnose(const Candidate& candidate) const;
};

Verifier::Verifier(dns::Resolver& resolver, const Clock& clock, const Limits& limits,
                   const VerifyOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->resolver = &resolver;
  impl_->clock = &clock;
  impl_->limits = limits;
  impl_->headers = message::HeaderList(limits);
  impl_->options = options;
  if (options.shared_body_hashes != nullptr) impl_->bodies = options.shared_body_hashes;
}

Verifier::~Verifier() = default;
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;

void Verifier::header(std::string_view name, std::string_view raw_value) {
  Impl& m = *impl_;
  if (m.headers_done || !m.headers.add(name, raw_value)) return;
  if (is_field(m.headers.fields().back(), "DKIM-Signature"))
    m.signature_fields.push_back(m.headers.fields().size() - 1);
}

void Verifier::Impl::prepare(Candidate& candidate) {
  const message::HeaderField& field = headers.fields()[candidate.field];
  DkimResult& result = candidate.result;
  auto parsed = parse_signature(field.raw_value);
  if (!parsed) {
    describe_unparsed(field.raw_value, result);
    result.result = Result::PermError;
    result.reason = parsed.error().message;
    candidate.decided = true;
    return;
  }
  const Signature& sig = *parsed;
  result.domain = sig.domain;
  result.selector = sig.selector;
  result.algorithm = sig.algorithm_text;
  result.auid = sig.auid;
  result.header_b = sig.b_text;
  if (headers.overflowed()) {
    result.result = Result::PermError;
    result.reason = "too many header fields to verify";
    candidate.decided = true;
    return;
  }
  if (sig.expiration) {
    const std::int64_t now = to_unix(clock->now());
    if (*sig.expiration + limits.clock_skew.count() < now) {
      result.result = Result::Neutral;
      result.reason = "signature expired";
      candidate.decided = true;
      return;
    }
  }
  const crypto::HashAlgorithm hash = hash_of(sig.algorithm);
  crypto::Hasher hasher(hash);
  const auto selected = select_headers(headers.fields(), sig.headers);
  hash_signed_headers(hasher, sig.canonicalization.header, selected, field.name, field.raw_value,
                      sig.b_tag);
  candidate.header_digest = hasher.finish();
  candidate.body = bodies->add(BodyHashKey{sig.canonicalization.body, hash, sig.length},
                               options.diagnose_body_mismatch);
  candidate.signature = std::move(*parsed);
}

void Verifier::end_of_headers() {
  Impl& m = *impl_;
  if (m.headers_done) return;
  m.headers_done = true;
  for (std::size_t i = 0; i < m.signature_fields.size(); ++i) {
    Candidate candidate;
    candidate.field = m.signature_fields[i];
    if (i >= m.limits.max_signatures) {
      const std::string_view raw = m.headers.fields()[candidate.field].raw_value;
      describe_unparsed(raw, candidate.result);
      candidate.result.result = Result::Neutral;
      candidate.result.reason =
          "not checked: more than " + std::to_string(m.limits.max_signatures) + " signatures";
      candidate.decided = true;
    } else {
      m.prepare(candidate);
    }
    m.candidates.push_back(std::move(candidate));
  }
  // Start the key lookups now so that DNS overlaps the body transfer.
  const TimePoint now = m.clock->now();
  std::vector<std::string> asked;
  for (const Candidate& candidate : m.candidates) {
    if (!candidate.signature) continue;
    const std::string name = candidate.signature->key_name();
    if (m.options.key_cache != nullptr && m.options.key_cache->find(name, now)) continue;
    if (std::find(asked.begin(), asked.end(), name) != asked.end()) continue;
    asked.push_back(name);
    m.resolver->prefetch(name, dns::RrType::TXT);
  }
}

void Verifier::body(std::string_view chunk) {
  Impl& m = *impl_;
  if (!m.headers_done) end_of_headers();
  m.bodies->update(m.body_offset, chunk);
  m.body_offset += chunk.size();
  if (m.body_kept && m.options.diagnose_body_mismatch && !m.candidates.empty()) {
    if (m.kept_body.size() + chunk.size() > max_kept_body) {
      m.body_kept = false;
      std::string().swap(m.kept_body);
    } else {
      m.kept_body.append(chunk);
    }
  }
}

const FetchedKey& Verifier::Impl::lookup(const std::string& name) {
  if (auto it = lookups.find(name); it != lookups.end()) return it->second;
  return lookups.emplace(name, fetch_key(*resolver, name, clock->now(), options.key_cache))
      .first->second;
}

// Explains a body hash mismatch by hashing variants of the received body: what a relay or a
// signer most often changes is the end of the body.
std::string Verifier::Impl::diagnose(const Candidate& candidate) const {
  const Signature& sig = *candidate.signature;
  const BodyHash& body = bodies->result(candidate.body);
  const std::string reason = "body hash mismatch";
  if (sig.length && *sig.length > body.canonical_length)
    return reason + "; the body is shorter than l= (" + std::to_string(body.canonical_length) +
           " < " + std::to_string(*sig.length) + " bytes): it was truncated";
  auto matches = [&](const std::optional<crypto::Digest>& digest) {
    return digest && same_bytes(*digest, sig.bh);
  };
  if (body_kept) {
    const Canonicalization other = sig.canonicalization.body == Canonicalization::Simple
                                       ? Canonicalization::Relaxed
                                       : Canonicalization::Simple;
    BodyHasher hasher(BodyHashKey{other, hash_of(sig.algorithm), sig.length});
    hasher.update(kept_body);
    if (matches(hasher.finish().digest))
      return reason + "; the body matches with " + std::string(to_string(other)) +
             " body canonicalization: the signer did not follow its c= tag";
    if (sig.canonicalization.body == Canonicalization::Simple) {
      // Simple keeps white space at line ends; some relays add it.
      std::string stripped;
      stripped.reserve(kept_body.size());
      for (char c : kept_body) {
        if (c == '\n' && !stripped.empty() && stripped.back() == '\r') {
          stripped.pop_back();
          while (!stripped.empty() && (stripped.back() == ' ' || stripped.back() == '\t'))
            stripped.pop_back();
          stripped += "\r";
        }
        stripped.push_back(c);
      }
      BodyHasher simple(BodyHashKey{Canonicalization::Simple, hash_of(sig.algorithm), sig.length});
      simple.update(stripped);
      if (matches(simple.finish().digest))
        return reason +
               "; the body matches with white space removed from its line ends: white "
               "space was added there in transit";
    }
  }
  if (!body.tail) return reason;
  const BodyHash::Tail& tail = *body.tail;
  if (tail.held_line_breaks > 1) {
    std::string lines;
    for (std::size_t i = 1; i < tail.held_line_breaks; ++i) lines += "\r\n";
    if (matches(body.extended_digest(lines)))
      return reason +
             "; the body matches with its trailing empty lines kept: the signer did not "
             "remove them";
  }
  if (body.canonical_length >= 2 && matches(body.prefix_digest(body.canonical_length - 2)))
    return reason + "; the body matches without its final line break: the signer did not add it";
  // Lines appended in transit (a list footer, white space lines): the digest at each line
  // boundary of the kept tail, in one pass; the boundary nearest the end that matches wins.
  const std::string_view bytes = tail.bytes;
  crypto::Hasher hasher = tail.before;
  std::size_t hashed = 0, match = std::string_view::npos;
  for (std::size_t pos = bytes.find("\r\n");
       pos != std::string_view::npos && pos + 2 < bytes.size(); pos = bytes.find("\r\n", pos + 2)) {
    hasher.update(bytes.substr(hashed, pos + 2 - hashed));
    hashed = pos + 2;
    crypto::Hasher at_boundary = hasher;
    if (matches(at_boundary.finish())) match = hashed;
  }
  if (match != std::string_view::npos) {
    const std::string_view added = bytes.substr(match);
    std::size_t lines = 0;
    for (std::size_t pos = added.find("\r\n"); pos != std::string_view::npos;
         pos = added.find("\r\n", pos + 2))
      ++lines;
    const bool only_white_space = added.find_first_not_of(" \t\r\n") == std::string_view::npos;
    const std::string count = std::to_string(lines) + (lines == 1 ? " line" : " lines");
    if (only_white_space)
      return reason + "; the body matches without its last " + count +
             " of white space: they were added in transit";
    return reason + "; the body matches without its last " + count + " (" +
           std::to_string(added.size()) + " bytes): text was appended in transit";
  }
  return reason + "; the body was changed in transit (not only at its end or in white space)";
}

void Verifier::Impl::check(Candidate& candidate) {
  DkimResult& result = candidate.result;
  const Signature& sig = *candidate.signature;
  const FetchedKey& found = lookup(sig.key_name());
  if (!found.key) {
    result.result = found.result;
    result.reason = found.reason;
    return;
  }
  const ParsedKey& parsed = *found.key;
  const KeyRecord& record = parsed.record;
  result.result = Result::PermError;
  result.testing = record.testing;
  // The key size is a local policy (RFC 8301), checked apart from the record's own rules.
  Limits any_size = limits;
  any_size.min_rsa_bits = 0;
  if (auto unusable = check_key(parsed, sig.algorithm, any_size)) {
    result.reason = *unusable;
    return;
  }
  if (record.strict_identity) {
    const std::size_t at = sig.auid.rfind('@');
    if (!iequals(std::string_view(sig.auid).substr(at + 1), sig.domain)) {
      result.reason = "key record t=s requires the i= domain to equal d=";
      return;
    }
  }
  result.key_bits = parsed.key->bits();
  if (record.key_type == crypto::KeyType::Rsa && result.key_bits < limits.min_rsa_bits) {
    result.result = Result::Policy;
    result.reason = "key too small: " + std::to_string(result.key_bits) + " bits";
    return;
  }
  const BodyHash& body = bodies->result(candidate.body);
  if (!same_bytes(body.digest, sig.bh)) {
    result.result = Result::Fail;
    result.reason = diagnose(candidate);
    return;
  }
  if (!parsed.key->verify(hash_of(sig.algorithm), candidate.header_digest.view(), sig.b)) {
    result.result = Result::Fail;
    result.reason = "signature did not verify";
    return;
  }
  if (sig.algorithm == Algorithm::RsaSha1 && !options.allow_rsa_sha1) {
    result.result = Result::Policy;
    result.reason = "rsa-sha1 is not accepted (RFC 8301)";
    return;
  }
  result.result = Result::Pass;
  result.reason.clear();
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
