// Heap use of one piece of code, for tests and bench counters: heap_tracker.cpp replaces the
// global operator new and delete of the program it is linked into and, while a HeapTracker of
// the current thread is alive, counts the bytes allocated and the peak of bytes live above the
// start (malloc's usable sizes). Allocations of other threads, and outside a tracker, are not
// counted.
#pragma once

#include <cstdint>

namespace auth::test_support {

class HeapTracker {
 public:
  HeapTracker();
  ~HeapTracker();
  HeapTracker(const HeapTracker&) = delete;
  HeapTracker& operator=(const HeapTracker&) = delete;
  std::int64_t allocated_bytes() const;  // every allocation since construction
  std::int64_t peak_bytes() const;       // highest live bytes above the start
};

}  // namespace auth::test_support
