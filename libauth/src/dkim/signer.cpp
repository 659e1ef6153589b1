// DKIM signing (RFC 6376 §5): options are validated once in create(); the body is hashed once
// per distinct (canonicalization, hash, l=) across the signatures; finish() builds each
// DKIM-Signature folded at 78 columns and signs it.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>
#include <array>

#include "dkim/shared.hpp"
#include "message/folding.hpp"

namespace auth::dkim {
namespace {

constexpr std::string_view signature_field = "DKIM-Signature";

constexpr std::array<std::string_view, 23> default_headers = {"from",
                                                              "reply-to",
                                                              "subject",
                                                              "date",
                                                              "to",
                                                              "cc",
                                                              "resent-date",
                                                              "resent-from",
                                                              "resent-to",
                                                              "resent-cc",
                                                              "in-reply-to",
                                                              "references",
                                                              "list-id",
                                                              "list-help",
                                                              "list-unsubscribe",
                                                              "list-subscribe",
                                                              "list-post",
                                                              "list-owner",
                                                              "list-archive",
                                                              "message-id",
                                                              "mime-version",
                                                              "content-type",
                                                              "content-transfer-encoding"};

struct Prepared {
  SignerOptions options;
  Algorithm algorithm = Algorithm::RsaSha256;
  std::vector<std::string> headers;   // explicit h= names (lower case), or empty for default
  std::vector<std::string> oversign;  // lower case
  std::size_t body = 0;
};

}  // namespace

std::span<const std::string_view> default_signed_headers() { return default_headers; }

struct Signer::Impl {
  const Clock* clock = nullptr;
  std::vector<Prepared> signers;
  message::HeaderList own_fields;
  const message::HeaderList* fields = &own_fields;  // or the caller's
  bool shared_fields = false;
  BodyHashSet own_bodies;
  BodyHashSet::Impl& bodies = own_bodies.impl();
  bool headers_done = false;

  std::vector<std::string> header_names(const Prepared& signer) const;
  Expected<message::HeaderField> sign(const Prepared& signer, TimePoint now) const;
};

Signer::Signer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Signer::~Signer() = default;
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;

Expected<Signer> Signer::create(const SignerOptions& options, const Clock& clock,
                                const Limits& limits, const message::HeaderList* shared_headers) {
  return create(std::span<const SignerOptions>(&options, 1), clock, limits, shared_headers);
}

Expected<Signer> Signer::create(std::span<const SignerOptions> options, const Clock& clock,
                                const Limits& limits, const message::HeaderList* shared_headers) {
  if (options.empty()) return fail(ErrorCode::InvalidArgument, "no signature to make");
  auto impl = std::make_unique<Impl>();
  impl->clock = &clock;
  if (shared_headers != nullptr) {
    impl->fields = shared_headers;
    impl->shared_fields = true;
  } else {
    impl->own_fields = message::HeaderList(limits);
  }
  for (const SignerOptions& o : options) {
    Prepared p;
    p.options = o;
    auto names = signing_names(o.domain, o.selector, "signing", "");
    if (!names) return std::unexpected(names.error());
    p.options.domain = names->domain.str();
    p.options.selector = names->selector;
    if (!o.key) return fail(ErrorCode::InvalidArgument, "no private key for " + o.domain);
    auto algorithm = signing_algorithm(*o.key, o.algorithm, "signing", "");
    if (!algorithm) return std::unexpected(algorithm.error());
    p.algorithm = *algorithm;
    if (o.identity) {
      const std::size_t at = o.identity->rfind('@');
      if (at == std::string::npos)
        return fail(ErrorCode::InvalidArgument, "identity i= needs an '@'");
      auto auid_domain = DomainName::parse(std::string_view(*o.identity).substr(at + 1));
      if (!auid_domain || !auid_domain->is_subdomain_of(names->domain))
        return fail(ErrorCode::InvalidArgument, "identity i= must be in d= or below it");
      for (char c : *o.identity)
        if (static_cast<unsigned char>(c) <= 0x20 || c == ';' || c == 0x7f)
          return fail(ErrorCode::InvalidArgument, "identity i= contains a space, control or ';'");
    }
    if (!o.headers.empty()) {
      bool from = false;
      for (const std::string& name : o.headers) {
        if (!valid_field_name(name))
          return fail(ErrorCode::InvalidArgument, "bad header name '" + name + "'");
        p.headers.push_back(to_lower(name));
        if (p.headers.back() == "from") from = true;
      }
      if (!from) return fail(ErrorCode::InvalidArgument, "the signed headers must include From");
    }
    for (const std::string& name : o.oversign) {
      if (!valid_field_name(name))
        return fail(ErrorCode::InvalidArgument, "bad header name '" + name + "'");
      p.oversign.push_back(to_lower(name));
    }
    if (o.expire_after && o.expire_after->count() <= 0)
      return fail(ErrorCode::InvalidArgument, "expiry must be a positive number of seconds");
    impl->signers.push_back(std::move(p));
  }
  for (Prepared& p : impl->signers) {
    // l= counts the whole canonical body: that hash needs no truncation, so l= shares it.
    p.body = impl->bodies.add(
        BodyHashKey{p.options.canonicalization.body, hash_of(p.algorithm), std::nullopt});
  }
  return Signer(std::move(impl));
}

void Signer::header(std::string_view name, std::string_view raw_value) {
  if (impl_->headers_done || impl_->shared_fields) return;
  impl_->own_fields.add(name, raw_value);
}

void Signer::end_of_headers() { impl_->headers_done = true; }

void Signer::body(std::string_view chunk) {
  impl_->headers_done = true;
  impl_->bodies.update(chunk);
}

std::vector<std::string> Signer::Impl::header_names(const Prepared& signer) const {
  return signed_header_names(fields->fields(), signer.headers, signer.oversign);
}

Expected<message::HeaderField> Signer::Impl::sign(const Prepared& signer, TimePoint now) const {
  const SignerOptions& o = signer.options;
  const BodyHash& body = bodies.result(signer.body);
  const std::vector<std::string> names = header_names(signer);

  message::LineFolder folder(signature_field.size() + 1);
  folder.piece("v=1;");
  folder.piece("a=" + std::string(to_string(signer.algorithm)) + ";");
  folder.piece("c=" + to_string(o.canonicalization) + ";");
  folder.piece("d=" + o.domain + ";");
  folder.piece("s=" + o.selector + ";");
  if (o.identity) folder.piece("i=" + *o.identity + ";");
  const std::int64_t t = to_unix(now);
  if (o.timestamp) folder.piece("t=" + std::to_string(t) + ";");
  if (o.expire_after) folder.piece("x=" + std::to_string(t + o.expire_after->count()) + ";");
  if (o.body_length) folder.piece("l=" + std::to_string(body.canonical_length) + ";");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool last = i + 1 == names.size();
    folder.piece((i == 0 ? "h=" : "") + names[i] + (last ? ";" : ":"), i == 0);
  }
  folder.piece("bh=" + crypto::base64_encode(body.digest.view()) + ";");
  folder.piece("b=");
  const std::string& value = folder.text();

  const crypto::HashAlgorithm hash = hash_of(signer.algorithm);
  const auto selected = select_headers(views_of(fields->fields()), names);
  const crypto::Digest digest = header_hash(hash, o.canonicalization.header, selected,
                                            signature_field, value, value.size(), value.size());
  auto signature = o.key->sign(hash, digest.view());
  if (!signature) return std::unexpected(signature.error());
  folder.breakable(crypto::base64_encode(*signature));
  return message::HeaderField{std::string(signature_field), folder.take()};
}

Expected<std::vector<message::HeaderField>> Signer::finish() {
  Impl& m = *impl_;
  m.headers_done = true;
  m.bodies.finish();
  if (const auto& overflow = m.fields->overflow())
    return fail(overflow->code, "cannot sign: " + overflow->message);
  // RFC 6376 §5.4: From is always signed; a message without one cannot be signed meaningfully.
  if (std::none_of(m.fields->fields().begin(), m.fields->fields().end(),
                   [](const message::HeaderField& f) { return is_field(f, "From"); }))
    return fail(ErrorCode::InvalidArgument, "the message has no From field to sign");
  const TimePoint now = m.clock->now();
  std::vector<message::HeaderField> out;
  for (const Prepared& signer : m.signers) {
    auto field = m.sign(signer, now);
    if (!field) return std::unexpected(field.error());
    out.push_back(std::move(*field));
  }
  return out;
}

}  // namespace auth::dkim
