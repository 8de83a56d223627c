#pragma once
// Channel: the bounded queue in front of a task. Senders block when it is full — that is
// the backpressure that travels back to the sources (and so to the log), never into
// memory. Many senders, one receiver. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "src/engine/batch.h"

namespace eddy::engine {

enum class MessageKind : uint8_t {
  kBatch,      // rows
  kWatermark,  // the sender's watermark advanced
  kIdle,       // the sender is idle (leave it out of watermark merges until it sends again)
  kEnd,        // the sender has no more input
  kBarrier,    // checkpoint barrier `checkpoint_id`: everything before it is in that checkpoint
};

struct Message {
  MessageKind kind = MessageKind::kBatch;
  int input = 0;    // which input of the receiving operator
  int sender = 0;   // the receiving task's index for the (edge, upstream instance) pair
  EventTimeMs watermark = kMinWatermark;
  int64_t checkpoint_id = 0;
  Batch batch;
};

class Channel {
 public:
  explicit Channel(size_t capacity) : capacity_(capacity) {}

  /// Blocks while the channel is full. Returns false once the channel is closed.
  bool Push(Message message) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || queue_.size() < capacity_; });
    if (closed_) return false;
    queue_.push_back(std::move(message));
    not_empty_.notify_one();
    return true;
  }

  /// Waits up to `timeout` for a message; nullopt on timeout or when closed and empty.
  std::optional<Message> Pop(std::chrono::microseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); })) {
      return std::nullopt;
    }
    if (queue_.empty()) return std::nullopt;
    Message m = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return m;
  }

  /// Wakes every waiter; later pushes fail and pops drain what is left.
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<Message> queue_;
  bool closed_ = false;
};

}  // namespace eddy::engine
