#pragma once
// The log's flush thread: group commit under FsyncPolicy::kAlways, the periodic sync
// under kInterval, and the sync of rolled segments under every policy.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "src/log/log.h"

namespace eddy::log {

/// Something with data to make durable (a partition).
class FlushTarget {
 public:
  virtual ~FlushTarget() = default;
  /// Syncs what was written so far and reports it durable to whoever waits. Runs on
  /// the flush thread, one target at a time.
  virtual void Flush() = 0;
};

/// One thread that flushes scheduled targets. Under kAlways (and for urgent work) it
/// wakes as soon as a target is scheduled and flushes every target scheduled meanwhile
/// in one round, so one fdatasync per partition covers every producer that waited
/// during the previous round. Under kInterval it also wakes every interval_ms.
/// Thread-safe. Lifetime: Stop (or the destructor) flushes what is scheduled, then
/// joins the thread; the targets stay alive while scheduled (shared_ptr).
class Flusher {
 public:
  explicit Flusher(Durability durability);
  ~Flusher();
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  /// Queues "target"; "urgent" wakes the thread now, otherwise it waits for the next
  /// interval tick (kInterval) or the next urgent wake.
  void Schedule(std::shared_ptr<FlushTarget> target, bool urgent);

  /// Flushes what is queued and ends the thread. Later Schedule calls are ignored.
  void Stop();

 private:
  void Run();

  const Durability durability_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<FlushTarget>> queued_;  // guarded by mu_
  bool urgent_ = false;                               // guarded by mu_
  bool stopping_ = false;                             // guarded by mu_
  std::thread thread_;
};

}  // namespace eddy::log
