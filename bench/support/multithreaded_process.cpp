// The bench process becomes multi-threaded before any case runs, as mailauth-milter and
// `mailauth verify --jobs` always are. A process that never started a thread lets libstdc++ and
// glibc take single-threaded shortcuts (plain instead of atomic reference counts, unlocked malloc
// paths); once a thread has started they stay off for good. Without this, only the 1-thread
// cases that run before the first N-thread case would take the shortcuts, and every
// "N threads / 1 thread" ratio would compare two different programs.
// MAILAUTH_BENCH_SINGLE_THREADED=1 keeps the shortcuts, to see what they are worth.
#include <cstdlib>
#include <string_view>
#include <thread>

namespace {

const bool multithreaded = [] {
  const char* keep = std::getenv("MAILAUTH_BENCH_SINGLE_THREADED");
  if (keep != nullptr && std::string_view(keep) == "1") return false;
  std::thread([] {}).join();
  return true;
}();

}  // namespace
