#include "src/base/clock.h"

#include <chrono>

namespace eddy {

int64_t SystemClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::MonotonicNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Clock* SystemClock::Default() {
  static auto* clock = new SystemClock();
  return clock;
}

}  // namespace eddy
