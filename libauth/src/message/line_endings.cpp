// Line ending normalization: bare LF becomes CRLF, for body streams and libmilter header values.
#include <auth/message.hpp>

namespace auth::message {

void LineEndingNormalizer::feed(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size());
  std::size_t start = 0;  // first byte not yet copied
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    if (chunk[i] != '\n') continue;
    // The CR may have ended the previous chunk; it has been written already.
    const bool after_cr = i > 0 ? chunk[i - 1] == '\r' : last_was_cr_;
    if (after_cr) continue;
    out.append(chunk.substr(start, i - start));
    out.append("\r\n");
    start = i + 1;
  }
  out.append(chunk.substr(start));
  if (!chunk.empty()) last_was_cr_ = chunk.back() == '\r';
}

std::string normalize_folding(std::string_view raw_value) {
  std::string out;
  LineEndingNormalizer normalizer;
  normalizer.feed(raw_value, out);
  return out;
}

}  // namespace auth::message
