#pragma once
// RegularJoinOperator: the non-windowed inner equi-join of two append-only streams
// (a symmetric hash join, as Flink's regular join and Nexmark q3/q4).
//
// Each row probes the rows the other side holds under its key (the values of
// left_keys / right_keys) and every pair that passes the optional residual `condition`
// is emitted at once, as left columns then right columns, with the larger of the two
// event times (insert-only output: a match is never retracted). Then the row is held,
// for the rows of the other side still to come, until it expires:
//   RowExpiry::Never()             kept forever (the default; state grows with the input);
//   RowExpiry::AtColumn("c")       until the watermark reaches the row's column c
//                                  (a timestamp or int64; a null keeps the row forever);
//   RowExpiry::AfterEventTime(ms)  until the watermark reaches event time + ms.
// The expiry is a promise of the pipeline: once the watermark W reaches it, no row of the
// other side still to come can match (q4: an auction can match bids up to its `expires`).
// A row that arrives already expired (expiry <= W) still probes what is held but is not
// kept; if it matched nothing it is late and goes to Output::EmitLate in its input's
// schema. Rows with a null key never match and are dropped.
//
// Inputs must be append-only: a row with another change kind (-U, +U, -D) is an error,
// because retracting earlier matches (a changelog join) is not supported.
//
// The interval join (interval_join_operator.h) is this operator with time bounds on the
// pair and expiries that follow from them.
//
// State: a KeyedState of each key's row chains into one arena per side
// (join_row_store.h), purged on watermarks. One parallel instance; not thread-safe.
//
// Checkpoints: tables "left_rows" and "right_rows" hold one entry per held row (key: the
// row's id, key group: that of its join key), "watermark" the watermark
// (checkpointed_watermark.h). A snapshot puts the rows held since the previous one and
// deletes the rows that expired since, so its cost follows the input since the last
// checkpoint, not the rows held. On restore the rows go back to their keys in arrival
// order, with their expiries recomputed from the rows.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/engine/checkpointed_watermark.h"
#include "src/engine/join_row_store.h"
#include "src/engine/join_schema.h"
#include "src/engine/keyed_state.h"
#include "src/engine/operator.h"
#include "src/engine/row.h"

namespace eddy::engine {

/// When a held join row can no longer match and its state is freed.
class RowExpiry {
 public:
  enum class Kind { kNever, kAtColumn, kAfterEventTime };

  /// Never: the row is kept for as long as the job runs.
  RowExpiry() = default;
  static RowExpiry Never() { return RowExpiry(); }
  /// At the value of the row's timestamp (or int64) column `column`.
  static RowExpiry AtColumn(std::string column) {
    RowExpiry e;
    e.kind_ = Kind::kAtColumn;
    e.column_ = std::move(column);
    return e;
  }
  /// At the row's event time + `ms` (0: at its event time).
  static RowExpiry AfterEventTime(int64_t ms) {
    RowExpiry e;
    e.kind_ = Kind::kAfterEventTime;
    e.after_ms_ = ms;
    return e;
  }

  Kind kind() const { return kind_; }
  const std::string& column() const { return column_; }
  int64_t after_ms() const { return after_ms_; }

 private:
  Kind kind_ = Kind::kNever;
  std::string column_;
  int64_t after_ms_ = 0;
};

struct RegularJoinOptions {
  std::vector<std::string> left_keys;
  std::vector<std::string> right_keys;
  /// Put in front of a right column name that is already taken (join_schema.h).
  std::string right_prefix = "right_";
  /// Optional residual predicate on a pair with equal keys; the RowRefs are valid only
  /// during the call.
  std::function<bool(const RowRef& left, const RowRef& right)> condition;
  RowExpiry left_expiry;
  RowExpiry right_expiry;
};

/// A pair matches only if right.event_time is in
/// [left.event_time + lower_ms, left.event_time + upper_ms] (both inclusive).
struct JoinTimeBounds {
  int64_t lower_ms = 0;
  int64_t upper_ms = 0;
};

class RegularJoinOperator final : public Operator {
 public:
  /// Fails on unknown or mismatched key columns, or an expiry column that is missing or
  /// not a timestamp / int64.
  static Result<std::unique_ptr<RegularJoinOperator>> Make(SchemaRef left, SchemaRef right,
                                                           RegularJoinOptions options);
  /// The same join with `bounds` checked on every pair before the condition; `name`
  /// ("interval join") is the operator's name in errors. Used by MakeIntervalJoin.
  static Result<std::unique_ptr<RegularJoinOperator>> MakeWithTimeBounds(SchemaRef left,
                                                                         SchemaRef right,
                                                                         RegularJoinOptions options,
                                                                         JoinTimeBounds bounds,
                                                                         std::string name);

  SchemaRef output_schema() const override { return output_schema_; }
  Status Open(const OperatorContext& context) override;
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

  /// Rows held, for tests and metrics.
  size_t left_state_rows() const { return left_rows_.live_rows(); }
  size_t right_state_rows() const { return right_rows_.live_rows(); }
  size_t state_rows() const { return left_state_rows() + right_state_rows(); }
  /// Keys with held rows.
  size_t state_keys() const { return state_.size(); }
  /// Rows in the arenas, holes left by expired rows included (see JoinRowStore).
  size_t arena_rows() const { return left_rows_.arena_rows() + right_rows_.arena_rows(); }

 private:
  struct KeyRows {
    RowChain left;
    RowChain right;
  };
  // A RowExpiry resolved against its side's schema.
  struct ResolvedExpiry {
    RowExpiry::Kind kind = RowExpiry::Kind::kNever;
    size_t column = 0;
    int64_t after_ms = 0;
  };

  RegularJoinOperator(SchemaRef left, SchemaRef right, RegularJoinOptions options,
                      std::optional<JoinTimeBounds> bounds, std::string name, JoinKeyColumns keys,
                      ResolvedExpiry left_expiry, ResolvedExpiry right_expiry,
                      SchemaRef output_schema);
  static Result<std::unique_ptr<RegularJoinOperator>> Create(SchemaRef left, SchemaRef right,
                                                             RegularJoinOptions options,
                                                             std::optional<JoinTimeBounds> bounds,
                                                             std::string name);
  static Result<ResolvedExpiry> ResolveExpiry(const Schema& schema, const RowExpiry& expiry,
                                              std::string_view side, std::string_view name);
  // The expiry of row `row` of `batch`, or nullopt when it never expires.
  static std::optional<EventTimeMs> ExpiryOf(const ResolvedExpiry& expiry, const Batch& batch,
                                             size_t row);
  // Unlinks an expired row of one side and drops its key when both chains are empty.
  void RemoveExpired(bool left_side, uint32_t row);
  void CompactIfWorthIt(bool left_side);
  // Puts the rows of one side of a snapshot back under their keys.
  Status RestoreSide(StateReader& reader, bool left_side);

  SchemaRef left_schema_;
  SchemaRef right_schema_;
  RegularJoinOptions options_;
  std::optional<JoinTimeBounds> bounds_;
  std::string name_;
  JoinKeyColumns keys_;
  ResolvedExpiry left_expiry_;
  ResolvedExpiry right_expiry_;
  SchemaRef output_schema_;

  KeyedState<KeyRows> state_;
  JoinRowStore left_rows_;
  JoinRowStore right_rows_;
  EventTimeMs watermark_ = kMinWatermark;
  CheckpointedWatermark checkpointed_watermark_;

  // Reused between calls.
  std::string key_;
  std::vector<uint8_t> late_;
  JoinMatches matches_;
};

/// MakeRegularJoin: the operator as the runtime takes it. Input 0 is the left stream,
/// input 1 the right.
Result<std::unique_ptr<Operator>> MakeRegularJoin(SchemaRef left, SchemaRef right,
                                                  RegularJoinOptions options);

}  // namespace eddy::engine
