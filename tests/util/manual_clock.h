#pragma once
// A Clock that moves only when a test says so.

#include <atomic>

#include "src/base/clock.h"

namespace eddy::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms), mono_ns_(1'000'000'000) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  int64_t MonotonicNs() const override { return mono_ns_.load(); }
  /// Moves wall and monotonic time forward together.
  void AdvanceMs(int64_t ms) {
    now_ms_ += ms;
    mono_ns_ += ms * 1'000'000;
  }

 private:
  std::atomic<int64_t> now_ms_;
  std::atomic<int64_t> mono_ns_;
};

}  // namespace eddy::testing
