// Helpers for the ARC tests and conformance runners: an in-memory TXT resolver, LF -> CRLF,
// splitting a message into fields and body, and feeding a consumer in chunks.
#pragma once

#include <auth/arc.hpp>
#include <auth/domain_name.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace auth::arc::testing {

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
    if (line_end == pos) {
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

// Feeds a message to a Validator or Sealer, the body in chunks of `chunk` bytes (0 = whole).
template <class Consumer>
void feed(Consumer& consumer, const SplitMessage& message, std::size_t chunk = 0) {
  for (const auto& h : message.headers) consumer.header(h.name, h.raw_value);
  consumer.end_of_headers();
  const std::string_view body = message.body;
  if (chunk == 0) chunk = std::max<std::size_t>(body.size(), 1);
  for (std::size_t i = 0; i < body.size(); i += chunk) consumer.body(body.substr(i, chunk));
}

inline ArcResult validate(dns::Resolver& resolver, const Clock& clock,
                          std::string_view crlf_message, std::size_t chunk = 0,
                          const Limits& limits = {}, const ValidatorOptions& options = {}) {
  Validator validator(resolver, clock, limits, options);
  feed(validator, split_message(crlf_message), chunk);
  return validator.finish();
}

}  // namespace auth::arc::testing

namespace auth::arc::testing {

// Keys loaded once per test binary from testdata/keys, and their DNS key records.
inline std::shared_ptr<const crypto::PrivateKey> load_key(const std::string& file) {
  auto key = crypto::PrivateKey::from_file(std::string(MAILAUTH_TESTDATA) + "/keys/" + file);
  if (!key) return nullptr;
  return std::make_shared<const crypto::PrivateKey>(std::move(*key));
}
inline std::shared_ptr<const crypto::PrivateKey> rsa_key() {
  static const auto key = load_key("rsa2048.pkcs8.pem");
  return key;
}
inline std::shared_ptr<const crypto::PrivateKey> ed25519_key() {
  static const auto key = load_key("ed25519.pkcs8.pem");
  return key;
}
inline std::string key_record(const crypto::PrivateKey& key) {
  return std::string("v=DKIM1; k=") + (key.type() == crypto::KeyType::Rsa ? "rsa" : "ed25519") +
         "; p=" + crypto::base64_encode(key.public_key_dkim());
}

// One hop: validate the chain as received, then seal as `domain` with this hop's results.
// Returns the message with the new set on top (unchanged when no set may be added).
inline std::string seal_hop(dns::Resolver& resolver, const Clock& clock,
                            const std::string& crlf_message, const SealingKey& key,
                            const std::string& authserv_id = "mx.example.net",
                            ArcResult* incoming_out = nullptr) {
  const SplitMessage message = split_message(crlf_message);
  const ArcResult incoming = validate(resolver, clock, crlf_message);
  if (incoming_out != nullptr) *incoming_out = incoming;
  SealerOptions options;
  options.keys.push_back(key);
  auto sealer = Sealer::create(options, clock);
  if (!sealer) return "sealer: " + sealer.error().message;
  feed(*sealer, message);
  const std::string payload = authserv_id + "; arc=" + std::string(to_string(incoming.result)) +
                              "; spf=pass smtp.mailfrom=a@" + key.domain;
  SealInput input;
  input.validation = &incoming;
  input.authentication_results = payload;
  auto set = sealer->finish(input);
  if (!set) return "seal: " + set.error().message;
  std::vector<message::HeaderField> headers = *set;
  headers.insert(headers.end(), message.headers.begin(), message.headers.end());
  return join_message(headers, message.body);
}

inline const std::string& sample_message() {
  static const std::string text = lf_to_crlf(
      "Received: from mail.example.org by mx.example.net; Sat, 28 Nov 2026 10:00:00 +0000\n"
      "From: Alice <alice@example.org>\n"
      "To: list@lists.example.com\n"
      "Subject: An ARC test\n"
      "Date: Sat, 28 Nov 2026 10:00:00 +0000\n"
      "Message-ID: <arc-test-1@example.org>\n"
      "MIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "Hello,\n"
      "\n"
      "  this body has  inner   spaces, trailing ones   \n"
      "and a few lines.\n"
      "\n"
      "\n");
  return text;
}

}  // namespace auth::arc::testing
