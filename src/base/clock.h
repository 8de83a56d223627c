#pragma once
// Time behind an interface so that tests can drive it by hand (tests/util/manual_clock.h).

#include <cstdint>

namespace eddy {

/// Thread-safe source of time.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Wall-clock time in milliseconds since the Unix epoch (record timestamps, retention).
  virtual int64_t NowMs() const = 0;
  /// Monotonic time in nanoseconds (durations, timeouts); unrelated to the epoch.
  virtual int64_t MonotonicNs() const = 0;
  int64_t MonotonicMs() const { return MonotonicNs() / 1'000'000; }
};

/// The real clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t MonotonicNs() const override;
  /// A process-wide instance; never destroyed.
  static Clock* Default();
};

}  // namespace eddy
