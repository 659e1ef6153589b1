#include "test_parsers.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

#include <auth/crypto.hpp>

namespace auth::report_test {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Lines without their line endings.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_fields(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto line : lines_of(text)) {
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
      fields.back().second += "\n";
      fields.back().second += line;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string value(line.substr(colon + 1));
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    fields.emplace_back(trim(line.substr(0, colon)), value);
  }
  for (auto& f : fields)
    while (!f.second.empty() && std::isspace(static_cast<unsigned char>(f.second.back())))
      f.second.pop_back();
  return fields;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::optional<std::string> MimeEntity::field(std::string_view name) const {
  for (const auto& [n, v] : fields)
    if (lower(n) == lower(name)) return collapse_whitespace(v);
  return std::nullopt;
}

std::vector<std::string> MimeEntity::fields_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : fields)
    if (lower(n) == lower(name)) out.push_back(collapse_whitespace(v));
  return out;
}

std::string MimeEntity::media_type() const {
  const auto ct = field("Content-Type");
  if (!ct) return "text/plain";
  return lower(trim(ct->substr(0, ct->find(';'))));
}

std::optional<std::string> MimeEntity::parameter(std::string_view field_name,
                                                 std::string_view param) const {
  const auto value = field(field_name);
  if (!value) return std::nullopt;
  std::size_t pos = value->find(';');
  while (pos != std::string::npos) {
    const std::size_t next = value->find(';', pos + 1);
    std::string spec = trim(
        value->substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1));
    const auto eq = spec.find('=');
    if (eq != std::string::npos && lower(trim(spec.substr(0, eq))) == lower(param)) {
      std::string v = trim(spec.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
    pos = next;
  }
  return std::nullopt;
}

std::string MimeEntity::decoded_body() const {
  const auto cte = field("Content-Transfer-Encoding");
  if (cte && lower(*cte) == "base64") {
    auto bytes = crypto::base64_decode(body);
    if (!bytes) throw std::runtime_error("bad base64 body");
    return std::string(bytes->begin(), bytes->end());
  }
  return body;
}

MimeEntity parse_mime(std::string_view text) {
  MimeEntity e;
  // Header: up to the first empty line.
  std::size_t pos = 0;
  std::string header_text;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    header_text += line;
    header_text += '\n';
  }
  e.fields = parse_fields(header_text);
  e.body = pos < text.size() ? std::string(text.substr(pos)) : std::string();
  if (e.media_type().starts_with("multipart/")) {
    const auto boundary = e.parameter("Content-Type", "boundary");
    if (!boundary) return e;
    const std::string dash = "--" + *boundary;
    std::vector<std::string_view> lines = lines_of(e.body);
    std::string current;
    bool inside = false;
    for (const auto line : lines) {
      std::string_view l = line;
      while (!l.empty() && (l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
      if (l == dash || l == dash + "--") {
        if (inside) {
          // The line break before the delimiter belongs to the delimiter.
          if (current.ends_with("\n")) current.pop_back();
          if (current.ends_with("\r")) current.pop_back();
          e.parts.push_back(parse_mime(current));
        }
        current.clear();
        inside = l == dash;
        continue;
      }
      if (inside) {
        current += line;
        current += '\n';
      }
    }
  }
  return e;
}

// ---------------------------------------------------------------------------------------------
// XML

namespace {

class XmlReader {
 public:
  explicit XmlReader(std::string_view text) : s_(text) {}

  XmlNode document() {
    skip_misc();
    if (!at("<")) error("expected the root element");
    XmlNode root = element();
    skip_misc();
    if (i_ != s_.size()) error("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    throw std::runtime_error("XML at byte " + std::to_string(i_) + ": " + what);
  }
  bool at(std::string_view t) const { return s_.substr(i_, t.size()) == t; }
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void skip_past(std::string_view end) {
    const auto p = s_.find(end, i_);
    if (p == std::string_view::npos) error("unterminated construct");
    i_ = p + end.size();
  }
  // XML declaration, processing instructions, comments, doctype and white space.
  void skip_misc() {
    while (true) {
      skip_space();
      if (at("<?"))
        skip_past("?>");
      else if (at("<!--"))
        skip_past("-->");
      else if (at("<!DOCTYPE"))
        skip_past(">");
      else
        return;
    }
  }
  std::string name() {
    const std::size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                              s_[i_] == '-' || s_[i_] == '.' || s_[i_] == ':'))
      ++i_;
    if (i_ == start) error("expected a name");
    return std::string(s_.substr(start, i_ - start));
  }
  static std::string local(const std::string& qname) {
    const auto colon = qname.find(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }
  std::string decode(std::string_view raw) const {
    std::string out;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] != '&') {
        out.push_back(raw[k]);
        continue;
      }
      const auto semi = raw.find(';', k);
      if (semi == std::string_view::npos) error("unterminated entity");
      const std::string_view ent = raw.substr(k + 1, semi - k - 1);
      if (ent == "amp")
        out += '&';
      else if (ent == "lt")
        out += '<';
      else if (ent == "gt")
        out += '>';
      else if (ent == "quot")
        out += '"';
      else if (ent == "apos")
        out += '\'';
      else if (ent.starts_with("#")) {
        const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
        const unsigned long cp =
            std::stoul(std::string(ent.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10);
        if (cp < 0x80)
          out += static_cast<char>(cp);
        else if (cp < 0x800) {
          out += static_cast<char>(0xC0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          out += static_cast<char>(0xE0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          out += static_cast<char>(0xF0 | (cp >> 18));
          out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        }
      } else {
        error("unknown entity &" + std::string(ent) + ";");
      }
      k = semi;
    }
    return out;
  }
  XmlNode element() {
    ++i_;  // '<'
    XmlNode node;
    const std::string qname = name();
    node.name = local(qname);
    while (true) {
      skip_space();
      if (at("/>")) {
        i_ += 2;
        return node;
      }
      if (at(">")) {
        ++i_;
        break;
      }
      const std::string attr = name();
      skip_space();
      if (!at("=")) error("expected '=' after attribute " + attr);
      ++i_;
      skip_space();
      if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) error("expected a quoted value");
      const char q = s_[i_++];
      const auto end = s_.find(q, i_);
      if (end == std::string_view::npos) error("unterminated attribute value");
      node.attributes[attr] = decode(s_.substr(i_, end - i_));
      i_ = end + 1;
    }
    while (true) {
      if (i_ >= s_.size()) error("unterminated element <" + qname + ">");
      if (at("</")) {
        i_ += 2;
        const std::string closing = name();
        if (closing != qname) error("</" + closing + "> closes <" + qname + ">");
        skip_space();
        if (!at(">")) error("expected '>'");
        ++i_;
        return node;
      }
      if (at("<!--")) {
        skip_past("-->");
      } else if (at("<![CDATA[")) {
        i_ += 9;
        const auto end = s_.find("]]>", i_);
        if (end == std::string_view::npos) error("unterminated CDATA");
        node.text += s_.substr(i_, end - i_);
        i_ = end + 3;
      } else if (at("<?")) {
        skip_past("?>");
      } else if (at("<")) {
        node.children.push_back(element());
      } else {
        const auto end = s_.find('<', i_);
        if (end == std::string_view::npos) error("unterminated element <" + qname + ">");
        node.text += decode(s_.substr(i_, end - i_));
        i_ = end;
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

const XmlNode* XmlNode::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::vector<const XmlNode*> XmlNode::all(std::string_view n) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

std::optional<std::string> XmlNode::text_at(std::string_view path) const {
  const XmlNode* node = this;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    node = node->child(path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (node == nullptr) return std::nullopt;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return trim(node->text);
}

XmlNode parse_xml(std::string_view text) { return XmlReader(text).document(); }

// ---------------------------------------------------------------------------------------------
// Dates

std::optional<std::int64_t> parse_date(std::string_view text) {
  std::string s = collapse_whitespace(text);
  // Drop a trailing comment "(PDT)".
  if (const auto paren = s.find('('); paren != std::string::npos) s = trim(s.substr(0, paren));
  if (const auto comma = s.find(','); comma != std::string::npos) s = trim(s.substr(comma + 1));
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < s.size()) {
    auto sp = s.find(' ', start);
    if (sp == std::string::npos) sp = s.size();
    words.push_back(s.substr(start, sp - start));
    start = sp + 1;
  }
  if (words.size() < 5) return std::nullopt;
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  int month = -1;
  for (int m = 0; m < 12; ++m)
    if (lower(words[1]) == months[m]) month = m + 1;
  if (month < 0) return std::nullopt;
  const int day = std::stoi(words[0]);
  int year = std::stoi(words[2]);
  if (year < 50)
    year += 2000;
  else if (year < 1000)
    year += 1900;
  int hh = 0, mm = 0, ss = 0;
  if (std::sscanf(words[3].c_str(), "%d:%d:%d", &hh, &mm, &ss) < 2) return std::nullopt;
  const std::string zone = words[4];
  int offset = 0;  // minutes east of UTC
  if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    const int v = std::stoi(zone.substr(1));
    offset = (v / 100) * 60 + v % 100;
    if (zone[0] == '-') offset = -offset;
  } else {
    static const std::map<std::string, int> named{
        {"ut", 0},        {"gmt", 0},       {"z", 0},         {"est", -5 * 60},
        {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60}, {"mst", -7 * 60},
        {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60}};
    const auto it = named.find(lower(zone));
    if (it == named.end()) return std::nullopt;
    offset = it->second;
  }
  using namespace std::chrono;
  const sys_days days =
      year_month_day{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  return days.time_since_epoch().count() * 86400LL + hh * 3600 + mm * 60 + ss - offset * 60LL;
}

std::optional<std::string> unzip_first(std::string_view zip) {
  auto u16 = [&](std::size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(zip[at])) |
           static_cast<unsigned>(static_cast<unsigned char>(zip[at + 1])) << 8;
  };
  auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
  if (zip.size() < 30 || u32(0) != 0x04034b50) return std::nullopt;
  const unsigned method = u16(8);
  const std::size_t compressed = u32(18);
  const std::size_t data = 30 + u16(26) + u16(28);
  if (data + compressed > zip.size()) return std::nullopt;
  const std::string_view raw = zip.substr(data, compressed);
  if (method == 0) return std::string(raw);
  if (method != 8) return std::nullopt;
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace auth::report_test
