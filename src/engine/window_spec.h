#pragma once
// WindowSpec: how event time is cut into windows — tumbling, hopping (sliding) or session.
//
// Tumbling and hopping windows are aligned to the epoch: their starts are the multiples
// of the slide (start = t - t mod slide, with a floor modulo so that negative times work
// too), and a window covers [start, start + size). A row at t belongs to every window
// whose start lies in (t - size, t]: size / slide windows when the slide divides the
// size. Session windows are per key: a row at t opens [t, t + gap); sessions whose
// intervals overlap merge, and a session's window is [first row time, last row time + gap).
// A WindowSpec is a small value type; copy it freely.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/engine/data_type.h"

namespace eddy::engine {

enum class WindowKind : uint8_t { kTumbling, kHopping, kSession };

class WindowSpec {
 public:
  /// A tumbling window of size_ms (an invalid spec until one of the builders is used).
  WindowSpec() = default;

  static WindowSpec Tumbling(int64_t size_ms) {
    return WindowSpec(WindowKind::kTumbling, size_ms, size_ms);
  }
  /// Windows of size_ms that start every slide_ms (slide_ms <= size_ms).
  static WindowSpec Hopping(int64_t size_ms, int64_t slide_ms) {
    return WindowSpec(WindowKind::kHopping, size_ms, slide_ms);
  }
  /// Per-key sessions that close after gap_ms without a row.
  static WindowSpec Session(int64_t gap_ms) {
    return WindowSpec(WindowKind::kSession, gap_ms, gap_ms);
  }

  WindowKind kind() const { return kind_; }
  bool is_session() const { return kind_ == WindowKind::kSession; }
  /// Tumbling and hopping: the length of a window.
  int64_t size_ms() const { return size_ms_; }
  /// Tumbling and hopping: the distance between two window starts (the size for tumbling).
  int64_t slide_ms() const { return slide_ms_; }
  /// Session: the inactivity gap.
  int64_t gap_ms() const { return size_ms_; }

  /// Rejects non-positive sizes and a slide larger than the size (rows would fall
  /// between windows).
  Status Validate() const;

  /// Tumbling and hopping: the start of the latest window that contains `t`.
  int64_t LatestWindowStart(EventTimeMs t) const {
    int64_t rem = t % slide_ms_;
    if (rem < 0) rem += slide_ms_;
    return t - rem;
  }

  /// Tumbling and hopping: calls `fn(start, end)` for each window containing `t`, the
  /// latest first. `fn` returns false to stop early.
  template <typename Fn>
  void ForEachWindow(EventTimeMs t, Fn&& fn) const {
    for (int64_t start = LatestWindowStart(t); start > t - size_ms_; start -= slide_ms_) {
      if (!fn(start, start + size_ms_)) return;
    }
  }

  /// "tumbling(10000)", "hopping(10000, 2000)", "session(gap 10000)".
  std::string ToString() const;

 private:
  WindowSpec(WindowKind kind, int64_t size_ms, int64_t slide_ms)
      : kind_(kind), size_ms_(size_ms), slide_ms_(slide_ms) {}

  WindowKind kind_ = WindowKind::kTumbling;
  int64_t size_ms_ = 0;   // the gap for sessions
  int64_t slide_ms_ = 0;  // equal to size_ms_ unless hopping
};

/// The event-time timers of the window operators: when a key (an encoded key, or a
/// partition) next needs attention. Timers are bucketed by time — the windows of all keys
/// end together, so a push is a vector append, not a heap operation with key comparisons
/// — and pop in time order, in push order within a time (deterministic output). It may
/// hold stale entries: each operator keeps the time of a key's live timer in the key's
/// state and skips popped entries that do not match. Not thread-safe.
class KeyTimerQueue {
 public:
  void Push(EventTimeMs time, std::string_view key) {
    buckets_[time].keys.emplace_back(key);
    ++size_;
  }
  /// True when the earliest timer is at or before `watermark`.
  bool HasDue(EventTimeMs watermark) const {
    return !buckets_.empty() && buckets_.begin()->first <= watermark;
  }
  /// Removes the earliest timer; returns its time and moves its key into `*key`.
  EventTimeMs Pop(std::string* key) {
    auto it = buckets_.begin();
    Bucket& bucket = it->second;
    *key = std::move(bucket.keys[bucket.next++]);
    --size_;
    const EventTimeMs time = it->first;
    if (bucket.next == bucket.keys.size()) buckets_.erase(it);
    return time;
  }
  size_t size() const { return size_; }
  void Clear() {
    buckets_.clear();
    size_ = 0;
  }

 private:
  struct Bucket {
    std::vector<std::string> keys;
    size_t next = 0;  // keys[0, next) were popped
  };
  std::map<EventTimeMs, Bucket> buckets_;
  size_t size_ = 0;
};

/// a + b, saturated at the int64 range (window end + allowed lateness near kMaxWatermark).
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? kMaxWatermark : kMinWatermark;
  return sum;
}

}  // namespace eddy::engine
