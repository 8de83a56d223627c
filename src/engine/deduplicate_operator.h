#pragma once
// DeduplicateOperator: one row per key (the values of `keys`; null is a value like any
// other here), as Flink's deduplication and the ROW_NUMBER() = 1 pattern.
//
// keep_first: the first row of each key, in arrival order, is emitted as it arrives and
//   every later row of the key is dropped (insert-only output, columnar: a filter).
// keep_last: the output is a changelog of each key's latest row: +I for a key's first
//   row, then for each later row -U with the previous row (and its event time) and +U
//   with the new one.
// "First" and "latest" follow arrival order, not event time.
//
// ttl_ms > 0 bounds the state: a key is forgotten once the watermark reaches its first
// row's event time + ttl_ms; its next row counts as a first row again (+I, with no
// retraction of the forgotten one). ttl_ms == 0 keeps every key for as long as the job
// runs. The input must be append-only (a -U, +U or -D row is an error).
//
// State: a KeyedState of each key's first event time and, for keep_last, its chain (one
// row) into an arena of latest rows (join_row_store.h). Checkpoints write, per key, the
// first event time and the latest row itself (SnapshotState / RestoreState); the TTL heap
// and the arena are rebuilt from them. One parallel instance; not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/engine/join_row_store.h"
#include "src/engine/keyed_state.h"
#include "src/engine/operator.h"

namespace eddy::engine {

struct DeduplicateOptions {
  std::vector<std::string> keys;
  bool keep_last = false;
  /// 0 = forever; otherwise a key is forgotten once the watermark reaches its first
  /// row's event time + ttl_ms.
  int64_t ttl_ms = 0;
};

class DeduplicateOperator final : public Operator {
 public:
  /// Fails on an empty or unknown key list or a negative ttl_ms.
  static Result<std::unique_ptr<DeduplicateOperator>> Make(SchemaRef input,
                                                           DeduplicateOptions options);

  SchemaRef output_schema() const override { return schema_; }
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

  /// Keys remembered, for tests and metrics.
  size_t state_keys() const { return state_.size(); }
  /// Latest rows held (keep_last only).
  size_t state_rows() const { return last_rows_.live_rows(); }

 private:
  struct KeyEntry {
    EventTimeMs first_time = 0;
    // keep_last: the latest row. Where it sits in the arena is not part of the key's
    // state (a snapshot writes the row itself), so a compaction, which only moves rows,
    // rewrites chains through a read-only visit that does not mark every key changed.
    mutable RowChain last;
  };

  DeduplicateOperator(SchemaRef input, DeduplicateOptions options, std::vector<size_t> keys);
  void KeepFirst(Batch batch, Output& out);
  void KeepLast(const Batch& batch, Output& out);
  // A new key: remembers it, and when to forget it.
  KeyEntry& Remember(EventTimeMs first_time);
  void CompactIfWorthIt();
  void EncodeEntry(const KeyEntry& entry, ByteWriter& out) const;
  Result<KeyEntry> DecodeEntry(std::string_view key, ByteReader& in);

  SchemaRef schema_;
  DeduplicateOptions options_;
  std::vector<size_t> key_columns_;
  KeyedState<KeyEntry> state_;
  JoinRowStore last_rows_;
  // Min-heap of (time to forget, key), when ttl_ms > 0.
  std::vector<std::pair<EventTimeMs, std::string>> forget_heap_;

  // Reused between calls.
  std::string key_;
  std::vector<uint8_t> keep_;
  Batch restored_row_;
};

/// MakeDeduplicate: the operator as the runtime takes it.
Result<std::unique_ptr<Operator>> MakeDeduplicate(SchemaRef input, DeduplicateOptions options);

}  // namespace eddy::engine
