// Fuzzes message::MessageParser (whole, split in two at a point chosen by the input, and byte by
// byte: the events must not depend on the split), and the address parsers on the same bytes
// and on every header value the parser produced.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <auth/message.hpp>

#include "fuzz_check.hpp"

namespace {

using auth::message::HeaderField;

// Records the events as one string; body chunks are joined, since their split may differ.
class Recorder final : public auth::message::MessageHandler {
 public:
  void header(const HeaderField& field) override {
    flush_body();
    log_ += "H[" + field.name + "][" + field.raw_value + "]\n";
    if (values_ < 16) {
      ++values_;
      (void)auth::message::parse_address_list(field.raw_value);
      (void)field.unfolded();
    }
  }
  void end_of_headers() override { log_ += "EOH\n"; }
  void body(std::string_view chunk) override { body_ += chunk; }
  void end_of_message() override {
    flush_body();
    log_ += "EOM\n";
  }
  const std::string& log() {
    flush_body();
    return log_;
  }

 private:
  void flush_body() {
    if (body_.empty()) return;
    log_ += "B[" + body_ + "]\n";
    body_.clear();
  }
  std::string log_;
  std::string body_;
  int values_ = 0;
};

// Feeds `text` in pieces that end at the given offsets, then finishes; returns the event log
// followed by the outcome (the first error stops the feeding, as an MTA would).
template <class Splits>
std::string run(std::string_view text, const Splits& splits) {
  Recorder recorder;
  auth::message::MessageParser parser(recorder);
  std::string outcome = "ok";
  std::size_t begin = 0;
  for (std::size_t end : splits) {
    auto fed = parser.feed(text.substr(begin, end - begin));
    begin = end;
    if (!fed) {
      outcome =
          "error " + std::string(auth::to_string(fed.error().code)) + ": " + fed.error().message;
      break;
    }
  }
  if (outcome == "ok") {
    if (auto finished = parser.finish(); !finished) {
      outcome = "error " + std::string(auth::to_string(finished.error().code)) + ": " +
                finished.error().message;
    }
  }
  return recorder.log() + outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = auth::fuzz::as_text(data, size);

  const std::size_t whole[] = {size};
  const std::string expected = run(text, whole);

  const std::size_t middle = size == 0 ? 0 : data[0] % size;
  const std::size_t halves[] = {middle, size};
  FUZZ_CHECK(run(text, halves) == expected);

  if (size <= 4096) {  // byte by byte is quadratic in the worst case: keep it for small inputs
    std::vector<std::size_t> ones(size);
    for (std::size_t i = 0; i < size; ++i) ones[i] = i + 1;
    FUZZ_CHECK(run(text, ones) == expected);
  }

  (void)auth::message::parse_address_list(text);
  (void)auth::message::parse_envelope_address(text);
  (void)auth::message::domain_of(text);
  (void)auth::message::normalize_folding(text);
  (void)auth::message::unfold_and_trim(text);
  return 0;
}
