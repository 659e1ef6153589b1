// Line ending normalization: bare LF becomes CRLF, for body streams and libmilter header values.
#include <auth/message.hpp>

#include <cstring>

namespace auth::message {

void LineEndingNormalizer::feed(std::string_view chunk, std::string& out) {
  if (chunk.empty()) return;
  // Written in place into room for the worst case (every byte a bare LF), found with memchr:
  // this runs over every body byte of every message read from a file with LF line endings.
  const std::size_t old_size = out.size();
  out.resize_and_overwrite(old_size + 2 * chunk.size(), [&](char* data, std::size_t) {
    char* to = data + old_size;
    const char* from = chunk.data();
    const char* const end = from + chunk.size();
    bool after_cr = last_was_cr_;  // the CR may have ended the previous chunk
    while (from < end) {
      const auto* lf =
          static_cast<const char*>(std::memchr(from, '\n', static_cast<std::size_t>(end - from)));
      const char* const stop = lf != nullptr ? lf : end;
      const auto run = static_cast<std::size_t>(stop - from);
      std::memcpy(to, from, run);
      to += run;
      if (lf == nullptr) break;
      if (run > 0) after_cr = lf[-1] == '\r';
      if (!after_cr) *to++ = '\r';
      *to++ = '\n';
      after_cr = false;
      from = lf + 1;
    }
    return static_cast<std::size_t>(to - data);
  });
  last_was_cr_ = chunk.back() == '\r';
}

std::string normalize_folding(std::string_view raw_value) {
  std::string out;
  LineEndingNormalizer normalizer;
  normalizer.feed(raw_value, out);
  return out;
}

}  // namespace auth::message
