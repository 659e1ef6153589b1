// Helpers for the DKIM tests: an in-memory resolver, message splitting, chunked feeding.
#pragma once

#include <auth/dkim.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace auth::dkim::testing {

// Answers TXT queries from a map; counts queries and prefetches.
class FakeResolver final : public dns::Resolver {
 public:
  void add_txt(std::string_view name, std::string text, std::uint32_t ttl = 3600) {
    dns::Answer& a = answers_[to_lower(name)];
    a.status = dns::Status::Ok;
    a.ttl = ttl;
    a.txt.push_back(std::move(text));
  }
  void set_status(std::string_view name, dns::Status status) {
    dns::Answer& a = answers_[to_lower(name)];
    a.status = status;
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

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct SplitMessage {
  std::vector<message::HeaderField> headers;
  std::string body;
};

// Splits a CRLF message into header fields (folding kept) and body.
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
      out.headers.push_back(message::HeaderField{std::string(line.substr(0, colon)),
                                                 std::string(line.substr(colon + 1))});
    }
    pos = line_end + 2;
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

// Feeds a message to a Verifier or Signer, the body in chunks of `chunk` bytes (0 = whole).
template <class Consumer>
void feed(Consumer& consumer, const SplitMessage& message, std::size_t chunk = 0) {
  for (const auto& h : message.headers) consumer.header(h.name, h.raw_value);
  consumer.end_of_headers();
  const std::string_view body = message.body;
  if (chunk == 0) chunk = std::max<std::size_t>(body.size(), 1);
  for (std::size_t i = 0; i < body.size(); i += chunk) consumer.body(body.substr(i, chunk));
}

inline std::vector<DkimResult> verify(dns::Resolver& resolver, const Clock& clock,
                                      std::string_view crlf_message, std::size_t chunk = 0,
                                      const VerifyOptions& options = {},
                                      const Limits& limits = {}) {
  Verifier verifier(resolver, clock, limits, options);
  feed(verifier, split_message(crlf_message), chunk);
  return verifier.finish();
}

// Loads a stalwart-format case: "<name> <txt>" lines, an empty line, then the message (LF).
inline std::string load_dns_and_message(std::string_view file_text, FakeResolver& resolver) {
  const std::string text = lf_to_crlf(file_text);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find("\r\n", pos);
    const std::string_view line = std::string_view(text).substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) break;
    const std::size_t space = line.find(' ');
    resolver.add_txt(line.substr(0, space), std::string(line.substr(space + 1)));
  }
  return text.substr(pos);
}

}  // namespace auth::dkim::testing
