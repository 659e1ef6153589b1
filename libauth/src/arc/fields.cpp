// Parsing the ARC header fields (RFC 8617 §4.1). AMS and AS follow DKIM-Signature's tag list
// (RFC 6376 §3.5); the differences are ARC's: i= is the instance, the AS has cv= and no h=.
#include "fields.hpp"

#include <auth/authres.hpp>
#include <auth/domain_name.hpp>

namespace auth::arc::detail {
namespace {

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::optional<std::uint64_t> parse_digits(std::string_view text, std::size_t max_digits = 18) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::unexpected<Error> syntax(std::string message) {
  return fail(ErrorCode::Syntax, std::move(message));
}

// The tags every ARC signature shares with DKIM: a=, b=, d=, s=, t= and i=.
struct Common {
  unsigned instance = 0;
  dkim::Algorithm algorithm = dkim::Algorithm::RsaSha256;
  crypto::Bytes b;
  std::string domain;
  std::string selector;
  std::optional<std::int64_t> timestamp;
  dkim::Tag b_tag;
};

const dkim::Tag* required(std::span<const dkim::Tag> tags, std::string_view name,
                          std::string_view field, std::string& missing) {
  const dkim::Tag* tag = dkim::find_tag(tags, name);
  if (tag == nullptr && missing.empty())
    missing = std::string(field) + " has no " + std::string(name) + "= tag";
  return tag;
}

Expected<Common> parse_common(std::span<const dkim::Tag> tags, std::string_view field,
                              const ParseOptions& options) {
  std::string missing;
  const dkim::Tag* i = required(tags, "i", field, missing);
  const dkim::Tag* a = required(tags, "a", field, missing);
  const dkim::Tag* b = required(tags, "b", field, missing);
  const dkim::Tag* d = required(tags, "d", field, missing);
  const dkim::Tag* s = required(tags, "s", field, missing);
  if (!missing.empty()) return syntax(missing);
  Common out;
  auto instance = parse_instance(i->value, options.max_instance);
  if (!instance) return std::unexpected(instance.error());
  out.instance = *instance;

  const auto algorithm = dkim::parse_algorithm(a->value);
  if (!algorithm)
    return fail(ErrorCode::Unsupported,
                std::string(field) + " has unknown algorithm a=" + std::string(a->value));
  if (*algorithm == dkim::Algorithm::RsaSha1)
    return fail(ErrorCode::Unsupported,
                std::string(field) + " uses rsa-sha1, not accepted (RFC 8301)");
  if (*algorithm == dkim::Algorithm::Ed25519Sha256 && !options.allow_ed25519)
    return fail(ErrorCode::Unsupported,
                std::string(field) + " uses ed25519-sha256, not accepted here");
  out.algorithm = *algorithm;

  const std::string b_text = dkim::remove_whitespace(b->value);
  if (b_text.empty()) return syntax(std::string(field) + " has an empty b= tag");
  auto b_bytes = crypto::base64_decode(b_text);
  if (!b_bytes) return syntax(std::string(field) + " b= is not valid base64");
  out.b = std::move(*b_bytes);
  out.b_tag = *b;

  auto domain = DomainName::parse(d->value);
  if (d->value.empty() || !domain) return syntax(std::string(field) + " has an invalid d= domain");
  out.domain = domain->str();
  auto selector = DomainName::parse(s->value);
  if (s->value.empty() || !selector)
    return syntax(std::string(field) + " has an invalid s= selector");
  out.selector = selector->str();

  if (const dkim::Tag* t = dkim::find_tag(tags, "t")) {
    const auto value = parse_digits(t->value);
    if (!value) return syntax(std::string(field) + " has an invalid t= timestamp");
    out.timestamp = static_cast<std::int64_t>(*value);
  }
  return out;
}

}  // namespace

std::size_t find_top_level_semicolon(std::string_view text, std::size_t from) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && (quoted || depth > 0)) {
      ++i;
    } else if (quoted) {
      quoted = c != '"';
    } else if (c == '"' && depth == 0) {
      quoted = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (c == ';' && depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::optional<FieldKind> kind_of(std::string_view field_name) {
  // The obsolete syntax may leave white space before the colon.
  field_name = dkim::trim_fws(field_name);
  if (iequals(field_name, aar_name)) return FieldKind::Aar;
  if (iequals(field_name, ams_name)) return FieldKind::Ams;
  if (iequals(field_name, seal_name)) return FieldKind::Seal;
  return std::nullopt;
}

std::string_view name_of(FieldKind kind) {
  switch (kind) {
    case FieldKind::Aar:
      return aar_name;
    case FieldKind::Ams:
      return ams_name;
    case FieldKind::Seal:
      return seal_name;
  }
  return seal_name;
}

Expected<unsigned> parse_instance(std::string_view text, unsigned max_instance) {
  text = dkim::trim_fws(text);
  if (text.empty()) return syntax("empty instance i=");
  const auto value = parse_digits(text, 9);
  if (!value) return syntax("instance i=" + std::string(text) + " is not a number");
  if (*value == 0) return syntax("instance i=0 (instances start at 1)");
  if (*value > max_instance)
    return fail(
        ErrorCode::LimitExceeded,
        "instance i=" + std::string(text) + " above the limit of " + std::to_string(max_instance));
  return static_cast<unsigned>(*value);
}

Expected<Aar> parse_aar(std::string_view raw_value, unsigned max_instance) {
  // arc-info = "i" [FWS] "=" [FWS] instance [FWS] ";" authres-payload (RFC 8617 §4.1.1).
  std::string_view rest = raw_value;
  while (!rest.empty() && is_fws(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || (rest.front() != 'i'))
    return syntax("ARC-Authentication-Results does not start with i=");
  rest.remove_prefix(1);
  while (!rest.empty() && is_fws(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '=')
    return syntax("ARC-Authentication-Results does not start with i=");
  rest.remove_prefix(1);
  const std::size_t semicolon = rest.find(';');
  if (semicolon == std::string_view::npos)
    return syntax("ARC-Authentication-Results has no ';' after its instance");
  auto instance = parse_instance(rest.substr(0, semicolon), max_instance);
  if (!instance)
    return std::unexpected(
        Error{instance.error().code, "ARC-Authentication-Results " + instance.error().message});
  Aar out;
  out.instance = *instance;
  if (auto id = authres::parse_authserv_id(rest.substr(semicolon + 1)))
    out.authserv_id = std::move(*id);
  return out;
}

Expected<unsigned> parse_signature_instance(std::string_view raw_value, unsigned max_instance) {
  auto tags = dkim::parse_tag_list(raw_value);
  if (!tags) return std::unexpected(tags.error());
  const dkim::Tag* i = dkim::find_tag(*tags, "i");
  if (i == nullptr) return syntax("no i= tag");
  return parse_instance(i->value, max_instance);
}

Expected<Ams> parse_ams(std::string_view raw_value, const ParseOptions& options) {
  auto parsed = dkim::parse_tag_list(raw_value);
  if (!parsed) return syntax("ARC-Message-Signature: " + parsed.error().message);
  const std::vector<dkim::Tag>& tags = *parsed;
  auto common = parse_common(tags, ams_name, options);
  if (!common) return std::unexpected(common.error());
  Ams out;
  out.instance = common->instance;
  out.algorithm = common->algorithm;
  out.b = std::move(common->b);
  out.domain = std::move(common->domain);
  out.selector = std::move(common->selector);
  out.timestamp = common->timestamp;
  out.b_tag = common->b_tag;

  const dkim::Tag* bh = dkim::find_tag(tags, "bh");
  if (bh == nullptr) return syntax("ARC-Message-Signature has no bh= tag");
  const std::string bh_text = dkim::remove_whitespace(bh->value);
  auto bh_bytes = crypto::base64_decode(bh_text);
  if (bh_text.empty() || !bh_bytes) return syntax("ARC-Message-Signature bh= is not valid base64");
  out.bh = std::move(*bh_bytes);

  const dkim::Tag* h = dkim::find_tag(tags, "h");
  if (h == nullptr) return syntax("ARC-Message-Signature has no h= tag");
  for (std::string_view name : dkim::split_colon_list(h->value)) {
    if (name.empty()) continue;
    out.headers.push_back(to_lower(name));
    // RFC 8617 §4.1.2: the AMS never signs ARC-Seal fields.
    if (out.headers.back() == "arc-seal") return syntax("ARC-Message-Signature h= lists ARC-Seal");
  }
  // RFC 6376 §6.1.1 (AMS semantics are DKIM's, RFC 8617 §4.1.2): From must be signed.
  bool from = false;
  for (const std::string& name : out.headers) from = from || name == "from";
  if (!from) return syntax("ARC-Message-Signature h= does not list From");

  if (const dkim::Tag* c = dkim::find_tag(tags, "c")) {
    auto pair = dkim::parse_canonicalization(c->value);
    if (!pair) return syntax("ARC-Message-Signature has an invalid c= tag");
    out.canonicalization = *pair;
  }
  if (const dkim::Tag* l = dkim::find_tag(tags, "l")) {
    const auto value = parse_digits(l->value, 76);
    if (!value) return syntax("ARC-Message-Signature has an invalid l= tag");
    out.length = *value;
  }
  if (const dkim::Tag* x = dkim::find_tag(tags, "x")) {
    const auto value = parse_digits(x->value);
    if (!value) return syntax("ARC-Message-Signature has an invalid x= tag");
    out.expiration = static_cast<std::int64_t>(*value);
  }
  if (const dkim::Tag* q = dkim::find_tag(tags, "q")) {
    if (!iequals(dkim::trim_fws(q->value), "dns/txt"))
      return syntax("ARC-Message-Signature q= is not dns/txt");
  }
  return out;
}

Expected<Seal> parse_seal(std::string_view raw_value, const ParseOptions& options) {
  auto parsed = dkim::parse_tag_list(raw_value);
  if (!parsed) return syntax("ARC-Seal: " + parsed.error().message);
  const std::vector<dkim::Tag>& tags = *parsed;
  auto common = parse_common(tags, seal_name, options);
  if (!common) return std::unexpected(common.error());
  // RFC 8617 §4.1.3: the seal's signed content is fixed; an h= tag is an error.
  if (dkim::find_tag(tags, "h") != nullptr) return syntax("ARC-Seal has an h= tag");
  const dkim::Tag* cv = dkim::find_tag(tags, "cv");
  if (cv == nullptr) return syntax("ARC-Seal has no cv= tag");
  // ABNF literals are case-insensitive (RFC 5234 §2.3).
  const std::string cv_value = to_lower(dkim::trim_fws(cv->value));
  if (cv_value != "none" && cv_value != "pass" && cv_value != "fail")
    return syntax("ARC-Seal has an invalid cv=" + std::string(dkim::trim_fws(cv->value)));
  Seal out;
  out.instance = common->instance;
  out.algorithm = common->algorithm;
  out.b = std::move(common->b);
  out.cv = cv_value;
  out.domain = std::move(common->domain);
  out.selector = std::move(common->selector);
  out.timestamp = common->timestamp;
  out.b_tag = common->b_tag;
  return out;
}

}  // namespace auth::arc::detail
