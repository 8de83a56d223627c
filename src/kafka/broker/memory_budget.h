#pragma once
// A bound on the bytes of requests the broker holds at once (Kafka's
// queued.max.request.bytes): a connection reserves a request's declared size before
// reading it, and stops reading while the budget is spent. So memory stays bounded
// whatever clients send, and a slow disk pushes back on producers instead of
// growing the heap.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace eddy::kafka {

/// Thread-safe.
class MemoryBudget {
 public:
  explicit MemoryBudget(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  /// Reserves "bytes" and calls "granted" once they are reserved: inline if they fit
  /// now, else later from the thread of the Release that makes room, in FIFO order.
  /// A reservation larger than the capacity is granted when nothing else is held.
  void Acquire(size_t bytes, std::function<void()> granted);
  void Release(size_t bytes);

  size_t in_use() const;
  size_t capacity() const { return capacity_; }

 private:
  struct Waiter {
    size_t bytes;
    std::function<void()> granted;
  };
  bool FitsLocked(size_t bytes) const;

  const size_t capacity_;
  mutable std::mutex mutex_;
  size_t in_use_ = 0;           // guarded by mutex_
  std::deque<Waiter> waiters_;  // guarded by mutex_
};

}  // namespace eddy::kafka
