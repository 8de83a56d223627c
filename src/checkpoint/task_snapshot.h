#pragma once
// TaskSnapshot: what one parallel task instance records in a checkpoint besides its
// state backend's snapshot: where its source stood in each split, what its sink
// prepared to commit, and its watermark. Stored as a "<task>-<instance>.meta" file:
//   "EDDYTASK" | u32 version | body | u32 CRC-32C of everything before it

#include <cstdint>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"

namespace eddy::checkpoint {

/// One split's (partition's, file's) read position, as the source encodes it.
struct SplitPosition {
  std::string split;  // e.g. "bids/3"
  std::string state;  // opaque to the runtime
  bool operator==(const SplitPosition&) const = default;
};

struct TaskSnapshot {
  int64_t checkpoint_id = 0;
  int task_index = 0;
  int instance = 0;
  int parallelism = 1;
  std::string task;  // chain name
  /// The task's watermark when the barrier passed it.
  int64_t watermark = INT64_MIN;
  /// The task's source positions (empty for tasks without a source).
  std::vector<SplitPosition> positions;
  /// Its sink's PrepareCommit result (empty when it has no sink or nothing pending).
  std::string prepared_commit;
  bool has_sink = false;
  // Figures for the report (not needed to restore).
  uint64_t state_bytes = 0;
  int64_t alignment_ms = 0;
  int64_t snapshot_ms = 0;

  std::vector<uint8_t> Serialize() const;
  /// Corruption naming `path` if the bytes are damaged.
  static Result<TaskSnapshot> Parse(ByteSpan bytes, const std::string& path);
};

}  // namespace eddy::checkpoint
