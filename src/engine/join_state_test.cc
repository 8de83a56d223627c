// Checkpoints of the join operators (window, interval, regular, lookup): a run that
// snapshots, is restored into fresh operators (also with another parallelism) and goes
// on must give the output of one uninterrupted run; snapshots write only what changed;
// damaged state is an error naming its table.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/engine/interval_join_operator.h"
#include "src/engine/join_test_util.h"
#include "src/engine/key_codec.h"
#include "src/engine/lookup_join_operator.h"
#include "src/engine/operator_state_testing.h"
#include "src/engine/regular_join_operator.h"
#include "src/engine/state_codec.h"
#include "src/engine/window_join_operator.h"

namespace eddy::engine {
namespace {

using state::KeyGroupRange;
using testing::F64;
using testing::I64;
using testing::MakeBatch;
using testing::MemoryOperatorState;
using testing::RandomRow;
using testing::RecordingOutput;
using testing::Sorted;
using testing::Str;
using testing::TestRow;
using testing::Ts;

SchemaRef Persons() { return MakeSchema({{"id", DataType::kInt64}, {"name", DataType::kString}}); }
SchemaRef Auctions() {
  return MakeSchema(
      {{"seller", DataType::kInt64}, {"id", DataType::kInt64}, {"price", DataType::kDouble}});
}

// Every schema of these tests has its join key in column 0, on both inputs.
constexpr size_t kKeyColumn[] = {0};

int KeyGroupOfRow(const Batch& batch, size_t row) {
  return KeyGroupOfKey(KeyOf(batch, kKeyColumn, row));
}

// ---------------------------------------------------------------------------------------
// A run: steps (a batch for an input, or a watermark) fed to operator instances, with
// checkpoints at some steps.

struct Step {
  int input = 0;
  Batch batch;
  std::optional<EventTimeMs> watermark;
};
using Script = std::vector<Step>;

// What a checkpoint at step `step` (before it) does: every instance snapshots into the
// shared state; with `restore_parallelism`, fresh instances (that many) restore from it
// and take over, as after a crash.
struct Cut {
  size_t step = 0;
  std::optional<int> restore_parallelism;
};

using Factory = std::function<std::unique_ptr<Operator>()>;

struct RunResult {
  std::vector<std::string> rows;  // sorted
  std::vector<std::string> late;  // sorted
};

// The instance of `parallelism` that gets row `row` of `batch` from the hash exchange.
int InstanceOfRow(const Batch& batch, size_t row, int parallelism) {
  return InstanceOfKeyGroup(KeyGroupOfRow(batch, row), parallelism);
}

class Runner {
 public:
  Runner(Factory make, MemoryOperatorState& state) : make_(std::move(make)), state_(state) {}

  // Runs `script` with `parallelism` instances, checkpointing at `cuts` (in step order).
  RunResult Run(const Script& script, int parallelism, const std::vector<Cut>& cuts) {
    Start(parallelism, /*restore=*/false);
    size_t next_cut = 0;
    for (size_t i = 0; i <= script.size(); ++i) {
      while (next_cut < cuts.size() && cuts[next_cut].step == i) {
        Checkpoint(cuts[next_cut]);
        ++next_cut;
      }
      if (i == script.size()) break;
      Feed(script[i]);
    }
    for (auto& op : ops_) {
      EXPECT_TRUE(op->OnWatermark(kMaxWatermark, out_).ok());
      EXPECT_TRUE(op->OnEndOfInput(out_).ok());
    }
    return RunResult{out_.SortedRows(), Sorted(out_.LateRows())};
  }

  std::vector<std::unique_ptr<Operator>>& ops() { return ops_; }

 private:
  void Start(int parallelism, bool restore) {
    ops_.clear();
    for (int i = 0; i < parallelism; ++i) {
      std::unique_ptr<Operator> op = make_();
      OperatorContext context;
      context.instance = i;
      context.parallelism = parallelism;
      context.name = "join";
      ASSERT_TRUE(op->Open(context).ok());
      if (restore) {
        state_.SetReadRange(KeyGroupRange::OfInstance(i, parallelism));
        const Status status = op->RestoreState(state_);
        ASSERT_TRUE(status.ok()) << status.ToString();
      }
      ops_.push_back(std::move(op));
    }
    state_.SetReadRange(KeyGroupRange::All());
  }

  void Checkpoint(const Cut& cut) {
    for (auto& op : ops_) {
      const Status status = op->SnapshotState(state_);
      ASSERT_TRUE(status.ok()) << status.ToString();
    }
    if (cut.restore_parallelism) Start(*cut.restore_parallelism, /*restore=*/true);
  }

  void Feed(const Step& step) {
    const int parallelism = static_cast<int>(ops_.size());
    for (int i = 0; i < parallelism; ++i) {
      if (step.watermark) {
        ASSERT_TRUE(ops_[i]->OnWatermark(*step.watermark, out_).ok());
        continue;
      }
      std::vector<uint8_t> mine(step.batch.num_rows());
      bool any = false;
      for (size_t r = 0; r < mine.size(); ++r) {
        mine[r] = InstanceOfRow(step.batch, r, parallelism) == i;
        any = any || mine[r];
      }
      if (!any) continue;
      const Status status = ops_[i]->OnBatch(step.input, step.batch.Filter(mine), out_);
      ASSERT_TRUE(status.ok()) << status.ToString();
    }
  }

  Factory make_;
  MemoryOperatorState& state_;
  std::vector<std::unique_ptr<Operator>> ops_;
  RecordingOutput out_;
};

RunResult RunUninterrupted(const Factory& make, const Script& script) {
  MemoryOperatorState unused;
  return Runner(make, unused).Run(script, 1, {});
}

RunResult RunWithCuts(const Factory& make, const Script& script, int parallelism,
                      const std::vector<Cut>& cuts) {
  MemoryOperatorState state;
  return Runner(make, state).Run(script, parallelism, cuts);
}

// Random rows of both inputs (bounded disorder) in batches of up to `max_batch` rows of
// one input, each followed by the watermark min over inputs of (max event time seen -
// lag_ms - 1) when it advanced. A lag below the disorder makes some rows late.
template <typename MakeValues>
Script RandomScript(uint32_t seed, size_t n, const SchemaRef& left, const SchemaRef& right,
                    int64_t step_ms, int64_t disorder_ms, int64_t lag_ms, MakeValues&& make_values,
                    size_t max_batch = 6) {
  std::mt19937 rng(seed);
  const std::vector<RandomRow> rows =
      testing::RandomRows(rng, n, step_ms, disorder_ms, make_values);
  Script script;
  EventTimeMs max_seen[2] = {kMinWatermark, kMinWatermark};
  EventTimeMs watermark = kMinWatermark;
  size_t i = 0;
  while (i < rows.size()) {
    const int input = rows[i].input;
    const size_t limit = std::uniform_int_distribution<size_t>(1, max_batch)(rng);
    Step step;
    step.input = input;
    step.batch = Batch(input == 0 ? left : right);
    while (i < rows.size() && rows[i].input == input && step.batch.num_rows() < limit) {
      step.batch.AppendValues(rows[i].values, rows[i].t);
      max_seen[input] = std::max(max_seen[input], rows[i].t);
      ++i;
    }
    script.push_back(std::move(step));
    if (max_seen[0] == kMinWatermark || max_seen[1] == kMinWatermark) continue;
    const EventTimeMs w = std::min(max_seen[0], max_seen[1]) - lag_ms - 1;
    if (w > watermark) {
      watermark = w;
      script.push_back(Step{0, Batch(), w});
    }
  }
  return script;
}

// The cut plans every operator is checked with, for a script of `n` steps.
std::vector<std::vector<Cut>> SameParallelismPlans(size_t n) {
  return {
      // Snapshot, snapshot again (incremental), restore there.
      {{n / 4, std::nullopt}, {n / 2, 1}},
      // Restore at once from the first snapshot.
      {{n / 3, 1}},
      // Restore, then snapshot and restore again on top of the restored state.
      {{n / 5, std::nullopt}, {2 * n / 5, 1}, {3 * n / 5, std::nullopt}, {4 * n / 5, 1}},
      // A snapshot before any input, restore at the very end.
      {{0, std::nullopt}, {n, 1}},
  };
}

void ExpectSameResults(const RunResult& expected, const RunResult& actual,
                       const std::string& what) {
  EXPECT_EQ(actual.rows.size(), expected.rows.size()) << what;
  EXPECT_TRUE(actual.rows == expected.rows) << what << ": the rows differ";
  EXPECT_TRUE(actual.late == expected.late) << what << ": the late rows differ";
}

// Checks `make` on `script`: every same-parallelism plan, and 2 instances restored
// into 3 and into 1 (and 3 back into 2), give the uninterrupted run's output.
void CheckCheckpointedRunsMatch(const Factory& make, const Script& script) {
  const RunResult expected = RunUninterrupted(make, script);
  ASSERT_FALSE(expected.rows.empty()) << "a test whose script joins nothing proves nothing";
  const size_t n = script.size();
  int plan_index = 0;
  for (const std::vector<Cut>& plan : SameParallelismPlans(n)) {
    ExpectSameResults(expected, RunWithCuts(make, script, 1, plan),
                      "plan " + std::to_string(plan_index++));
  }
  ExpectSameResults(expected, RunWithCuts(make, script, 2, {{n / 4, std::nullopt}, {n / 2, 3}}),
                    "2 instances restored into 3");
  ExpectSameResults(expected, RunWithCuts(make, script, 2, {{n / 3, 1}}),
                    "2 instances restored into 1");
  ExpectSameResults(expected, RunWithCuts(make, script, 2, {{n / 4, 3}, {3 * n / 4, 2}}),
                    "2 instances restored into 3, then into 2");
}

// Puts a malformed entry into `table` and expects restoring a fresh operator to fail
// with an error that names the table.
void ExpectCorruptEntryNamesTable(const Factory& make, std::string_view table, std::string_view key,
                                  std::string_view value) {
  MemoryOperatorState state;
  ASSERT_TRUE(state.Put(table, 3, key, value).ok());
  std::unique_ptr<Operator> op = make();
  ASSERT_TRUE(op->Open(OperatorContext{}).ok());
  const Status status = op->RestoreState(state);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.ToString().find(std::string(table)), std::string::npos) << status.ToString();
}

// Every entry of the row tables lies in the key group of its row's join key.
void ExpectRowEntriesInTheirKeyGroups(MemoryOperatorState& state, const SchemaRef& schema,
                                      std::string_view table) {
  size_t entries = 0;
  ASSERT_TRUE(state
                  .ForEach(table,
                           [&](int key_group, std::string_view, std::string_view value) {
                             Batch row(schema);
                             ByteReader in(AsBytes(value));
                             RETURN_IF_ERROR(DecodeRow(in, row));
                             EXPECT_EQ(key_group, KeyGroupOfRow(row, 0)) << row.ToString();
                             ++entries;
                             return Status::OK();
                           })
                  .ok());
  EXPECT_GT(entries, 0u) << table;
}

std::string EncodedRow(const SchemaRef& schema, const TestRow& row) {
  ByteWriter out;
  EncodeRow(MakeBatch(schema, {row}), 0, out);
  return std::string(AsStringView(ByteSpan(out.buffer())));
}

// ---------------------------------------------------------------------------------------
// The row store under the joins.

// The rows of `chain`, oldest first, as lines.
std::vector<std::string> ChainLines(const JoinRowStore& store, const RowChain& chain) {
  std::vector<uint32_t> rows;
  for (uint32_t r = chain.head; r != kNoRow; r = store.next(r)) rows.push_back(r);
  return testing::Lines(store.rows().Select(rows));
}

TEST(JoinRowStoreStateTest, BackendHoldsExactlyTheLiveRowsThroughRemovalsAndCompactions) {
  const SchemaRef schema = Persons();
  JoinRowStore store(schema, {0});
  std::map<int64_t, RowChain> chains;
  MemoryOperatorState state;
  std::mt19937 rng(12);
  Batch input(schema);
  size_t compactions = 0;
  for (int round = 0; round < 60; ++round) {
    // Append a few hundred rows of 50 keys, remove about as many (oldest of a key first
    // or anywhere), compact when worth it, snapshot.
    input.Clear();
    for (int i = 0; i < 300; ++i) {
      const int64_t k = std::uniform_int_distribution<int64_t>(0, 49)(rng);
      input.AppendValues(std::vector<Value>{I64(k), Str("r" + std::to_string(round * 1000 + i))},
                         round * 1000 + i);
      store.Append(input, input.num_rows() - 1, chains[k]);
    }
    for (int i = 0; i < 290; ++i) {
      RowChain& chain = chains[std::uniform_int_distribution<int64_t>(0, 49)(rng)];
      if (chain.empty()) continue;
      store.Remove(i % 2 == 0 ? chain.head : chain.tail, chain);
    }
    if (store.ShouldCompact()) {
      store.Compact([&](auto&& move_chain) {
        for (auto& [k, chain] : chains) {
          if (!chain.empty()) move_chain(chain);
        }
      });
      ++compactions;
    }
    if (round % 3 == 0) continue;  // some rounds end without a snapshot
    ASSERT_TRUE(store.SnapshotTo(state, "rows").ok());
    ASSERT_EQ(state.size(), store.live_rows()) << "round " << round;
  }
  EXPECT_GT(compactions, 0u);
  ExpectRowEntriesInTheirKeyGroups(state, schema, "rows");

  // Reading the rows back in id order rebuilds every chain in its order.
  Result<SnapshotRows> read = JoinRowStore::ReadSnapshot(state, "rows", schema, false);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  JoinRowStore restored(schema, {0});
  std::map<int64_t, RowChain> restored_chains;
  for (uint32_t i : read->order) {
    restored.AppendRestored(read->rows, i, restored_chains[read->rows.column(0).ints()[i]],
                            read->ids[i], std::nullopt);
  }
  for (auto& [k, chain] : chains) {
    EXPECT_EQ(ChainLines(restored, restored_chains[k]), ChainLines(store, chain)) << "key " << k;
  }
  // The restored store goes on incrementally: a removal is a delete, an append a put.
  const size_t puts = state.puts();
  RowChain& chain = restored_chains.begin()->second;
  restored.Remove(chain.head, chain);
  restored.Append(input, 0, chain);
  ASSERT_TRUE(restored.SnapshotTo(state, "rows").ok());
  EXPECT_EQ(state.puts(), puts + 1);
  EXPECT_EQ(state.size(), restored.live_rows());
}

// ---------------------------------------------------------------------------------------
// Window join.

std::unique_ptr<WindowJoinOperator> MakeWindowJoinOp(JoinType type, int64_t size_ms,
                                                     int64_t slide_ms = 0) {
  WindowJoinOptions options;
  options.left_keys = {"id"};
  options.right_keys = {"seller"};
  options.window_size_ms = size_ms;
  options.window_slide_ms = slide_ms;
  options.type = type;
  auto op = WindowJoinOperator::Make(Persons(), Auctions(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

// Persons and auctions of 15 keys (some null), a few ms apart.
Script PersonAuctionScript(uint32_t seed, size_t n, int64_t disorder_ms, int64_t lag_ms) {
  return RandomScript(
      seed, n, Persons(), Auctions(), /*step_ms=*/7, disorder_ms, lag_ms,
      [](int input, int64_t seq, std::mt19937& rng) {
        const int64_t k = std::uniform_int_distribution<int64_t>(0, 14)(rng);
        const Value key = k == 14 ? testing::NullI64() : I64(k);
        if (input == 0) return std::vector<Value>{key, Str("p" + std::to_string(seq))};
        return std::vector<Value>{key, I64(seq), F64(static_cast<double>(seq % 100))};
      });
}

TEST(WindowJoinStateTest, TumblingSemiJoinAsNexmarkQ8SurvivesRestoreAndRescale) {
  const Script script = PersonAuctionScript(1, 1500, /*disorder_ms=*/120, /*lag_ms=*/40);
  CheckCheckpointedRunsMatch([] { return MakeWindowJoinOp(JoinType::kLeftSemi, 400); }, script);
}

TEST(WindowJoinStateTest, TumblingInnerJoinSurvivesRestoreAndRescale) {
  const Script script = PersonAuctionScript(2, 1500, 120, 40);
  CheckCheckpointedRunsMatch([] { return MakeWindowJoinOp(JoinType::kInner, 400); }, script);
}

TEST(WindowJoinStateTest, HoppingInnerJoinSurvivesRestoreAndRescale) {
  const Script script = PersonAuctionScript(3, 1200, 150, 60);
  CheckCheckpointedRunsMatch([] { return MakeWindowJoinOp(JoinType::kInner, 300, 100); }, script);
}

TEST(WindowJoinStateTest, RestoredWatermarkKeepsLateRowsLateAndFiredWindowsClosed) {
  auto make = [] { return MakeWindowJoinOp(JoinType::kInner, 10'000); };
  auto op = make();
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{1000, {I64(1), Str("a")}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Auctions(), {{2000, {I64(1), I64(5), F64(1)}}}), out).ok());
  ASSERT_TRUE(op->OnWatermark(9999, out).ok());
  ASSERT_EQ(out.num_rows(), 1u);
  MemoryOperatorState state;
  ASSERT_TRUE(op->SnapshotState(state).ok());

  auto restored = make();
  ASSERT_TRUE(restored->RestoreState(state).ok());
  RecordingOutput after;
  // Window [0, 10000) fired before the checkpoint: these rows are late, not a new window.
  ASSERT_TRUE(restored->OnBatch(0, MakeBatch(Persons(), {{3000, {I64(1), Str("b")}}}), after).ok());
  ASSERT_TRUE(
      restored->OnBatch(1, MakeBatch(Auctions(), {{4000, {I64(1), I64(6), F64(1)}}}), after).ok());
  ASSERT_TRUE(restored->OnWatermark(kMaxWatermark, after).ok());
  EXPECT_TRUE(after.batches.empty());
  EXPECT_EQ(after.LateRows().size(), 2u);
}

TEST(WindowJoinStateTest, SnapshotsWriteOnlyTheRowsThatArrivedAndDeleteTheWindowsThatFired) {
  auto op = MakeWindowJoinOp(JoinType::kInner, 1000);
  RecordingOutput out;
  MemoryOperatorState state;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Persons(), {{100, {I64(1), Str("a")}},
                                                {200, {I64(2), Str("b")}},
                                                {1100, {I64(1), Str("c")}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->SnapshotState(state).ok());
  // 3 rows, and the watermark under each of the 128 key groups.
  EXPECT_EQ(state.puts(), 3u + kKeyGroups);
  EXPECT_EQ(state.size(), op->state_rows() + kKeyGroups);

  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 3u + kKeyGroups) << "nothing changed, nothing written";

  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Auctions(), {{300, {I64(1), I64(10), F64(1)}},
                                                 {1300, {I64(1), I64(11), F64(1)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 5u + kKeyGroups) << "the two new rows only";
  EXPECT_EQ(state.deletes(), 0u);

  ASSERT_TRUE(op->OnWatermark(999, out).ok());  // fires [0, 1000): 3 rows
  ASSERT_EQ(out.num_rows(), 1u);
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.deletes(), 3u);
  EXPECT_EQ(state.puts(), 5u + 2 * kKeyGroups) << "the new watermark, no row";
  EXPECT_EQ(state.size(), op->state_rows() + kKeyGroups);

  // A window that opens and fires between two snapshots costs the backend nothing.
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{2500, {I64(3), Str("d")}}}), out).ok());
  ASSERT_TRUE(op->OnWatermark(2999, out).ok());
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 5u + 3 * kKeyGroups);
  EXPECT_EQ(state.deletes(), 5u) << "the 2 snapshotted rows of [1000, 2000)";
  EXPECT_EQ(op->state_rows(), 0u);
  EXPECT_EQ(state.size(), static_cast<size_t>(kKeyGroups));
}

TEST(WindowJoinStateTest, EveryRowEntryLivesInTheKeyGroupOfItsJoinKey) {
  auto op = MakeWindowJoinOp(JoinType::kInner, 300, 100);
  RecordingOutput out;
  MemoryOperatorState state;
  const Script script = PersonAuctionScript(4, 200, 50, 50);
  for (const Step& step : script) {
    if (!step.watermark) {
      ASSERT_TRUE(op->OnBatch(step.input, step.batch, out).ok());
    }
  }
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.size(), op->state_rows() + kKeyGroups);
  ExpectRowEntriesInTheirKeyGroups(state, Persons(), "left_rows");
  ExpectRowEntriesInTheirKeyGroups(state, Auctions(), "right_rows");
}

TEST(WindowJoinStateTest, DamagedStateIsAnErrorNamingTheTable) {
  auto make = [] { return MakeWindowJoinOp(JoinType::kInner, 1000); };
  ExpectCorruptEntryNamesTable(make, "left_rows", RowEntryKey(0, 7).view(), "\xff\x01");
  ExpectCorruptEntryNamesTable(make, "right_rows", "short",
                               EncodedRow(Auctions(), {5, {I64(1), I64(2), F64(3)}}));
  // A well-formed row under a window it does not belong to.
  ExpectCorruptEntryNamesTable(make, "left_rows", RowEntryKey(5000, 1).view(),
                               EncodedRow(Persons(), {5, {I64(1), Str("a")}}));
  ExpectCorruptEntryNamesTable(make, "watermark", "", "1234");
}

TEST(WindowJoinStateTest, RestoringIntoAnOperatorThatHoldsRowsIsRefused) {
  auto op = MakeWindowJoinOp(JoinType::kInner, 1000);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{100, {I64(1), Str("a")}}}), out).ok());
  MemoryOperatorState state;
  EXPECT_FALSE(op->RestoreState(state).ok());
}

// ---------------------------------------------------------------------------------------
// Regular and interval joins.

SchemaRef Orders() {
  return MakeSchema({{"k", DataType::kInt64},
                     {"item", DataType::kString},
                     {"valid_until", DataType::kTimestamp}});
}
SchemaRef Payments() { return MakeSchema({{"k", DataType::kInt64}, {"amount", DataType::kInt64}}); }

Script OrderPaymentScript(uint32_t seed, size_t n, int64_t keys, int64_t disorder_ms,
                          int64_t lag_ms) {
  return RandomScript(seed, n, Orders(), Payments(), /*step_ms=*/5, disorder_ms, lag_ms,
                      [keys](int input, int64_t seq, std::mt19937& rng) {
                        const int64_t k = std::uniform_int_distribution<int64_t>(0, keys)(rng);
                        const Value key = k == keys ? testing::NullI64() : I64(k);
                        if (input == 0) {
                          // Valid for 0..300 ms after the nominal time of the row; sometimes
                          // forever.
                          const int64_t valid = std::uniform_int_distribution<int64_t>(0, 300)(rng);
                          return std::vector<Value>{key, Str("item" + std::to_string(seq)),
                                                    seq % 17 == 0
                                                        ? Value::Null(DataType::kTimestamp)
                                                        : Ts(1'000'000 + seq * 5 / 2 + valid)};
                        }
                        return std::vector<Value>{key, I64(seq)};
                      });
}

std::unique_ptr<RegularJoinOperator> MakeRegularJoinOp(bool with_expiry) {
  RegularJoinOptions options;
  options.left_keys = {"k"};
  options.right_keys = {"k"};
  if (with_expiry) {
    options.left_expiry = RowExpiry::AtColumn("valid_until");
    options.right_expiry = RowExpiry::AfterEventTime(80);
  }
  // Only even amounts pay an order.
  options.condition = [](const RowRef& left, const RowRef& right) {
    (void)left;
    return right.Int64(1) % 2 == 0;
  };
  auto op = RegularJoinOperator::Make(Orders(), Payments(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

std::unique_ptr<RegularJoinOperator> MakeIntervalJoinOp() {
  IntervalJoinOptions options;
  options.left_keys = {"k"};
  options.right_keys = {"k"};
  options.lower_bound_ms = -40;
  options.upper_bound_ms = 90;
  auto op = MakeIntervalJoinOperator(Orders(), Payments(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

TEST(RegularJoinStateTest, JoinWithExpiriesSurvivesRestoreAndRescale) {
  const Script script = OrderPaymentScript(5, 1500, 20, 100, 30);
  CheckCheckpointedRunsMatch([] { return MakeRegularJoinOp(true); }, script);
}

TEST(RegularJoinStateTest, JoinThatKeepsRowsForeverSurvivesRestoreAndRescale) {
  const Script script = OrderPaymentScript(6, 600, 40, 50, 10);
  CheckCheckpointedRunsMatch([] { return MakeRegularJoinOp(false); }, script);
}

TEST(RegularJoinStateTest, RestoredRunEmitsTheSameRowsInTheSameOrder) {
  // Chains come back in arrival order, so a restored instance matches in the same order.
  const Script script = OrderPaymentScript(7, 800, 10, 100, 30);
  auto make = [] { return MakeRegularJoinOp(true); };
  RecordingOutput a;
  RecordingOutput b;
  auto op_a = make();
  auto op_b = make();
  MemoryOperatorState mid;
  const size_t half = script.size() / 2;
  for (size_t i = 0; i < script.size(); ++i) {
    if (i == half) {
      ASSERT_TRUE(op_b->SnapshotState(mid).ok());
      op_b = make();
      ASSERT_TRUE(op_b->RestoreState(mid).ok());
    }
    const Step& step = script[i];
    for (auto [op, out] : {std::pair{op_a.get(), &a}, std::pair{op_b.get(), &b}}) {
      if (step.watermark) {
        ASSERT_TRUE(op->OnWatermark(*step.watermark, *out).ok());
      } else {
        ASSERT_TRUE(op->OnBatch(step.input, step.batch, *out).ok());
      }
    }
  }
  ASSERT_GT(a.num_rows(), 0u);
  EXPECT_EQ(a.Rows(), b.Rows());
  EXPECT_EQ(a.LateRows(), b.LateRows());
}

TEST(RegularJoinStateTest, SnapshotsWriteNewRowsAndDeleteExpiredOnesAcrossCompactions) {
  // Many short-lived rows: expiries delete snapshotted rows and compactions move rows
  // between snapshots; the backend must always hold exactly the live rows.
  auto op = MakeRegularJoinOp(true);
  RecordingOutput out;
  MemoryOperatorState state;
  const Script script = OrderPaymentScript(8, 12'000, 300, 60, 20);
  size_t smallest_arena = SIZE_MAX;
  size_t largest_arena = 0;
  size_t snapshots = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    const Step& step = script[i];
    if (step.watermark) {
      ASSERT_TRUE(op->OnWatermark(*step.watermark, out).ok());
    } else {
      ASSERT_TRUE(op->OnBatch(step.input, step.batch, out).ok());
    }
    if (i % 97 == 0) {
      const size_t puts = state.puts();
      ASSERT_TRUE(op->SnapshotState(state).ok());
      ++snapshots;
      EXPECT_LE(state.puts() - puts, 97u * 6 + kKeyGroups) << "a snapshot writes the new rows";
      ASSERT_EQ(state.size(), op->state_rows() + kKeyGroups) << "after step " << i;
      largest_arena = std::max(largest_arena, op->arena_rows());
      smallest_arena = std::min(smallest_arena, op->arena_rows());
    }
  }
  ASSERT_TRUE(op->SnapshotState(state).ok());
  ASSERT_EQ(state.size(), op->state_rows() + kKeyGroups);
  EXPECT_GT(snapshots, 50u);
  EXPECT_GT(state.deletes(), 1000u);
  EXPECT_LT(op->arena_rows(), largest_arena) << "no compaction happened: the test is too small";
  ExpectRowEntriesInTheirKeyGroups(state, Orders(), "left_rows");
  ExpectRowEntriesInTheirKeyGroups(state, Payments(), "right_rows");

  // The state after all this restores into an operator that joins like the original.
  auto restored = MakeRegularJoinOp(true);
  ASSERT_TRUE(restored->RestoreState(state).ok());
  EXPECT_EQ(restored->state_rows(), op->state_rows());
  EXPECT_EQ(restored->state_keys(), op->state_keys());
  Batch probe = MakeBatch(Payments(), {});
  for (int64_t k = 0; k < 300; ++k)
    probe.AppendValues(std::vector<Value>{I64(k), I64(2 * k)}, kMaxWatermark - 1);
  RecordingOutput from_original;
  RecordingOutput from_restored;
  ASSERT_TRUE(op->OnBatch(1, probe, from_original).ok());
  ASSERT_TRUE(restored->OnBatch(1, probe, from_restored).ok());
  EXPECT_EQ(from_original.Rows(), from_restored.Rows());
}

TEST(RegularJoinStateTest, DamagedStateIsAnErrorNamingTheTable) {
  auto make = [] { return MakeRegularJoinOp(true); };
  ExpectCorruptEntryNamesTable(make, "left_rows", RowEntryKey(std::nullopt, 1).view(),
                               "\x01\x02\x03");
  ExpectCorruptEntryNamesTable(make, "right_rows", RowEntryKey(4, 1).view(),
                               EncodedRow(Payments(), {5, {I64(1), I64(2)}}));
  // A row followed by stray bytes.
  ExpectCorruptEntryNamesTable(make, "right_rows", RowEntryKey(std::nullopt, 1).view(),
                               EncodedRow(Payments(), {5, {I64(1), I64(2)}}) + "x");
  ExpectCorruptEntryNamesTable(make, "watermark", "k", "12345678");
}

TEST(IntervalJoinStateTest, IntervalJoinSurvivesRestoreAndRescale) {
  const Script script = OrderPaymentScript(9, 1500, 15, 100, 30);
  CheckCheckpointedRunsMatch([] { return MakeIntervalJoinOp(); }, script);
}

TEST(IntervalJoinStateTest, RestoredWatermarkStillExpiresAndLatesRows) {
  auto make = [] { return MakeIntervalJoinOp(); };
  auto op = make();
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Orders(), {{1000, {I64(1), Str("a"), Ts(0)}}}), out).ok());
  ASSERT_TRUE(op->OnWatermark(1050, out).ok());
  MemoryOperatorState state;
  ASSERT_TRUE(op->SnapshotState(state).ok());
  auto restored = make();
  ASSERT_TRUE(restored->RestoreState(state).ok());
  EXPECT_EQ(restored->state_rows(), 1u);
  RecordingOutput after;
  // 1000 + 90 >= 1080: joins. A left row at 900 expired at 990 <= 1050: late.
  ASSERT_TRUE(restored->OnBatch(1, MakeBatch(Payments(), {{1080, {I64(1), I64(2)}}}), after).ok());
  ASSERT_TRUE(
      restored->OnBatch(0, MakeBatch(Orders(), {{900, {I64(2), Str("b"), Ts(0)}}}), after).ok());
  EXPECT_EQ(after.num_rows(), 1u);
  EXPECT_EQ(after.LateRows().size(), 1u);
  ASSERT_TRUE(restored->OnWatermark(1090, after).ok());
  EXPECT_EQ(restored->state_rows(), 1u) << "the left row expires at 1090, the right at 1120";
  ASSERT_TRUE(restored->OnWatermark(1120, after).ok());
  EXPECT_EQ(restored->state_rows(), 0u);
  ASSERT_TRUE(restored->SnapshotState(state).ok());
  EXPECT_EQ(state.size(), static_cast<size_t>(kKeyGroups)) << "the restored row was deleted";
}

// ---------------------------------------------------------------------------------------
// Lookup join.

SchemaRef Clicks() { return MakeSchema({{"user", DataType::kInt64}, {"page", DataType::kInt64}}); }
SchemaRef Users() { return MakeSchema({{"id", DataType::kInt64}, {"name", DataType::kString}}); }

std::unique_ptr<LookupJoinOperator> MakeLookupJoinOp() {
  LookupJoinOptions options;
  options.stream_keys = {"user"};
  options.table_keys = {"id"};
  options.left_outer = true;
  auto op = LookupJoinOperator::Make(Clicks(), Users(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

// Table changes (inserts, updates as -U/+U, deletes) of `keys` users interleaved with
// clicks that look them up.
Script UserClickScript(uint32_t seed, size_t steps, int64_t keys) {
  std::mt19937 rng(seed);
  Script script;
  std::vector<bool> present(keys, false);
  int64_t t = 0;
  for (size_t i = 0; i < steps; ++i) {
    Step step;
    step.input = std::uniform_int_distribution<int>(0, 2)(rng) == 0 ? 0 : 1;
    const size_t rows = std::uniform_int_distribution<size_t>(1, 8)(rng);
    step.batch = Batch(step.input == 0 ? Clicks() : Users());
    for (size_t r = 0; r < rows; ++r) {
      t += std::uniform_int_distribution<int64_t>(0, 3)(rng);
      const int64_t k = std::uniform_int_distribution<int64_t>(0, keys - 1)(rng);
      if (step.input == 0) {
        step.batch.AppendValues(std::vector<Value>{I64(k), I64(static_cast<int64_t>(i))}, t);
        continue;
      }
      const std::string name = "u" + std::to_string(k) + "v" + std::to_string(i);
      if (!present[k]) {
        step.batch.AppendValues(std::vector<Value>{I64(k), Str(name)}, t, ChangeKind::kInsert);
        present[k] = true;
      } else if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
        step.batch.AppendValues(std::vector<Value>{I64(k), Str("gone")}, t, ChangeKind::kDelete);
        present[k] = false;
      } else {
        step.batch.AppendValues(std::vector<Value>{I64(k), Str("old")}, t,
                                ChangeKind::kUpdateBefore);
        step.batch.AppendValues(std::vector<Value>{I64(k), Str(name)}, t, ChangeKind::kUpdateAfter);
      }
    }
    script.push_back(std::move(step));
  }
  return script;
}

TEST(LookupJoinStateTest, TableSurvivesRestoreAndRescale) {
  const Script script = UserClickScript(10, 1200, 30);
  CheckCheckpointedRunsMatch([] { return MakeLookupJoinOp(); }, script);
}

TEST(LookupJoinStateTest, TableSurvivesRestoreAcrossCompactions) {
  // Enough updates of few keys that the arena compacts between snapshots.
  const Script script = UserClickScript(11, 3000, 8);
  CheckCheckpointedRunsMatch([] { return MakeLookupJoinOp(); }, script);
}

TEST(LookupJoinStateTest, LookUpsWriteNothingAndChangesWriteTheirKeysOnly) {
  auto op = MakeLookupJoinOp();
  RecordingOutput out;
  MemoryOperatorState state;
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Users(), {{1, {I64(1), Str("ann")}},
                                              {1, {I64(2), Str("bob")}},
                                              {1, {I64(3), Str("cy")}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 3u);
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Clicks(), {{2, {I64(1), I64(9)}}, {2, {I64(2), I64(9)}}}), out)
          .ok());
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 3u) << "look-ups change no state";
  // An upsert of key 2 and a delete of key 3.
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Users(), {{3, {I64(2), Str("rob")}, ChangeKind::kUpdateAfter},
                                              {3, {I64(3), Str("cy")}, ChangeKind::kDelete}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 4u);
  EXPECT_EQ(state.deletes(), 1u);
  EXPECT_EQ(state.size(), 2u);

  auto restored = MakeLookupJoinOp();
  ASSERT_TRUE(restored->RestoreState(state).ok());
  RecordingOutput after;
  ASSERT_TRUE(restored
                  ->OnBatch(0,
                            MakeBatch(Clicks(), {{5, {I64(1), I64(1)}},
                                                 {5, {I64(2), I64(2)}},
                                                 {5, {I64(3), I64(3)}}}),
                            after)
                  .ok());
  const SchemaRef schema = restored->output_schema();
  EXPECT_EQ(
      after.Rows(),
      std::vector<std::string>(
          {testing::Line(schema, 5, {I64(1), I64(1), I64(1), Str("ann")}),
           testing::Line(schema, 5, {I64(2), I64(2), I64(2), Str("rob")}),
           testing::Line(schema, 5,
                         {I64(3), I64(3), testing::NullI64(), Value::Null(DataType::kString)})}));
}

TEST(LookupJoinStateTest, ACompactionOfTheTableRowsDoesNotRewriteTheTable) {
  auto op = MakeLookupJoinOp();
  RecordingOutput out;
  MemoryOperatorState state;
  Batch users(Users());
  for (int64_t k = 0; k < 100; ++k) {
    users.AppendValues(std::vector<Value>{I64(k), Str("user" + std::to_string(k))}, 1);
  }
  ASSERT_TRUE(op->OnBatch(1, users, out).ok());
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 100u);
  // 2000 upserts of one key leave 2000 holes: the arena compacts.
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(
        op->OnBatch(
              1,
              MakeBatch(Users(),
                        {{2, {I64(7), Str("name" + std::to_string(i))}, ChangeKind::kUpdateAfter}}),
              out)
            .ok());
  }
  EXPECT_LT(op->arena_rows(), 2100u) << "no compaction happened";
  ASSERT_TRUE(op->SnapshotState(state).ok());
  EXPECT_EQ(state.puts(), 101u) << "only key 7 changed";

  auto restored = MakeLookupJoinOp();
  ASSERT_TRUE(restored->RestoreState(state).ok());
  RecordingOutput after;
  ASSERT_TRUE(
      restored
          ->OnBatch(0, MakeBatch(Clicks(), {{5, {I64(7), I64(1)}}, {5, {I64(8), I64(1)}}}), after)
          .ok());
  const SchemaRef schema = restored->output_schema();
  EXPECT_EQ(after.Rows(), std::vector<std::string>(
                              {testing::Line(schema, 5, {I64(7), I64(1), I64(7), Str("name1999")}),
                               testing::Line(schema, 5, {I64(8), I64(1), I64(8), Str("user8")})}));
}

TEST(LookupJoinStateTest, DamagedStateIsAnErrorNamingTheTable) {
  auto make = [] { return MakeLookupJoinOp(); };
  ExpectCorruptEntryNamesTable(make, "table_rows",
                               KeyOf(MakeBatch(Users(), {{1, {I64(1), Str("a")}}}), kKeyColumn, 0),
                               "\x07");
}

}  // namespace
}  // namespace eddy::engine
