#include "src/engine/join_row_store.h"

namespace eddy::engine {

JoinRowStore::JoinRowStore(SchemaRef schema) : arena_(schema), fresh_(std::move(schema)) {}

void JoinRowStore::Link(uint32_t row, RowChain& chain) {
  next_.push_back(kNoRow);
  prev_.push_back(chain.tail);
  live_.push_back(1);
  if (chain.tail == kNoRow) {
    chain.head = row;
  } else {
    next_[chain.tail] = row;
  }
  chain.tail = row;
  ++chain.count;
  ++live_count_;
}

uint32_t JoinRowStore::Append(const Batch& src, size_t row, RowChain& chain) {
  const auto index = static_cast<uint32_t>(arena_.num_rows());
  arena_.AppendRow(src, row, src.event_time(row), ChangeKind::kInsert);
  Link(index, chain);
  has_expiry_.push_back(0);
  expiry_.push_back(0);
  return index;
}

uint32_t JoinRowStore::Append(const Batch& src, size_t row, RowChain& chain, EventTimeMs expiry) {
  const auto index = static_cast<uint32_t>(arena_.num_rows());
  arena_.AppendRow(src, row, src.event_time(row), ChangeKind::kInsert);
  Link(index, chain);
  has_expiry_.push_back(1);
  expiry_.push_back(expiry);
  expiry_heap_.emplace_back(expiry, index);
  std::push_heap(expiry_heap_.begin(), expiry_heap_.end(), std::greater<>{});
  return index;
}

void JoinRowStore::Remove(uint32_t row, RowChain& chain) {
  assert(live_[row] && chain.count > 0);
  const uint32_t prev = prev_[row];
  const uint32_t next = next_[row];
  if (prev == kNoRow) {
    chain.head = next;
  } else {
    next_[prev] = next;
  }
  if (next == kNoRow) {
    chain.tail = prev;
  } else {
    prev_[next] = prev;
  }
  --chain.count;
  live_[row] = 0;
  --live_count_;
}

void JoinRowStore::BeginCompaction() {
  fresh_.Clear();
  fresh_.Reserve(live_count_);
  fresh_next_.clear();
  fresh_prev_.clear();
  fresh_has_expiry_.clear();
  fresh_expiry_.clear();
}

void JoinRowStore::MoveChain(RowChain& chain) {
  uint32_t new_prev = kNoRow;
  uint32_t new_head = kNoRow;
  for (uint32_t r = chain.head; r != kNoRow; r = next_[r]) {
    const auto index = static_cast<uint32_t>(fresh_.num_rows());
    fresh_.AppendRow(arena_, r);
    fresh_next_.push_back(kNoRow);
    fresh_prev_.push_back(new_prev);
    if (new_prev != kNoRow) fresh_next_[new_prev] = index;
    if (new_head == kNoRow) new_head = index;
    fresh_has_expiry_.push_back(has_expiry_[r]);
    fresh_expiry_.push_back(expiry_[r]);
    new_prev = index;
  }
  chain.head = new_head;
  chain.tail = new_prev;
}

void JoinRowStore::FinishCompaction() {
  assert(fresh_.num_rows() == live_count_ && "JoinRowStore::Compact: a live row is on no chain");
  // The old arena is dropped rather than kept for the next compaction: a store that once
  // peaked would otherwise hold twice its peak for good.
  arena_ = std::exchange(fresh_, Batch(arena_.schema()));
  next_ = std::exchange(fresh_next_, {});
  prev_ = std::exchange(fresh_prev_, {});
  has_expiry_ = std::exchange(fresh_has_expiry_, {});
  expiry_ = std::exchange(fresh_expiry_, {});
  live_.assign(arena_.num_rows(), 1);
  expiry_heap_.clear();
  for (uint32_t r = 0; r < arena_.num_rows(); ++r) {
    if (has_expiry_[r]) expiry_heap_.emplace_back(expiry_[r], r);
  }
  std::make_heap(expiry_heap_.begin(), expiry_heap_.end(), std::greater<>{});
}

}  // namespace eddy::engine
