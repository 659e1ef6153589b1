// Name keys: a domain name as its lower-cased wire labels (each prefixed by its length, no root
// byte), so escaped dots stay inside their label and a parent is a suffix.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace auth::dns {

// Presentation text ("a\.b.Example.com.", "\065.example") to a key; nullopt when the name is
// malformed (empty label, label over 63 octets, name over 255 octets, bad escape).
std::optional<std::string> name_key(std::string_view text);
// Uncompressed wire name (as in an ldns dname rdf, root byte included) to a key.
std::optional<std::string> name_key_from_wire(std::span<const std::uint8_t> wire);
// Key to presentation text: lower case, escaped where needed, no trailing dot; root is "".
std::string name_text(std::string_view key);
// The key with its leftmost label removed; the root's parent is the root.
std::string_view parent_key(std::string_view key);

}  // namespace auth::dns
