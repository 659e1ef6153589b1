// Which header fields an h= list signs, and the header hash input (RFC 6376 §5.4.2, §3.7).
#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <unordered_map>

namespace auth::dkim {

namespace {

// A field name as written may end with white space before the colon (RFC 5322 §4.5.3).
std::string_view core_name(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

}  // namespace

bool is_field(const message::HeaderField& field, std::string_view name) {
  return iequals(core_name(field.name), name);
}

std::vector<const message::HeaderField*> select_headers(
    std::span<const message::HeaderField> fields, std::span<const std::string> names) {
  std::vector<const message::HeaderField*> selected;
  selected.reserve(names.size());
  if (fields.size() * names.size() <= 4096) {
    // The usual case: a few names, a few dozen fields.
    std::vector<bool> used(fields.size(), false);  // picked by an earlier instance of its name
    for (const std::string& name : names) {
      const message::HeaderField* pick = nullptr;
      for (std::size_t i = fields.size(); i-- > 0;) {
        if (!used[i] && is_field(fields[i], name)) {
          used[i] = true;
          pick = &fields[i];
          break;
        }
      }
      selected.push_back(pick);
    }
    return selected;
  }
  // Many names or fields (hostile input): index the fields by name, bottom-most first.
  std::unordered_map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < fields.size(); ++i)
    by_name[to_lower(core_name(fields[i].name))].push_back(i);
  for (const std::string& name : names) {
    const auto it = by_name.find(to_lower(name));
    if (it == by_name.end() || it->second.empty()) {
      selected.push_back(nullptr);
      continue;
    }
    selected.push_back(&fields[it->second.back()]);
    it->second.pop_back();
  }
  return selected;
}

void hash_signed_headers(crypto::Hasher& hasher, Canonicalization canonicalization,
                         std::span<const message::HeaderField* const> selected,
                         std::string_view signature_name, std::string_view signature_value,
                         const Tag& b_tag) {
  std::string text;
  for (const message::HeaderField* field : selected)
    if (field != nullptr)
      canonicalize_header(canonicalization, field->name, field->raw_value, text);
  // The signature field with b= emptied, including the white space around its value.
  std::string value;
  value.reserve(signature_value.size());
  value.append(signature_value.substr(0, b_tag.value_begin));
  if (b_tag.value_end < signature_value.size())
    value.append(signature_value.substr(b_tag.value_end));
  canonicalize_header(canonicalization, signature_name, value, text);
  text.resize(text.size() - 2);  // without the final CRLF
  hasher.update(text);
}

}  // namespace auth::dkim
