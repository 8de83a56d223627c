#pragma once
// WatermarkTracker: a source instance's watermark from the event times it has seen.
//
// Per split (partition, file) it keeps the highest event time seen; the split's
// watermark is that minus the bounded out-of-orderness, minus 1 (an event at exactly
// max - out_of_orderness is still on time). The instance's watermark is the minimum over
// its splits, except that a split with no event for idle_timeout_ms of processing time is
// left out (so a quiet partition does not stall every window), and an ended split is
// left out. All splits ended → kMaxWatermark. The watermark never goes backwards, even
// when an idle split wakes up behind it (its early events are then late).
// Not thread-safe: one per source instance.

#include <cstdint>
#include <vector>

#include "src/engine/data_type.h"

namespace eddy::engine {

class WatermarkTracker {
 public:
  /// idle_timeout_ms <= 0 disables idleness.
  WatermarkTracker(int num_splits, int64_t max_out_of_orderness_ms, int64_t idle_timeout_ms);

  /// Split `split` produced events up to `max_event_time` at processing time `now_ms`.
  void Observe(int split, EventTimeMs max_event_time, int64_t now_ms);
  /// Split `split` has no more events (bounded input at its end offset).
  void MarkEnded(int split);
  /// Recomputes and returns the watermark as of processing time `now_ms`.
  EventTimeMs Advance(int64_t now_ms);
  /// The last value Advance returned.
  EventTimeMs current() const { return current_; }
  /// True when, at the last Advance, every split that has not ended was idle: the
  /// instance then asks the runtime to leave it out of downstream watermark merges.
  bool idle() const { return idle_; }

  int num_splits() const { return static_cast<int>(splits_.size()); }
  /// The latest event time split `split` produced (kMinWatermark if none): what a
  /// checkpoint keeps so that a restored source resumes with the same watermark.
  EventTimeMs max_event_time(int split) const { return splits_[split].max_event_time; }

 private:
  struct Split {
    EventTimeMs max_event_time = kMinWatermark;
    int64_t last_event_ms = 0;
    bool seen = false;
    bool ended = false;
  };
  std::vector<Split> splits_;
  int64_t max_out_of_orderness_ms_;
  int64_t idle_timeout_ms_;
  int64_t created_ms_ = -1;
  EventTimeMs current_ = kMinWatermark;
  bool idle_ = false;
};

}  // namespace eddy::engine
