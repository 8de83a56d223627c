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
// Invariant: every live row is on exactly one chain, and every chain the operator holds
// is visited by the `for_each_chain` passed to Compact (row indexes change there).
// Not thread-safe: owned by one operator instance.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "src/engine/batch.h"
#include "src/engine/join_schema.h"

namespace eddy::engine {

/// The rows of one key in a JoinRowStore, oldest first.
struct RowChain {
  uint32_t head = kNoRow;
  uint32_t tail = kNoRow;
  uint32_t count = 0;

  bool empty() const { return count == 0; }
};

class JoinRowStore {
 public:
  explicit JoinRowStore(SchemaRef schema);

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

 private:
  void Link(uint32_t row, RowChain& chain);
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

  // The arena being built by a compaction.
  Batch fresh_;
  std::vector<uint32_t> fresh_next_;
  std::vector<uint32_t> fresh_prev_;
  std::vector<uint8_t> fresh_has_expiry_;
  std::vector<EventTimeMs> fresh_expiry_;
};

}  // namespace eddy::engine
