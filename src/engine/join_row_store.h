#pragma once
// JoinRowStore: the rows a join or de-duplication holds for one input, kept compactly.
//
// Rows are copied into one append-only arena Batch of the input's schema. The rows of a
// key form a doubly linked chain through the arena; the chain's ends (RowChain: three
// integers, no allocation) are the key's state in the operator's KeyedState. A row may
// carry an expiry time: Expire() hands back, in expiry order, the rows the watermark has
// reached, for the operator to unlink. Unlinked rows leave holes in the arena until
// Compact() copies the live rows, chain by chain, into a fresh one — which the operator
// does when ShouldCompact() says the holes outnumber the live rows, so memory stays
// within a constant factor of the live rows and compaction is amortised O(1) per row.
//
// Checkpoints (operator_state.h): a store snapshots row by row, so that a checkpoint costs
// what changed since the previous one, not what the store holds. Each live row is one
// entry of a state table: its key is the row's id (8 bytes, big-endian), after an
// optional 8-byte scope (a window's start, for stores of one window), and its key group
// is that of the row's join key (the values of the key columns given at construction:
// the same key the hash exchange routes the row by). Ids are handed out from the first
// snapshot on; until then a store keeps no ids and pays nothing for checkpoints. A
// snapshot puts the rows appended since the previous one and deletes the snapshotted rows
// removed since. Chains are not stored: restoring the rows in (scope, id) order and
// appending each to the chain of its key rebuilds every chain in its original order.
//
// Invariant: every live row is on exactly one chain, and every chain the operator holds
// is visited by the `for_each_chain` passed to Compact (row indexes change there).
// Not thread-safe: owned by one operator instance.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/status.h"
#include "src/engine/batch.h"
#include "src/engine/join_schema.h"
#include "src/engine/operator_state.h"

namespace eddy::engine {

/// The rows of one key in a JoinRowStore, oldest first.
struct RowChain {
  uint32_t head = kNoRow;
  uint32_t tail = kNoRow;
  uint32_t count = 0;

  bool empty() const { return count == 0; }
};

/// A snapshotted row's entry: enough to delete it without the row.
struct RowEntry {
  int key_group = 0;
  uint64_t id = 0;
};

/// The key of a row's entry: its scope if it has one, then its id, 8 bytes big-endian
/// each. Built in place (no allocation).
class RowEntryKey {
 public:
  RowEntryKey(std::optional<int64_t> scope, uint64_t id);
  std::string_view view() const { return {bytes_, size_}; }

 private:
  char bytes_[16];
  size_t size_ = 0;
};

/// Rows read back from a state table JoinRowStore::SnapshotTo wrote.
struct SnapshotRows {
  explicit SnapshotRows(SchemaRef schema) : rows(std::move(schema)) {}

  Batch rows;
  /// Per row of `rows`: the scope of its entry (all 0 when the table is not scoped), its id.
  std::vector<int64_t> scopes;
  std::vector<uint64_t> ids;
  /// The rows sorted by (scope, id): the order to append them in.
  std::vector<uint32_t> order;
};

class JoinRowStore {
 public:
  /// A store that cannot be snapshotted (its owner checkpoints the rows another way).
  explicit JoinRowStore(SchemaRef schema);
  /// A store whose rows have the join key `key_columns`: it can be snapshotted.
  JoinRowStore(SchemaRef schema, std::vector<size_t> key_columns);

  /// The arena: rows by index, holes included. Valid until the next Append or Compact.
  const Batch& rows() const { return arena_; }
  /// The row after `row` on its chain, or kNoRow.
  uint32_t next(uint32_t row) const { return next_[row]; }
  EventTimeMs event_time(uint32_t row) const { return arena_.event_time(row); }

  /// Copies row `row` of `src` (as an insert) to the end of `chain`; returns its index.
  uint32_t Append(const Batch& src, size_t row, RowChain& chain);
  /// Same, and the row is handed to Expire's callback once the watermark reaches `expiry`.
  uint32_t Append(const Batch& src, size_t row, RowChain& chain, EventTimeMs expiry);
  /// Unlinks live row `row` from `chain`, which holds it.
  void Remove(uint32_t row, RowChain& chain);

  /// Calls `on_expired(uint32_t row)` for every live row whose expiry is <= `watermark`,
  /// earliest expiry first; the callback must Remove the row from its chain.
  template <typename Fn>
  void Expire(EventTimeMs watermark, Fn&& on_expired) {
    while (!expiry_heap_.empty() && expiry_heap_.front().first <= watermark) {
      std::pop_heap(expiry_heap_.begin(), expiry_heap_.end(), std::greater<>{});
      const uint32_t row = expiry_heap_.back().second;
      expiry_heap_.pop_back();
      if (live_[row]) {
        on_expired(row);
        assert(!live_[row] && "JoinRowStore::Expire: the callback did not remove the row");
      }
    }
  }

  size_t live_rows() const { return live_count_; }
  /// Rows in the arena, holes included.
  size_t arena_rows() const { return arena_.num_rows(); }

  /// True when enough rows are holes that a compaction pays for itself.
  bool ShouldCompact() const {
    const size_t dead = arena_rows() - live_count_;
    return dead >= kMinDeadRowsToCompact && dead > live_count_;
  }
  /// Copies the live rows into a fresh arena. `for_each_chain(fn)` must call
  /// `fn(RowChain&)` for every non-empty chain of this store; their indexes are rewritten.
  template <typename ForEachChain>
  void Compact(ForEachChain&& for_each_chain) {
    BeginCompaction();
    for_each_chain([this](RowChain& chain) { MoveChain(chain); });
    FinishCompaction();
  }

  /// Holes below this many are not worth a compaction.
  static constexpr size_t kMinDeadRowsToCompact = 1024;

  /// Checkpoint: puts into `table` the rows appended since the previous call (every live
  /// row the first time) and deletes the entries of snapshotted rows removed since.
  /// `scope` (the window start of a store of one window) goes in front of each id.
  /// Needs the key columns (the two-argument constructor).
  Status SnapshotTo(StateWriter& writer, std::string_view table,
                    std::optional<int64_t> scope = std::nullopt);
  /// Appends to `out` the entries a snapshot holds for this store: its snapshotted live
  /// rows and the snapshotted rows removed since. For an owner that drops the whole store
  /// (a fired window) and deletes its entries at its next snapshot.
  void CollectSnapshotEntries(std::vector<RowEntry>& out);
  /// Recovery: appends a row read back from a snapshot (ReadSnapshot) under its id, with
  /// `expiry` if it has one. Restored rows count as snapshotted. Only before any Append.
  uint32_t AppendRestored(const Batch& src, size_t row, RowChain& chain, uint64_t id,
                          std::optional<EventTimeMs> expiry);
  /// The key group of the entry of arena row `row` (needs the key columns).
  int KeyGroupOfRow(uint32_t row);

  /// Reads every entry of `table` (written by SnapshotTo, `scoped` as it was) as rows of
  /// `schema`. A malformed entry fails with Corruption naming the table.
  static Result<SnapshotRows> ReadSnapshot(StateReader& reader, std::string_view table,
                                           const SchemaRef& schema, bool scoped);

 private:
  // Appends without the checkpoint bookkeeping.
  uint32_t Place(const Batch& src, size_t row, RowChain& chain, std::optional<EventTimeMs> expiry);
  void Link(uint32_t row, RowChain& chain);
  // Once snapshots have started: gives new row `row` an id and notes it as appended.
  void Track(uint32_t row) {
    if (!tracking_) return;
    ids_.push_back(next_id_++);
    appended_.push_back(row);
  }
  void BeginCompaction();
  void MoveChain(RowChain& chain);
  void FinishCompaction();

  Batch arena_;
  std::vector<uint32_t> next_;
  std::vector<uint32_t> prev_;
  std::vector<uint8_t> live_;
  std::vector<uint8_t> has_expiry_;
  std::vector<EventTimeMs> expiry_;
  // Min-heap of (expiry, row) over the rows that have one.
  std::vector<std::pair<EventTimeMs, uint32_t>> expiry_heap_;
  size_t live_count_ = 0;

  // Checkpoints. Until the first snapshot (or restore) `tracking_` is false and the
  // vectors below stay empty.
  std::vector<size_t> key_columns_;
  bool tracking_ = false;
  std::vector<uint64_t> ids_;  // per arena row
  uint64_t next_id_ = 0;
  // Rows with an id below this are in the backend (snapshotted or restored).
  uint64_t snapshotted_below_ = 0;
  // Arena rows appended since the last snapshot (some removed since).
  std::vector<uint32_t> appended_;
  // Snapshotted rows removed since the last snapshot.
  std::vector<RowEntry> removed_;
  std::string key_;  // reused by KeyGroupOfRow

  // The arena being built by a compaction.
  Batch fresh_;
  std::vector<uint32_t> fresh_next_;
  std::vector<uint32_t> fresh_prev_;
  std::vector<uint8_t> fresh_has_expiry_;
  std::vector<EventTimeMs> fresh_expiry_;
  std::vector<uint64_t> fresh_ids_;
};

}  // namespace eddy::engine
