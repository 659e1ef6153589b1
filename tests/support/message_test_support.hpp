// Helpers shared by the DKIM and ARC tests and the conformance and interop runners: an in-memory
// TXT resolver, LF -> CRLF, splitting a message into fields and body, and feeding a consumer
// (Verifier, Signer, Validator, Sealer) in chunks.
#pragma once

#include <auth/dns.hpp>
#include <auth/domain_name.hpp>
#include <auth/message.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace auth::test_support {

// Answers TXT queries from a map (names compared without case and trailing dot); any other
// query or name is NXDOMAIN. Counts queries and records prefetches.
class TxtResolver final : public dns::Resolver {
 public:
  void add_txt(std::string_view name, std::string text, std::uint32_t ttl = 3600) {
    dns::Answer& a = answers_[to_lower(name)];
    a.status = dns::Status::Ok;
    a.ttl = ttl;
    a.txt.push_back(std::move(text));
  }
  void set_status(std::string_view name, dns::Status status) {
    answers_[to_lower(name)].status = status;
  }
  dns::Answer query(std::string_view name, dns::RrType type) override {
    ++queries;
    std::string key = to_lower(name);
    if (!key.empty() && key.back() == '.') key.pop_back();
    const auto it = answers_.find(key);
    if (type != dns::RrType::TXT || it == answers_.end()) {
      dns::Answer none;
      none.status = dns::Status::NxDomain;
      return none;
    }
    return it->second;
  }
  void prefetch(std::string_view name, dns::RrType) override { prefetched.emplace_back(name); }

  int queries = 0;
  std::vector<std::string> prefetched;

 private:
  std::map<std::string, dns::Answer> answers_;
};

inline std::string lf_to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct SplitMessage {
  std::vector<message::HeaderField> headers;
  std::string body;
};

// Splits a CRLF message into header fields (folding kept) and body. A line without a colon
// becomes a field of that name with an empty value; a message without a blank line is all header.
inline SplitMessage split_message(std::string_view text) {
  SplitMessage out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find("\r\n", pos);
    const std::size_t line_end = eol == std::string_view::npos ? text.size() : eol;
    if (line_end == pos) {  // empty line: the body follows
      out.body = std::string(text.substr(std::min(text.size(), pos + 2)));
      return out;
    }
    const std::string_view line = text.substr(pos, line_end - pos);
    if ((line[0] == ' ' || line[0] == '\t') && !out.headers.empty()) {
      out.headers.back().raw_value.append("\r\n").append(line);
    } else {
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        out.headers.push_back(message::HeaderField{std::string(line), ""});
      } else {
        out.headers.push_back(message::HeaderField{std::string(line.substr(0, colon)),
                                                   std::string(line.substr(colon + 1))});
      }
    }
    pos = line_end == text.size() ? text.size() : line_end + 2;
  }
  return out;
}

inline std::string join_message(const std::vector<message::HeaderField>& headers,
                                std::string_view body) {
  std::string out;
  for (const auto& h : headers) out.append(h.name).append(":").append(h.raw_value).append("\r\n");
  out.append("\r\n").append(body);
  return out;
}

// Feeds a message to a Verifier, Signer, Validator or Sealer, the body in chunks of `chunk`
// bytes (0 = whole).
template <class Consumer>
void feed(Consumer& consumer, const SplitMessage& message, std::size_t chunk = 0) {
  for (const auto& h : message.headers) consumer.header(h.name, h.raw_value);
  consumer.end_of_headers();
  const std::string_view body = message.body;
  if (chunk == 0) chunk = std::max<std::size_t>(body.size(), 1);
  for (std::size_t i = 0; i < body.size(); i += chunk) consumer.body(body.substr(i, chunk));
}

// Loads a stalwart-format case: "<name> <txt>" lines, an empty line, then the message (LF or
// CRLF). Adds the records to `resolver` and returns the message with CRLF line endings.
inline std::string load_dns_and_message(std::string_view file_text, TxtResolver& resolver) {
  const std::string text = lf_to_crlf(file_text);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find("\r\n", pos);
    const std::size_t line_end = eol == std::string::npos ? text.size() : eol;
    const std::string_view line = std::string_view(text).substr(pos, line_end - pos);
    pos = std::min(text.size(), line_end + 2);
    if (line.empty()) break;
    const std::size_t space = line.find(' ');
    resolver.add_txt(line.substr(0, space), std::string(line.substr(space + 1)));
  }
  return text.substr(pos);
}

}  // namespace auth::test_support
