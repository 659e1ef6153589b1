// Global operator new/delete that count heap use on the tracking thread only (see
// heap_tracker.hpp). Outside a HeapTracker the cost is one thread-local test per call.
#include "heap_tracker.hpp"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace {

struct Counters {
  bool active = false;
  std::int64_t live = 0;
  std::int64_t peak = 0;
  std::int64_t allocated = 0;
};
thread_local Counters counters;

void* allocate(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  if (counters.active) {
    const auto usable = static_cast<std::int64_t>(malloc_usable_size(p));
    counters.allocated += usable;
    counters.live += usable;
    if (counters.live > counters.peak) counters.peak = counters.live;
  }
  return p;
}

void release(void* p) noexcept {
  if (p == nullptr) return;
  if (counters.active) counters.live -= static_cast<std::int64_t>(malloc_usable_size(p));
  std::free(p);
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
// The nothrow forms too (std::stable_partition's temporary buffer uses them): every form that
// pairs with the replaced deletes must allocate with malloc, or a sanitizer sees a mismatch.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }

namespace auth::test_support {

HeapTracker::HeapTracker() { counters = Counters{true, 0, 0, 0}; }
HeapTracker::~HeapTracker() { counters.active = false; }
std::int64_t HeapTracker::allocated_bytes() const { return counters.allocated; }
std::int64_t HeapTracker::peak_bytes() const { return counters.peak; }

}  // namespace auth::test_support
