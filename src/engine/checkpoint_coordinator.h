#pragma once
// CheckpointCoordinator: decides when a job takes a checkpoint, collects the tasks'
// acknowledgements and completes the checkpoint by writing its manifest.
//
// Protocol (aligned barriers, as in Flink):
//   1. Every interval the coordinator opens checkpoint N (its directory) and raises the
//      barrier request to N. Source tasks see it between two polls, snapshot (source
//      positions, operator state, sink PrepareCommit), acknowledge, and send barrier N
//      down every output channel.
//   2. A task with several senders stops taking input from a sender once that sender's
//      barrier N arrived (its later messages wait) until barrier N has come from every
//      sender that has not ended: then its state reflects exactly the input before N.
//      It snapshots, acknowledges and forwards the barrier.
//   3. When every task has acknowledged, the coordinator writes the manifest durably
//      (the checkpoint is complete), raises `completed()` to N — sinks then commit what
//      they prepared — and prunes old checkpoints.
// Only one checkpoint is in flight; one that does not complete within the timeout, or
// that a task declines, is aborted (logged; the next one covers its data).
//
// Thread-safety: every method may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/status.h"
#include "src/checkpoint/checkpoint_store.h"

namespace eddy::engine {

/// The figures of one completed checkpoint.
struct CheckpointStats {
  int64_t id = 0;
  checkpoint::CheckpointKind kind = checkpoint::CheckpointKind::kCheckpoint;
  std::string path;
  int64_t duration_ms = 0;       // trigger to manifest written
  int64_t max_alignment_ms = 0;  // the longest a task waited for its barriers
  uint64_t state_bytes = 0;      // backend snapshots (shared files counted)
  uint64_t meta_bytes = 0;       // task metas (source positions, prepared sink output)
};

struct CoordinatorOptions {
  int64_t interval_ms = 1000;
  int64_t timeout_ms = 60'000;
  std::string pipeline;
  std::string backend;  // for the manifest
  const Clock* clock = SystemClock::Default();
};

class CheckpointCoordinator {
 public:
  /// `store` outlives the coordinator. `num_tasks`: acknowledgements a checkpoint needs.
  /// `first_id`: the id of the first checkpoint (one past any already on disk).
  CheckpointCoordinator(CoordinatorOptions options, checkpoint::CheckpointStore* store,
                        int num_tasks, int64_t first_id);
  ~CheckpointCoordinator();

  /// Starts the periodic trigger thread (interval_ms > 0), or none (savepoints only).
  void Start();
  /// Stops triggering and aborts what is in flight.
  void Stop();

  // ---- For tasks.
  /// The newest barrier the sources should inject (0: none yet).
  int64_t barrier_request() const { return barrier_request_.load(std::memory_order_acquire); }
  /// The newest completed checkpoint (sinks commit up to it).
  int64_t completed() const { return completed_.load(std::memory_order_acquire); }
  /// The directory checkpoint `id` is written to (empty if it is no longer in flight).
  std::string PathOf(int64_t id) const;
  /// A task wrote its snapshot for `id`.
  void Acknowledge(int64_t id, const checkpoint::Manifest::Task& entry, int64_t alignment_ms);
  /// A task could not snapshot `id`: the checkpoint is aborted.
  void Decline(int64_t id, const Status& reason);
  /// A task ended (end of input): no checkpoint can complete any more.
  void TaskEnded();

  // ---- For users.
  /// Takes a savepoint into `dir` (which must not exist) and waits for it.
  Result<CheckpointStats> TriggerSavepoint(const std::string& dir);
  /// The last completed checkpoint, if any.
  std::optional<CheckpointStats> last_completed() const;
  uint64_t completed_count() const { return completed_count_.load(); }
  uint64_t aborted_count() const { return aborted_count_.load(); }

 private:
  struct InFlight {
    int64_t id = 0;
    checkpoint::CheckpointKind kind = checkpoint::CheckpointKind::kCheckpoint;
    std::string path;
    int64_t started_ms = 0;
    int64_t max_alignment_ms = 0;
    checkpoint::Manifest manifest;
    std::promise<Result<CheckpointStats>> done;  // savepoints wait on it
  };

  void Loop();
  // Opens a checkpoint (or savepoint into `savepoint_dir`) and raises the barrier.
  // Requires mutex_ held.
  Result<std::shared_future<Result<CheckpointStats>>> TriggerLocked(
      checkpoint::CheckpointKind kind, const std::string& savepoint_dir);
  void AbortLocked(const Status& reason);
  void CompleteLocked();

  const CoordinatorOptions options_;
  checkpoint::CheckpointStore* store_;
  const int num_tasks_;
  int64_t next_id_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unique_ptr<InFlight> in_flight_;            // GUARDED_BY(mutex_)
  std::optional<CheckpointStats> last_completed_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                          // GUARDED_BY(mutex_)
  bool ended_ = false;                             // GUARDED_BY(mutex_)
  std::thread thread_;

  std::atomic<int64_t> barrier_request_{0};
  std::atomic<int64_t> completed_{0};
  std::atomic<uint64_t> completed_count_{0};
  std::atomic<uint64_t> aborted_count_{0};
};

}  // namespace eddy::engine
