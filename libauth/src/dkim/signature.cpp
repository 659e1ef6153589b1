// The one tag-level parser of DKIM-Signature (RFC 6376 §3.5, with the checks of §6.1.1),
// ARC-Message-Signature (RFC 8617 §4.1.2) and ARC-Seal (RFC 8617 §4.1.3). The tags they share
// are read by the same code, so the three cannot drift apart.
#include "dkim/shared.hpp"

#include <auth/domain_name.hpp>

#include <array>
#include <charconv>
#include <optional>

#include "message/excerpt.hpp"

namespace auth::dkim {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string tag_text(const Tag& tag) { return std::string(tag.name) + "="; }

// t= and x= are 1*12DIGIT (RFC 6376 §3.5; RFC 8617 takes them from there).
Checked<std::int64_t> parse_time(const Tag& tag) {
  if (!all_digits(tag.value) || tag.value.size() > 12)
    return failure(ReasonCode::SignatureSyntax, "bad number in " + tag_text(tag));
  std::int64_t out = 0;
  for (char c : tag.value) out = out * 10 + (c - '0');
  return out;
}

// l= is 1*76DIGIT; a value past 2^64-1 is longer than any body, so it saturates.
Checked<std::uint64_t> parse_length(const Tag& tag) {
  if (!all_digits(tag.value) || tag.value.size() > 76)
    return failure(ReasonCode::SignatureSyntax, "bad number in l=");
  std::uint64_t value = 0;
  const auto [end, ec] =
      std::from_chars(tag.value.data(), tag.value.data() + tag.value.size(), value);
  (void)end;
  return ec == std::errc{} ? value : UINT64_MAX;
}

// b= and bh=: base64 with FWS anywhere; an empty value (or one decoding to nothing) is an error.
Checked<crypto::Bytes> parse_base64(const Tag& tag) {
  auto bytes = crypto::base64_decode(tag.value);
  if (!bytes) return failure(ReasonCode::SignatureSyntax, "bad base64 in " + tag_text(tag));
  if (bytes->empty())
    return failure(ReasonCode::SignatureSyntax, "empty " + tag_text(tag) + " tag");
  return std::move(*bytes);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// dkim-quoted-printable (RFC 6376 §2.11): "=XX" is a byte, FWS is dropped.
std::optional<std::string> decode_quoted_printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c != '=') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

bool has_control_byte(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

// DKIM's i= (RFC 6376 §3.5): [local-part] "@" domain, the domain d= or below it. Control bytes
// are in no local-part (RFC 5321 §4.1.2), and would reach logs and Authentication-Results.
Checked<std::string> parse_auid(const Tag& tag, const DomainName& domain) {
  const auto auid = decode_quoted_printable(tag.value);
  if (!auid) return failure(ReasonCode::SignatureSyntax, "bad quoted-printable in i=");
  if (has_control_byte(*auid))
    return failure(ReasonCode::SignatureSyntax, "control characters in i=" + quoted_bytes(*auid));
  const std::size_t at = auid->rfind('@');
  if (at == std::string::npos) return failure(ReasonCode::SignatureSyntax, "i= has no '@'");
  const auto auid_domain = DomainName::parse(std::string_view(*auid).substr(at + 1));
  if (!auid_domain) return failure(ReasonCode::BadDomain, "bad domain in i=" + quoted_bytes(*auid));
  if (!auid_domain->is_subdomain_of(domain))
    return failure(ReasonCode::BadDomain, "i= domain is not d= or below it");
  return *auid;
}

struct Rules {
  std::array<std::string_view, 7> required;
  bool instance;  // i= is the ARC instance (DKIM: the AUID)
};

Rules rules_of(SignatureKind kind) {
  switch (kind) {
    case SignatureKind::Dkim:
      return {{"v", "a", "b", "bh", "d", "h", "s"}, false};
    case SignatureKind::ArcMessageSignature:
      return {{"i", "a", "b", "bh", "d", "h", "s"}, true};
    case SignatureKind::ArcSeal:
      return {{"i", "a", "b", "cv", "d", "s", ""}, true};
  }
  return {{}, false};
}

}  // namespace

std::string_view field_name(SignatureKind kind) {
  switch (kind) {
    case SignatureKind::Dkim:
      return "DKIM-Signature";
    case SignatureKind::ArcMessageSignature:
      return "ARC-Message-Signature";
    case SignatureKind::ArcSeal:
      return "ARC-Seal";
  }
  return "DKIM-Signature";
}

std::string key_name(std::string_view selector, std::string_view domain) {
  std::string out;
  out.reserve(selector.size() + 12 + domain.size());
  out.append(selector).append("._domainkey.").append(domain);
  return out;
}

Checked<unsigned> parse_instance(std::string_view text, unsigned max_instance) {
  text = trim_fws(text);
  if (text.empty()) return failure(ReasonCode::ArcStructure, "empty instance i=");
  if (!all_digits(text) || text.size() > 9)
    return failure(ReasonCode::ArcStructure,
                   "instance i=" + quoted_bytes(text) + " is not a number");
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value == 0) return failure(ReasonCode::ArcStructure, "instance i=0 (instances start at 1)");
  if (value > max_instance)
    return failure(ReasonCode::ArcTooManyInstances, "instance i=" + std::to_string(value) +
                                                        " above the limit of " +
                                                        std::to_string(max_instance));
  return value;
}

Checked<Signature> parse_signature(std::string_view raw_value, SignatureKind kind,
                                   unsigned max_instance) {
  auto parsed = parse_tag_list(raw_value);
  if (!parsed) return failure(ReasonCode::SignatureSyntax, parsed.error().message);
  const std::vector<Tag>& tags = *parsed;
  const Rules rules = rules_of(kind);
  for (std::string_view required : rules.required)
    if (!required.empty() && find_tag(tags, required) == nullptr)
      return failure(ReasonCode::MissingTag, "missing required tag " + std::string(required) + "=");

  Signature sig;
  sig.kind = kind;
  if (kind == SignatureKind::Dkim) {
    // RFC 8617 §4.1.2: an AMS has no v=, and one seen is ignored like any unknown tag.
    if (const Tag* v = find_tag(tags, "v"); v->value != "1")
      return failure(ReasonCode::UnsupportedVersion,
                     "unsupported version v=" + quoted_bytes(v->value));
  }
  if (rules.instance) {
    auto instance = parse_instance(find_tag(tags, "i")->value, max_instance);
    if (!instance) return std::unexpected(instance.error());
    sig.instance = *instance;
  }

  const Tag* a = find_tag(tags, "a");
  const auto algorithm = parse_algorithm(a->value);
  if (!algorithm)
    return failure(ReasonCode::UnsupportedAlgorithm,
                   "unsupported algorithm a=" + quoted_bytes(a->value));
  sig.algorithm = *algorithm;
  sig.algorithm_text = std::string(to_string(*algorithm));

  const Tag* b = find_tag(tags, "b");
  auto b_bytes = parse_base64(*b);
  if (!b_bytes) return std::unexpected(b_bytes.error());
  sig.b = std::move(*b_bytes);
  sig.b_text = remove_whitespace(b->value);
  sig.b_tag = *b;

  const Tag* d = find_tag(tags, "d");
  const auto domain = DomainName::parse(d->value);
  if (!domain) return failure(ReasonCode::BadDomain, "bad domain d=" + quoted_bytes(d->value));
  sig.domain = domain->str();
  const Tag* s = find_tag(tags, "s");
  const auto selector = DomainName::parse(s->value);
  // A selector with a trailing dot would name another key than the one written.
  if (!selector || s->value.back() == '.')
    return failure(ReasonCode::BadDomain, "bad selector s=" + quoted_bytes(s->value));
  sig.selector = selector->str();
  if (!DomainName::parse(sig.key_name()))
    return failure(ReasonCode::BadDomain, "key name " + sig.key_name() + " is not a valid name");

  if (const Tag* t = find_tag(tags, "t")) {
    auto value = parse_time(*t);
    if (!value) return std::unexpected(value.error());
    sig.timestamp = *value;
  }

  if (kind == SignatureKind::ArcSeal) {
    // RFC 8617 §4.1.3: the seal signs a fixed set of fields, relaxed; an h= tag is an error.
    if (find_tag(tags, "h") != nullptr)
      return failure(ReasonCode::SignatureSyntax, "h= in an ARC-Seal");
    // ABNF literals are case-insensitive (RFC 5234 §2.3).
    const std::string cv = to_lower(trim_fws(find_tag(tags, "cv")->value));
    if (cv != "none" && cv != "pass" && cv != "fail")
      return failure(ReasonCode::ArcInvalidCv,
                     "invalid cv=" + quoted_bytes(trim_fws(find_tag(tags, "cv")->value)));
    sig.cv = cv;
    sig.canonicalization = {Canonicalization::Relaxed, Canonicalization::Relaxed};
    return sig;
  }

  auto bh = parse_base64(*find_tag(tags, "bh"));
  if (!bh) return std::unexpected(bh.error());
  sig.bh = std::move(*bh);

  if (const Tag* c = find_tag(tags, "c")) {
    auto pair = parse_canonicalization(c->value);
    if (!pair)
      return failure(ReasonCode::SignatureSyntax,
                     "unknown canonicalization c=" + quoted_bytes(c->value));
    sig.canonicalization = *pair;
  }

  bool from_signed = false;
  for (std::string_view name : split_colon_list(find_tag(tags, "h")->value)) {
    // An empty item ("from::to", "from:to:") names no field and signs nothing; dkimpy writes
    // and the ValiMail ARC suite accepts them (ams_fields_h_mis_hdr). Any other name must be a
    // field name.
    if (name.empty()) continue;
    if (!valid_field_name(name))
      return failure(ReasonCode::SignatureSyntax, "bad header field name in h=");
    sig.headers.push_back(to_lower(name));
    if (sig.headers.back() == "from") from_signed = true;
    // RFC 8617 §4.1.2: the AMS never signs ARC-Seal fields.
    if (kind == SignatureKind::ArcMessageSignature && sig.headers.back() == "arc-seal")
      return failure(ReasonCode::SignatureSyntax, "h= lists ARC-Seal");
  }
  // RFC 6376 §6.1.1 (an AMS's h= has DKIM's semantics, RFC 8617 §4.1.2).
  if (!from_signed)
    return failure(ReasonCode::HeaderNotSigned, "From field not signed (h= lacks from)");

  if (kind == SignatureKind::Dkim) {
    if (const Tag* i = find_tag(tags, "i")) {
      auto auid = parse_auid(*i, *domain);
      if (!auid) return std::unexpected(auid.error());
      sig.auid = std::move(*auid);
    } else {
      sig.auid = "@" + sig.domain;
    }
  }

  if (const Tag* l = find_tag(tags, "l")) {
    auto length = parse_length(*l);
    if (!length) return std::unexpected(length.error());
    sig.length = *length;
  }

  if (const Tag* q = find_tag(tags, "q")) {
    // dns/txt is the only query method RFC 6376 defines; a list may name others beside it.
    bool dns_txt = false;
    for (std::string_view method : split_colon_list(q->value))
      if (iequals(method, "dns/txt")) dns_txt = true;
    if (!dns_txt)
      return failure(ReasonCode::UnsupportedQueryMethod,
                     "unsupported query method q=" + quoted_bytes(q->value));
  }

  if (const Tag* x = find_tag(tags, "x")) {
    auto value = parse_time(*x);
    if (!value) return std::unexpected(value.error());
    sig.expiration = *value;
  }
  if (sig.timestamp && sig.expiration && *sig.expiration < *sig.timestamp)
    return failure(ReasonCode::SignatureSyntax, "x= is earlier than t=");
  return sig;
}

bool expired(const Signature& signature, TimePoint now, const Limits& limits) {
  return signature.expiration && *signature.expiration + limits.clock_skew.count() < to_unix(now);
}

std::string quoted_bytes(std::string_view bytes) { return message::quoted_excerpt(bytes); }

std::string printable(std::string_view bytes) { return message::excerpt(bytes, 255); }

}  // namespace auth::dkim
