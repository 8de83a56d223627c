#pragma once
// CheckpointStore: the checkpoints (and savepoints) of one pipeline on disk.
//
// Layout of a checkpoint directory (docs/checkpoints.md):
//   DIR/chk-<id>/<task>-<instance>.meta   what a task instance recorded (task_snapshot.h)
//   DIR/chk-<id>/<task>-<instance>.state/ its state backend's snapshot (src/state)
//   DIR/chk-<id>/MANIFEST                 written last, atomically and durably: the
//                                         checkpoint is complete iff this file exists
//                                         and its CRC and every meta file's CRC match
// A savepoint has the same layout in a directory the user names.
//
// Thread-safety: none; the checkpoint coordinator owns the store.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/checkpoint/task_snapshot.h"

namespace eddy::checkpoint {

enum class CheckpointKind { kCheckpoint, kSavepoint };

/// The MANIFEST of a complete checkpoint.
struct Manifest {
  int64_t id = 0;
  CheckpointKind kind = CheckpointKind::kCheckpoint;
  std::string pipeline;
  std::string backend;  // "memory" or "rocksdb"
  int64_t created_ms = 0;
  struct Task {
    int task_index = 0;
    int instance = 0;
    int parallelism = 1;
    std::string name;  // the task's chain name, e.g. "bids -> window"
    uint64_t meta_bytes = 0;
    uint32_t meta_crc = 0;
    uint64_t state_bytes = 0;
  };
  std::vector<Task> tasks;

  std::string Serialize() const;
  /// Corruption naming `path` if the text is damaged.
  static Result<Manifest> Parse(std::string_view text, const std::string& path);
};

/// A checkpoint read back and checked: its manifest and every task's meta.
struct LoadedCheckpoint {
  std::string path;
  Manifest manifest;
  std::vector<TaskSnapshot> tasks;  // in manifest order

  /// Where the state backend snapshot of task i of the manifest lives.
  std::string StateDir(size_t i) const;
};

/// File names inside a checkpoint directory.
std::string MetaFileName(int task_index, int instance);
std::string StateDirName(int task_index, int instance);
inline constexpr char kManifestFile[] = "MANIFEST";

/// Reads and checks the checkpoint at `path` (manifest CRC, meta sizes and CRCs).
Result<LoadedCheckpoint> LoadCheckpoint(FileSystem* fs, const std::string& path);

class CheckpointStore {
 public:
  /// `keep`: how many complete checkpoints Prune leaves (at least 1).
  CheckpointStore(FileSystem* fs, std::string dir, int keep);

  const std::string& dir() const { return dir_; }
  std::string PathOf(int64_t id) const;

  /// Creates (empty) the directory of checkpoint `id`.
  Status Begin(int64_t id);
  /// Writes a task's meta file durably into checkpoint directory `path`; fills the
  /// manifest entry's size and CRC.
  Status WriteTaskMeta(const std::string& path, const TaskSnapshot& snapshot,
                       Manifest::Task& entry);
  /// Writes the MANIFEST durably (temp file, fsync, rename, fsync dir): from here on
  /// the checkpoint counts as complete.
  Status Complete(const std::string& path, const Manifest& manifest);
  /// Removes complete checkpoints beyond the newest `keep`, and incomplete ones older
  /// than the newest complete one.
  Status Prune();
  /// Removes the directory of an aborted checkpoint.
  Status Discard(int64_t id);

  /// Ids of the checkpoint directories present (complete or not), newest first.
  Result<std::vector<int64_t>> ListIds() const;
  /// The id the next checkpoint should get: one past every id present.
  Result<int64_t> NextId() const;

  /// The newest checkpoint that loads and checks; damaged or half-written ones are
  /// skipped with a log line naming what is wrong. nullopt when there is none.
  /// `skip_newer_than`: consider only ids below it (to fall back past one whose state
  /// then fails to restore).
  Result<std::optional<LoadedCheckpoint>> LoadLatest(int64_t below_id = INT64_MAX) const;

 private:
  FileSystem* fs_;
  std::string dir_;
  int keep_;
};

}  // namespace eddy::checkpoint
