// Header and body canonicalization (RFC 6376 §3.4). The body canonicalizers stream: they hold
// back only what the next chunk may change (trailing line breaks, white space, a lone CR).
#include "dkim/body_hash.hpp"
#include "dkim/shared.hpp"

#include <array>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace auth::dkim {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// Bytes that end a run of plain content in relaxed body canonicalization.
constexpr std::array<bool, 256> relaxed_special = [] {
  std::array<bool, 256> table{};
  table[' '] = table['\t'] = table['\r'] = true;
  return table;
}();

}  // namespace

void canonicalize_header(Canonicalization canonicalization, std::string_view name,
                         std::string_view raw_value, std::string& out) {
  if (canonicalization == Canonicalization::Simple) {
    out.append(name).append(":").append(raw_value).append("\r\n");
    return;
  }
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  for (char c : name) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c);
  out.push_back(':');
  const std::size_t value_start = out.size();
  bool space = false;
  for (char c : raw_value) {
    if (c == '\r' || c == '\n') continue;  // unfold
    if (is_wsp(c)) {
      space = true;
      continue;
    }
    if (space && out.size() > value_start) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  out.append("\r\n");
}

BodyCanonicalizer::BodyCanonicalizer(Canonicalization canonicalization)
    : canonicalization_(canonicalization) {}

void BodyCanonicalizer::update(std::string_view chunk, std::string& out) {
  if (canonicalization_ == Canonicalization::Simple)
    update_simple(chunk, out);
  else
    update_relaxed(chunk, out);
}

void BodyCanonicalizer::flush_pending(std::string& out) {
  for (; pending_crlf_ > 0; --pending_crlf_) out.append("\r\n");
  has_content_ = true;
}

void BodyCanonicalizer::update_simple(std::string_view chunk, std::string& out) {
  if (chunk.empty()) return;
  if (pending_cr_) {
    pending_cr_ = false;
    if (chunk.front() == '\n') {
      ++pending_crlf_;
      chunk.remove_prefix(1);
    } else {
      flush_pending(out);
      out.push_back('\r');  // a bare CR is content
    }
  }
  // Split off the tail that may be trailing empty lines: a run of CRLFs, maybe a last lone CR.
  std::size_t end = chunk.size();
  bool tail_cr = false;
  // cppcheck-suppress knownConditionTrueFalse ; remove_prefix above may have emptied chunk
  if (end > 0 && chunk[end - 1] == '\r') {
    tail_cr = true;
    --end;
  }
  std::size_t tail_crlf = 0;
  while (end >= 2 && chunk[end - 2] == '\r' && chunk[end - 1] == '\n') {
    end -= 2;
    ++tail_crlf;
  }
  if (end > 0) {
    flush_pending(out);
    out.append(chunk.substr(0, end));
  }
  pending_crlf_ += tail_crlf;
  pending_cr_ = tail_cr;
}

void BodyCanonicalizer::update_relaxed(std::string_view chunk, std::string& out) {
  if (chunk.empty()) return;
  // Output never exceeds the input plus what is held back: write through a pointer.
  const std::size_t old_size = out.size();
  out.resize(old_size + chunk.size() + 2 * pending_crlf_ + 2);
  char* const start = out.data() + old_size;
  char* w = start;
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  std::size_t crlf = pending_crlf_;
  bool wsp = pending_wsp_;
  auto flush = [&] {
    for (; crlf > 0; --crlf) {
      *w++ = '\r';
      *w++ = '\n';
    }
    if (wsp) *w++ = ' ';
    wsp = false;
  };
  if (pending_cr_) {  // a CR ended the previous chunk
    pending_cr_ = false;
    if (*p == '\n') {
      ++p;
      ++crlf;
      wsp = false;
    } else {
      flush();
      *w++ = '\r';
    }
  }
  while (p < end) {
#ifdef __SSE2__
    // Fast path: relaxed canonicalization leaves a byte unchanged unless it is a tab, a space
    // followed by white space or CR, or a CR that is not the end of a non-empty line (CRLF not
    // followed by CR). Up to 16 unchanged bytes are copied at once.
    if (!wsp && end - p >= 18) {
      const auto load = [](const char* at) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
      };
      const __m128i block = load(p), next = load(p + 1), after_next = load(p + 2);
      const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r'),
                    lf = _mm_set1_epi8('\n');
      const __m128i next_white =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(next, space), _mm_cmpeq_epi8(next, tab)),
                       _mm_cmpeq_epi8(next, cr));
      const __m128i line_end =
          _mm_andnot_si128(_mm_cmpeq_epi8(after_next, cr), _mm_cmpeq_epi8(next, lf));
      const __m128i special =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, tab),
                                    _mm_andnot_si128(line_end, _mm_cmpeq_epi8(block, cr))),
                       _mm_and_si128(_mm_cmpeq_epi8(block, space), next_white));
      const int mask = _mm_movemask_epi8(special);
      // The bytes before the first special one are copied (the buffer has room for all 16: at
      // least 18 input bytes remain).
      const int plain = mask == 0 ? 16 : __builtin_ctz(static_cast<unsigned>(mask));
      if (plain > 0) {
        flush();  // line breaks held back before this content
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w), block);
        w += plain;
        p += plain;
        continue;
      }
    }
#endif
    const char c = *p++;
    if (!relaxed_special[static_cast<unsigned char>(c)]) {
      if (crlf != 0 || wsp) flush();
      *w++ = c;
    } else if (c != '\r') {
      wsp = true;
    } else if (p == end) {
      pending_cr_ = true;
    } else if (*p == '\n') {
      ++p;
      ++crlf;
      wsp = false;  // white space at the end of a line is dropped
    } else {
      flush();
      *w++ = '\r';  // a bare CR is content
    }
  }
  if (w != start) has_content_ = true;
  pending_crlf_ = crlf;
  pending_wsp_ = wsp;
  out.resize(old_size + static_cast<std::size_t>(w - start));
}

void BodyCanonicalizer::finish(std::string& out) {
  if (pending_cr_) {
    pending_cr_ = false;
    flush_pending(out);
    if (pending_wsp_ && canonicalization_ == Canonicalization::Relaxed) out.push_back(' ');
    out.push_back('\r');
  }
  pending_wsp_ = false;
  // Trailing empty lines collapse into the one CRLF that ends the last line; a body without a
  // final CRLF gets one. An empty body is CRLF under simple, empty under relaxed.
  if (has_content_ || canonicalization_ == Canonicalization::Simple) out.append("\r\n");
  pending_crlf_ = 0;
}

}  // namespace auth::dkim
