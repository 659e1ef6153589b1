// DKIM-Signature parsing (RFC 6376 §3.5) with the checks of §6.1.1.
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include "signing.hpp"

#include <charconv>
#include <optional>

namespace auth::dkim {
namespace {

Expected<std::int64_t> parse_number(const Tag& tag, std::size_t max_digits) {
  const std::string_view v = tag.value;
  if (v.empty() || v.size() > max_digits)
    return fail(ErrorCode::Syntax, "bad number in " + std::string(tag.name) + "=");
  std::int64_t out = 0;
  for (char c : v) {
    if (c < '0' || c > '9')
      return fail(ErrorCode::Syntax, "bad number in " + std::string(tag.name) + "=");
    out = out * 10 + (c - '0');
  }
  return out;
}

Expected<crypto::Bytes> parse_base64(const Tag& tag) {
  auto bytes = crypto::base64_decode(tag.value);
  if (!bytes) return fail(ErrorCode::Syntax, "bad base64 in " + std::string(tag.name) + "=");
  return bytes;
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

}  // namespace

std::string Signature::key_name() const { return selector + "._domainkey." + domain; }

Expected<Signature> parse_signature(std::string_view raw_value) {
  auto parsed = parse_tag_list(raw_value);
  if (!parsed) return std::unexpected(parsed.error());
  const std::vector<Tag>& tags = *parsed;
  for (std::string_view required : {"v", "a", "b", "bh", "d", "h", "s"})
    if (find_tag(tags, required) == nullptr)
      return fail(ErrorCode::Syntax, "missing required tag " + std::string(required) + "=");

  Signature sig;
  if (const Tag* v = find_tag(tags, "v"); v->value != "1")
    return fail(ErrorCode::Unsupported, "unsupported version v=" + std::string(v->value));

  const Tag* a = find_tag(tags, "a");
  const auto algorithm = parse_algorithm(a->value);
  if (!algorithm)
    return fail(ErrorCode::Unsupported, "unsupported algorithm a=" + std::string(a->value));
  sig.algorithm = *algorithm;
  sig.algorithm_text = to_lower(a->value);

  const Tag* b = find_tag(tags, "b");
  auto b_bytes = parse_base64(*b);
  if (!b_bytes) return std::unexpected(b_bytes.error());
  if (b_bytes->empty()) return fail(ErrorCode::Syntax, "empty b= tag");
  sig.b = std::move(*b_bytes);
  sig.b_text = remove_whitespace(b->value);
  sig.b_tag = *b;

  auto bh = parse_base64(*find_tag(tags, "bh"));
  if (!bh) return std::unexpected(bh.error());
  if (bh->empty()) return fail(ErrorCode::Syntax, "empty bh= tag");
  sig.bh = std::move(*bh);

  if (const Tag* c = find_tag(tags, "c")) {
    auto pair = parse_canonicalization(c->value);
    if (!pair) return std::unexpected(pair.error());
    sig.canonicalization = *pair;
  }

  const Tag* d = find_tag(tags, "d");
  auto domain = DomainName::parse(d->value);
  if (!domain) return fail(ErrorCode::Syntax, "bad domain d=" + std::string(d->value));
  sig.domain = domain->str();

  const Tag* s = find_tag(tags, "s");
  auto selector = DomainName::parse(s->value);
  if (!selector || s->value.empty() || s->value.back() == '.')
    return fail(ErrorCode::Syntax, "bad selector s=" + std::string(s->value));
  sig.selector = selector->str();
  if (!DomainName::parse(sig.key_name()))
    return fail(ErrorCode::Syntax, "key name " + sig.key_name() + " is not a valid domain name");

  bool from_signed = false;
  for (std::string_view name : split_colon_list(find_tag(tags, "h")->value)) {
    if (!detail::valid_field_name(name))
      return fail(ErrorCode::Syntax, "bad header field name in h=");
    sig.headers.push_back(to_lower(name));
    if (sig.headers.back() == "from") from_signed = true;
  }
  if (!from_signed) return fail(ErrorCode::Syntax, "From field not signed (h= lacks from)");

  if (const Tag* i = find_tag(tags, "i")) {
    const auto auid = decode_quoted_printable(i->value);
    if (!auid) return fail(ErrorCode::Syntax, "bad quoted-printable in i=");
    const std::size_t at = auid->rfind('@');
    if (at == std::string::npos) return fail(ErrorCode::Syntax, "i= has no '@'");
    auto auid_domain = DomainName::parse(std::string_view(*auid).substr(at + 1));
    if (!auid_domain) return fail(ErrorCode::Syntax, "bad domain in i=" + *auid);
    if (!auid_domain->is_subdomain_of(*domain))
      return fail(ErrorCode::Syntax, "i= domain is not d= or below it");
    sig.auid = *auid;
  } else {
    sig.auid = "@" + sig.domain;
  }

  if (const Tag* l = find_tag(tags, "l")) {
    // Up to 76 digits are legal; anything past 2^63 exceeds any body we will ever see.
    if (l->value.empty() || l->value.find_first_not_of("0123456789") != std::string_view::npos)
      return fail(ErrorCode::Syntax, "bad number in l=");
    if (l->value.size() > 76) return fail(ErrorCode::Syntax, "bad number in l=");
    std::uint64_t value = 0;
    const auto [ptr, ec] =
        std::from_chars(l->value.data(), l->value.data() + l->value.size(), value);
    sig.length = ec == std::errc{} ? value : UINT64_MAX;
    (void)ptr;
  }

  if (const Tag* q = find_tag(tags, "q")) {
    bool dns_txt = false;
    for (std::string_view method : split_colon_list(q->value))
      if (iequals(method, "dns/txt") || iequals(method, "dns")) dns_txt = true;
    if (!dns_txt)
      return fail(ErrorCode::Unsupported, "unsupported query method q=" + std::string(q->value));
  }

  if (const Tag* t = find_tag(tags, "t")) {
    auto value = parse_number(*t, 12);
    if (!value) return std::unexpected(value.error());
    sig.timestamp = *value;
  }
  if (const Tag* x = find_tag(tags, "x")) {
    auto value = parse_number(*x, 12);
    if (!value) return std::unexpected(value.error());
    sig.expiration = *value;
  }
  if (sig.timestamp && sig.expiration && *sig.expiration < *sig.timestamp)
    return fail(ErrorCode::Syntax, "x= is earlier than t=");
  return sig;
}

}  // namespace auth::dkim
