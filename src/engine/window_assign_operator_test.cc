#include "src/engine/window_assign_operator.h"

#include <gtest/gtest.h>

#include "src/engine/window_test_util.h"

namespace eddy::engine {
namespace {

using testing::I;
using testing::MakeBatch;
using testing::Null;
using testing::RecordingOutput;
using testing::RenderRows;
using Lines = std::vector<std::string>;

SchemaRef Bids() {
  return MakeSchema({{"auction", DataType::kInt64}, {"price", DataType::kInt64}});
}

Lines Assign(WindowSpec window, Batch batch) {
  auto op = MakeWindowAssign(Bids(), window);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  RecordingOutput out;
  EXPECT_TRUE((*op)->OnBatch(0, std::move(batch), out).ok());
  EXPECT_LE(out.main.size(), 1u);  // one output batch per input batch
  return RenderRows(out.main);
}

TEST(WindowAssignTest, OutputSchemaAppendsWindowStartAndEnd) {
  auto op = MakeWindowAssign(Bids(), WindowSpec::Tumbling(10'000));
  ASSERT_TRUE(op.ok());
  EXPECT_EQ((*op)->output_schema()->ToString(),
            "auction:int64, price:int64, window_start:timestamp not null, "
            "window_end:timestamp not null");
}

TEST(WindowAssignTest, TumblingTagsEachRowWithItsWindowAndKeepsItsEventTime) {
  Batch b = MakeBatch(Bids(), {{5, {I(1), I(10)}}, {15, {I(2), Null()}}, {-3, {I(3), I(30)}}});
  EXPECT_EQ(
      Assign(WindowSpec::Tumbling(10), std::move(b)),
      (Lines{"+I t=5 | 1, 10, 0, 10", "+I t=15 | 2, null, 10, 20", "+I t=-3 | 3, 30, -10, 0"}));
}

TEST(WindowAssignTest, HoppingRepeatsTheRowOncePerWindowEarliestFirst) {
  Batch b = MakeBatch(Bids(), {{7, {I(1), I(10)}}, {10, {I(2), I(20)}}});
  EXPECT_EQ(Assign(WindowSpec::Hopping(10, 5), std::move(b)),
            (Lines{"+I t=7 | 1, 10, 0, 10", "+I t=7 | 1, 10, 5, 15", "+I t=10 | 2, 20, 5, 15",
                   "+I t=10 | 2, 20, 10, 20"}));
}

TEST(WindowAssignTest, ChangeKindsPassThrough) {
  Batch b = MakeBatch(Bids(), {{1, {I(1), I(10)}, ChangeKind::kUpdateBefore},
                               {1, {I(1), I(11)}, ChangeKind::kUpdateAfter}});
  EXPECT_EQ(Assign(WindowSpec::Tumbling(10), std::move(b)),
            (Lines{"-U t=1 | 1, 10, 0, 10", "+U t=1 | 1, 11, 0, 10"}));
  Batch h = MakeBatch(Bids(), {{3, {I(1), I(10)}, ChangeKind::kDelete}});
  EXPECT_EQ(Assign(WindowSpec::Hopping(10, 5), std::move(h)),
            (Lines{"-D t=3 | 1, 10, -5, 5", "-D t=3 | 1, 10, 0, 10"}));
}

TEST(WindowAssignTest, SessionsAndClashingColumnNamesAreRejected) {
  EXPECT_FALSE(MakeWindowAssign(Bids(), WindowSpec::Session(10)).ok());
  EXPECT_FALSE(MakeWindowAssign(Bids(), WindowSpec::Hopping(10, 20)).ok());
  SchemaRef clash = MakeSchema({{"window_end", DataType::kTimestamp}});
  auto op = MakeWindowAssign(clash, WindowSpec::Tumbling(10));
  ASSERT_FALSE(op.ok());
  EXPECT_NE(op.status().message().find("window_end"), std::string::npos);
}

}  // namespace
}  // namespace eddy::engine
