#pragma once
// PartFileSink: an exactly-once JSON-lines sink for unbounded pipelines with
// checkpoints. It writes a directory of part files; each instance writes its own:
//   DIR/part-<instance>-<n>.jsonl.inprogress   being written, or waiting for its checkpoint
//   DIR/part-<instance>-<n>.jsonl              committed: complete, never changed again
// At a checkpoint barrier the instance syncs and closes its in-progress file (it belongs
// to that checkpoint) and starts the next; when the checkpoint completes the file is
// renamed to its final name (an atomic rename, then the directory is synced). Readers
// take the files without the .inprogress suffix. After a crash, Recover renames the
// files of the checkpoint recovered from that were not renamed yet and deletes the
// in-progress files written after it (their rows come again from the replay).
// The end of the input (bounded or drained run) commits what is held. Without
// exactly-once (SinkContext), parts are written under their final names at once.
//
// Changelogs are written with an "op" per line when encode_changes, else inserts only.
// Thread safety: one instance per thread, instances touch only their own files (and
// instance 0 those of instances beyond the current parallelism, at Recover).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "src/base/file_system.h"
#include "src/connectors/json_encoder.h"
#include "src/engine/sink.h"

namespace eddy::connectors {

struct PartFileSinkOptions {
  std::string dir;
  bool encode_changes = false;
  FileSystem* fs = FileSystem::Default();
};

class PartFileSink final : public engine::Sink {
 public:
  explicit PartFileSink(PartFileSinkOptions options);
  ~PartFileSink() override;

  /// Creates the directory; numbers this instance's next part after the ones present.
  Status Open(const engine::SinkContext& context) override;
  Status Write(const engine::Batch& batch) override;
  Status Finish() override;
  uint64_t rows_written() const override { return rows_written_; }
  Result<std::string> PrepareCommit(int64_t checkpoint_id) override;
  Status Commit(int64_t checkpoint_id) override;
  Status Recover(int64_t checkpoint_id, const std::vector<std::string>& prepared) override;
  void Abandon() override;

 private:
  std::string PartPath(int instance, int64_t n, bool in_progress) const;
  Status CloseCurrent();
  Status RenameToFinal(const std::string& in_progress);

  PartFileSinkOptions options_;
  int instance_ = 0;
  int parallelism_ = 1;
  int64_t next_part_ = 0;
  bool direct_ = false;            // not exactly-once: parts get their final names at once
  std::unique_ptr<File> current_;  // the in-progress part being written
  std::string current_path_;
  std::map<int64_t, std::vector<std::string>> prepared_;  // checkpoint -> closed parts
  engine::SchemaRef schema_;
  std::optional<JsonRowEncoder> encoder_;
  std::string lines_;
  uint64_t rows_written_ = 0;
};

engine::SinkFactory MakePartFileSink(PartFileSinkOptions options);

}  // namespace eddy::connectors
