#include "src/engine/join_row_store.h"

#include <numeric>

#include "src/base/bytes.h"
#include "src/engine/key_codec.h"
#include "src/engine/state_codec.h"

namespace eddy::engine {

JoinRowStore::JoinRowStore(SchemaRef schema) : arena_(schema), fresh_(std::move(schema)) {}

JoinRowStore::JoinRowStore(SchemaRef schema, std::vector<size_t> key_columns)
    : arena_(schema), key_columns_(std::move(key_columns)), fresh_(std::move(schema)) {}

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

uint32_t JoinRowStore::Place(const Batch& src, size_t row, RowChain& chain,
                             std::optional<EventTimeMs> expiry) {
  const auto index = static_cast<uint32_t>(arena_.num_rows());
  arena_.AppendRow(src, row, src.event_time(row), ChangeKind::kInsert);
  Link(index, chain);
  has_expiry_.push_back(expiry.has_value());
  expiry_.push_back(expiry.value_or(0));
  if (expiry) {
    expiry_heap_.emplace_back(*expiry, index);
    std::push_heap(expiry_heap_.begin(), expiry_heap_.end(), std::greater<>{});
  }
  return index;
}

uint32_t JoinRowStore::Append(const Batch& src, size_t row, RowChain& chain) {
  const uint32_t index = Place(src, row, chain, std::nullopt);
  Track(index);
  return index;
}

uint32_t JoinRowStore::Append(const Batch& src, size_t row, RowChain& chain, EventTimeMs expiry) {
  const uint32_t index = Place(src, row, chain, expiry);
  Track(index);
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
  if (tracking_ && ids_[row] < snapshotted_below_) {
    removed_.push_back({KeyGroupOfRow(row), ids_[row]});
  }
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
  fresh_ids_.clear();
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
    if (tracking_) fresh_ids_.push_back(ids_[r]);
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
  if (tracking_) {
    ids_ = std::exchange(fresh_ids_, {});
    // Appended rows moved: find them again by id (the compaction is O(live rows) anyway).
    appended_.clear();
    for (uint32_t r = 0; r < arena_.num_rows(); ++r) {
      if (ids_[r] >= snapshotted_below_) appended_.push_back(r);
    }
  }
}

int JoinRowStore::KeyGroupOfRow(uint32_t row) {
  assert(!key_columns_.empty() && "JoinRowStore: snapshots need the key columns");
  key_.clear();
  AppendKey(arena_, key_columns_, row, key_);
  return KeyGroupOfKey(key_);
}

RowEntryKey::RowEntryKey(std::optional<int64_t> scope, uint64_t id) {
  auto* p = reinterpret_cast<uint8_t*>(bytes_);
  if (scope) {
    StoreI64(p, *scope);
    size_ = 8;
  }
  StoreI64(p + size_, static_cast<int64_t>(id));
  size_ += 8;
}

Status JoinRowStore::SnapshotTo(StateWriter& writer, std::string_view table,
                                std::optional<int64_t> scope) {
  if (!tracking_) {
    // The first snapshot: every row gets an id (holes too, which keeps ids = indexes) and
    // every live row is written.
    ids_.resize(arena_.num_rows());
    std::iota(ids_.begin(), ids_.end(), next_id_);
    next_id_ += arena_.num_rows();
    appended_.clear();
    for (uint32_t r = 0; r < arena_.num_rows(); ++r) {
      if (live_[r]) appended_.push_back(r);
    }
    tracking_ = true;
  }
  for (const RowEntry& entry : removed_) {
    RETURN_IF_ERROR(writer.Delete(table, entry.key_group, RowEntryKey(scope, entry.id).view()));
  }
  ByteWriter value;
  for (uint32_t r : appended_) {
    if (!live_[r]) continue;  // appended and removed between two snapshots
    value.Clear();
    EncodeRow(arena_, r, value);
    RETURN_IF_ERROR(writer.Put(table, KeyGroupOfRow(r), RowEntryKey(scope, ids_[r]).view(),
                               AsStringView(ByteSpan(value.buffer()))));
  }
  appended_.clear();
  removed_.clear();
  snapshotted_below_ = next_id_;
  return Status::OK();
}

void JoinRowStore::CollectSnapshotEntries(std::vector<RowEntry>& out) {
  if (!tracking_) return;
  out.insert(out.end(), removed_.begin(), removed_.end());
  for (uint32_t r = 0; r < arena_.num_rows(); ++r) {
    if (live_[r] && ids_[r] < snapshotted_below_) out.push_back({KeyGroupOfRow(r), ids_[r]});
  }
}

uint32_t JoinRowStore::AppendRestored(const Batch& src, size_t row, RowChain& chain, uint64_t id,
                                      std::optional<EventTimeMs> expiry) {
  assert(ids_.size() == arena_.num_rows() && appended_.empty() &&
         "JoinRowStore::AppendRestored after Append");
  // Restored rows are already in the backend: they have ids but are not new.
  const uint32_t index = Place(src, row, chain, expiry);
  tracking_ = true;
  ids_.push_back(id);
  next_id_ = std::max(next_id_, id + 1);
  snapshotted_below_ = next_id_;
  return index;
}

Result<SnapshotRows> JoinRowStore::ReadSnapshot(StateReader& reader, std::string_view table,
                                                const SchemaRef& schema, bool scoped) {
  SnapshotRows out(schema);
  const size_t key_size = scoped ? 16 : 8;
  Status status = reader.ForEach(
      table, [&](int key_group, std::string_view key, std::string_view value) -> Status {
        auto where = [&] {
          return "state table '" + std::string(table) + "', key group " +
                 std::to_string(key_group) + ": ";
        };
        if (key.size() != key_size) {
          return Status::Corruption(where() + "a row entry key of " + std::to_string(key.size()) +
                                    " bytes, not " + std::to_string(key_size));
        }
        const auto* p = reinterpret_cast<const uint8_t*>(key.data());
        out.scopes.push_back(scoped ? LoadI64(p) : 0);
        out.ids.push_back(static_cast<uint64_t>(LoadI64(p + key_size - 8)));
        ByteReader in(AsBytes(value));
        Status decoded = DecodeRow(in, out.rows);
        if (!decoded.ok()) {
          return decoded.WithContext(where() + "row " + std::to_string(out.ids.back()));
        }
        if (!in.empty()) {
          return Status::Corruption(where() + "row " + std::to_string(out.ids.back()) + " has " +
                                    std::to_string(in.remaining()) + " bytes after its end");
        }
        return Status::OK();
      });
  RETURN_IF_ERROR(status);
  out.order.resize(out.ids.size());
  std::iota(out.order.begin(), out.order.end(), 0u);
  std::sort(out.order.begin(), out.order.end(), [&](uint32_t a, uint32_t b) {
    return std::pair(out.scopes[a], out.ids[a]) < std::pair(out.scopes[b], out.ids[b]);
  });
  return out;
}

}  // namespace eddy::engine
