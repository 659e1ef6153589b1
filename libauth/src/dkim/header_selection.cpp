// Which header fields an h= list signs, and the header hash input (RFC 6376 §5.4.2, §3.7).
// Fields are picked by pointer from views of the message's fields: ARC hides newer sets from an
// older signature by leaving them out of the views, without copying any field.
#include "dkim/shared.hpp"

#include <auth/domain_name.hpp>

#include <unordered_map>

namespace auth::dkim {

namespace {

// A field name as written may end with white space before the colon (RFC 5322 §4.5.3).
std::string_view core_name(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

// Field names hashed and compared without case, over views (FNV-1a of the lower-case bytes).
struct NameHash {
  std::size_t operator()(std::string_view name) const {
    std::size_t h = 1469598103934665603ull;
    for (char c : name) {
      h ^= static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      h *= 1099511628211ull;
    }
    return h;
  }
};
struct NameEqual {
  bool operator()(std::string_view a, std::string_view b) const { return iequals(a, b); }
};

}  // namespace

bool is_field(const message::HeaderField& field, std::string_view name) {
  return iequals(core_name(field.name), name);
}

std::vector<const message::HeaderField*> views_of(std::span<const message::HeaderField> fields) {
  std::vector<const message::HeaderField*> out;
  out.reserve(fields.size());
  for (const message::HeaderField& field : fields) out.push_back(&field);
  return out;
}

std::vector<const message::HeaderField*> select_headers(
    std::span<const message::HeaderField* const> fields, std::span<const std::string> names,
    std::uint64_t* comparisons) {
  std::vector<const message::HeaderField*> selected;
  selected.reserve(names.size());
  if (fields.size() * names.size() <= 4096) {
    // The usual case: a few names, a few dozen fields.
    std::uint64_t compared = 0;
    std::vector<bool> used(fields.size(), false);  // picked by an earlier instance of its name
    for (const std::string& name : names) {
      const message::HeaderField* pick = nullptr;
      for (std::size_t i = fields.size(); i-- > 0;) {
        if (used[i]) continue;
        ++compared;
        if (is_field(*fields[i], name)) {
          used[i] = true;
          pick = fields[i];
          break;
        }
      }
      selected.push_back(pick);
    }
    if (comparisons != nullptr) *comparisons += compared;
    return selected;
  }
  // Many names or fields (hostile input): one pass over the fields from the bottom collects, for
  // each name listed, as many instances as it is listed; names are compared without allocating.
  struct Wanted {
    std::size_t listed = 0;
    std::size_t taken = 0;                           // by the names assembled so far
    std::vector<const message::HeaderField*> found;  // bottom-most first
  };
  std::unordered_map<std::string_view, Wanted, NameHash, NameEqual> wanted;
  for (const std::string& name : names) ++wanted[name].listed;
  for (std::size_t i = fields.size(); i-- > 0;) {
    const auto it = wanted.find(core_name(fields[i]->name));
    if (it != wanted.end() && it->second.found.size() < it->second.listed)
      it->second.found.push_back(fields[i]);
  }
  for (const std::string& name : names) {
    Wanted& w = wanted.find(name)->second;
    selected.push_back(w.taken < w.found.size() ? w.found[w.taken] : nullptr);
    ++w.taken;
  }
  if (comparisons != nullptr) *comparisons += fields.size() + names.size();
  return selected;
}

crypto::Digest header_hash(crypto::HashAlgorithm hash, Canonicalization canonicalization,
                           std::span<const message::HeaderField* const> selected,
                           std::string_view signature_name, std::string_view signature_value,
                           std::size_t b_begin, std::size_t b_end) {
  // Canonical text goes to the hasher in blocks: a seal over 50 sets hashes 150 fields without
  // holding them all canonicalized at once.
  constexpr std::size_t block = 4 * 1024;
  crypto::Hasher hasher(hash);
  std::string text;
  text.reserve(block);
  for (const message::HeaderField* field : selected) {
    if (field == nullptr) continue;
    canonicalize_header(canonicalization, field->name, field->raw_value, text);
    if (text.size() >= block) {
      hasher.update(text);
      text.clear();
    }
  }
  // The signature field with b= emptied, including the white space around its value.
  std::string value;
  value.reserve(signature_value.size());
  value.append(signature_value.substr(0, b_begin));
  if (b_end < signature_value.size()) value.append(signature_value.substr(b_end));
  canonicalize_header(canonicalization, signature_name, value, text);
  text.resize(text.size() - 2);  // without the final CRLF
  hasher.update(text);
  return hasher.finish();
}

crypto::Digest header_hash(const Signature& signature,
                           std::span<const message::HeaderField* const> selected,
                           const message::HeaderField& signature_field) {
  return header_hash(hash_of(signature.algorithm), signature.canonicalization.header, selected,
                     signature_field.name, signature_field.raw_value, signature.b_tag.value_begin,
                     signature.b_tag.value_end);
}

}  // namespace auth::dkim
