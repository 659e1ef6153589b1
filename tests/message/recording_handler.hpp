// A MessageHandler that records events as text, so tests can compare whole event sequences.
// Body chunks are joined into one "B:" event: how the body is split is not part of the contract.
#pragma once

#include <auth/message.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth::message::testing {

class RecordingHandler : public MessageHandler {
 public:
  std::vector<std::string> events;
  std::vector<HeaderField> fields;

  void header(const HeaderField& field) override {
    events.push_back("H:" + field.name + "|" + field.raw_value);
    fields.push_back(field);
  }
  void end_of_headers() override { events.push_back("EOH"); }
  void body(std::string_view chunk) override {
    if (chunk.empty()) events.push_back("empty body chunk");  // never expected
    if (events.empty() || !events.back().starts_with("B:")) events.push_back("B:");
    events.back().append(chunk);
  }
  void end_of_message() override { events.push_back("EOM"); }
};

struct ParseOutcome {
  std::vector<std::string> events;
  std::optional<Error> error;
};

// Feeds `input` in chunks of `chunk_size` bytes (0: whole), then finish(). Stops at the first
// error and records it.
inline ParseOutcome parse_in_chunks(std::string_view input, std::size_t chunk_size,
                                    const Limits& limits = {}) {
  RecordingHandler handler;
  MessageParser parser(handler, limits);
  ParseOutcome outcome;
  const std::size_t step = chunk_size == 0 ? (input.empty() ? 1 : input.size()) : chunk_size;
  for (std::size_t i = 0; i < input.size(); i += step) {
    auto r = parser.feed(input.substr(i, step));
    if (!r) {
      outcome.error = r.error();
      outcome.events = handler.events;
      return outcome;
    }
  }
  if (auto r = parser.finish(); !r) outcome.error = r.error();
  outcome.events = handler.events;
  return outcome;
}

inline constexpr std::size_t kChunkSizes[] = {1, 2, 3, 7, 64, 0};

}  // namespace auth::message::testing
