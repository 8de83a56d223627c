#pragma once
// Job: a running dataflow. It fuses forward-connected nodes of equal parallelism into
// chains (no queue between them: a filter after a source costs a function call), runs
// one task per chain and parallel instance on its own thread, connects tasks by bounded
// channels (channel.h) and moves watermarks, idleness and end-of-input between them.
//
// Thread-safety: Start, Stop, Wait and progress() may be called from any thread.
// Lifetime: the destructor stops the job and joins its threads.

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "src/base/clock.h"
#include "src/base/status.h"
#include "src/checkpoint/checkpoint_store.h"
#include "src/engine/checkpoint_coordinator.h"
#include "src/engine/dataflow.h"
#include "src/state/state_backend.h"

namespace eddy::engine {

/// Checkpoints and recovery (docs/checkpoints.md).
struct CheckpointConfig {
  /// The pipeline's checkpoint directory. Empty: no checkpoints (and no savepoints).
  std::string dir;
  /// How often an unbounded job takes a checkpoint; 0: only savepoints (and sinks write
  /// at once: at-least-once).
  int64_t interval_ms = 1000;
  /// Complete checkpoints kept on disk.
  int keep = 3;
  /// Give up on a checkpoint not complete after this long.
  int64_t timeout_ms = 60'000;
  state::BackendKind backend = state::BackendKind::kMemory;
  /// Where the RocksDB backend keeps its live state (one directory per task instance).
  std::string work_dir;
  /// Sinks hold output until the checkpoint covering it completes; false: at-least-once
  /// output, visible at once.
  bool exactly_once = true;
  /// For manifests and log lines.
  std::string pipeline;
  /// Start from this checkpoint or savepoint (loaded and checked), also with another
  /// parallelism: state moves by key group, source splits by name.
  std::shared_ptr<const checkpoint::LoadedCheckpoint> restore;
};

struct JobOptions {
  /// Bounded: sources read to the end they see at start; the job ends when they have.
  bool bounded = false;
  /// Rows a source produces per poll at most (the batch size under load).
  size_t max_batch_rows = 4096;
  /// Messages (batches, watermarks) a task's input channel holds before senders block.
  size_t channel_capacity = 16;
  /// How often OnProcessingTime runs.
  int processing_time_interval_ms = 10;
  /// How long a source poll waits when nothing is ready.
  int source_poll_wait_ms = 10;
  const Clock* clock = SystemClock::Default();
  CheckpointConfig checkpoint;
};

/// A consistent-enough snapshot of a job's counters (each counter is read atomically).
struct JobProgress {
  uint64_t events_in = 0;     // rows the sources produced
  uint64_t results_out = 0;   // rows delivered to the sinks
  uint64_t late_events = 0;   // rows sent to late-data side outputs
  uint64_t dead_letters = 0;  // input records that did not fit the schema
  /// The lowest watermark among the sink tasks (kMinWatermark before the first).
  EventTimeMs sink_watermark = kMinWatermark;
  bool finished = false;
  uint64_t checkpoints = 0;  // completed
  std::optional<CheckpointStats> last_checkpoint;
};

class Job {
 public:
  static Result<std::unique_ptr<Job>> Start(Dataflow dataflow, JobOptions options);
  ~Job();

  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  /// Cancels the job: tasks stop where they are (windows are not fired), sinks flush.
  void Stop();
  /// Ends the input where the sources are now, as if it were bounded there: every window
  /// fires and the job then ends by itself (Flink's stop --drain). Wait afterwards.
  void Drain() { draining_.store(true); }
  /// Waits until every task has ended (bounded input exhausted, Stop, or an error) and
  /// returns the first error, if any.
  Status Wait();
  bool finished() const { return live_tasks_.load() == 0; }
  JobProgress progress() const;
  /// The sinks' own count of rows written (e.g. the final table of a materialized
  /// changelog); valid after Wait.
  uint64_t sink_rows_written() const;
  /// Takes a savepoint of the running job into `dir` (a new directory) and waits for it.
  Result<CheckpointStats> TriggerSavepoint(const std::string& dir);

  class Task;
  struct Counters {
    std::atomic<uint64_t> events_in{0};
    std::atomic<uint64_t> results_out{0};
    std::atomic<uint64_t> late_events{0};
    std::atomic<uint64_t> dead_letters{0};
  };

 private:
  friend class Task;
  Job(Dataflow dataflow, JobOptions options);
  Status Build();
  Status Restore(const checkpoint::LoadedCheckpoint& from);
  void Fail(Status status);
  bool checkpointing() const { return coordinator_ != nullptr; }

  Dataflow dataflow_;
  JobOptions options_;
  std::vector<std::unique_ptr<Task>> tasks_;
  std::unique_ptr<checkpoint::CheckpointStore> store_;
  std::unique_ptr<CheckpointCoordinator> coordinator_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::atomic<int> live_tasks_{0};
  Counters counters_;
  mutable std::mutex mutex_;
  Status first_error_;   // GUARDED_BY(mutex_)
  bool joined_ = false;  // GUARDED_BY(mutex_)
};

}  // namespace eddy::engine
