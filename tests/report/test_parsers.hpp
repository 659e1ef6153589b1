// Small parsers for reading reports back in tests: MIME entities (multipart, base64), ARF
// feedback fields, XML elements and RFC 5322 dates. They are checked against the stalwart
// samples first (samples_test.cpp), then trusted to read what mailauth writes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auth::report_test {

struct MimeEntity {
  std::vector<std::pair<std::string, std::string>> fields;  // name, unfolded value
  std::string body;                                         // raw (still encoded)
  std::vector<MimeEntity> parts;                            // multipart/* only

  // The first field named `name` (case-insensitive), unfolded and trimmed.
  std::optional<std::string> field(std::string_view name) const;
  std::vector<std::string> fields_named(std::string_view name) const;
  // The Content-Type without parameters, lower case ("text/plain" when absent).
  std::string media_type() const;
  // A parameter of a structured field ("boundary", "filename"), unquoted.
  std::optional<std::string> parameter(std::string_view field_name, std::string_view param) const;
  // The body decoded by its Content-Transfer-Encoding (base64 or as is).
  std::string decoded_body() const;
};

// Parses a message (LF or CRLF line endings).
MimeEntity parse_mime(std::string_view text);

// Header-like fields ("Name: value" with folding) of a message/feedback-report body. Values
// keep their line breaks as LF (as the stalwart samples do); unfold() to compare loosely.
std::vector<std::pair<std::string, std::string>> parse_fields(std::string_view text);
std::string collapse_whitespace(std::string_view text);

struct XmlNode {
  std::string name;  // local name (prefix removed)
  std::map<std::string, std::string> attributes;
  std::string text;  // character data directly inside, entities decoded
  std::vector<XmlNode> children;

  const XmlNode* child(std::string_view name) const;
  std::vector<const XmlNode*> all(std::string_view name) const;
  // The text of the child at a '/'-separated path, or nullopt.
  std::optional<std::string> text_at(std::string_view path) const;
};

// Parses a document; throws std::runtime_error naming the position on malformed input.
XmlNode parse_xml(std::string_view text);

// RFC 5322 date-time (with obsolete zone names) as Unix seconds.
std::optional<std::int64_t> parse_date(std::string_view text);

// The first file of a zip archive, inflated.
std::optional<std::string> unzip_first(std::string_view zip);

}  // namespace auth::report_test
