#include "src/engine/window_join_operator.h"

#include "src/engine/key_codec.h"

namespace eddy::engine {
namespace {

constexpr std::string_view kLeftRowsTable = "left_rows";
constexpr std::string_view kRightRowsTable = "right_rows";
constexpr std::string_view kWatermarkTable = "watermark";

// The start of the last window (of slide `slide`) that begins at or before `t`; floor
// division so that negative times align too.
EventTimeMs AlignDown(EventTimeMs t, int64_t slide) {
  const int64_t rem = t % slide;
  return rem < 0 ? t - rem - slide : t - rem;
}

}  // namespace

Result<std::unique_ptr<WindowJoinOperator>> WindowJoinOperator::Make(SchemaRef left,
                                                                     SchemaRef right,
                                                                     WindowJoinOptions options) {
  if (options.window_size_ms <= 0) {
    return Status::InvalidArgument("window join: window_size_ms must be > 0, not " +
                                   std::to_string(options.window_size_ms));
  }
  if (options.window_slide_ms < 0) {
    return Status::InvalidArgument("window join: window_slide_ms must be >= 0, not " +
                                   std::to_string(options.window_slide_ms));
  }
  ASSIGN_OR_RETURN(JoinKeyColumns keys,
                   ResolveJoinKeys(*left, *right, options.left_keys, options.right_keys));
  std::vector<Field> fields;
  if (options.type == JoinType::kInner) {
    ASSIGN_OR_RETURN(fields, JoinFields(*left, *right, options.right_prefix, false));
  } else {
    fields = left->fields();
  }
  for (const char* name : {"window_start", "window_end"}) {
    for (const Field& f : fields) {
      if (f.name == name) {
        return Status::InvalidArgument(std::string("window join: an input already has a column "
                                                   "called '") +
                                       name + "', which the join adds");
      }
    }
  }
  fields.push_back({"window_start", DataType::kTimestamp, false});
  fields.push_back({"window_end", DataType::kTimestamp, false});
  SchemaRef output = MakeSchema(std::move(fields));
  return std::unique_ptr<WindowJoinOperator>(new WindowJoinOperator(
      std::move(left), std::move(right), std::move(options), std::move(keys), std::move(output)));
}

WindowJoinOperator::WindowJoinOperator(SchemaRef left, SchemaRef right, WindowJoinOptions options,
                                       JoinKeyColumns keys, SchemaRef output_schema)
    : left_schema_(std::move(left)),
      right_schema_(std::move(right)),
      options_(std::move(options)),
      keys_(std::move(keys)),
      output_schema_(std::move(output_schema)),
      slide_ms_(options_.window_slide_ms == 0 ? options_.window_size_ms
                                              : options_.window_slide_ms) {}

Status WindowJoinOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0 && input != 1) {
    return Status::InvalidArgument("window join: no input " + std::to_string(input));
  }
  const bool is_left = input == 0;
  const std::vector<size_t>& key_columns = is_left ? keys_.left : keys_.right;
  const int64_t size = options_.window_size_ms;
  const size_t n = batch.num_rows();
  late_.assign(n, 0);
  bool any_late = false;
  // Consecutive rows mostly fall in the same window: remember the last one.
  Window* cached = nullptr;
  EventTimeMs cached_start = 0;
  for (size_t row = 0; row < n; ++row) {
    if (KeyHasNull(batch, key_columns, row)) continue;
    const EventTimeMs t = batch.event_time(row);
    key_.clear();
    AppendKey(batch, key_columns, row, key_);
    bool in_a_window = false;
    bool assigned = false;
    for (EventTimeMs start = AlignDown(t, slide_ms_); start > t - size; start -= slide_ms_) {
      in_a_window = true;
      if (start + size - 1 <= watermark_) continue;  // fired already
      if (cached == nullptr || cached_start != start) {
        cached = &WindowAt(start);
        cached_start = start;
      }
      KeyRows& rows = cached->keys.GetOrCreate(key_);
      if (is_left) {
        cached->left.Append(batch, row, rows.left);
      } else {
        cached->right.Append(batch, row, rows.right);
      }
      assigned = true;
    }
    if (in_a_window && !assigned) {
      late_[row] = 1;
      any_late = true;
    }
  }
  if (any_late) out.EmitLate(batch.Filter(late_));
  return Status::OK();
}

void WindowJoinOperator::Fire(EventTimeMs start, Window& window, Batch& out) {
  const EventTimeMs end = start + options_.window_size_ms;
  matches_.Clear();
  if (options_.type == JoinType::kInner) {
    window.keys.ForEach([&](const std::string&, KeyRows& rows) {
      if (rows.left.empty() || rows.right.empty()) return;
      for (uint32_t l = rows.left.head; l != kNoRow; l = window.left.next(l)) {
        for (uint32_t r = rows.right.head; r != kNoRow; r = window.right.next(r)) {
          matches_.Add(l, r, end - 1);
        }
      }
    });
    AppendMatchedColumns(window.left.rows(), window.right.rows(), matches_, out);
  } else {
    window.keys.ForEach([&](const std::string&, KeyRows& rows) {
      if (rows.left.empty() || rows.right.empty()) return;
      for (uint32_t l = rows.left.head; l != kNoRow; l = window.left.next(l)) {
        matches_.Add(l, kNoRow, end - 1);
      }
    });
    GatherColumns(window.left.rows(), matches_.left_rows, out, 0);
  }
  const size_t start_column = out.num_columns() - 2;
  std::vector<int64_t>& starts = out.column(start_column).ints();
  std::vector<int64_t>& ends = out.column(start_column + 1).ints();
  starts.insert(starts.end(), matches_.size(), start);
  ends.insert(ends.end(), matches_.size(), end);
  out.column(start_column).CommitAppended(matches_.size());
  out.column(start_column + 1).CommitAppended(matches_.size());
  CommitMatchedRows(matches_, out);
}

Status WindowJoinOperator::OnWatermark(EventTimeMs watermark, Output& out) {
  if (watermark <= watermark_) return Status::OK();
  watermark_ = watermark;
  Batch results(output_schema_);
  while (!windows_.empty()) {
    auto it = windows_.begin();
    if (it->first + options_.window_size_ms - 1 > watermark) break;
    Fire(it->first, it->second, results);
    ForgetWindow(it->first, it->second);
    windows_.erase(it);
  }
  if (!results.empty()) out.Emit(std::move(results));
  return Status::OK();
}

Status WindowJoinOperator::Open(const OperatorContext& context) {
  return checkpointed_watermark_.Open(context);
}

WindowJoinOperator::Window& WindowJoinOperator::WindowAt(EventTimeMs start) {
  return windows_.try_emplace(start, left_schema_, right_schema_, keys_).first->second;
}

void WindowJoinOperator::ForgetWindow(EventTimeMs start, Window& window) {
  std::vector<RowEntry> entries;
  for (int side = 0; side < 2; ++side) {
    entries.clear();
    (side == 0 ? window.left : window.right).CollectSnapshotEntries(entries);
    for (const RowEntry& entry : entries) fired_rows_[side].push_back({start, entry});
  }
}

Status WindowJoinOperator::SnapshotState(StateWriter& writer) {
  for (int side = 0; side < 2; ++side) {
    const std::string_view table = side == 0 ? kLeftRowsTable : kRightRowsTable;
    for (const FiredRow& fired : fired_rows_[side]) {
      RETURN_IF_ERROR(writer.Delete(table, fired.entry.key_group,
                                    RowEntryKey(fired.window_start, fired.entry.id).view()));
    }
    fired_rows_[side].clear();
  }
  for (auto& [start, window] : windows_) {
    RETURN_IF_ERROR(window.left.SnapshotTo(writer, kLeftRowsTable, start));
    RETURN_IF_ERROR(window.right.SnapshotTo(writer, kRightRowsTable, start));
  }
  return checkpointed_watermark_.SnapshotTo(writer, kWatermarkTable, watermark_);
}

Status WindowJoinOperator::RestoreState(StateReader& reader) {
  if (!windows_.empty()) {
    return Status::FailedPrecondition(
        "window join: restoring state into an operator that already holds rows");
  }
  ASSIGN_OR_RETURN(watermark_, checkpointed_watermark_.RestoreFrom(reader, kWatermarkTable));
  RETURN_IF_ERROR(RestoreSide(reader, true));
  return RestoreSide(reader, false);
}

Status WindowJoinOperator::RestoreSide(StateReader& reader, bool is_left) {
  const std::string_view table = is_left ? kLeftRowsTable : kRightRowsTable;
  const std::vector<size_t>& key_columns = is_left ? keys_.left : keys_.right;
  const int64_t size = options_.window_size_ms;
  ASSIGN_OR_RETURN(SnapshotRows restored,
                   JoinRowStore::ReadSnapshot(reader, table, is_left ? left_schema_ : right_schema_,
                                              /*scoped=*/true));
  for (uint32_t i : restored.order) {
    const EventTimeMs start = restored.scopes[i];
    const EventTimeMs t = restored.rows.event_time(i);
    // The entry's window must be one of the row's: start <= t < start + size, on the
    // slide's grid (unsigned: t - start cannot overflow once start <= t).
    if (start > t ||
        static_cast<uint64_t>(t) - static_cast<uint64_t>(start) >= static_cast<uint64_t>(size) ||
        (AlignDown(t, slide_ms_) - start) % slide_ms_ != 0) {
      return Status::Corruption("state table '" + std::string(table) + "': row " +
                                std::to_string(restored.ids[i]) + " at event time " +
                                std::to_string(t) + " is not in a window starting at " +
                                std::to_string(start));
    }
    key_.clear();
    AppendKey(restored.rows, key_columns, i, key_);
    if (start + size - 1 <= watermark_) {
      // Not in a consistent snapshot (each instance had fired its windows up to its
      // watermark, and the restored watermark is the smallest of theirs): rather than
      // reopen a closed window, drop the row, and its entry at the next snapshot.
      fired_rows_[is_left ? 0 : 1].push_back({start, {KeyGroupOfKey(key_), restored.ids[i]}});
      continue;
    }
    Window& window = WindowAt(start);
    KeyRows& rows = window.keys.GetOrCreate(key_);
    (is_left ? window.left : window.right)
        .AppendRestored(restored.rows, i, is_left ? rows.left : rows.right, restored.ids[i],
                        std::nullopt);
  }
  return Status::OK();
}

size_t WindowJoinOperator::state_rows() const {
  size_t rows = 0;
  for (const auto& [start, window] : windows_) {
    rows += window.left.live_rows() + window.right.live_rows();
  }
  return rows;
}

Result<std::unique_ptr<Operator>> MakeWindowJoin(SchemaRef left, SchemaRef right,
                                                 WindowJoinOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<WindowJoinOperator> op,
                   WindowJoinOperator::Make(std::move(left), std::move(right), std::move(options)));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace eddy::engine
