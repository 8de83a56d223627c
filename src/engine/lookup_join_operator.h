#pragma once
// LookupJoinOperator: enriches a stream with the current row of a table (a temporal join
// as of processing time, like Flink's lookup join against a changelog-fed table).
//
// Input 1 is the table's changelog. Per key (the values of table_keys) the operator keeps
// the latest row: +I and +U set it (replacing any earlier one), -U and -D remove the key.
// Input 0 is the stream: each row is looked up, under the values of stream_keys, in the
// table as it is when the row arrives, and emitted joined — stream columns then table
// columns, with the larger of the two event times and the stream row's change kind. Left
// outer: a row with no table row (or a null key) is emitted with null table columns and its
// own event time; inner: it is dropped.
//
// Temporal lookup semantics: a table change affects only stream rows that arrive after it;
// earlier output is never revised, and an update split as -U then +U over two table
// batches leaves the key absent for stream rows arriving in between. The result depends
// on how the two inputs interleave, not on event time.
//
// State: a KeyedState of each key's chain (at most one row) into an arena of table rows
// (join_row_store.h); the table is held for as long as the job runs. One parallel
// instance; not thread-safe.
//
// Checkpoints: table "table_rows" holds one entry per key (the encoded table key, its
// current row), written through the KeyedState, so a snapshot puts the keys the changelog
// set since the previous one and deletes the keys it removed; look-ups and compactions
// of the arena change nothing there.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/engine/join_row_store.h"
#include "src/engine/join_schema.h"
#include "src/engine/keyed_state.h"
#include "src/engine/operator.h"

namespace eddy::engine {

struct LookupJoinOptions {
  std::vector<std::string> stream_keys;
  std::vector<std::string> table_keys;
  /// Emit stream rows without a table row, with null table columns.
  bool left_outer = false;
  /// Put in front of a table column name that is already taken (join_schema.h).
  std::string right_prefix = "right_";
};

class LookupJoinOperator final : public Operator {
 public:
  /// Fails on unknown or mismatched key columns.
  static Result<std::unique_ptr<LookupJoinOperator>> Make(SchemaRef stream, SchemaRef table,
                                                          LookupJoinOptions options);

  SchemaRef output_schema() const override { return output_schema_; }
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

  /// Table rows held (one per key), for tests and metrics.
  size_t state_rows() const { return table_rows_.live_rows(); }
  /// Rows in the arena, holes left by replaced rows included (see JoinRowStore).
  size_t arena_rows() const { return table_rows_.arena_rows(); }

 private:
  struct TableRow {
    // Where the key's row sits in the arena is not part of the key's state (a snapshot
    // writes the row itself), so a compaction, which only moves rows, rewrites chains
    // through a read-only visit that does not mark every key changed.
    mutable RowChain chain;
  };

  LookupJoinOperator(SchemaRef table, LookupJoinOptions options, JoinKeyColumns keys,
                     SchemaRef output_schema);
  void ApplyTableChanges(const Batch& batch);
  void LookUp(const Batch& batch, Output& out);

  LookupJoinOptions options_;
  JoinKeyColumns keys_;  // left: stream, right: table
  SchemaRef output_schema_;
  KeyedState<TableRow> table_;
  JoinRowStore table_rows_;

  // Reused between calls.
  std::string key_;
  JoinMatches matches_;
};

/// MakeLookupJoin: the operator as the runtime takes it. Input 0 is the stream, input 1
/// the table's changelog.
Result<std::unique_ptr<Operator>> MakeLookupJoin(SchemaRef stream, SchemaRef table,
                                                 LookupJoinOptions options);

}  // namespace eddy::engine
