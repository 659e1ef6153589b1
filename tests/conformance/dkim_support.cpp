#include "dkim_support.hpp"

#include <auth/message.hpp>

namespace dkim_conformance {
namespace {

template <class Consumer>
class Handler final : public auth::message::MessageHandler {
 public:
  explicit Handler(Consumer& consumer) : consumer_(consumer) {}
  void header(const auth::message::HeaderField& field) override { consumer_.header(field); }
  void end_of_headers() override { consumer_.end_of_headers(); }
  void body(std::string_view chunk) override { consumer_.body(chunk); }
  void end_of_message() override {}

 private:
  Consumer& consumer_;
};

std::string zone_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::filesystem::path conformance_dir() { return mailauth::test::conformance_dir() / "dkim"; }

std::unique_ptr<auth::dns::ZoneResolver> make_zone(const ZoneData& data) {
  std::string zone = "$TTL 300\n";
  for (const auto& [name, text] : data.txt) {
    zone += name + ". IN TXT (";
    if (text.empty()) zone += " \"\"";
    for (std::size_t at = 0; at < text.size(); at += 255)
      zone += " " + zone_string(std::string_view(text).substr(at, 255));
    zone += " )\n";
  }
  for (const auto& name : data.timeout) zone += "$TIMEOUT " + name + "\n";
  for (const auto& name : data.servfail) zone += "$SERVFAIL " + name + "\n";
  auto resolver = auth::dns::ZoneResolver::from_string(zone, "dkim-conformance");
  if (!resolver) return nullptr;
  return std::move(*resolver);
}

std::vector<auth::dkim::DkimResult> verify_message(auth::dns::Resolver& resolver,
                                                   const auth::Clock& clock,
                                                   std::string_view message,
                                                   const auth::dkim::VerifyOptions& options,
                                                   const auth::Limits& limits) {
  auth::dkim::Verifier verifier(resolver, clock, limits, options);
  Handler<auth::dkim::Verifier> handler(verifier);
  auth::message::MessageParser parser(handler, limits);
  auto fed = parser.feed(message);
  if (fed) fed = parser.finish();
  if (!fed) return {};
  return verifier.finish();
}

std::string sign_message(const auth::dkim::SignerOptions& options, const auth::Clock& clock,
                         std::string_view message, std::string* error) {
  auto signer = auth::dkim::Signer::create(options, clock);
  if (!signer) {
    if (error) *error = signer.error().message;
    return "";
  }
  Handler<auth::dkim::Signer> handler(*signer);
  auth::message::MessageParser parser(handler);
  auto fed = parser.feed(message);
  if (fed) fed = parser.finish();
  if (!fed) {
    if (error) *error = fed.error().message;
    return "";
  }
  auto fields = signer->finish();
  if (!fields) {
    if (error) *error = fields.error().message;
    return "";
  }
  std::string out;
  for (const auto& field : *fields) out += field.name + ":" + field.raw_value + "\r\n";
  return out + std::string(message);
}

}  // namespace dkim_conformance
