#include "src/engine/deduplicate_operator.h"

#include <gtest/gtest.h>

#include <map>

#include "src/engine/join_test_util.h"

namespace eddy::engine {
namespace {

using testing::I64;
using testing::Line;
using testing::MakeBatch;
using testing::NullI64;
using testing::RecordingOutput;
using testing::Str;

SchemaRef Events() {
  return MakeSchema({{"user", DataType::kInt64}, {"event", DataType::kString}});
}

std::unique_ptr<DeduplicateOperator> Dedup(bool keep_last, int64_t ttl_ms = 0) {
  DeduplicateOptions options;
  options.keys = {"user"};
  options.keep_last = keep_last;
  options.ttl_ms = ttl_ms;
  auto op = DeduplicateOperator::Make(Events(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

std::string Row(EventTimeMs t, Value user, const std::string& event,
                ChangeKind kind = ChangeKind::kInsert) {
  return Line(Events(), t, {std::move(user), Str(event)}, kind);
}

TEST(DeduplicateTest, KeepFirstEmitsTheFirstArrivingRowOfEachKeyOnly) {
  auto op = Dedup(false);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Events(), {{50, {I64(1), Str("a")}},
                                               {10, {I64(2), Str("b")}},
                                               {5, {I64(1), Str("c")}},
                                               {60, {NullI64(), Str("d")}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Events(), {{70, {I64(2), Str("e")}},
                                               {80, {I64(3), Str("f")}},
                                               {90, {NullI64(), Str("g")}}}),
                          out)
                  .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Row(50, I64(1), "a"), Row(10, I64(2), "b"),
                                                  Row(60, NullI64(), "d"), Row(80, I64(3), "f")}))
      << "arrival order decides, and null is a key like any other";
  EXPECT_EQ(op->state_keys(), 4u);
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  EXPECT_EQ(op->state_keys(), 4u) << "without a ttl keys are kept forever";
}

TEST(DeduplicateTest, KeepLastEmitsInsertThenRetractionAndUpdateForEachLaterRow) {
  auto op = Dedup(true);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Events(), {{10, {I64(1), Str("a")}},
                                               {20, {I64(2), Str("b")}},
                                               {15, {I64(1), Str("c")}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Events(), {{30, {I64(1), Str("d")}}}), out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Row(10, I64(1), "a"), Row(20, I64(2), "b"),
                                                  Row(10, I64(1), "a", ChangeKind::kUpdateBefore),
                                                  Row(15, I64(1), "c", ChangeKind::kUpdateAfter),
                                                  Row(15, I64(1), "c", ChangeKind::kUpdateBefore),
                                                  Row(30, I64(1), "d", ChangeKind::kUpdateAfter)}));
  EXPECT_EQ(op->state_rows(), 2u);
}

TEST(DeduplicateTest, TtlForgetsAKeyOnceTheWatermarkReachesItsFirstRowPlusTtl) {
  auto op = Dedup(false, 100);
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Events(), {{10, {I64(1), Str("a")}}, {50, {I64(2), Str("b")}}}), out)
          .ok());
  ASSERT_TRUE(op->OnWatermark(109, out).ok());
  EXPECT_EQ(op->state_keys(), 2u);
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Events(), {{105, {I64(1), Str("dup")}}}), out).ok());
  ASSERT_TRUE(op->OnWatermark(110, out).ok());
  EXPECT_EQ(op->state_keys(), 1u);
  ASSERT_TRUE(
      op->OnBatch(0,
                  MakeBatch(Events(), {{120, {I64(1), Str("again")}}, {121, {I64(2), Str("dup")}}}),
                  out)
          .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Row(10, I64(1), "a"), Row(50, I64(2), "b"),
                                                  Row(120, I64(1), "again")}));
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  EXPECT_EQ(op->state_keys(), 0u);
}

TEST(DeduplicateTest, TtlForgetsKeepLastRowsWithoutRetractingThem) {
  auto op = Dedup(true, 100);
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Events(), {{10, {I64(1), Str("a")}}, {90, {I64(1), Str("b")}}}), out)
          .ok());
  ASSERT_TRUE(op->OnWatermark(110, out).ok());
  EXPECT_EQ(op->state_rows(), 0u);
  EXPECT_EQ(op->state_keys(), 0u);
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Events(), {{200, {I64(1), Str("c")}}}), out).ok());
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>(
                {Row(10, I64(1), "a"), Row(10, I64(1), "a", ChangeKind::kUpdateBefore),
                 Row(90, I64(1), "b", ChangeKind::kUpdateAfter), Row(200, I64(1), "c")}));
}

TEST(DeduplicateTest, ChangelogInputAndBadOptionsAreErrors) {
  auto op = Dedup(false);
  RecordingOutput out;
  Status status =
      op->OnBatch(0, MakeBatch(Events(), {{1, {I64(1), Str("a")}, ChangeKind::kDelete}}), out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("deduplicate: input 0 row 0 is a -D"), std::string::npos)
      << status.ToString();
  DeduplicateOptions options;
  EXPECT_FALSE(MakeDeduplicate(Events(), options).ok()) << "no keys";
  options.keys = {"nope"};
  EXPECT_FALSE(MakeDeduplicate(Events(), options).ok());
  options.keys = {"user"};
  options.ttl_ms = -1;
  EXPECT_FALSE(MakeDeduplicate(Events(), options).ok());
}

// Random rows in random batches: keep_first must emit exactly the first arrival of each
// key; keep_last's changelog, applied to a table, must leave exactly the last arrival of
// each key, and each -U must retract the row then in the table.
TEST(DeduplicateTest, RandomRowsMatchAFirstAndLastArrivalReference) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    auto first = Dedup(false);
    auto last = Dedup(true);
    RecordingOutput first_out;
    RecordingOutput last_out;
    std::vector<std::string> expected_first;
    std::map<int64_t, std::string> expected_last;
    std::map<int64_t, bool> seen;
    int64_t seq = 0;
    while (seq < 500) {
      Batch batch(Events());
      const int n = std::uniform_int_distribution<int>(1, 10)(rng);
      for (int i = 0; i < n; ++i, ++seq) {
        const int64_t user = std::uniform_int_distribution<int64_t>(0, 30)(rng);
        const EventTimeMs t = std::uniform_int_distribution<int64_t>(0, 10'000)(rng);
        const std::string event = "e" + std::to_string(seq);
        batch.AppendValues(std::vector<Value>{I64(user), Str(event)}, t);
        if (!seen[user]) expected_first.push_back(Row(t, I64(user), event));
        seen[user] = true;
        expected_last[user] = Row(t, I64(user), event);
      }
      Batch copy(Events());
      copy.AppendRange(batch, 0, batch.num_rows());
      ASSERT_TRUE(first->OnBatch(0, std::move(batch), first_out).ok());
      ASSERT_TRUE(last->OnBatch(0, std::move(copy), last_out).ok());
    }
    EXPECT_EQ(first_out.Rows(), expected_first) << "seed " << seed;
    std::map<int64_t, std::string> table;
    for (const Batch& b : last_out.batches) {
      for (size_t r = 0; r < b.num_rows(); ++r) {
        const int64_t user = b.column(0).ints()[r];
        const std::string plain = Line(Events(), b.event_time(r), b.RowValues(r));
        if (IsAddition(b.change(r))) {
          ASSERT_EQ(table.count(user), 0u) << "seed " << seed << ": added twice";
          table[user] = plain;
        } else {
          ASSERT_EQ(table[user], plain) << "seed " << seed << ": retracts another row";
          table.erase(user);
        }
      }
    }
    EXPECT_EQ(table, expected_last) << "seed " << seed;
  }
}

}  // namespace
}  // namespace eddy::engine
