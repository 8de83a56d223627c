// Checkpoints of the stateful non-join operators: for each, an operator snapshotted part
// way, restored into a fresh instance and fed the rest must produce what one
// uninterrupted operator produces; snapshots after the first hold only what changed; and
// state snapshotted by 2 instances and restored into 3 or 1 (by key group) must give the
// same union of outputs.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "src/engine/aggregate.h"
#include "src/engine/deduplicate_operator.h"
#include "src/engine/group_aggregate_operator.h"
#include "src/engine/key_codec.h"
#include "src/engine/keyed_process_operator.h"
#include "src/engine/operator_state_testing.h"
#include "src/engine/top_n_operator.h"
#include "src/engine/window_aggregate_operator.h"
#include "src/engine/window_test_util.h"
#include "tests/util/manual_clock.h"

namespace eddy::engine {
namespace {

using eddy::testing::ManualClock;
using testing::D;
using testing::I;
using testing::MakeBatch;
using testing::MemoryOperatorState;
using testing::RecordingOutput;
using testing::RenderRows;
using testing::S;

// ---------------------------------------------------------------- the harness

/// One thing that happens to an operator.
struct Event {
  enum class Kind { kRows, kWatermark, kTick };
  Kind kind = Kind::kRows;
  Batch rows;
  /// The watermark, or the processing time of a tick.
  int64_t time = 0;
};

Event Rows(Batch b) { return Event{Event::Kind::kRows, std::move(b), 0}; }
Event Watermark(EventTimeMs w) { return Event{Event::Kind::kWatermark, Batch(), w}; }
Event Tick(int64_t now_ms) { return Event{Event::Kind::kTick, Batch(), now_ms}; }

using Events = std::vector<Event>;
using Factory = std::function<Result<std::unique_ptr<Operator>>()>;

/// Passes puts and deletes on to a MemoryOperatorState and records them per table, and
/// whether each entry's key group is the one of its key.
class RecordingWriter final : public StateWriter {
 public:
  explicit RecordingWriter(StateWriter& inner) : inner_(inner) {}

  Status Put(std::string_view table, int key_group, std::string_view key,
             std::string_view value) override {
    puts[std::string(table)].insert(std::string(key));
    values[std::string(table)][std::string(key)] = std::string(value);
    if (!key.empty() && key_group != KeyGroupOfKey(key)) ++wrong_key_groups;
    return inner_.Put(table, key_group, key, value);
  }
  Status Delete(std::string_view table, int key_group, std::string_view key) override {
    deletes[std::string(table)].insert(std::string(key));
    return inner_.Delete(table, key_group, key);
  }

  std::map<std::string, std::set<std::string>> puts;
  std::map<std::string, std::set<std::string>> deletes;
  std::map<std::string, std::map<std::string, std::string>> values;
  int wrong_key_groups = 0;

 private:
  StateWriter& inner_;
};

/// Moves the clock to `now_ms` (never back).
void SetClock(ManualClock& clock, int64_t now_ms) {
  if (now_ms > clock.NowMs()) clock.AdvanceMs(now_ms - clock.NowMs());
}

/// One operator instance, its context and what it emitted.
class Instance {
 public:
  Instance(const Factory& make, int instance, int parallelism, ManualClock& clock) : clock_(clock) {
    auto made = make();
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    op_ = std::move(made).value();
    OperatorContext context;
    context.instance = instance;
    context.parallelism = parallelism;
    context.clock = &clock;
    context.name = "op#" + std::to_string(instance);
    EXPECT_TRUE(op_->Open(context).ok());
  }

  /// Feeds event number `index` of the input; what it emits is tagged with the index, so
  /// that runs are compared by when they emit, not only by what.
  void Feed(const Event& e, size_t index) {
    Status s;
    switch (e.kind) {
      case Event::Kind::kRows:
        if (e.rows.empty()) return;
        s = op_->OnBatch(0, e.rows, out_);
        break;
      case Event::Kind::kWatermark:
        s = op_->OnWatermark(e.time, out_);
        break;
      case Event::Kind::kTick:
        SetClock(clock_, e.time);
        s = op_->OnProcessingTime(e.time, out_);
        break;
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
    Collect(index);
  }
  /// The end of the input, after `index` events.
  void End(size_t index) {
    ASSERT_TRUE(op_->OnWatermark(kMaxWatermark, out_).ok());
    ASSERT_TRUE(op_->OnEndOfInput(out_).ok());
    Collect(index);
  }

  Operator& op() { return *op_; }
  /// Every row emitted so far, rendered after the index of the event that caused it;
  /// late rows marked.
  const std::vector<std::string>& Emitted() const { return emitted_; }

 private:
  void Collect(size_t index) {
    const std::string at = "@" + std::to_string(index) + " ";
    for (const std::string& row : RenderRows(out_.main)) emitted_.push_back(at + row);
    for (const std::string& row : RenderRows(out_.late)) emitted_.push_back(at + "late " + row);
    out_.Clear();
  }

  ManualClock& clock_;
  std::unique_ptr<Operator> op_;
  RecordingOutput out_;
  std::vector<std::string> emitted_;
};

std::vector<std::string> Sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

void Append(std::vector<std::string>& to, const std::vector<std::string>& rows) {
  to.insert(to.end(), rows.begin(), rows.end());
}

/// The output of one operator fed every event, then the end of the input.
std::vector<std::string> Uninterrupted(const Factory& make, const Events& events) {
  ManualClock clock(0);
  Instance one(make, 0, 1, clock);
  for (size_t i = 0; i < events.size(); ++i) one.Feed(events[i], i);
  one.End(events.size());
  return Sorted(one.Emitted());
}

struct CheckpointedRun {
  std::vector<std::string> rows;
  std::unique_ptr<MemoryOperatorState> store;
  /// The puts and deletes of each snapshot.
  std::unique_ptr<RecordingWriter> first;
  std::unique_ptr<RecordingWriter> second;
};

/// Feeds events [0, first), snapshots, feeds [first, second), snapshots again, then
/// restores a fresh operator from the store and feeds it the rest and the end.
CheckpointedRun RunWithRestore(const Factory& make, const Events& events, size_t first,
                               size_t second) {
  CheckpointedRun run;
  run.store = std::make_unique<MemoryOperatorState>();
  ManualClock clock(0);
  {
    Instance before(make, 0, 1, clock);
    for (size_t i = 0; i < first; ++i) before.Feed(events[i], i);
    run.first = std::make_unique<RecordingWriter>(*run.store);
    Status s = before.op().SnapshotState(*run.first);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(run.first->wrong_key_groups, 0);
    for (size_t i = first; i < second; ++i) before.Feed(events[i], i);
    run.second = std::make_unique<RecordingWriter>(*run.store);
    s = before.op().SnapshotState(*run.second);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(run.second->wrong_key_groups, 0);
    run.rows = before.Emitted();
  }
  Instance after(make, 0, 1, clock);
  Status s = after.op().RestoreState(*run.store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (size_t i = second; i < events.size(); ++i) after.Feed(events[i], i);
  after.End(events.size());
  Append(run.rows, after.Emitted());
  run.rows = Sorted(std::move(run.rows));
  return run;
}

/// The rows of `e` that instance `instance` of `parallelism` receives from a hash
/// exchange on `route_columns` (watermarks and ticks go to every instance).
Event RouteTo(const Event& e, const std::vector<size_t>& route_columns, int instance,
              int parallelism) {
  if (e.kind != Event::Kind::kRows) return e;
  std::vector<uint32_t> rows;
  std::string key;
  for (size_t r = 0; r < e.rows.num_rows(); ++r) {
    key.clear();
    AppendKey(e.rows, route_columns, r, key);
    if (InstanceOfKeyGroup(KeyGroupOfKey(key), parallelism) == instance) {
      rows.push_back(static_cast<uint32_t>(r));
    }
  }
  return Rows(e.rows.Select(rows));
}

/// Runs events [0, cut) on 2 instances, snapshots both into one store, restores the
/// key groups into `new_parallelism` instances and runs the rest there. Returns the
/// union of all outputs.
std::vector<std::string> RunRescaled(const Factory& make, const Events& events,
                                     const std::vector<size_t>& route_columns, size_t cut,
                                     int new_parallelism) {
  MemoryOperatorState store;
  ManualClock clock(0);
  std::vector<std::string> rows;
  for (int i = 0; i < 2; ++i) {
    ManualClock own_clock(0);
    Instance before(make, i, 2, own_clock);
    for (size_t e = 0; e < cut; ++e) before.Feed(RouteTo(events[e], route_columns, i, 2), e);
    RecordingWriter writer(store);
    Status s = before.op().SnapshotState(writer);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(writer.wrong_key_groups, 0);
    Append(rows, before.Emitted());
    if (i == 0) SetClock(clock, own_clock.NowMs());
  }
  for (int j = 0; j < new_parallelism; ++j) {
    ManualClock own_clock(clock.NowMs());
    Instance after(make, j, new_parallelism, own_clock);
    store.SetReadRange(state::KeyGroupRange::OfInstance(j, new_parallelism));
    Status s = after.op().RestoreState(store);
    EXPECT_TRUE(s.ok()) << s.ToString();
    for (size_t e = cut; e < events.size(); ++e) {
      after.Feed(RouteTo(events[e], route_columns, j, new_parallelism), e);
    }
    after.End(events.size());
    Append(rows, after.Emitted());
  }
  return Sorted(std::move(rows));
}

/// The encoded keys (over `columns`) of the rows of a batch event.
std::set<std::string> KeysOf(const Event& e, const std::vector<size_t>& columns) {
  std::set<std::string> keys;
  for (size_t r = 0; r < e.rows.num_rows(); ++r) keys.insert(KeyOf(e.rows, columns, r));
  return keys;
}

/// The whole check for one operator and input: restore mid-stream, incremental second
/// snapshot (its puts to `table` are exactly `expected_second_puts`), rescale 2 → 3 and
/// 2 → 1.
void CheckCheckpoints(const Factory& make, const Events& events, size_t first, size_t second,
                      const std::string& table, const std::set<std::string>& expected_second_puts,
                      const std::vector<size_t>& route_columns) {
  const std::vector<std::string> expected = Uninterrupted(make, events);
  ASSERT_FALSE(expected.empty());

  CheckpointedRun run = RunWithRestore(make, events, first, second);
  EXPECT_EQ(run.rows, expected);
  EXPECT_GT(run.first->puts[table].size(), expected_second_puts.size());
  EXPECT_EQ(run.second->puts[table], expected_second_puts)
      << "the second snapshot must write the changed keys only";
  EXPECT_TRUE(run.second->puts["watermark"].empty()) << "the watermark did not move";

  const size_t cut = (first + second) / 2;
  for (int p : {3, 1}) {
    SCOPED_TRACE("restored into " + std::to_string(p) + " instances");
    EXPECT_EQ(RunRescaled(make, events, route_columns, cut, p), expected);
  }
}

/// Restoring `table` with a malformed value fails with an error naming the table (and
/// does not crash); so does every truncation of every real value of `snapshot`.
void CheckCorruptionIsAnError(const Factory& make, const std::string& table,
                              const RecordingWriter& snapshot) {
  ManualClock clock(0);
  {
    MemoryOperatorState store;
    const std::string key = "\x01" + std::string(8, '\0');
    ASSERT_TRUE(store.Put(table, KeyGroupOfKey(key), key, "\x7f\xff\xff garbage").ok());
    Instance fresh(make, 0, 1, clock);
    Status s = fresh.op().RestoreState(store);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(table), std::string::npos) << s.ToString();
  }
  auto it = snapshot.values.find(table);
  ASSERT_NE(it, snapshot.values.end());
  for (const auto& [key, value] : it->second) {
    for (size_t n = 0; n < value.size(); ++n) {
      MemoryOperatorState store;
      ASSERT_TRUE(store.Put(table, KeyGroupOfKey(key), key, value.substr(0, n)).ok());
      Instance fresh(make, 0, 1, clock);
      Status s = fresh.op().RestoreState(store);
      EXPECT_TRUE(s.IsCorruption())
          << "prefix " << n << " of " << value.size() << ": " << s.ToString();
      EXPECT_NE(s.message().find(table), std::string::npos) << s.ToString();
    }
    MemoryOperatorState store;
    ASSERT_TRUE(store.Put(table, KeyGroupOfKey(key), key, value + "x").ok());
    Instance fresh(make, 0, 1, clock);
    EXPECT_TRUE(fresh.op().RestoreState(store).IsCorruption()) << "a trailing byte";
  }
}

// ---------------------------------------------------------------- a user aggregate

/// The median of int64 inputs (as a double); retracts and merges. Its accumulator is
/// the list of values, which its codec writes as a count and varlongs.
class MedianAccumulator final : public UserAccumulator {
 public:
  void Add(const Value& value) override { values.push_back(value.int64()); }
  bool Retract(const Value& value) override {
    auto it = std::find(values.begin(), values.end(), value.int64());
    if (it == values.end()) return false;
    values.erase(it);
    return true;
  }
  bool Merge(const UserAccumulator& other) override {
    const auto& o = static_cast<const MedianAccumulator&>(other);
    values.insert(values.end(), o.values.begin(), o.values.end());
    return true;
  }
  Value Result() const override {
    if (values.empty()) return Value::Null(DataType::kDouble);
    std::vector<int64_t> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const size_t m = sorted.size() / 2;
    return Value::Double(sorted.size() % 2 == 1 ? static_cast<double>(sorted[m])
                                                : (sorted[m - 1] + sorted[m]) / 2.0);
  }

  std::vector<int64_t> values;
};

class Median final : public UserAggregateFunction {
 public:
  std::string name() const override { return "median"; }
  Result<DataType> ResultType(DataType) const override { return DataType::kDouble; }
  std::unique_ptr<UserAccumulator> CreateAccumulator() const override {
    return std::make_unique<MedianAccumulator>();
  }
  bool supports_retract() const override { return true; }
  bool supports_merge() const override { return true; }
};

UserAccumulatorCodec MedianCodec() {
  UserAccumulatorCodec codec;
  codec.encode = [](const UserAccumulator& acc, ByteWriter& out) {
    const auto& m = static_cast<const MedianAccumulator&>(acc);
    out.WriteUnsignedVarint(static_cast<uint32_t>(m.values.size()));
    for (int64_t v : m.values) out.WriteVarlong(v);
  };
  codec.decode = [](ByteReader& in) -> Result<std::unique_ptr<UserAccumulator>> {
    auto m = std::make_unique<MedianAccumulator>();
    const uint32_t n = in.ReadUnsignedVarint();
    for (uint32_t i = 0; i < n && in.ok(); ++i) m->values.push_back(in.ReadVarlong());
    if (!in.ok()) return Status::Corruption("median accumulator: " + in.status().message());
    return std::unique_ptr<UserAccumulator>(std::move(m));
  };
  return codec;
}

/// Every aggregate kind, over int64, string and double inputs with nulls.
std::vector<AggregateSpec> EveryAggregate(bool with_codec = true) {
  return {Count("n"),
          CountOf("v", "n_v"),
          Sum("v", "sum_v"),
          Sum("d", "sum_d"),
          Min("s", "min_s"),
          Max("d", "max_d"),
          Min("v", "min_v"),
          Avg("v", "avg_v"),
          CountDistinct("s", "distinct_s"),
          FirstValue("s", "first_s"),
          LastValue("v", "last_v"),
          LastValue("d", "last_d"),
          UserAggregate(std::make_shared<Median>(), "v", "median_v",
                        with_codec ? MedianCodec() : UserAccumulatorCodec{})};
}

// ---------------------------------------------------------------- inputs

SchemaRef Readings() {
  return MakeSchema({{"k", DataType::kInt64},
                     {"v", DataType::kInt64},
                     {"s", DataType::kString},
                     {"d", DataType::kDouble}});
}

Value MaybeNull(std::mt19937_64& rng, Value v, DataType type) {
  return rng() % 7 == 0 ? Value::Null(type) : std::move(v);
}

/// A random reading of key `k` at `t`, with nulls.
std::vector<Value> Reading(std::mt19937_64& rng, int64_t k) {
  return {
      Value::Int64(k),
      MaybeNull(rng, Value::Int64(static_cast<int64_t>(rng() % 50) - 10), DataType::kInt64),
      MaybeNull(rng, Value::String(std::string(1, static_cast<char>('a' + rng() % 6))),
                DataType::kString),
      MaybeNull(rng, Value::Double(static_cast<double>(rng() % 1000) / 8.0), DataType::kDouble)};
}

/// Batches of readings over `keys` keys whose event times advance by about `step` ms per
/// row with disorder (a few rows much later than their time), each followed by a
/// watermark trailing the largest time by `lag` ms, and a processing-time tick every
/// third batch.
Events DisorderedReadings(uint64_t seed, int batches, int rows_per_batch, int keys, int64_t step,
                          int64_t lag) {
  std::mt19937_64 rng(seed);
  Events events;
  int64_t clock = 0;
  int64_t max_time = 0;
  int64_t tick = 0;
  for (int b = 0; b < batches; ++b) {
    Batch batch(Readings());
    for (int r = 0; r < rows_per_batch; ++r) {
      clock += step;
      int64_t t = clock - static_cast<int64_t>(rng() % static_cast<uint64_t>(2 * step + 1));
      if (rng() % 10 == 0) t -= 3 * lag;  // a straggler: often late
      t = std::max<int64_t>(t, 0);
      max_time = std::max(max_time, t);
      batch.AppendValues(Reading(rng, static_cast<int64_t>(rng() % keys)), t);
    }
    events.push_back(Rows(std::move(batch)));
    events.push_back(Watermark(max_time - lag));
    if (b % 3 == 2) events.push_back(Tick(tick += 100));
  }
  return events;
}

/// Splits `events` at `at` and puts there one batch of readings of the keys `keys`, at
/// times after the last watermark (on time).
size_t InsertMiddleBatch(Events& events, size_t at, const std::vector<int64_t>& keys,
                         uint64_t seed) {
  EventTimeMs watermark = 0;
  for (size_t i = 0; i < at; ++i) {
    if (events[i].kind == Event::Kind::kWatermark) watermark = events[i].time;
  }
  std::mt19937_64 rng(seed);
  Batch batch(Readings());
  for (int64_t k : keys) batch.AppendValues(Reading(rng, k), watermark + 1 + k % 3);
  events.insert(events.begin() + static_cast<ptrdiff_t>(at), Rows(std::move(batch)));
  return at + 1;
}

// ---------------------------------------------------------------- window aggregate

Factory WindowAggregate(WindowSpec window, int64_t lateness, int64_t emit_every,
                        bool with_codec = true) {
  return [=]() {
    WindowAggregateOptions options;
    options.keys = {"k"};
    options.window = window;
    options.aggregates = EveryAggregate(with_codec);
    options.allowed_lateness_ms = lateness;
    options.emit_every_ms = emit_every;
    return MakeWindowAggregate(Readings(), options);
  };
}

void CheckWindowAggregate(const Factory& make, uint64_t seed) {
  Events events = DisorderedReadings(seed, 24, 12, 9, 7, 40);
  const size_t first = events.size() / 3;
  const std::vector<int64_t> middle_keys = {2, 5};
  const size_t second = InsertMiddleBatch(events, first, middle_keys, seed + 1);
  const std::vector<size_t> key_columns = {0};
  CheckCheckpoints(make, events, first, second, "windows", KeysOf(events[first], key_columns),
                   key_columns);
}

TEST(OperatorStateTest, TumblingWindowAggregateRestoresEveryAggregateKind) {
  CheckWindowAggregate(WindowAggregate(WindowSpec::Tumbling(50), 30, 0), 1);
}

TEST(OperatorStateTest, TumblingWindowAggregateWithEarlyFiringsRestoresEmittedResults) {
  CheckWindowAggregate(WindowAggregate(WindowSpec::Tumbling(60), 25, 100), 2);
}

TEST(OperatorStateTest, HoppingWindowAggregateRestores) {
  CheckWindowAggregate(WindowAggregate(WindowSpec::Hopping(60, 20), 0, 0), 3);
}

TEST(OperatorStateTest, SessionWindowAggregateRestoresMergedSessions) {
  CheckWindowAggregate(WindowAggregate(WindowSpec::Session(12), 60, 100), 4);
}

TEST(OperatorStateTest, SessionMergeOfEmittedSessionsSurvivesARestore) {
  // Session a=[0, 10) fires on the watermark, b=[15, 25) early on processing time; then a
  // row at 9 merges them into a session not due yet, which holds b's emitted row for
  // retraction. The checkpoint is taken there.
  const Factory make = WindowAggregate(WindowSpec::Session(10), 100, 100);
  auto reading = [](int64_t v, EventTimeMs t) {
    Batch b(Readings());
    b.AppendValues(std::vector<Value>{Value::Int64(1), Value::Int64(v), Value::String("x"),
                                      Value::Double(1.0)},
                   t);
    return Rows(std::move(b));
  };
  Events events = {reading(1, 0), reading(2, 15), Watermark(12), Tick(150),      reading(3, 9),
                   Tick(250),     reading(4, 30), Watermark(60), reading(5, 31), Watermark(500)};
  const std::vector<std::string> expected = Uninterrupted(make, events);
  for (size_t at = 1; at < events.size(); ++at) {
    SCOPED_TRACE("restored before event " + std::to_string(at));
    EXPECT_EQ(RunWithRestore(make, events, at, at).rows, expected);
  }
}

TEST(OperatorStateTest, WindowAggregateSnapshotDeletesPurgedKeys) {
  const Factory make = WindowAggregate(WindowSpec::Tumbling(50), 0, 0);
  ManualClock clock(0);
  Instance op(make, 0, 1, clock);
  Events events = DisorderedReadings(5, 4, 10, 6, 5, 10);
  for (const Event& e : events) {
    if (e.kind == Event::Kind::kRows) op.Feed(e, 0);
  }
  MemoryOperatorState store;
  ASSERT_TRUE(op.op().SnapshotState(store).ok());
  ASSERT_GT(store.size(), 0u);
  op.Feed(Watermark(1'000'000), 0);
  RecordingWriter second(store);
  ASSERT_TRUE(op.op().SnapshotState(second).ok());
  EXPECT_FALSE(second.deletes["windows"].empty());
  // Only the watermark is left: one entry per key group.
  EXPECT_EQ(store.size(), static_cast<size_t>(kKeyGroups));
}

TEST(OperatorStateTest, UserAggregateWithoutCodecFailsTheSnapshotNamingIt) {
  const Factory make = WindowAggregate(WindowSpec::Tumbling(50), 0, 0, /*with_codec=*/false);
  ManualClock clock(0);
  Instance op(make, 0, 1, clock);
  op.Feed(DisorderedReadings(6, 1, 5, 3, 5, 10)[0], 0);
  MemoryOperatorState store;
  Status s = op.op().SnapshotState(store);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("median"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("median_v"), std::string::npos) << s.ToString();
}

TEST(OperatorStateTest, CorruptWindowStateIsAnErrorNamingTheTable) {
  const Factory make = WindowAggregate(WindowSpec::Session(12), 60, 100);
  CheckpointedRun run = RunWithRestore(make, DisorderedReadings(7, 6, 8, 4, 7, 40), 12, 12);
  CheckCorruptionIsAnError(make, "windows", *run.first);
}

// ---------------------------------------------------------------- group aggregate

SchemaRef Changes() {
  return MakeSchema({{"id", DataType::kInt64},
                     {"k", DataType::kInt64},
                     {"v", DataType::kInt64},
                     {"s", DataType::kString},
                     {"d", DataType::kDouble}});
}

/// A consistent changelog of rows by id: inserts, updates (-U old, +U new, possibly
/// moving the row to another group) and deletes, each retraction carrying the retracted
/// row as it was added.
Events RandomChangelog(uint64_t seed, int batches, int rows_per_batch, int groups) {
  std::mt19937_64 rng(seed);
  std::map<int64_t, std::pair<std::vector<Value>, EventTimeMs>> live;
  int64_t next_id = 0;
  EventTimeMs t = 0;
  Events events;
  auto new_row = [&](int64_t id) {
    std::vector<Value> r = Reading(rng, static_cast<int64_t>(rng() % groups));
    r.insert(r.begin(), Value::Int64(id));
    return r;
  };
  for (int b = 0; b < batches; ++b) {
    Batch batch(Changes());
    for (int i = 0; i < rows_per_batch; ++i) {
      t += 3;
      const uint64_t op = rng() % 10;
      if (live.empty() || op < 5) {
        const int64_t id = next_id++;
        live[id] = {new_row(id), t};
        batch.AppendValues(live[id].first, t, ChangeKind::kInsert);
        continue;
      }
      auto it = live.begin();
      std::advance(it, static_cast<ptrdiff_t>(rng() % live.size()));
      batch.AppendValues(it->second.first, it->second.second,
                         op < 8 ? ChangeKind::kUpdateBefore : ChangeKind::kDelete);
      if (op < 8) {
        it->second = {new_row(it->first), t};
        batch.AppendValues(it->second.first, t, ChangeKind::kUpdateAfter);
      } else {
        live.erase(it);
      }
    }
    events.push_back(Rows(std::move(batch)));
    events.push_back(Watermark(t - 10));
  }
  return events;
}

Factory GroupAggregate(bool with_codec = true) {
  return [=]() {
    GroupAggregateOptions options;
    options.keys = {"k"};
    options.aggregates = EveryAggregate(with_codec);
    return MakeGroupAggregate(Changes(), options);
  };
}

TEST(OperatorStateTest, GroupAggregateOverAChangelogRestoresMultisets) {
  Events events = RandomChangelog(11, 30, 10, 12);
  const size_t first = 20;
  // A middle batch that inserts into groups 3 and 7 only.
  std::mt19937_64 rng(12);
  Batch middle(Changes());
  for (int64_t k : {3, 7, 3}) {
    std::vector<Value> r = Reading(rng, k);
    r.insert(r.begin(), Value::Int64(100'000 + k));
    middle.AppendValues(r, 1);
  }
  // Rows 100'003 and 100'007 are never retracted by the rest, which knows nothing of them.
  events.insert(events.begin() + first, Rows(std::move(middle)));
  const std::vector<size_t> key_columns = {1};
  CheckCheckpoints(GroupAggregate(), events, first, first + 1, "groups",
                   KeysOf(events[first], key_columns), key_columns);
}

TEST(OperatorStateTest, GroupAggregateWithoutCodecFailsTheSnapshotNamingIt) {
  ManualClock clock(0);
  Instance op(GroupAggregate(/*with_codec=*/false), 0, 1, clock);
  op.Feed(RandomChangelog(13, 1, 5, 3)[0], 0);
  MemoryOperatorState store;
  Status s = op.op().SnapshotState(store);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("median"), std::string::npos) << s.ToString();
}

TEST(OperatorStateTest, CorruptGroupStateIsAnErrorNamingTheTable) {
  CheckpointedRun run = RunWithRestore(GroupAggregate(), RandomChangelog(14, 4, 8, 3), 8, 8);
  CheckCorruptionIsAnError(GroupAggregate(), "groups", *run.first);
}

// ---------------------------------------------------------------- top-n

SchemaRef Scores() {
  return MakeSchema({{"window_start", DataType::kTimestamp},
                     {"window_end", DataType::kTimestamp},
                     {"category", DataType::kInt64},
                     {"item", DataType::kInt64},
                     {"score", DataType::kInt64},
                     {"label", DataType::kString}});
}

/// Scored items in 50 ms windows (few distinct scores, so ties), disordered (a few rows
/// far behind), each batch followed by a watermark `lag` ms behind the largest time.
Events RandomScores(uint64_t seed, int batches, int rows_per_batch, int64_t lag) {
  std::mt19937_64 rng(seed);
  Events events;
  int64_t clock = 0;
  int64_t max_time = 0;
  for (int b = 0; b < batches; ++b) {
    Batch batch(Scores());
    for (int r = 0; r < rows_per_batch; ++r) {
      clock += 4;
      int64_t t = clock - static_cast<int64_t>(rng() % 30);
      if (rng() % 10 == 0) t -= lag + 30;  // a straggler: often late
      t = std::max<int64_t>(0, t);
      max_time = std::max(max_time, t);
      const int64_t start = t - t % 50;
      batch.AppendValues(
          std::vector<Value>{
              Value::Timestamp(start), Value::Timestamp(start + 50),
              Value::Int64(static_cast<int64_t>(rng() % 4)),
              Value::Int64(static_cast<int64_t>(rng() % 1000)),
              MaybeNull(rng, Value::Int64(static_cast<int64_t>(rng() % 8)), DataType::kInt64),
              Value::String("r" + std::to_string(b) + "." + std::to_string(r))},
          t);
    }
    events.push_back(Rows(std::move(batch)));
    events.push_back(Watermark(max_time - lag));
  }
  return events;
}

Factory TopN(std::vector<std::string> partition_by, std::vector<std::string> route_by, int n,
             bool with_ties, bool descending) {
  return [=]() {
    TopNOptions options;
    options.partition_by = partition_by;
    options.route_by = route_by;
    options.order_by = "score";
    options.n = n;
    options.with_ties = with_ties;
    options.descending = descending;
    return MakeTopN(Scores(), options);
  };
}

/// A middle batch: rows of the windows still open, in categories 1 and 2.
size_t InsertMiddleScores(Events& events, size_t at) {
  EventTimeMs watermark = 0;
  for (size_t i = 0; i < at; ++i) {
    if (events[i].kind == Event::Kind::kWatermark) watermark = events[i].time;
  }
  const EventTimeMs t = watermark + 1;
  const int64_t start = t - t % 50;
  Batch batch(Scores());
  for (int64_t category : {1, 2}) {
    batch.AppendValues(std::vector<Value>{Value::Timestamp(start), Value::Timestamp(start + 50),
                                          Value::Int64(category), Value::Int64(5000 + category),
                                          Value::Int64(7), Value::String("middle")},
                       t);
  }
  events.insert(events.begin() + static_cast<ptrdiff_t>(at), Rows(std::move(batch)));
  return at + 1;
}

TEST(OperatorStateTest, TopNPerWindowRestores) {
  Events events = RandomScores(21, 40, 10, 120);
  const size_t first = events.size() / 2;
  const size_t second = InsertMiddleScores(events, first);
  const std::vector<size_t> route = {0, 1};
  CheckCheckpoints(TopN({"window_start", "window_end"}, {}, 3, true, true), events, first, second,
                   "partitions", KeysOf(events[first], route), route);
  CheckCheckpoints(TopN({"window_start", "window_end"}, {}, 2, false, false), events, first, second,
                   "partitions", KeysOf(events[first], route), route);
}

TEST(OperatorStateTest, TopNPartitionedFinerThanItsRoutingKeyFilesStateUnderTheRoutingKey) {
  Events events = RandomScores(22, 40, 10, 60);
  const size_t first = events.size() / 2;
  const size_t second = InsertMiddleScores(events, first);
  const std::vector<size_t> route = {2};  // category
  CheckCheckpoints(TopN({"window_start", "window_end", "category"}, {"category"}, 2, true, true),
                   events, first, second, "partitions", KeysOf(events[first], route), route);
}

TEST(OperatorStateTest, TopNRejectsARoutingColumnOutsideItsPartition) {
  auto made = TopN({"window_start", "window_end"}, {"category"}, 1, true, true)();
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("category"), std::string::npos);
}

TEST(OperatorStateTest, CorruptTopNStateIsAnErrorNamingTheTable) {
  const Factory make = TopN({"window_start", "window_end"}, {}, 2, true, true);
  CheckpointedRun run = RunWithRestore(make, RandomScores(23, 6, 8, 60), 11, 11);
  CheckCorruptionIsAnError(make, "partitions", *run.first);
}

// ---------------------------------------------------------------- deduplicate

Factory Deduplicate(bool keep_last, int64_t ttl_ms) {
  return [=]() {
    DeduplicateOptions options;
    options.keys = {"k"};
    options.keep_last = keep_last;
    options.ttl_ms = ttl_ms;
    return MakeDeduplicate(Readings(), options);
  };
}

TEST(OperatorStateTest, DeduplicateKeepFirstRestoresKeys) {
  Events events = DisorderedReadings(31, 30, 8, 40, 5, 10);
  const size_t first = events.size() / 3;
  // The key of the last row before the middle batch is held (no TTL): a repeat of it
  // changes nothing to snapshot; key 1000 is new.
  int64_t seen = -1;
  for (size_t i = 0; i < first; ++i) {
    const Batch& b = events[i].rows;
    if (events[i].kind == Event::Kind::kRows && !b.empty()) {
      seen = b.column(0).ints()[b.num_rows() - 1];
    }
  }
  ASSERT_GE(seen, 0);
  const size_t second = InsertMiddleBatch(events, first, {1000, seen, 1000}, 32);
  const std::vector<size_t> key_columns = {0};
  const std::set<std::string> expected = {KeyOf(events[first].rows, key_columns, 0)};
  CheckCheckpoints(Deduplicate(false, 0), events, first, second, "keys", expected, key_columns);
}

TEST(OperatorStateTest, DeduplicateKeepFirstRestoresKeysAndTheirExpiry) {
  Events events = DisorderedReadings(36, 30, 8, 40, 5, 10);
  const size_t first = events.size() / 3;
  const size_t second = InsertMiddleBatch(events, first, {1000, 1001}, 37);
  const std::vector<size_t> key_columns = {0};
  CheckCheckpoints(Deduplicate(false, 200), events, first, second, "keys",
                   KeysOf(events[first], key_columns), key_columns);
}

TEST(OperatorStateTest, DeduplicateKeepLastRestoresTheLatestRows) {
  Events events = DisorderedReadings(33, 30, 8, 40, 5, 10);
  const size_t first = events.size() / 3;
  const size_t second = InsertMiddleBatch(events, first, {1000, 2, 3}, 34);
  const std::vector<size_t> key_columns = {0};
  CheckCheckpoints(Deduplicate(true, 150), events, first, second, "keys",
                   KeysOf(events[first], key_columns), key_columns);
  CheckCheckpoints(Deduplicate(true, 0), events, first, second, "keys",
                   KeysOf(events[first], key_columns), key_columns);
}

TEST(OperatorStateTest, CorruptDeduplicateStateIsAnErrorNamingTheTable) {
  const Factory make = Deduplicate(true, 100);
  CheckpointedRun run = RunWithRestore(make, DisorderedReadings(35, 4, 8, 5, 5, 10), 7, 7);
  CheckCorruptionIsAnError(make, "keys", *run.first);
}

// ---------------------------------------------------------------- keyed process

SchemaRef Summaries() {
  return MakeSchema({{"k", DataType::kInt64},
                     {"what", DataType::kString},
                     {"n", DataType::kInt64},
                     {"sum", DataType::kInt64}});
}

/// Per key: counts its rows (value "n"), keeps its non-null values since the last
/// summary (list "recent"), emits a summary from an event-time timer 20 ms after a row
/// (then clears the list) and a heartbeat from a processing-time timer 150 ms after the
/// first row since the last heartbeat; late rows (at or before the watermark) are
/// reported at once.
class Summarizer final : public KeyedProcessFunction {
 public:
  void ProcessElement(const RowRef& row, KeyedContext& ctx) override {
    Value* n = ctx.GetState("n");
    const int64_t count = (n == nullptr ? 0 : n->int64()) + 1;
    ctx.SetState("n", Value::Int64(count));
    if (!row.IsNull(1)) ctx.ListState("recent").push_back(row.Get(1));
    const int64_t k = row.Int64(0);
    if (row.event_time() <= ctx.current_watermark()) {
      ctx.Emit({Value::Int64(k), Value::String("late"), Value::Int64(count),
                Value::Int64(row.IsNull(1) ? 0 : row.Int64(1))},
               row.event_time());
      return;
    }
    ctx.RegisterEventTimeTimer(row.event_time() - row.event_time() % 10 + 20);
    if (ctx.GetState("beat") == nullptr) {
      ctx.SetState("beat", Value::Timestamp(ctx.current_processing_time() + 150));
      ctx.RegisterProcessingTimeTimer(ctx.current_processing_time() + 150);
    }
  }
  void OnTimer(EventTimeMs timestamp, TimeDomain domain, KeyedContext& ctx) override {
    const int64_t k = ctx.current_key()[0].int64();
    const int64_t n = ctx.GetState("n")->int64();
    if (domain == TimeDomain::kProcessingTime) {
      ctx.ClearState("beat");
      ctx.Emit({Value::Int64(k), Value::String("beat"), Value::Int64(n), Value::Int64(0)}, 0);
      return;
    }
    int64_t sum = 0;
    std::vector<Value>& recent = ctx.ListState("recent");
    for (const Value& v : recent) sum += v.int64();
    recent.clear();
    ctx.Emit({Value::Int64(k), Value::String("summary"), Value::Int64(n), Value::Int64(sum)},
             timestamp);
  }
};

Factory KeyedProcess() {
  return []() -> Result<std::unique_ptr<Operator>> {
    return MakeKeyedProcess(Readings(), Summaries(), {"k"},
                            [] { return std::make_unique<Summarizer>(); });
  };
}

TEST(OperatorStateTest, KeyedProcessRestoresValuesListsAndBothKindsOfTimers) {
  Events events = DisorderedReadings(41, 30, 8, 10, 6, 15);
  const size_t first = events.size() / 3;
  const size_t second = InsertMiddleBatch(events, first, {4, 8}, 42);
  const std::vector<size_t> key_columns = {0};
  CheckCheckpoints(KeyedProcess(), events, first, second, "keys",
                   KeysOf(events[first], key_columns), key_columns);
}

TEST(OperatorStateTest, RestoredKeyedProcessSeesTheCheckpointedWatermark) {
  Events events = {Rows(MakeBatch(Readings(), {{100, {I(1), I(5), S("a"), D(1)}}})), Watermark(200),
                   Rows(MakeBatch(Readings(), {{150, {I(1), I(6), S("b"), D(2)}}}))};
  const std::vector<std::string> expected = Uninterrupted(KeyedProcess(), events);
  ASSERT_NE(
      std::find_if(expected.begin(), expected.end(),
                   [](const std::string& r) { return r.find("'late'") != std::string::npos; }),
      expected.end());
  EXPECT_EQ(RunWithRestore(KeyedProcess(), events, 2, 2).rows, expected);
}

TEST(OperatorStateTest, CorruptKeyedProcessStateIsAnErrorNamingTheTable) {
  CheckpointedRun run =
      RunWithRestore(KeyedProcess(), DisorderedReadings(43, 4, 8, 5, 6, 15), 7, 7);
  CheckCorruptionIsAnError(KeyedProcess(), "keys", *run.first);
}

// ---------------------------------------------------------------- the watermark

TEST(OperatorStateTest, ACorruptWatermarkIsAnErrorNamingItsTable) {
  MemoryOperatorState store;
  ASSERT_TRUE(store.Put("watermark", 3, "", "short").ok());
  ManualClock clock(0);
  Instance op(WindowAggregate(WindowSpec::Tumbling(50), 0, 0), 0, 1, clock);
  Status s = op.op().RestoreState(store);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("watermark"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace eddy::engine
