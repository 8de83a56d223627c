#include "src/engine/interval_join_operator.h"

#include <gtest/gtest.h>

#include "src/engine/join_test_util.h"

namespace eddy::engine {
namespace {

using testing::F64;
using testing::I64;
using testing::Line;
using testing::MakeBatch;
using testing::NullI64;
using testing::RecordingOutput;
using testing::Sorted;
using testing::Str;

SchemaRef Clicks() { return MakeSchema({{"user", DataType::kInt64}, {"page", DataType::kString}}); }
SchemaRef Orders() {
  return MakeSchema({{"user", DataType::kInt64}, {"amount", DataType::kDouble}});
}

std::unique_ptr<RegularJoinOperator> Join(int64_t lower, int64_t upper) {
  IntervalJoinOptions options;
  options.left_keys = {"user"};
  options.right_keys = {"user"};
  options.lower_bound_ms = lower;
  options.upper_bound_ms = upper;
  auto op = MakeIntervalJoinOperator(Clicks(), Orders(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

std::string Joined(EventTimeMs t, int64_t user, const std::string& page, double amount) {
  static const SchemaRef schema = Join(0, 0)->output_schema();
  return Line(schema, t, {I64(user), Str(page), I64(user), F64(amount)});
}

TEST(IntervalJoinTest, BoundsAreInclusiveOnBothEnds) {
  auto op = Join(-5, 10);
  EXPECT_EQ(op->output_schema()->ToString(),
            "user:int64, page:string, right_user:int64, amount:double");
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Clicks(), {{100, {I64(1), Str("home")}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Orders(), {{94, {I64(1), F64(1)}},
                                               {95, {I64(1), F64(2)}},
                                               {110, {I64(1), F64(3)}},
                                               {111, {I64(1), F64(4)}}}),
                          out)
                  .ok());
  EXPECT_EQ(out.SortedRows(), Sorted({Joined(100, 1, "home", 2), Joined(110, 1, "home", 3)}))
      << "the event time is the later of the two";
}

TEST(IntervalJoinTest, EmitsAsSoonAsBothSidesAreThereWhicheverComesFirst) {
  auto op = Join(0, 100);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Orders(), {{150, {I64(2), F64(9)}}}), out).ok());
  EXPECT_TRUE(out.batches.empty());
  ASSERT_TRUE(
      op->OnBatch(0,
                  MakeBatch(Clicks(), {{100, {I64(2), Str("cart")}}, {120, {I64(3), Str("cart")}}}),
                  out)
          .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Joined(150, 2, "cart", 9)}));
  ASSERT_TRUE(
      op->OnBatch(1, MakeBatch(Orders(), {{130, {I64(3), F64(5)}}, {140, {I64(2), F64(6)}}}), out)
          .ok());
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>(
                {Joined(150, 2, "cart", 9), Joined(130, 3, "cart", 5), Joined(140, 2, "cart", 6)}));
}

TEST(IntervalJoinTest, StateIsPurgedOnceTheWatermarkRulesOutFurtherMatches) {
  auto op = Join(-5, 10);
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Clicks(), {{100, {I64(1), Str("a")}}, {100, {I64(2), Str("b")}}}),
                  out)
          .ok());
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Orders(), {{200, {I64(1), F64(1)}}}), out).ok());
  EXPECT_EQ(op->state_rows(), 3u);
  EXPECT_EQ(op->state_keys(), 2u);
  // A left row at 100 matches right rows up to 110: held until the watermark reaches 110.
  ASSERT_TRUE(op->OnWatermark(109, out).ok());
  EXPECT_EQ(op->left_state_rows(), 2u);
  ASSERT_TRUE(op->OnWatermark(110, out).ok());
  EXPECT_EQ(op->left_state_rows(), 0u);
  EXPECT_EQ(op->state_keys(), 1u) << "key 2 has no rows left";
  // A right row at 200 matches left rows up to 205.
  ASSERT_TRUE(op->OnWatermark(204, out).ok());
  EXPECT_EQ(op->right_state_rows(), 1u);
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Clicks(), {{205, {I64(1), Str("c")}}}), out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Joined(205, 1, "c", 1)}));
  ASSERT_TRUE(op->OnWatermark(205, out).ok());
  EXPECT_EQ(op->right_state_rows(), 0u);
  EXPECT_EQ(op->state_rows(), 1u) << "the left row at 205 waits for rights up to 215";
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  EXPECT_EQ(op->state_rows(), 0u);
  EXPECT_EQ(op->state_keys(), 0u);
}

TEST(IntervalJoinTest, RowsThatCanNoLongerMatchGoToTheLateOutput) {
  auto op = Join(-10, 10);
  RecordingOutput out;
  // Held until the watermark reaches 995 + 10.
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Orders(), {{995, {I64(1), F64(1)}}}), out).ok());
  ASSERT_TRUE(op->OnWatermark(1000, out).ok());
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Clicks(), {{500, {I64(1), Str("too-late")}},
                                               {988, {I64(1), Str("late-but-matches")}},
                                               {998, {I64(2), Str("late-still-open")}}}),
                          out)
                  .ok());
  // 500 and 988 can match no right row still to come (500 + 10 and 988 + 10 <= 1000);
  // 500 matches nothing held either: late. 988 matches the held right at 995. 998 may
  // still match right rows up to 1008: held.
  EXPECT_EQ(out.LateRows(),
            std::vector<std::string>({Line(Clicks(), 500, {I64(1), Str("too-late")})}));
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Joined(995, 1, "late-but-matches", 1)}));
  EXPECT_EQ(op->left_state_rows(), 1u);
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Orders(), {{1001, {I64(2), F64(7)}}}), out).ok());
  EXPECT_EQ(out.Rows().back(), Joined(1001, 2, "late-still-open", 7));
}

TEST(IntervalJoinTest, NullKeysAndChangelogsAndBadBounds) {
  auto op = Join(0, 10);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Clicks(), {{1, {NullI64(), Str("x")}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Orders(), {{2, {NullI64(), F64(1)}}}), out).ok());
  EXPECT_TRUE(out.batches.empty());
  EXPECT_EQ(op->state_rows(), 0u);
  Status status =
      op->OnBatch(1, MakeBatch(Orders(), {{3, {I64(1), F64(1)}, ChangeKind::kDelete}}), out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("interval join"), std::string::npos) << status.ToString();
  IntervalJoinOptions bad;
  bad.left_keys = {"user"};
  bad.right_keys = {"user"};
  bad.lower_bound_ms = 5;
  bad.upper_bound_ms = 4;
  EXPECT_FALSE(MakeIntervalJoin(Clicks(), Orders(), bad).ok());
}

// ---- randomized comparison with a nested-loop reference ----

SchemaRef RandomLeft() {
  return MakeSchema(
      {{"k", DataType::kInt64}, {"id", DataType::kInt64}, {"name", DataType::kString}});
}
SchemaRef RandomRight() {
  return MakeSchema(
      {{"k", DataType::kInt64}, {"id", DataType::kInt64}, {"price", DataType::kDouble}});
}

std::vector<Value> RandomValues(int input, int64_t seq, std::mt19937& rng) {
  const int64_t k = std::uniform_int_distribution<int64_t>(0, 8)(rng);
  Value key = k == 8 ? NullI64() : I64(k);
  if (input == 0) return {key, I64(seq), Str("n" + std::to_string(seq))};
  return {key, I64(seq), F64(static_cast<double>(seq) / 4)};
}

class IntervalJoinRandomTest : public ::testing::TestWithParam<std::pair<int64_t, int64_t>> {};

TEST_P(IntervalJoinRandomTest, OutputMatchesANestedLoopReference) {
  const auto [lower, upper] = GetParam();
  size_t total_matches = 0;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    const int64_t disorder = std::uniform_int_distribution<int64_t>(0, 300)(rng);
    // A zero-width interval needs equal event times: make them dense.
    const int64_t step = upper == lower ? 2 : 20;
    std::vector<testing::RandomRow> rows =
        testing::RandomRows(rng, 500, step, disorder, RandomValues);
    IntervalJoinOptions options;
    options.left_keys = {"k"};
    options.right_keys = {"k"};
    options.lower_bound_ms = lower;
    options.upper_bound_ms = upper;
    auto made = MakeIntervalJoinOperator(RandomLeft(), RandomRight(), options);
    ASSERT_TRUE(made.ok());
    RegularJoinOperator& op = **made;
    RecordingOutput out;
    testing::DriveTwoInputs(op, rows, RandomLeft(), RandomRight(), disorder, rng, out);

    std::vector<std::string> expected;
    for (const testing::RandomRow& l : rows) {
      if (l.input != 0 || l.values[0].is_null()) continue;
      for (const testing::RandomRow& r : rows) {
        if (r.input != 1 || r.values[0] != l.values[0]) continue;
        if (r.t < l.t + lower || r.t > l.t + upper) continue;
        std::vector<Value> v = l.values;
        v.insert(v.end(), r.values.begin(), r.values.end());
        expected.push_back(Line(op.output_schema(), std::max(l.t, r.t), v));
      }
    }
    total_matches += expected.size();
    EXPECT_EQ(out.SortedRows(), Sorted(expected)) << "seed " << seed;
    EXPECT_TRUE(out.late.empty()) << "seed " << seed;
    EXPECT_EQ(op.state_rows(), 0u) << "seed " << seed;
  }
  EXPECT_GT(total_matches, 50u) << "the case tests too little";
}

INSTANTIATE_TEST_SUITE_P(Bounds, IntervalJoinRandomTest,
                         ::testing::Values(std::pair<int64_t, int64_t>{-20, 30},
                                           std::pair<int64_t, int64_t>{0, 0},
                                           std::pair<int64_t, int64_t>{5, 60},
                                           std::pair<int64_t, int64_t>{-60, -5}));

}  // namespace
}  // namespace eddy::engine
