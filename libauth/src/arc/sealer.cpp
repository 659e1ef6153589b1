// ARC sealing (RFC 8617 §5.1): keys are checked once in create(); finish() adds instance N+1 with
// the ARC-Authentication-Results, an ARC-Message-Signature over the message (relaxed/relaxed, the
// DKIM signer's default header list) and an ARC-Seal over the ARC sets. Tags are written with i=
// first (SealerOptions::instance_first) and the rest in alphabetical order, one space after each
// ';' and no white space inside values, so that the signed content is predictable (all in
// alphabetical order, it is the ValiMail SUITE-SCHEMA's "Signing Header Format
// Standardization"); lines are folded only at those spaces.
#include <auth/arc.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>

#include "arc/chain.hpp"
#include "arc/signatures.hpp"
#include "message/folding.hpp"

namespace auth::arc {
namespace {

struct PreparedKey {
  std::string domain;
  std::string selector;
  std::shared_ptr<const crypto::PrivateKey> key;
  dkim::Algorithm algorithm = dkim::Algorithm::RsaSha256;
};

// Header fields the AMS must not sign: other hops' ARC fields and Authentication-Results the
// sealer does not own (they may be removed or rewritten downstream).
bool never_signed(std::string_view name) {
  return iequals(name, "arc-seal") || iequals(name, "arc-message-signature") ||
         iequals(name, "arc-authentication-results") || iequals(name, "authentication-results");
}

// "tag=value" pieces joined by "; " and folded (message::LineFolder): the value, starting with
// a space, and for the tag named `b`, the offset just after its '=' (its value is empty here).
struct Built {
  std::string value;
  std::size_t b_offset = 0;
};
Built build_value(std::string_view field_name,
                  const std::vector<std::pair<std::string, std::string>>& tags) {
  Built out;
  message::LineFolder folder(field_name.size() + 1);
  for (std::size_t i = 0; i < tags.size(); ++i) {
    folder.piece(tags[i].first + "=" + tags[i].second + (i + 1 < tags.size() ? ";" : ""));
    if (tags[i].first == "b") out.b_offset = folder.text().size() - (i + 1 < tags.size() ? 1 : 0);
  }
  out.value = folder.take();
  return out;
}

// Moves the i= tag to the front, the others keeping their order.
void instance_to_front(std::vector<std::pair<std::string, std::string>>& tags) {
  std::stable_partition(tags.begin(), tags.end(), [](const auto& tag) { return tag.first == "i"; });
}

// Folds an ARC-Authentication-Results value at the spaces after top-level ';' (outside comments
// and quoted strings), which relaxed canonicalization reads as the same single space.
std::string fold_results(std::string_view value, std::size_t start_column) {
  message::LineFolder folder(start_column);
  std::size_t i = 0;
  while (i < value.size()) {
    // The next top-level "; " ends the current piece; the ';' stays with it.
    std::size_t end = i;
    for (;;) {
      const std::size_t semicolon = detail::find_top_level_semicolon(value, end);
      end = semicolon == std::string_view::npos ? value.size() : semicolon + 1;
      if (end >= value.size() || value[end] == ' ') break;
    }
    folder.piece(value.substr(i, end - i), i > 0);
    i = end + 1;  // skip the separating space
  }
  return folder.take();
}

}  // namespace

struct Sealer::Impl {
  const Clock* clock = nullptr;
  Limits limits;
  std::vector<PreparedKey> keys;
  std::vector<std::string> headers;  // explicit h= (lower case), or empty for the default
  bool timestamp = true;
  bool instance_first = true;
  message::HeaderList own_fields;
  const message::HeaderList* fields = &own_fields;  // or the caller's
  bool shared_fields = false;
  dkim::BodyHashSet own_bodies;
  dkim::BodyHashSet::Impl& bodies = own_bodies.impl();
  std::size_t body = 0;
  bool headers_done = false;

  std::vector<std::string> header_names() const;
};

namespace {

// Signs `value` (its b= empty at `b_offset`) over `fields_to_hash`, relaxed, and returns it
// with the signature in place.
Expected<std::string> sign(const PreparedKey& key, std::string value, std::size_t b_offset,
                           std::span<const message::HeaderField* const> fields_to_hash,
                           std::string_view field_name) {
  const crypto::HashAlgorithm hash = dkim::hash_of(key.algorithm);
  const crypto::Digest digest = dkim::header_hash(
      hash, dkim::Canonicalization::Relaxed, fields_to_hash, field_name, value, b_offset, b_offset);
  auto signature = key.key->sign(hash, digest.view());
  if (!signature) return std::unexpected(signature.error());
  value.insert(b_offset, crypto::base64_encode(*signature));
  return value;
}

}  // namespace

Sealer::Sealer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Sealer::~Sealer() = default;
Sealer::Sealer(Sealer&&) noexcept = default;
Sealer& Sealer::operator=(Sealer&&) noexcept = default;

Expected<Sealer> Sealer::create(const SealerOptions& options, const Clock& clock,
                                const Limits& limits) {
  if (options.keys.empty()) return fail(ErrorCode::InvalidArgument, "no sealing domain");
  auto impl = std::make_unique<Impl>();
  impl->clock = &clock;
  impl->limits = limits;
  if (options.shared_headers != nullptr) {
    impl->fields = options.shared_headers;
    impl->shared_fields = true;
  } else {
    impl->own_fields = message::HeaderList(limits);
  }
  impl->timestamp = options.timestamp;
  impl->instance_first = options.instance_first;
  for (const SealingKey& k : options.keys) {
    PreparedKey p;
    auto names = dkim::signing_names(k.domain, k.selector, "sealing", " for " + k.domain);
    if (!names) return std::unexpected(names.error());
    p.domain = names->domain.str();
    p.selector = names->selector;
    for (const PreparedKey& other : impl->keys)
      if (other.domain == p.domain)
        return fail(ErrorCode::InvalidArgument, "sealing domain " + p.domain + " given twice");
    if (!k.key) return fail(ErrorCode::InvalidArgument, "no private key for " + k.domain);
    auto algorithm = dkim::signing_algorithm(*k.key, k.algorithm, "sealing", " for " + p.domain);
    if (!algorithm) return std::unexpected(algorithm.error());
    p.algorithm = *algorithm;
    p.key = k.key;
    impl->keys.push_back(std::move(p));
  }
  bool from = options.headers.empty();
  for (const std::string& name : options.headers) {
    if (!dkim::valid_field_name(name))
      return fail(ErrorCode::InvalidArgument, "bad header name '" + name + "'");
    if (never_signed(name))
      return fail(ErrorCode::InvalidArgument, "the ARC-Message-Signature must not sign " + name);
    impl->headers.push_back(to_lower(name));
    from = from || impl->headers.back() == "from";
  }
  if (!from) return fail(ErrorCode::InvalidArgument, "the signed headers must include From");
  // Every key hashes the body relaxed with SHA-256 (rsa-sha256 and ed25519-sha256 alike).
  impl->body = impl->bodies.add(dkim::BodyHashKey{dkim::Canonicalization::Relaxed,
                                                  crypto::HashAlgorithm::Sha256, std::nullopt});
  return Sealer(std::move(impl));
}

void Sealer::header(std::string_view name, std::string_view raw_value) {
  if (impl_->headers_done || impl_->shared_fields) return;
  impl_->own_fields.add(name, raw_value);
}

void Sealer::end_of_headers() { impl_->headers_done = true; }

void Sealer::body(std::string_view chunk) {
  impl_->headers_done = true;
  impl_->bodies.update(chunk);
}

std::vector<std::string> Sealer::Impl::header_names() const {
  if (!headers.empty()) return headers;
  // The DKIM signer's default list, From signed once more than present, so that adding one
  // breaks the AMS.
  static const std::string from[] = {"from"};
  return dkim::signed_header_names(fields->fields(), {}, from);
}

Expected<std::vector<message::HeaderField>> Sealer::finish(const SealInput& input) {
  Impl& m = *impl_;
  m.headers_done = true;
  m.bodies.finish();
  if (const auto& overflow = m.fields->overflow())
    return fail(overflow->code, "cannot seal: " + overflow->message);
  const PreparedKey* key = &m.keys.front();
  if (!input.domain.empty()) {
    auto it = std::find_if(m.keys.begin(), m.keys.end(),
                           [&](const PreparedKey& k) { return iequals(k.domain, input.domain); });
    if (it == m.keys.end())
      return fail(ErrorCode::InvalidArgument,
                  "no sealing key for domain " + std::string(input.domain));
    key = &*it;
  }
  const std::span<const message::HeaderField> fields = m.fields->fields();
  detail::ParseOptions parse;
  parse.max_instance = static_cast<unsigned>(m.limits.max_arc_instances);
  const detail::Chain chain = detail::collect_chain(fields, parse);
  const ChainResult validation =
      input.validation != nullptr ? input.validation->result : ChainResult::None;
  if (validation == ChainResult::TempError)
    return fail(
        ErrorCode::DnsTemporary,
        "the chain could not be validated (temporary DNS failure): " + input.validation->reason);
  if (chain.present && input.validation == nullptr)
    return fail(ErrorCode::InvalidArgument,
                "the message has ARC header fields: validate the chain before sealing");
  std::string cv;
  unsigned instance = 1;
  switch (validation) {
    case ChainResult::None:
      if (chain.present)
        return fail(ErrorCode::InvalidArgument,
                    "validation says no chain, but the message has ARC header fields");
      cv = "none";
      break;
    case ChainResult::Pass:
      // A chain over the limit fails, so it cannot pass: nothing to add.
      if (chain.failure.code == ReasonCode::ArcTooManyInstances)
        return std::vector<message::HeaderField>{};
      if (!chain.sound() || chain.sets.empty())
        return fail(ErrorCode::InvalidArgument,
                    "validation says pass, but the chain is broken: " + chain.failure.text);
      cv = "pass";
      instance = chain.highest + 1;
      break;
    case ChainResult::Fail:
    case ChainResult::TempError:
      // RFC 8617 §5.1.2: a chain already marked failed is not extended.
      if (chain.newest_says_fail) return std::vector<message::HeaderField>{};
      cv = "fail";
      instance = chain.highest + 1;
      break;
  }
  // Limits::max_arc_instances bounds the chain this hop writes as it bounds the one it reads.
  if (instance > parse.max_instance) return std::vector<message::HeaderField>{};
  const std::string i = std::to_string(instance);
  const std::string t = std::to_string(to_unix(m.clock->now()));
  const std::string algorithm(dkim::to_string(key->algorithm));

  // ARC-Authentication-Results: i=N; <this hop's results>.
  std::string payload(dkim::trim_fws(input.authentication_results));
  message::HeaderField aar{
      std::string(detail::aar_name),
      " " + fold_results("i=" + i + "; " + payload, detail::aar_name.size() + 2)};

  // ARC-Message-Signature over the message as it is with the new AAR on top: views of the
  // fields, none copied.
  const std::vector<std::string> names = m.header_names();
  std::string h;
  for (const std::string& name : names) h += (h.empty() ? "" : ":") + name;
  std::vector<std::pair<std::string, std::string>> ams_tags = {
      {"a", algorithm},
      {"b", ""},
      {"bh", crypto::base64_encode(m.bodies.result(m.body).digest.view())},
      {"c", "relaxed/relaxed"},
      {"d", key->domain},
      {"h", h},
      {"i", i},
      {"s", key->selector}};
  if (m.timestamp) ams_tags.emplace_back("t", t);
  if (m.instance_first) instance_to_front(ams_tags);
  Built ams_built = build_value(detail::ams_name, ams_tags);
  std::vector<const message::HeaderField*> visible;
  visible.reserve(fields.size() + 1);
  visible.push_back(&aar);
  for (const message::HeaderField& field : fields) visible.push_back(&field);
  auto ams_value = sign(*key, std::move(ams_built.value), ams_built.b_offset,
                        dkim::select_headers(visible, names), detail::ams_name);
  if (!ams_value) return std::unexpected(ams_value.error());
  message::HeaderField ams{std::string(detail::ams_name), std::move(*ams_value)};

  // ARC-Seal over every ARC set, oldest first (§5.1.1); a cv=fail seal covers only its own set,
  // "as if this newest ARC Set was the only set present" (§5.1.2).
  std::vector<const message::HeaderField*> sealed;
  if (cv == "pass") {
    for (const detail::ArcSet& set : chain.sets) {
      sealed.push_back(&fields[set.aar_field]);
      sealed.push_back(&fields[set.ams_field]);
      sealed.push_back(&fields[set.seal_field]);
    }
  }
  sealed.push_back(&aar);
  sealed.push_back(&ams);
  std::vector<std::pair<std::string, std::string>> seal_tags = {
      {"a", algorithm}, {"b", ""}, {"cv", cv}, {"d", key->domain}, {"i", i}, {"s", key->selector}};
  if (m.timestamp) seal_tags.emplace_back("t", t);
  if (m.instance_first) instance_to_front(seal_tags);
  Built seal_built = build_value(detail::seal_name, seal_tags);
  auto seal_value =
      sign(*key, std::move(seal_built.value), seal_built.b_offset, sealed, detail::seal_name);
  if (!seal_value) return std::unexpected(seal_value.error());
  message::HeaderField seal{std::string(detail::seal_name), std::move(*seal_value)};
  return std::vector<message::HeaderField>{std::move(seal), std::move(ams), std::move(aar)};
}

}  // namespace auth::arc
