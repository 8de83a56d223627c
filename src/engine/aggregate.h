#pragma once
// Aggregate functions: what a window or group aggregate computes per group.
//
// AggregateSpec names an aggregate (count, sum, min, ...) over an input column; an
// Aggregator binds a list of them to an input schema and updates the accumulators of
// many groups a batch at a time. Built-in aggregates run in typed loops chosen once per
// batch (no virtual call per row); user aggregates (UserAggregateFunction) are called
// once per row through their accumulator, the one place a virtual call per row is
// accepted.
//
// Result types: count and count-distinct → int64 (never null: 0 for no input); sum of
// int64 → int64 (wrapping on overflow, like Java's long), sum of double → double;
// avg → double; min / max / first_value / last_value → the input type. Null inputs are
// skipped; an aggregate that saw only nulls (or nothing) is null, except the counts.
// first_value / last_value pick the value with the smallest / largest event time; among
// rows with the same event time, first_value keeps the earliest arrival and last_value
// the latest (in retractable mode, where values are kept ordered, the smaller value wins
// the tie for first_value and the larger one for last_value).

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/engine/batch.h"
#include "src/engine/schema.h"
#include "src/engine/value.h"

namespace eddy::engine {

enum class AggregateKind : uint8_t {
  kCount,  // count(*) when the spec has no input column, else the count of non-null inputs
  kSum,
  kMin,
  kMax,
  kAvg,
  kCountDistinct,  // distinct non-null values
  kFirstValue,     // by event time
  kLastValue,      // by event time
  kUser,           // a UserAggregateFunction
};

std::string_view AggregateKindName(AggregateKind kind);

/// The per-group state of a user aggregate. Created by its UserAggregateFunction, owned
/// by the group, called from one thread.
class UserAccumulator {
 public:
  virtual ~UserAccumulator() = default;
  /// Adds a non-null input value (nulls are skipped before this is called).
  virtual void Add(const Value& value) = 0;
  /// Removes a value added before (changelog input of a group aggregate). Returns false
  /// when the aggregate cannot retract; the operator then fails with an error.
  virtual bool Retract(const Value& value) {
    (void)value;
    return false;
  }
  /// Folds `other` (an accumulator of the same function) into this one, for merging
  /// session windows. Returns false when the aggregate cannot merge.
  virtual bool Merge(const UserAccumulator& other) {
    (void)other;
    return false;
  }
  /// The current result: a value of the function's result type, or a null. A value of
  /// another type is turned into a null when it is written out.
  virtual Value Result() const = 0;
};

/// A user-written aggregate function. Shared (immutable) between the parallel instances
/// of an operator, so it must be thread-safe to call CreateAccumulator concurrently.
class UserAggregateFunction {
 public:
  virtual ~UserAggregateFunction() = default;
  /// For messages ("median", "p99").
  virtual std::string name() const = 0;
  /// The result type for an input column of `input_type`; an error rejects the input.
  virtual Result<DataType> ResultType(DataType input_type) const = 0;
  virtual std::unique_ptr<UserAccumulator> CreateAccumulator() const = 0;
  /// True when the accumulators implement Retract (required over changelog input).
  virtual bool supports_retract() const { return false; }
  /// True when the accumulators implement Merge (required for session windows).
  virtual bool supports_merge() const { return false; }
};

/// How a user aggregate's accumulators are written into checkpoints and read back.
/// Optional: without it an operator holding the aggregate works, but its checkpoints
/// fail with an error naming the aggregate.
struct UserAccumulatorCodec {
  /// Appends the accumulator's state.
  std::function<void(const UserAccumulator&, ByteWriter&)> encode;
  /// Reads what `encode` wrote (and nothing after it) into a new accumulator; an error
  /// (Corruption) for malformed bytes.
  std::function<Result<std::unique_ptr<UserAccumulator>>(ByteReader&)> decode;

  bool present() const { return encode && decode; }
};

struct AggregateSpec {
  AggregateKind kind = AggregateKind::kCount;
  /// The input column's name; empty for count(*).
  std::string input;
  /// The output column's name.
  std::string output;
  /// For kUser only.
  std::shared_ptr<const UserAggregateFunction> user;
  /// For kUser only: makes the aggregate checkpointable.
  UserAccumulatorCodec user_codec;
};

/// count(*).
AggregateSpec Count(std::string output);
/// count(input): the non-null values of `input`.
AggregateSpec CountOf(std::string input, std::string output);
AggregateSpec Sum(std::string input, std::string output);
AggregateSpec Min(std::string input, std::string output);
AggregateSpec Max(std::string input, std::string output);
AggregateSpec Avg(std::string input, std::string output);
AggregateSpec CountDistinct(std::string input, std::string output);
AggregateSpec FirstValue(std::string input, std::string output);
AggregateSpec LastValue(std::string input, std::string output);
AggregateSpec UserAggregate(std::shared_ptr<const UserAggregateFunction> fn, std::string input,
                            std::string output, UserAccumulatorCodec codec = {});

/// One value in an ordered multiset of an accumulator (count distinct, and the min / max /
/// first / last of a retractable group). Only the field of the input's storage is used;
/// `time` is the event time for first / last and 0 otherwise, and orders first.
struct AggCell {
  EventTimeMs time = 0;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

/// Orders AggCells (and lookups by a view with a string_view `s`) by time, then value;
/// doubles in IEEE total order, so that the order is strict even with NaN.
struct AggCellLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    if (a.time != b.time) return a.time < b.time;
    if (a.i != b.i) return a.i < b.i;
    if (auto c = std::strong_order(a.d, b.d); c != 0) return c < 0;
    return std::string_view(a.s) < std::string_view(b.s);
  }
};

/// Cell → multiplicity.
using AggMultiset = std::map<AggCell, int64_t, AggCellLess>;

/// The parts of an accumulator that few aggregates need, kept behind one pointer so that
/// the common AggSlot stays small (a group of counts and sums is a few cache lines).
struct AggExtra {
  /// Min, max, first or last of a string input.
  std::string s;
  /// Count distinct, and retractable min / max / first / last.
  AggMultiset multiset;
  /// Kind kUser.
  std::unique_ptr<UserAccumulator> user;
};

/// The accumulator of one aggregate in one group. Which fields are used depends on the
/// aggregate and its input type (see aggregate.cc); a group holds one AggSlot per
/// aggregate, contiguously, and operators address a group by the pointer to its first
/// slot. Movable, not copyable.
struct AggSlot {
  /// Non-null inputs seen (rows, for count(*)), net of retractions.
  int64_t count = 0;
  /// Sum, min, max, first or last of an int64 / timestamp / bool input.
  int64_t i = 0;
  /// Sum, min, max, first or last of a double input.
  double d = 0;
  /// First / last: the event time of the value held.
  EventTimeMs time = 0;
  /// Strings, multisets and user accumulators; created on first use (with the group for
  /// user aggregates).
  std::unique_ptr<AggExtra> extra;

  AggExtra& Extra() {
    if (!extra) extra = std::make_unique<AggExtra>();
    return *extra;
  }
};

/// Where an input value lives in a Column (ints, bools, doubles, strings), and so which
/// AggSlot field holds it.
enum class AggStorage : uint8_t { kInt, kBool, kDouble, kString };

/// Whether groups only grow (windows over append-only streams) or also shrink (a group
/// aggregate over a changelog: min / max / first / last then keep a multiset per group).
enum class AggregatorMode : uint8_t { kAppendOnly, kRetractable };

/// A list of aggregates bound to an input schema. Immutable after Make and thread-compatible
/// (const methods only touch the accumulators passed in). Not copyable (shares nothing
/// mutable), movable.
class Aggregator {
 public:
  static Result<Aggregator> Make(const Schema& input, const std::vector<AggregateSpec>& specs,
                                 AggregatorMode mode);

  Aggregator(Aggregator&&) = default;
  Aggregator& operator=(Aggregator&&) = default;

  size_t size() const { return bound_.size(); }
  /// The output fields, one per aggregate, in spec order.
  const std::vector<Field>& output_fields() const { return fields_; }
  /// True when every aggregate can merge two groups (session windows).
  bool supports_merge() const;

  /// The accumulators of a new, empty group: size() slots.
  std::vector<AggSlot> NewGroup() const;

  /// Adds row rows[k] of `batch` to the group whose slots start at groups[k], for every k.
  /// A group may appear many times (and a row too, for hopping windows).
  void Add(const Batch& batch, std::span<const uint32_t> rows,
           std::span<AggSlot* const> groups) const;
  /// Removes row rows[k] from groups[k] (kRetractable). Min / max / first / last / count
  /// distinct ignore a value the group does not hold; counts and sums just subtract (the
  /// caller drops a group once all its rows are retracted). A user aggregate that cannot
  /// retract is an error.
  Status Retract(const Batch& batch, std::span<const uint32_t> rows,
                 std::span<AggSlot* const> groups) const;
  /// Folds the group `from` into the group `into` (session merges); `from` is left
  /// unspecified.
  Status Merge(AggSlot* into, AggSlot* from) const;

  /// Appends the group's results to columns [first_column, first_column + size()) of `out`.
  void AppendResults(const AggSlot* group, Batch& out, size_t first_column) const;
  /// The group's results as values (replaces the contents of `out`).
  void ResultValues(const AggSlot* group, std::vector<Value>& out) const;

  // ---- checkpoints (operator_state.h) ----
  /// OK when every aggregate's accumulator can be written to a checkpoint; otherwise
  /// FailedPrecondition naming the first user aggregate without a UserAccumulatorCodec.
  Status CheckCheckpointable() const;
  /// Appends the group's accumulators. Requires CheckCheckpointable().
  void EncodeGroup(const AggSlot* group, ByteWriter& out) const;
  /// Reads a group EncodeGroup wrote (by an aggregator of the same specs and input).
  /// Corruption when the bytes are malformed or hold another number of aggregates.
  Result<std::vector<AggSlot>> DecodeGroup(ByteReader& in) const;

 private:
  struct Bound {
    AggregateKind kind;
    int column;           // -1 for count(*)
    DataType input_type;  // meaningless for count(*)
    AggStorage storage;
    DataType output_type;
    bool use_multiset;  // count distinct, or a retractable min / max / first / last
    std::shared_ptr<const UserAggregateFunction> user;
    UserAccumulatorCodec user_codec;
  };

  Aggregator() = default;
  Value ResultOf(const Bound& b, const AggSlot& slot) const;

  std::vector<Bound> bound_;
  std::vector<Field> fields_;
};

}  // namespace eddy::engine
