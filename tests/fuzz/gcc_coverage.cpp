// GCC builds only (MAILAUTH_FUZZ=ON): libFuzzer 14 no longer handles GCC's
// -fsanitize-coverage=trace-pc hook (its __sanitizer_cov_trace_pc only prints that it is not
// supported), so this one replaces it (the link allows the duplicate; the first definition,
// this one, wins): each call site's return address is hashed into libFuzzer's "extra counters"
// section, which libFuzzer reads as coverage features. trace-cmp hooks are the same in GCC and
// libFuzzer and need nothing here.
#include <cstddef>
#include <cstdint>

namespace {

constexpr std::size_t counter_count = std::size_t{1} << 16;

}  // namespace

// libFuzzer finds this array through the section's __start_/__stop_ symbols.
extern "C" {
__attribute__((section("__libfuzzer_extra_counters"), used))
std::uint8_t mailauth_fuzz_counters[counter_count];
}

extern "C" __attribute__((no_sanitize_coverage, no_sanitize("address", "undefined"))) void
__sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  // Fibonacci hashing spreads the nearby call-site addresses over the table.
  const auto slot = static_cast<std::size_t>((pc * 0x9E3779B97F4A7C15ULL) >> 48);
  auto& counter = mailauth_fuzz_counters[slot % counter_count];
  if (counter != 0xff) ++counter;
}
