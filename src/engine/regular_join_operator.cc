#include "src/engine/regular_join_operator.h"

#include <algorithm>

#include "src/engine/key_codec.h"

namespace eddy::engine {
namespace {

constexpr std::string_view kLeftRowsTable = "left_rows";
constexpr std::string_view kRightRowsTable = "right_rows";
constexpr std::string_view kWatermarkTable = "watermark";

}  // namespace

Result<std::unique_ptr<RegularJoinOperator>> RegularJoinOperator::Make(SchemaRef left,
                                                                       SchemaRef right,
                                                                       RegularJoinOptions options) {
  return Create(std::move(left), std::move(right), std::move(options), std::nullopt,
                "regular join");
}

Result<std::unique_ptr<RegularJoinOperator>> RegularJoinOperator::MakeWithTimeBounds(
    SchemaRef left, SchemaRef right, RegularJoinOptions options, JoinTimeBounds bounds,
    std::string name) {
  if (bounds.lower_ms > bounds.upper_ms) {
    return Status::InvalidArgument(name + ": the lower bound " + std::to_string(bounds.lower_ms) +
                                   " ms is above the upper bound " +
                                   std::to_string(bounds.upper_ms) + " ms");
  }
  return Create(std::move(left), std::move(right), std::move(options), bounds, std::move(name));
}

Result<RegularJoinOperator::ResolvedExpiry> RegularJoinOperator::ResolveExpiry(
    const Schema& schema, const RowExpiry& expiry, std::string_view side, std::string_view name) {
  ResolvedExpiry resolved;
  resolved.kind = expiry.kind();
  resolved.after_ms = expiry.after_ms();
  if (expiry.kind() == RowExpiry::Kind::kAtColumn) {
    Result<size_t> column = schema.IndexOf(expiry.column());
    if (!column.ok()) {
      return column.status().WithContext(std::string(name) + " " + std::string(side) + " expiry");
    }
    if (!IsIntegerLike(schema.field(*column).type)) {
      return Status::InvalidArgument(std::string(name) + ": the " + std::string(side) +
                                     " expiry column '" + expiry.column() + "' is " +
                                     std::string(DataTypeName(schema.field(*column).type)) +
                                     ", not a timestamp or int64");
    }
    resolved.column = *column;
  }
  return resolved;
}

Result<std::unique_ptr<RegularJoinOperator>> RegularJoinOperator::Create(
    SchemaRef left, SchemaRef right, RegularJoinOptions options,
    std::optional<JoinTimeBounds> bounds, std::string name) {
  Result<JoinKeyColumns> keys =
      ResolveJoinKeys(*left, *right, options.left_keys, options.right_keys);
  if (!keys.ok()) return keys.status().WithContext(name);
  ASSIGN_OR_RETURN(ResolvedExpiry left_expiry,
                   ResolveExpiry(*left, options.left_expiry, "left", name));
  ASSIGN_OR_RETURN(ResolvedExpiry right_expiry,
                   ResolveExpiry(*right, options.right_expiry, "right", name));
  ASSIGN_OR_RETURN(std::vector<Field> fields,
                   JoinFields(*left, *right, options.right_prefix, false));
  SchemaRef output = MakeSchema(std::move(fields));
  return std::unique_ptr<RegularJoinOperator>(new RegularJoinOperator(
      std::move(left), std::move(right), std::move(options), bounds, std::move(name),
      std::move(keys).value(), left_expiry, right_expiry, std::move(output)));
}

RegularJoinOperator::RegularJoinOperator(SchemaRef left, SchemaRef right,
                                         RegularJoinOptions options,
                                         std::optional<JoinTimeBounds> bounds, std::string name,
                                         JoinKeyColumns keys, ResolvedExpiry left_expiry,
                                         ResolvedExpiry right_expiry, SchemaRef output_schema)
    : left_schema_(left),
      right_schema_(right),
      options_(std::move(options)),
      bounds_(bounds),
      name_(std::move(name)),
      keys_(std::move(keys)),
      left_expiry_(left_expiry),
      right_expiry_(right_expiry),
      output_schema_(std::move(output_schema)),
      left_rows_(std::move(left), keys_.left),
      right_rows_(std::move(right), keys_.right) {}

std::optional<EventTimeMs> RegularJoinOperator::ExpiryOf(const ResolvedExpiry& expiry,
                                                         const Batch& batch, size_t row) {
  switch (expiry.kind) {
    case RowExpiry::Kind::kNever:
      return std::nullopt;
    case RowExpiry::Kind::kAtColumn: {
      const Column& column = batch.column(expiry.column);
      if (column.IsNull(row)) return std::nullopt;
      return column.ints()[row];
    }
    case RowExpiry::Kind::kAfterEventTime:
      return SaturatingAdd(batch.event_time(row), expiry.after_ms);
  }
  return std::nullopt;
}

Status RegularJoinOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0 && input != 1) {
    return Status::InvalidArgument(name_ + ": no input " + std::to_string(input));
  }
  RETURN_IF_ERROR(CheckInsertOnly(batch, name_, input));
  const bool is_left = input == 0;
  const std::vector<size_t>& key_columns = is_left ? keys_.left : keys_.right;
  const ResolvedExpiry& expiry_rule = is_left ? left_expiry_ : right_expiry_;
  JoinRowStore& own = is_left ? left_rows_ : right_rows_;
  const JoinRowStore& other = is_left ? right_rows_ : left_rows_;
  const size_t n = batch.num_rows();
  matches_.Clear();
  late_.assign(n, 0);
  bool any_late = false;
  for (size_t row = 0; row < n; ++row) {
    if (KeyHasNull(batch, key_columns, row)) continue;
    key_.clear();
    AppendKey(batch, key_columns, row, key_);
    const EventTimeMs t = batch.event_time(row);
    const size_t matches_before = matches_.size();
    KeyRows* rows = state_.Find(key_);
    if (rows != nullptr) {
      const RowChain& chain = is_left ? rows->right : rows->left;
      for (uint32_t r = chain.head; r != kNoRow; r = other.next(r)) {
        const EventTimeMs other_t = other.event_time(r);
        if (bounds_) {
          const EventTimeMs left_t = is_left ? t : other_t;
          const EventTimeMs right_t = is_left ? other_t : t;
          if (right_t < SaturatingAdd(left_t, bounds_->lower_ms) ||
              right_t > SaturatingAdd(left_t, bounds_->upper_ms)) {
            continue;
          }
        }
        if (options_.condition) {
          const RowRef self_ref(batch, row);
          const RowRef other_ref(other.rows(), r);
          const bool pass = is_left ? options_.condition(self_ref, other_ref)
                                    : options_.condition(other_ref, self_ref);
          if (!pass) continue;
        }
        const auto self_index = static_cast<uint32_t>(row);
        matches_.Add(is_left ? self_index : r, is_left ? r : self_index, std::max(t, other_t));
      }
    }
    const std::optional<EventTimeMs> expiry = ExpiryOf(expiry_rule, batch, row);
    if (!expiry || *expiry > watermark_) {
      if (rows == nullptr) rows = &state_.GetOrCreate(key_);
      RowChain& chain = is_left ? rows->left : rows->right;
      if (expiry) {
        own.Append(batch, row, chain, *expiry);
      } else {
        own.Append(batch, row, chain);
      }
    } else if (matches_.size() == matches_before) {
      late_[row] = 1;
      any_late = true;
    }
  }
  if (!matches_.empty()) {
    Batch results(output_schema_);
    results.Reserve(matches_.size());
    if (is_left) {
      AppendMatchedColumns(batch, right_rows_.rows(), matches_, results);
    } else {
      AppendMatchedColumns(left_rows_.rows(), batch, matches_, results);
    }
    CommitMatchedRows(matches_, results);
    out.Emit(std::move(results));
  }
  if (any_late) out.EmitLate(batch.Filter(late_));
  return Status::OK();
}

void RegularJoinOperator::RemoveExpired(bool left_side, uint32_t row) {
  JoinRowStore& store = left_side ? left_rows_ : right_rows_;
  key_.clear();
  AppendKey(store.rows(), left_side ? keys_.left : keys_.right, row, key_);
  KeyRows* rows = state_.Find(key_);
  assert(rows != nullptr && "regular join: an expiring row has no key state");
  store.Remove(row, left_side ? rows->left : rows->right);
  if (rows->left.empty() && rows->right.empty()) state_.Erase(key_);
}

void RegularJoinOperator::CompactIfWorthIt(bool left_side) {
  JoinRowStore& store = left_side ? left_rows_ : right_rows_;
  if (!store.ShouldCompact()) return;
  // Compaction visits every key, not only this side's: wait until the holes also
  // outnumber the keys, so that its cost stays amortised O(1) per removed row even when
  // one side (q4's bids) expires almost as fast as it arrives while the other side holds
  // many keys.
  if (store.arena_rows() - store.live_rows() < state_.size()) return;
  store.Compact([&](auto&& move_chain) {
    state_.ForEach([&](const std::string&, KeyRows& rows) {
      RowChain& chain = left_side ? rows.left : rows.right;
      if (!chain.empty()) move_chain(chain);
    });
  });
}

Status RegularJoinOperator::OnWatermark(EventTimeMs watermark, Output& out) {
  (void)out;
  if (watermark <= watermark_) return Status::OK();
  watermark_ = watermark;
  left_rows_.Expire(watermark, [&](uint32_t row) { RemoveExpired(true, row); });
  right_rows_.Expire(watermark, [&](uint32_t row) { RemoveExpired(false, row); });
  CompactIfWorthIt(true);
  CompactIfWorthIt(false);
  return Status::OK();
}

Status RegularJoinOperator::Open(const OperatorContext& context) {
  return checkpointed_watermark_.Open(context);
}

Status RegularJoinOperator::SnapshotState(StateWriter& writer) {
  RETURN_IF_ERROR(left_rows_.SnapshotTo(writer, kLeftRowsTable));
  RETURN_IF_ERROR(right_rows_.SnapshotTo(writer, kRightRowsTable));
  return checkpointed_watermark_.SnapshotTo(writer, kWatermarkTable, watermark_);
}

Status RegularJoinOperator::RestoreState(StateReader& reader) {
  if (!state_.empty()) {
    return Status::FailedPrecondition(name_ +
                                      ": restoring state into an operator that already holds rows");
  }
  ASSIGN_OR_RETURN(watermark_, checkpointed_watermark_.RestoreFrom(reader, kWatermarkTable));
  RETURN_IF_ERROR(RestoreSide(reader, true));
  RETURN_IF_ERROR(RestoreSide(reader, false));
  // A consistent snapshot holds no row the restored watermark (the smallest of the
  // instances it came from) has expired; should one be there, drop it now rather than let
  // it match (its entry goes at the next snapshot).
  left_rows_.Expire(watermark_, [&](uint32_t row) { RemoveExpired(true, row); });
  right_rows_.Expire(watermark_, [&](uint32_t row) { RemoveExpired(false, row); });
  return Status::OK();
}

Status RegularJoinOperator::RestoreSide(StateReader& reader, bool left_side) {
  JoinRowStore& store = left_side ? left_rows_ : right_rows_;
  const std::vector<size_t>& key_columns = left_side ? keys_.left : keys_.right;
  const ResolvedExpiry& expiry = left_side ? left_expiry_ : right_expiry_;
  ASSIGN_OR_RETURN(SnapshotRows restored,
                   JoinRowStore::ReadSnapshot(reader, left_side ? kLeftRowsTable : kRightRowsTable,
                                              left_side ? left_schema_ : right_schema_,
                                              /*scoped=*/false));
  for (uint32_t i : restored.order) {
    key_.clear();
    AppendKey(restored.rows, key_columns, i, key_);
    KeyRows& rows = state_.GetOrCreate(key_);
    store.AppendRestored(restored.rows, i, left_side ? rows.left : rows.right, restored.ids[i],
                         ExpiryOf(expiry, restored.rows, i));
  }
  return Status::OK();
}

Result<std::unique_ptr<Operator>> MakeRegularJoin(SchemaRef left, SchemaRef right,
                                                  RegularJoinOptions options) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<RegularJoinOperator> op,
      RegularJoinOperator::Make(std::move(left), std::move(right), std::move(options)));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace eddy::engine
