#include "src/engine/lookup_join_operator.h"

#include <algorithm>
#include <utility>

#include "src/engine/key_codec.h"
#include "src/engine/state_codec.h"

namespace eddy::engine {
namespace {

constexpr std::string_view kTableRowsTable = "table_rows";

}  // namespace

Result<std::unique_ptr<LookupJoinOperator>> LookupJoinOperator::Make(SchemaRef stream,
                                                                     SchemaRef table,
                                                                     LookupJoinOptions options) {
  Result<JoinKeyColumns> keys =
      ResolveJoinKeys(*stream, *table, options.stream_keys, options.table_keys);
  if (!keys.ok()) return keys.status().WithContext("lookup join");
  ASSIGN_OR_RETURN(std::vector<Field> fields,
                   JoinFields(*stream, *table, options.right_prefix, options.left_outer));
  SchemaRef output = MakeSchema(std::move(fields));
  return std::unique_ptr<LookupJoinOperator>(new LookupJoinOperator(
      std::move(table), std::move(options), std::move(keys).value(), std::move(output)));
}

LookupJoinOperator::LookupJoinOperator(SchemaRef table, LookupJoinOptions options,
                                       JoinKeyColumns keys, SchemaRef output_schema)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      output_schema_(std::move(output_schema)),
      table_rows_(std::move(table)) {}

Status LookupJoinOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input == 0) {
    LookUp(batch, out);
  } else if (input == 1) {
    ApplyTableChanges(batch);
  } else {
    return Status::InvalidArgument("lookup join: no input " + std::to_string(input));
  }
  return Status::OK();
}

void LookupJoinOperator::ApplyTableChanges(const Batch& batch) {
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    // A row with a null key could never be looked up: nothing to keep.
    if (KeyHasNull(batch, keys_.right, row)) continue;
    key_.clear();
    AppendKey(batch, keys_.right, row, key_);
    if (IsAddition(batch.change(row))) {
      RowChain& chain = table_.GetOrCreate(key_).chain;
      if (!chain.empty()) table_rows_.Remove(chain.head, chain);
      table_rows_.Append(batch, row, chain);
    } else if (const TableRow* entry = std::as_const(table_).Find(key_)) {
      table_rows_.Remove(entry->chain.head, entry->chain);
      table_.Erase(key_);
    }
  }
  if (table_rows_.ShouldCompact()) {
    table_rows_.Compact([&](auto&& move_chain) {
      // Moving rows changes no key's row: a read-only visit, so the next snapshot does not
      // rewrite the whole table.
      table_.ForEachReadOnly(
          [&](const std::string&, const TableRow& entry) { move_chain(entry.chain); });
    });
  }
}

void LookupJoinOperator::LookUp(const Batch& batch, Output& out) {
  matches_.Clear();
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    const RowChain* chain = nullptr;
    if (!KeyHasNull(batch, keys_.left, row)) {
      key_.clear();
      AppendKey(batch, keys_.left, row, key_);
      // Read-only: a look-up must not mark the key changed for the next snapshot.
      const TableRow* entry = std::as_const(table_).Find(key_);
      if (entry != nullptr) chain = &entry->chain;
    }
    const auto stream_row = static_cast<uint32_t>(row);
    const EventTimeMs t = batch.event_time(row);
    if (chain != nullptr && !chain->empty()) {
      matches_.Add(stream_row, chain->head, std::max(t, table_rows_.event_time(chain->head)));
    } else if (options_.left_outer) {
      matches_.Add(stream_row, kNoRow, t);
    }
  }
  if (matches_.empty()) return;
  Batch results(output_schema_);
  results.Reserve(matches_.size());
  AppendMatchedColumns(batch, table_rows_.rows(), matches_, results);
  if (batch.is_insert_only()) {
    CommitMatchedRows(matches_, results);
  } else {
    for (size_t i = 0; i < matches_.size(); ++i) {
      results.CommitRow(matches_.event_times[i], batch.change(matches_.left_rows[i]));
    }
  }
  out.Emit(std::move(results));
}

Status LookupJoinOperator::SnapshotState(StateWriter& writer) {
  return table_.SnapshotTo(writer, kTableRowsTable, [&](const TableRow& entry, ByteWriter& out) {
    EncodeRow(table_rows_.rows(), entry.chain.head, out);
  });
}

Status LookupJoinOperator::RestoreState(StateReader& reader) {
  if (!table_.empty()) {
    return Status::FailedPrecondition(
        "lookup join: restoring state into an operator that already holds rows");
  }
  Batch row(table_rows_.rows().schema());
  return table_.RestoreFrom(
      reader, kTableRowsTable, [&](std::string_view, ByteReader& in) -> Result<TableRow> {
        row.Clear();
        RETURN_IF_ERROR(DecodeRow(in, row));
        if (row.num_rows() != 1 || !in.empty()) {
          return Status::Corruption("a table row entry that is not exactly one row");
        }
        TableRow entry;
        table_rows_.Append(row, 0, entry.chain);
        return entry;
      });
}

Result<std::unique_ptr<Operator>> MakeLookupJoin(SchemaRef stream, SchemaRef table,
                                                 LookupJoinOptions options) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<LookupJoinOperator> op,
      LookupJoinOperator::Make(std::move(stream), std::move(table), std::move(options)));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace eddy::engine
