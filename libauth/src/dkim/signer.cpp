// DKIM signing (RFC 6376 §5): options are validated once in create(); the body is hashed once
// per distinct (canonicalization, hash, l=) across the signatures; finish() builds each
// DKIM-Signature folded at 78 columns and signs it.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include "signing.hpp"

#include <algorithm>
#include <array>

namespace auth::dkim {
namespace {

constexpr std::size_t max_columns = 78;
constexpr std::size_t tab_columns = 8;
constexpr std::string_view field_name = "DKIM-Signature";

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

// Builds a folded field value: pieces are separated by a space or, when the line would pass
// 78 columns, by CRLF TAB.
class Folder {
 public:
  explicit Folder(std::size_t start_column) : column_(start_column) {}
  // `space`: a space separates this piece from the previous one when no fold is needed.
  void piece(std::string_view text, bool space) {
    const std::size_t needed = text.size() + (space ? 1 : 0);
    if (column_ + needed > max_columns && column_ > tab_columns) {
      out_.append("\r\n\t");
      column_ = tab_columns;
    } else if (space) {
      out_.push_back(' ');
      ++column_;
    }
    out_.append(text);
    column_ += text.size();
  }
  // Text that may be broken anywhere (base64), filling each line.
  void breakable(std::string_view text) {
    while (!text.empty()) {
      if (column_ >= max_columns) {
        out_.append("\r\n\t");
        column_ = tab_columns;
      }
      const std::size_t take = std::min(text.size(), max_columns - column_);
      out_.append(text.substr(0, take));
      column_ += take;
      text.remove_prefix(take);
    }
  }
  std::string& text() { return out_; }

 private:
  std::string out_;
  std::size_t column_;
};

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
  message::HeaderList fields;
  BodyHashSet bodies;
  bool headers_done = false;

  std::vector<std::string> header_names(const Prepared& signer) const;
  Expected<message::HeaderField> sign(const Prepared& signer, TimePoint now) const;
};

Signer::Signer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Signer::~Signer() = default;
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;

Expected<Signer> Signer::create(const SignerOptions& options, const Clock& clock,
                                const Limits& limits) {
  return create(std::span<const SignerOptions>(&options, 1), clock, limits);
}

Expected<Signer> Signer::create(std::span<const SignerOptions> options, const Clock& clock,
                                const Limits& limits) {
  if (options.empty()) return fail(ErrorCode::InvalidArgument, "no signature to make");
  auto impl = std::make_unique<Impl>();
  impl->clock = &clock;
  impl->fields = message::HeaderList(limits);
  for (const SignerOptions& o : options) {
    Prepared p;
    p.options = o;
    auto names = detail::signing_names(o.domain, o.selector, "signing", "");
    if (!names) return std::unexpected(names.error());
    p.options.domain = names->domain.str();
    p.options.selector = names->selector;
    if (!o.key) return fail(ErrorCode::InvalidArgument, "no private key for " + o.domain);
    auto algorithm = detail::signing_algorithm(*o.key, o.algorithm, "signing", "");
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
        if (!detail::valid_field_name(name))
          return fail(ErrorCode::InvalidArgument, "bad header name '" + name + "'");
        p.headers.push_back(to_lower(name));
        if (p.headers.back() == "from") from = true;
      }
      if (!from) return fail(ErrorCode::InvalidArgument, "the signed headers must include From");
    }
    for (const std::string& name : o.oversign) {
      if (!detail::valid_field_name(name))
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
  if (impl_->headers_done) return;
  impl_->fields.add(name, raw_value);
}

void Signer::end_of_headers() { impl_->headers_done = true; }

void Signer::body(std::string_view chunk) {
  impl_->headers_done = true;
  impl_->bodies.update(chunk);
}

std::vector<std::string> Signer::Impl::header_names(const Prepared& signer) const {
  return detail::signed_header_names(fields.fields(), signer.headers, signer.oversign);
}

Expected<message::HeaderField> Signer::Impl::sign(const Prepared& signer, TimePoint now) const {
  const SignerOptions& o = signer.options;
  const BodyHash& body = bodies.result(signer.body);
  const std::vector<std::string> names = header_names(signer);

  Folder folder(field_name.size() + 1);
  folder.piece("v=1;", true);
  folder.piece("a=" + std::string(to_string(signer.algorithm)) + ";", true);
  folder.piece("c=" + to_string(o.canonicalization) + ";", true);
  folder.piece("d=" + o.domain + ";", true);
  folder.piece("s=" + o.selector + ";", true);
  if (o.identity) folder.piece("i=" + *o.identity + ";", true);
  const std::int64_t t = to_unix(now);
  if (o.timestamp) folder.piece("t=" + std::to_string(t) + ";", true);
  if (o.expire_after) folder.piece("x=" + std::to_string(t + o.expire_after->count()) + ";", true);
  if (o.body_length) folder.piece("l=" + std::to_string(body.canonical_length) + ";", true);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool last = i + 1 == names.size();
    folder.piece((i == 0 ? "h=" : "") + names[i] + (last ? ";" : ":"), i == 0);
  }
  folder.piece("bh=" + crypto::base64_encode(body.digest.view()) + ";", true);
  folder.piece("b=", true);
  std::string& value = folder.text();

  const crypto::HashAlgorithm hash = hash_of(signer.algorithm);
  crypto::Hasher hasher(hash);
  const auto selected = select_headers(fields.fields(), names);
  Tag b_tag;
  b_tag.value_begin = b_tag.value_end = value.size();
  hash_signed_headers(hasher, o.canonicalization.header, selected, field_name, value, b_tag);
  const crypto::Digest digest = hasher.finish();
  auto signature = o.key->sign(hash, digest.view());
  if (!signature) return std::unexpected(signature.error());
  folder.breakable(crypto::base64_encode(*signature));
  return message::HeaderField{std::string(field_name), std::move(folder.text())};
}

Expected<std::vector<message::HeaderField>> Signer::finish() {
  Impl& m = *impl_;
  m.headers_done = true;
  m.bodies.finish();
  if (const auto& overflow = m.fields.overflow())
    return fail(overflow->code, "cannot sign: " + overflow->message);
  // RFC 6376 §5.4: From is always signed; a message without one cannot be signed meaningfully.
  if (std::none_of(m.fields.fields().begin(), m.fields.fields().end(),
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
