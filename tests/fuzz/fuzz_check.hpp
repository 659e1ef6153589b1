// Shared by the fuzz targets: an invariant check that stops the run with a message (libFuzzer and
// the replay runner both report an abort as a crash, with the input that caused it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace auth::fuzz {

[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace auth::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? void(0) : ::auth::fuzz::invariant_failed(#condition, __FILE__, __LINE__))
