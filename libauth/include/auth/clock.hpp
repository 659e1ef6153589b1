// auth::Clock: the injected time source (DKIM t=/x=, cache TTLs, report windows).
#pragma once

#include <chrono>
#include <cstdint>

namespace auth {

using TimePoint = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A clock that says what it is told: for tests and `--now`.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint at) : now_(at) {}
  static FixedClock at_unix(std::int64_t seconds) { return FixedClock(TimePoint(std::chrono::seconds(seconds))); }
  TimePoint now() const override { return now_; }
  void set(TimePoint at) { now_ = at; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  TimePoint now_;
};

inline std::int64_t to_unix(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace auth
