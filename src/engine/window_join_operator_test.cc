#include "src/engine/window_join_operator.h"

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
using testing::Ts;

SchemaRef Persons() { return MakeSchema({{"id", DataType::kInt64}, {"name", DataType::kString}}); }
SchemaRef Auctions() {
  return MakeSchema(
      {{"seller", DataType::kInt64}, {"id", DataType::kInt64}, {"price", DataType::kDouble}});
}

std::unique_ptr<WindowJoinOperator> Join(JoinType type, int64_t size_ms, int64_t slide_ms = 0) {
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

TEST(WindowJoinTest, OutputHasLeftThenPrefixedRightThenWindowColumns) {
  auto op = Join(JoinType::kInner, 10'000);
  EXPECT_EQ(op->output_schema()->ToString(),
            "id:int64, name:string, seller:int64, right_id:int64, price:double, "
            "window_start:timestamp not null, window_end:timestamp not null");
  auto semi = Join(JoinType::kLeftSemi, 10'000);
  EXPECT_EQ(semi->output_schema()->ToString(),
            "id:int64, name:string, window_start:timestamp not null, "
            "window_end:timestamp not null");
}

TEST(WindowJoinTest, InnerJoinEmitsEveryPairOfAKeyWhenTheWindowCloses) {
  auto op = Join(JoinType::kInner, 10'000);
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(
            0, MakeBatch(Persons(), {{1000, {I64(1), Str("ann")}}, {2000, {I64(2), Str("bob")}}}),
            out)
          .ok());
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Auctions(), {{3000, {I64(1), I64(100), F64(1.5)}},
                                                 {9000, {I64(1), I64(101), F64(2.5)}},
                                                 {5000, {I64(3), I64(102), F64(3.5)}}}),
                          out)
                  .ok());
  EXPECT_EQ(op->state_rows(), 5u);
  ASSERT_TRUE(op->OnWatermark(9998, out).ok());
  EXPECT_TRUE(out.batches.empty()) << "the window [0, 10000) fires at watermark 9999";
  ASSERT_TRUE(op->OnWatermark(9999, out).ok());
  const SchemaRef schema = op->output_schema();
  EXPECT_EQ(out.SortedRows(),
            Sorted({Line(schema, 9999,
                         {I64(1), Str("ann"), I64(1), I64(100), F64(1.5), Ts(0), Ts(10'000)}),
                    Line(schema, 9999,
                         {I64(1), Str("ann"), I64(1), I64(101), F64(2.5), Ts(0), Ts(10'000)})}));
  EXPECT_EQ(out.batches.size(), 1u) << "one batch per watermark";
  EXPECT_EQ(op->state_rows(), 0u);
  EXPECT_EQ(op->open_windows(), 0u);
  EXPECT_TRUE(out.late.empty());
}

TEST(WindowJoinTest, OutOfOrderRowsJoinWithinTheirOwnWindows) {
  auto op = Join(JoinType::kInner, 10'000);
  RecordingOutput out;
  // The right row of window [10000, 20000) comes before the left row of [0, 10000).
  ASSERT_TRUE(
      op->OnBatch(1, MakeBatch(Auctions(), {{15'000, {I64(7), I64(1), F64(1)}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Persons(), {{12'000, {I64(7), Str("late-window")}},
                                                {4000, {I64(7), Str("early-window")}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Auctions(), {{1000, {I64(7), I64(2), F64(2)}}}), out).ok());
  EXPECT_EQ(op->open_windows(), 2u);
  ASSERT_TRUE(op->OnWatermark(9999, out).ok());
  const SchemaRef schema = op->output_schema();
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Line(schema, 9999,
                                                       {I64(7), Str("early-window"), I64(7), I64(2),
                                                        F64(2), Ts(0), Ts(10'000)})}));
  out.Clear();
  ASSERT_TRUE(op->OnWatermark(25'000, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Line(schema, 19'999,
                                                       {I64(7), Str("late-window"), I64(7), I64(1),
                                                        F64(1), Ts(10'000), Ts(20'000)})}));
  EXPECT_EQ(op->open_windows(), 0u);
}

TEST(WindowJoinTest, RowsOfFiredWindowsGoToTheLateOutput) {
  auto op = Join(JoinType::kInner, 10'000);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{1000, {I64(1), Str("a")}}}), out).ok());
  ASSERT_TRUE(op->OnWatermark(9999, out).ok());
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Auctions(), {{9999, {I64(1), I64(5), F64(1)}},
                                                 {10'000, {I64(1), I64(6), F64(1)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{500, {I64(1), Str("b")}}}), out).ok());
  ASSERT_EQ(out.late.size(), 2u);
  EXPECT_EQ(*out.late[0].schema(), *Auctions()) << "late rows keep their input's schema";
  EXPECT_EQ(out.LateRows(),
            std::vector<std::string>({Line(Auctions(), 9999, {I64(1), I64(5), F64(1)}),
                                      Line(Persons(), 500, {I64(1), Str("b")})}));
  EXPECT_TRUE(out.batches.empty());
  EXPECT_EQ(op->state_rows(), 1u) << "the on-time row at 10000 is held";
}

TEST(WindowJoinTest, SemiJoinEmitsEachLeftRowOnceHoweverManyRightRowsMatch) {
  auto op = Join(JoinType::kLeftSemi, 10'000);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Persons(), {{1000, {I64(1), Str("ann")}},
                                                {1500, {I64(2), Str("bob")}},
                                                {11'000, {I64(1), Str("ann-again")}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Auctions(), {{2000, {I64(1), I64(1), F64(1)}},
                                                 {3000, {I64(1), I64(2), F64(1)}},
                                                 {4000, {I64(1), I64(3), F64(1)}},
                                                 {5000, {I64(3), I64(4), F64(1)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  const SchemaRef schema = op->output_schema();
  EXPECT_EQ(out.Rows(), std::vector<std::string>(
                            {Line(schema, 9999, {I64(1), Str("ann"), Ts(0), Ts(10'000)})}));
}

TEST(WindowJoinTest, HoppingWindowsJoinRowsInEveryWindowTheyShare) {
  auto op = Join(JoinType::kInner, 10'000, 5000);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{7000, {I64(1), Str("a")}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Auctions(), {{9000, {I64(1), I64(1), F64(1)}},
                                                 {12'000, {I64(1), I64(2), F64(2)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  const SchemaRef schema = op->output_schema();
  // 7000 is in [0, 10000) and [5000, 15000); 9000 too; 12000 in [5000, 15000), [10000, 20000).
  EXPECT_EQ(
      out.SortedRows(),
      Sorted(
          {Line(schema, 9999, {I64(1), Str("a"), I64(1), I64(1), F64(1), Ts(0), Ts(10'000)}),
           Line(schema, 14'999, {I64(1), Str("a"), I64(1), I64(1), F64(1), Ts(5000), Ts(15'000)}),
           Line(schema, 14'999,
                {I64(1), Str("a"), I64(1), I64(2), F64(2), Ts(5000), Ts(15'000)})}));
  EXPECT_EQ(op->state_rows(), 0u);
}

TEST(WindowJoinTest, HoppingRowIsLateOnlyWhenAllItsWindowsHaveFired) {
  auto op = Join(JoinType::kInner, 10'000, 5000);
  RecordingOutput out;
  ASSERT_TRUE(op->OnWatermark(9999, out).ok());
  // 7000 belongs to [0, 10000) (fired) and [5000, 15000) (open): joins in the open one.
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{7000, {I64(1), Str("a")}}}), out).ok());
  // 3000 belongs to [-5000, 5000) and [0, 10000): both fired.
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Auctions(), {{3000, {I64(1), I64(1), F64(1)}},
                                                 {8000, {I64(1), I64(2), F64(2)}}}),
                          out)
                  .ok());
  EXPECT_EQ(out.LateRows(),
            std::vector<std::string>({Line(Auctions(), 3000, {I64(1), I64(1), F64(1)})}));
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Line(
                            op->output_schema(), 14'999,
                            {I64(1), Str("a"), I64(1), I64(2), F64(2), Ts(5000), Ts(15'000)})}));
}

TEST(WindowJoinTest, NegativeEventTimesAlignToTheEpoch) {
  auto op = Join(JoinType::kInner, 10'000);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{-1, {I64(1), Str("a")}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Auctions(), {{-10'000, {I64(1), I64(1), F64(1)}},
                                                 {0, {I64(1), I64(2), F64(1)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Line(
                            op->output_schema(), -1,
                            {I64(1), Str("a"), I64(1), I64(1), F64(1), Ts(-10'000), Ts(0)})}));
}

TEST(WindowJoinTest, NullKeysNeverMatch) {
  auto op = Join(JoinType::kInner, 10'000);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Persons(), {{1, {NullI64(), Str("a")}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Auctions(), {{2, {NullI64(), I64(1), F64(1)}}}), out).ok());
  EXPECT_EQ(op->state_rows(), 0u);
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  EXPECT_TRUE(out.batches.empty());
  EXPECT_TRUE(out.late.empty());
}

TEST(WindowJoinTest, MakeRejectsBadOptions) {
  WindowJoinOptions options;
  options.left_keys = {"id"};
  options.right_keys = {"seller"};
  options.window_size_ms = 0;
  EXPECT_FALSE(MakeWindowJoin(Persons(), Auctions(), options).ok());
  options.window_size_ms = 1000;
  options.window_slide_ms = -1;
  EXPECT_FALSE(MakeWindowJoin(Persons(), Auctions(), options).ok());
  options.window_slide_ms = 0;
  options.right_keys = {"price"};
  Result<std::unique_ptr<Operator>> mismatched = MakeWindowJoin(Persons(), Auctions(), options);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.status().message().find("types must match"), std::string::npos)
      << mismatched.status().ToString();
  options.right_keys = {"nope"};
  EXPECT_FALSE(MakeWindowJoin(Persons(), Auctions(), options).ok());
  options.right_keys = {"seller", "id"};
  EXPECT_FALSE(MakeWindowJoin(Persons(), Auctions(), options).ok());
  options.right_keys = {"seller"};
  SchemaRef clashing = MakeSchema({{"id", DataType::kInt64}, {"window_end", DataType::kInt64}});
  EXPECT_FALSE(MakeWindowJoin(clashing, Auctions(), options).ok());
  EXPECT_TRUE(MakeWindowJoin(Persons(), Auctions(), options).ok());
}

// ---- randomized comparison with a nested-loop reference ----

struct RandomCase {
  JoinType type;
  int64_t size_ms;
  int64_t slide_ms;
};

class WindowJoinRandomTest : public ::testing::TestWithParam<RandomCase> {};

SchemaRef RandomLeft() {
  return MakeSchema(
      {{"k", DataType::kInt64}, {"id", DataType::kInt64}, {"name", DataType::kString}});
}
SchemaRef RandomRight() {
  return MakeSchema(
      {{"k", DataType::kInt64}, {"id", DataType::kInt64}, {"price", DataType::kDouble}});
}

std::vector<Value> RandomValues(int input, int64_t seq, std::mt19937& rng) {
  const int64_t k = std::uniform_int_distribution<int64_t>(0, 6)(rng);
  Value key = k == 6 ? NullI64() : I64(k);
  if (input == 0) return {key, I64(seq), Str("n" + std::to_string(seq))};
  return {key, I64(seq), F64(static_cast<double>(seq) / 4)};
}

// Window starts of a row at t (epoch-aligned, floor for negatives), as the reference sees
// them: every multiple of the slide in (t - size, t].
std::vector<int64_t> WindowStarts(int64_t t, int64_t size, int64_t slide) {
  std::vector<int64_t> starts;
  for (int64_t s = (t / slide - size / slide - 2) * slide; s <= t; s += slide) {
    if (s > t - size) starts.push_back(s);
  }
  return starts;
}

TEST_P(WindowJoinRandomTest, OutputMatchesANestedLoopReference) {
  const RandomCase c = GetParam();
  const int64_t slide = c.slide_ms == 0 ? c.size_ms : c.slide_ms;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    const int64_t disorder = std::uniform_int_distribution<int64_t>(0, 3000)(rng);
    std::vector<testing::RandomRow> rows =
        testing::RandomRows(rng, 400, 150, disorder, RandomValues);
    WindowJoinOptions options;
    options.left_keys = {"k"};
    options.right_keys = {"k"};
    options.window_size_ms = c.size_ms;
    options.window_slide_ms = c.slide_ms;
    options.type = c.type;
    auto made = WindowJoinOperator::Make(RandomLeft(), RandomRight(), options);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    WindowJoinOperator& op = **made;
    RecordingOutput out;
    testing::DriveTwoInputs(op, rows, RandomLeft(), RandomRight(), disorder, rng, out);

    std::vector<std::string> expected;
    const SchemaRef schema = op.output_schema();
    for (const testing::RandomRow& l : rows) {
      if (l.input != 0 || l.values[0].is_null()) continue;
      for (int64_t start : WindowStarts(l.t, c.size_ms, slide)) {
        const int64_t end = start + c.size_ms;
        bool matched = false;
        for (const testing::RandomRow& r : rows) {
          if (r.input != 1 || r.values[0] != l.values[0] || r.t < start || r.t >= end) continue;
          if (c.type == JoinType::kLeftSemi) {
            matched = true;
            break;
          }
          std::vector<Value> v = l.values;
          v.insert(v.end(), r.values.begin(), r.values.end());
          v.push_back(Ts(start));
          v.push_back(Ts(end));
          expected.push_back(Line(schema, end - 1, v));
        }
        if (matched) {
          std::vector<Value> v = l.values;
          v.push_back(Ts(start));
          v.push_back(Ts(end));
          expected.push_back(Line(schema, end - 1, v));
        }
      }
    }
    ASSERT_GT(expected.size(), 0u) << "seed " << seed << ": the case tests nothing";
    EXPECT_EQ(out.SortedRows(), Sorted(expected)) << "seed " << seed;
    EXPECT_TRUE(out.late.empty()) << "seed " << seed;
    EXPECT_EQ(op.state_rows(), 0u) << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Windows, WindowJoinRandomTest,
                         ::testing::Values(RandomCase{JoinType::kInner, 2000, 0},
                                           RandomCase{JoinType::kInner, 3000, 1000},
                                           RandomCase{JoinType::kLeftSemi, 2000, 0},
                                           RandomCase{JoinType::kLeftSemi, 3000, 1000},
                                           RandomCase{JoinType::kInner, 1000, 1500}));

}  // namespace
}  // namespace eddy::engine
