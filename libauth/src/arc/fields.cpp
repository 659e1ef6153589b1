// The ARC header fields (RFC 8617 §4.1): names, instances, the ARC-Authentication-Results
// prefix, and the ARC rules on top of DKIM's signature parser.
#include "arc/fields.hpp"

#include <auth/authres.hpp>
#include <auth/domain_name.hpp>

namespace auth::arc::detail {
namespace {

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Checked<dkim::Signature> parse_arc_signature(std::string_view raw_value, dkim::SignatureKind kind,
                                             const ParseOptions& options) {
  auto sig = dkim::parse_signature(raw_value, kind, options.max_instance);
  if (!sig) return sig;
  if (sig->algorithm == dkim::Algorithm::RsaSha1)
    return dkim::failure(ReasonCode::WeakAlgorithm, "rsa-sha1 is not accepted (RFC 8301)");
  if (sig->algorithm == dkim::Algorithm::Ed25519Sha256 && !options.allow_ed25519)
    return dkim::failure(ReasonCode::UnsupportedAlgorithm, "ed25519-sha256 is not accepted here");
  return sig;
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

Checked<Aar> parse_aar(std::string_view raw_value, unsigned max_instance) {
  // arc-info = "i" [FWS] "=" [FWS] instance [FWS] ";" authres-payload (RFC 8617 §4.1.1).
  std::string_view rest = raw_value;
  while (!rest.empty() && is_fws(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || rest.front() != 'i')
    return dkim::failure(ReasonCode::ArcStructure, "it does not start with i=");
  rest.remove_prefix(1);
  while (!rest.empty() && is_fws(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '=')
    return dkim::failure(ReasonCode::ArcStructure, "it does not start with i=");
  rest.remove_prefix(1);
  const std::size_t semicolon = rest.find(';');
  if (semicolon == std::string_view::npos)
    return dkim::failure(ReasonCode::ArcStructure, "no ';' after its instance");
  auto instance = dkim::parse_instance(rest.substr(0, semicolon), max_instance);
  if (!instance) return std::unexpected(std::move(instance.error()));
  Aar out;
  out.instance = *instance;
  const std::string_view payload = rest.substr(semicolon + 1);
  if (auto id = authres::parse_authserv_id(payload)) out.authserv_id = std::move(*id);
  // For local policy and logs: printable whatever the hop wrote.
  out.payload = std::string(dkim::trim_fws(message::unfold(payload)));
  for (char& c : out.payload)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

Checked<unsigned> parse_signature_instance(std::string_view raw_value, unsigned max_instance) {
  auto tags = dkim::parse_tag_list(raw_value);
  if (!tags) return dkim::failure(ReasonCode::SignatureSyntax, tags.error().message);
  const dkim::Tag* i = dkim::find_tag(*tags, "i");
  if (i == nullptr) return dkim::failure(ReasonCode::ArcStructure, "no i= tag");
  return dkim::parse_instance(i->value, max_instance);
}

Checked<dkim::Signature> parse_ams(std::string_view raw_value, const ParseOptions& options) {
  return parse_arc_signature(raw_value, dkim::SignatureKind::ArcMessageSignature, options);
}

Checked<dkim::Signature> parse_seal(std::string_view raw_value, const ParseOptions& options) {
  return parse_arc_signature(raw_value, dkim::SignatureKind::ArcSeal, options);
}

}  // namespace auth::arc::detail
