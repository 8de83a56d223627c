#include "src/engine/deduplicate_operator.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "src/engine/join_schema.h"
#include "src/engine/key_codec.h"
#include "src/engine/state_codec.h"

namespace eddy::engine {

Result<std::unique_ptr<DeduplicateOperator>> DeduplicateOperator::Make(SchemaRef input,
                                                                       DeduplicateOptions options) {
  if (options.keys.empty()) return Status::InvalidArgument("deduplicate: keys is empty");
  if (options.ttl_ms < 0) {
    return Status::InvalidArgument("deduplicate: ttl_ms must be >= 0, not " +
                                   std::to_string(options.ttl_ms));
  }
  ASSIGN_OR_RETURN(std::vector<size_t> keys,
                   ResolveColumns(*input, options.keys, "deduplicate keys"));
  return std::unique_ptr<DeduplicateOperator>(
      new DeduplicateOperator(std::move(input), std::move(options), std::move(keys)));
}

DeduplicateOperator::DeduplicateOperator(SchemaRef input, DeduplicateOptions options,
                                         std::vector<size_t> keys)
    : schema_(input),
      options_(std::move(options)),
      key_columns_(std::move(keys)),
      last_rows_(std::move(input)) {}

Status DeduplicateOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0) return Status::InvalidArgument("deduplicate: no input " + std::to_string(input));
  RETURN_IF_ERROR(CheckInsertOnly(batch, "deduplicate", input));
  if (options_.keep_last) {
    KeepLast(batch, out);
  } else {
    KeepFirst(std::move(batch), out);
  }
  return Status::OK();
}

DeduplicateOperator::KeyEntry& DeduplicateOperator::Remember(EventTimeMs first_time) {
  KeyEntry& entry = state_.GetOrCreate(key_);
  entry.first_time = first_time;
  if (options_.ttl_ms > 0) {
    forget_heap_.emplace_back(SaturatingAdd(first_time, options_.ttl_ms), key_);
    std::push_heap(forget_heap_.begin(), forget_heap_.end(), std::greater<>{});
  }
  return entry;
}

void DeduplicateOperator::KeepFirst(Batch batch, Output& out) {
  const size_t n = batch.num_rows();
  keep_.assign(n, 0);
  size_t kept = 0;
  for (size_t row = 0; row < n; ++row) {
    key_.clear();
    AppendKey(batch, key_columns_, row, key_);
    // A read-only lookup: a repeated key changes nothing to checkpoint.
    if (std::as_const(state_).Find(key_) != nullptr) continue;
    Remember(batch.event_time(row));
    keep_[row] = 1;
    ++kept;
  }
  if (kept == n) {
    out.Emit(std::move(batch));  // every row is a first: pass the batch on
  } else if (kept > 0) {
    out.Emit(batch.Filter(keep_));
  }
}

void DeduplicateOperator::KeepLast(const Batch& batch, Output& out) {
  Batch results(schema_);
  results.Reserve(batch.num_rows());
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    key_.clear();
    AppendKey(batch, key_columns_, row, key_);
    const EventTimeMs t = batch.event_time(row);
    KeyEntry* entry = state_.Find(key_);
    if (entry == nullptr) {
      entry = &Remember(t);
      results.AppendRow(batch, row, t, ChangeKind::kInsert);
    } else {
      const uint32_t previous = entry->last.head;
      results.AppendRow(last_rows_.rows(), previous, last_rows_.event_time(previous),
                        ChangeKind::kUpdateBefore);
      results.AppendRow(batch, row, t, ChangeKind::kUpdateAfter);
      last_rows_.Remove(previous, entry->last);
    }
    last_rows_.Append(batch, row, entry->last);
  }
  CompactIfWorthIt();
  if (!results.empty()) out.Emit(std::move(results));
}

void DeduplicateOperator::CompactIfWorthIt() {
  if (!last_rows_.ShouldCompact()) return;
  last_rows_.Compact([&](auto&& move_chain) {
    state_.ForEachReadOnly([&](const std::string&, const KeyEntry& entry) {
      if (!entry.last.empty()) move_chain(entry.last);
    });
  });
}

Status DeduplicateOperator::OnWatermark(EventTimeMs watermark, Output& out) {
  (void)out;
  while (!forget_heap_.empty() && forget_heap_.front().first <= watermark) {
    std::pop_heap(forget_heap_.begin(), forget_heap_.end(), std::greater<>{});
    auto [forget_at, key] = std::move(forget_heap_.back());
    forget_heap_.pop_back();
    KeyEntry* entry = state_.Find(key);
    // Each remembered key has exactly one heap entry, so this always holds; checked so
    // that a stale entry could never drop a key remembered later.
    if (entry == nullptr || SaturatingAdd(entry->first_time, options_.ttl_ms) != forget_at) {
      continue;
    }
    if (!entry->last.empty()) last_rows_.Remove(entry->last.head, entry->last);
    state_.Erase(key);
  }
  CompactIfWorthIt();
  return Status::OK();
}

// ---- checkpoints ----
//
// Table "keys": per key its first event time (varlong), then for keep_last a byte 0/1
// and, when 1, its latest row (EncodeRow).

namespace {
constexpr std::string_view kKeysTable = "keys";
}  // namespace

void DeduplicateOperator::EncodeEntry(const KeyEntry& entry, ByteWriter& out) const {
  out.WriteVarlong(entry.first_time);
  if (!options_.keep_last) return;
  out.WriteU8(entry.last.empty() ? 0 : 1);
  if (!entry.last.empty()) EncodeRow(last_rows_.rows(), entry.last.head, out);
}

Result<DeduplicateOperator::KeyEntry> DeduplicateOperator::DecodeEntry(std::string_view key,
                                                                       ByteReader& in) {
  KeyEntry entry;
  entry.first_time = in.ReadVarlong();
  const uint8_t has_row = options_.keep_last ? in.ReadU8() : 0;
  if (!in.ok()) return Status::Corruption("malformed key entry: " + in.status().message());
  if (has_row != 0) {
    restored_row_.Clear();
    RETURN_IF_ERROR(DecodeRow(in, restored_row_));
  }
  if (!in.empty()) return Status::Corruption("key entry has trailing bytes");
  if (has_row != 0) last_rows_.Append(restored_row_, 0, entry.last);
  if (options_.ttl_ms > 0) {
    forget_heap_.emplace_back(SaturatingAdd(entry.first_time, options_.ttl_ms), key);
  }
  return entry;
}

Status DeduplicateOperator::SnapshotState(StateWriter& writer) {
  return state_.SnapshotTo(writer, kKeysTable, [this](const KeyEntry& entry, ByteWriter& out) {
    EncodeEntry(entry, out);
  });
}

Status DeduplicateOperator::RestoreState(StateReader& reader) {
  if (state_.size() != 0 || last_rows_.arena_rows() != 0) {
    return Status::FailedPrecondition("deduplicate: RestoreState on an operator that has state");
  }
  forget_heap_.clear();
  restored_row_ = Batch(schema_);
  RETURN_IF_ERROR(state_.RestoreFrom(
      reader, kKeysTable,
      [this](std::string_view key, ByteReader& in) { return DecodeEntry(key, in); }));
  std::make_heap(forget_heap_.begin(), forget_heap_.end(), std::greater<>{});
  restored_row_ = Batch();
  return Status::OK();
}

Result<std::unique_ptr<Operator>> MakeDeduplicate(SchemaRef input, DeduplicateOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<DeduplicateOperator> op,
                   DeduplicateOperator::Make(std::move(input), std::move(options)));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace eddy::engine
