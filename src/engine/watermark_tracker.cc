#include "src/engine/watermark_tracker.h"

#include <algorithm>

namespace eddy::engine {

WatermarkTracker::WatermarkTracker(int num_splits, int64_t max_out_of_orderness_ms,
                                   int64_t idle_timeout_ms)
    : splits_(static_cast<size_t>(std::max(num_splits, 0))),
      max_out_of_orderness_ms_(max_out_of_orderness_ms),
      idle_timeout_ms_(idle_timeout_ms) {}

void WatermarkTracker::Observe(int split, EventTimeMs max_event_time, int64_t now_ms) {
  Split& s = splits_[split];
  if (!s.seen || max_event_time > s.max_event_time) s.max_event_time = max_event_time;
  s.seen = true;
  s.last_event_ms = now_ms;
}

void WatermarkTracker::MarkEnded(int split) { splits_[split].ended = true; }

EventTimeMs WatermarkTracker::Advance(int64_t now_ms) {
  if (created_ms_ < 0) created_ms_ = now_ms;
  bool any_active = false;
  bool all_ended = true;
  EventTimeMs low = kMaxWatermark;
  for (const Split& s : splits_) {
    if (s.ended) continue;
    all_ended = false;
    // A split that never produced counts as idle once the timeout has passed since start.
    const int64_t quiet_since = s.seen ? s.last_event_ms : created_ms_;
    if (idle_timeout_ms_ > 0 && now_ms - quiet_since >= idle_timeout_ms_) continue;
    any_active = true;
    if (!s.seen) {
      low = kMinWatermark;
      continue;
    }
    low = std::min(low, s.max_event_time - max_out_of_orderness_ms_ - 1);
  }
  idle_ = !all_ended && !any_active;
  if (all_ended) {
    current_ = kMaxWatermark;
  } else if (any_active) {
    current_ = std::max(current_, low);
  }
  return current_;
}

}  // namespace eddy::engine
