// Message parsing throughput: MessageParser over a realistic 20-header message (whole, and in
// the 64-byte and 4 KiB chunks an MTA may hand over), address-list parsing of a From value, and
// LF -> CRLF body normalization.
#include <benchmark/benchmark.h>

#include <auth/message.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string read_testdata(const char* relative) {
  std::ifstream in(std::string(MAILAUTH_TESTDATA) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Touches what a real consumer would, so nothing is optimized away.
class CountingHandler : public auth::message::MessageHandler {
 public:
  std::size_t bytes = 0;
  void header(const auth::message::HeaderField& field) override {
    bytes += field.name.size() + field.raw_value.size();
  }
  void end_of_headers() override {}
  void body(std::string_view chunk) override { bytes += chunk.size(); }
  void end_of_message() override {}
};

void BM_MessageParserHeaders(benchmark::State& state) {
  const std::string message = read_testdata("messages/realistic_20_headers.eml");
  if (message.empty()) {
    state.SkipWithError("testdata/messages/realistic_20_headers.eml not found");
    return;
  }
  const auto chunk = static_cast<std::size_t>(state.range(0));
  const std::size_t step = chunk == 0 ? message.size() : chunk;
  for (auto _ : state) {
    CountingHandler handler;
    auth::message::MessageParser parser(handler);
    for (std::size_t i = 0; i < message.size(); i += step) {
      if (!parser.feed(std::string_view(message).substr(i, step))) state.SkipWithError("feed");
    }
    if (!parser.finish()) state.SkipWithError("finish");
    benchmark::DoNotOptimize(handler.bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(message.size()));
  state.SetLabel(std::to_string(message.size()) + "-byte message, chunk " +
                 (chunk == 0 ? std::string("whole") : std::to_string(chunk)));
}
BENCHMARK(BM_MessageParserHeaders)->Arg(0)->Arg(64)->Arg(4096);

void BM_ParseAddressList(benchmark::State& state) {
  const std::string value =
      " \"Example Lists Weekly\" <news@lists.example.org>, Bob Receiver (work)\r\n"
      " <bob@example.net>, Team: carol@example.com, Dave <dave@example.com>;";
  for (auto _ : state) {
    auto list = auth::message::parse_address_list(value);
    benchmark::DoNotOptimize(list);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(value.size()));
}
BENCHMARK(BM_ParseAddressList);

void BM_LineEndingNormalizer(benchmark::State& state) {
  std::string body;
  while (body.size() < (1u << 20))
    body += "A body line of a typical length, ending in a bare LF.\n";
  std::string out;
  for (auto _ : state) {
    auth::message::LineEndingNormalizer normalizer;
    out.clear();
    normalizer.feed(body, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_LineEndingNormalizer);

}  // namespace
