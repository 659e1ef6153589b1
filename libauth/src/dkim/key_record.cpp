// DKIM key records (RFC 6376 §3.6.1, RFC 8463 k=ed25519) and choosing one in a TXT RRset.
// Texts quote what DNS sent through quoted_bytes(): an answer is as untrusted as a message.
#include "dkim/shared.hpp"

#include <auth/domain_name.hpp>

namespace auth::dkim {

Checked<KeyRecord> read_key_record(std::string_view text) {
  auto parsed = parse_tag_list(text);
  if (!parsed) return failure(ReasonCode::KeySyntax, "bad key record: " + parsed.error().message);
  const std::vector<Tag>& tags = *parsed;
  KeyRecord record;
  if (const Tag* v = find_tag(tags, "v")) {
    if (v != &tags.front())
      return failure(ReasonCode::KeySyntax, "key record v= is not the first tag");
    if (v->value != "DKIM1")
      return failure(ReasonCode::KeySyntax,
                     "not a DKIM key record (v=" + quoted_bytes(v->value) + ")");
  }
  if (const Tag* k = find_tag(tags, "k")) {
    if (iequals(k->value, "rsa"))
      record.key_type = crypto::KeyType::Rsa;
    else if (iequals(k->value, "ed25519"))
      record.key_type = crypto::KeyType::Ed25519;
    else
      return failure(ReasonCode::KeySyntax, "unknown key type k=" + quoted_bytes(k->value));
  }
  if (const Tag* h = find_tag(tags, "h")) {
    for (std::string_view name : split_colon_list(h->value)) {
      if (iequals(name, "sha256"))
        record.hash_algorithms.push_back(crypto::HashAlgorithm::Sha256);
      else if (iequals(name, "sha1"))
        record.hash_algorithms.push_back(crypto::HashAlgorithm::Sha1);
      // Unknown hash names are ignored (RFC 6376 §3.6.1).
    }
    if (record.hash_algorithms.empty())
      return failure(ReasonCode::KeyHashNotAllowed, "key record h= names no known hash algorithm");
  }
  if (const Tag* s = find_tag(tags, "s")) {
    record.email_service = false;
    for (std::string_view service : split_colon_list(s->value))
      if (service == "*" || iequals(service, "email")) record.email_service = true;
  }
  if (const Tag* t = find_tag(tags, "t")) {
    for (std::string_view flag : split_colon_list(t->value)) {
      if (iequals(flag, "y")) record.testing = true;
      if (iequals(flag, "s")) record.strict_identity = true;
    }
  }
  const Tag* p = find_tag(tags, "p");
  if (p == nullptr) return failure(ReasonCode::KeySyntax, "key record has no p= tag");
  auto key = crypto::base64_decode(p->value);
  if (!key) return failure(ReasonCode::KeySyntax, "key record p= is not valid base64");
  record.public_key = std::move(*key);
  return record;
}

Checked<KeyRecord> choose_key_record(std::span<const std::string> txt_records) {
  if (txt_records.empty()) return failure(ReasonCode::KeyNotFound, "key record not found");
  std::optional<KeyRecord> chosen;
  std::optional<Failure> first_failure;
  std::size_t valid = 0;
  for (const std::string& text : txt_records) {
    auto record = read_key_record(text);
    if (record) {
      if (++valid == 1) chosen = std::move(*record);
    } else if (!first_failure) {
      first_failure = record.error();
    }
  }
  if (valid > 1)
    return failure(ReasonCode::KeyAmbiguous,
                   "several key records at the selector (" + std::to_string(valid) + ")");
  if (chosen) return std::move(*chosen);
  if (txt_records.size() == 1) return std::unexpected(*first_failure);
  return failure(ReasonCode::KeySyntax, "no DKIM key record among " +
                                            std::to_string(txt_records.size()) + " TXT records (" +
                                            first_failure->text + ")");
}

namespace {

Expected<KeyRecord> as_expected(Checked<KeyRecord> record) {
  if (record) return std::move(*record);
  const ErrorCode code = record.error().code == ReasonCode::KeyNotFound ? ErrorCode::DnsPermanent
                         : record.error().code == ReasonCode::KeyHashNotAllowed
                             ? ErrorCode::Unsupported
                             : ErrorCode::Syntax;
  return fail(code, std::move(record.error().text));
}

}  // namespace

Expected<KeyRecord> parse_key_record(std::string_view text) {
  return as_expected(read_key_record(text));
}

Expected<KeyRecord> select_key_record(std::span<const std::string> txt_records) {
  return as_expected(choose_key_record(txt_records));
}

}  // namespace auth::dkim
