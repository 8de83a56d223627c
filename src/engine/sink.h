#pragma once
// Sink: where a pipeline's results go (a log topic, a file).
//
// The runtime creates one Sink per parallel instance and calls each from one thread; a
// sink whose instances share a resource (one file) synchronises inside. Rows may carry
// change kinds (batch.h): a sink either applies the changelog (bounded file output
// writes the final table) or encodes it (an "op" field per row).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/base/status.h"
#include "src/engine/batch.h"

namespace eddy::engine {

struct SinkContext {
  int instance = 0;
  int parallelism = 1;
  bool bounded = false;
  /// The job takes checkpoints and wants exactly-once output: hold what is written
  /// until the checkpoint that covers it completes (PrepareCommit / Commit below).
  /// False: write through (at-least-once after a recovery).
  bool exactly_once = false;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Open(const SinkContext& context) = 0;
  virtual Status Write(const Batch& batch) = 0;
  /// The input ended (bounded run, drain) or the pipeline stops: write what is held,
  /// flush. An exactly-once sink also commits what it holds at the end of the input.
  virtual Status Finish() = 0;
  /// Rows written so far (after applying a changelog, the rows of the final table).
  virtual uint64_t rows_written() const = 0;

  // ---- Two-phase commit tied to checkpoints (when SinkContext::exactly_once).

  /// The checkpoint barrier `checkpoint_id` reached the sink: what was written since the
  /// previous barrier belongs to this checkpoint. Returns what recovery needs to commit
  /// it (stored in the checkpoint); it must not become visible yet.
  virtual Result<std::string> PrepareCommit(int64_t checkpoint_id) {
    (void)checkpoint_id;
    return std::string();
  }
  /// Checkpoint `checkpoint_id` is complete: make what was prepared for it (and for any
  /// earlier one not yet committed) visible. Idempotent.
  virtual Status Commit(int64_t checkpoint_id) {
    (void)checkpoint_id;
    return Status::OK();
  }
  /// Recovery, after Open and before any Write: `prepared` are PrepareCommit results
  /// stored in the restored checkpoint that this instance takes over (instances of the
  /// old parallelism map onto the new one). Commit those not committed yet, and drop
  /// anything written after that checkpoint.
  virtual Status Recover(int64_t checkpoint_id, const std::vector<std::string>& prepared) {
    (void)checkpoint_id;
    (void)prepared;
    return Status::OK();
  }
  /// The job is cancelled (not ended): an exactly-once sink drops what is not committed
  /// (a restart recovers it from the checkpoint) instead of Finish making it visible.
  virtual void Abandon() {}
};

/// Makes the sink of one parallel instance.
using SinkFactory = std::function<Result<std::unique_ptr<Sink>>()>;

}  // namespace eddy::engine
