// Shared by the DKIM and ARC fuzz targets: runs a raw message through message::MessageParser
// into one or more consumers that take the same events as dkim::Verifier and arc::Validator.
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>

#include <auth/message.hpp>

namespace auth::fuzz {

template <class... Consumers>
class FeedAll final : public message::MessageHandler {
 public:
  explicit FeedAll(Consumers&... consumers) : consumers_(consumers...) {}
  void header(const message::HeaderField& field) override {
    std::apply([&](auto&... c) { (c.header(field), ...); }, consumers_);
  }
  void end_of_headers() override {
    std::apply([](auto&... c) { (c.end_of_headers(), ...); }, consumers_);
  }
  void body(std::string_view chunk) override {
    std::apply([&](auto&... c) { (c.body(chunk), ...); }, consumers_);
  }
  void end_of_message() override {}

 private:
  std::tuple<Consumers&...> consumers_;
};

// Feeds `text` in two pieces split at `split`; a parse error ends the message early (as an MTA
// would reject it); the consumers' finish() copes with a missing end_of_headers.
template <class... Consumers>
void feed_message(std::string_view text, std::size_t split, Consumers&... consumers) {
  FeedAll<Consumers...> handler(consumers...);
  message::MessageParser parser(handler);
  bool ok = parser.feed(text.substr(0, split)).has_value();
  ok = ok && parser.feed(text.substr(split)).has_value();
  if (ok) ok = parser.finish().has_value();
  (void)ok;
}

}  // namespace auth::fuzz
