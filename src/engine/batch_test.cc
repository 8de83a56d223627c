#include "src/engine/batch.h"

#include <gtest/gtest.h>

#include "src/engine/key_codec.h"
#include "src/engine/watermark_tracker.h"

namespace eddy::engine {
namespace {

SchemaRef TestSchema() {
  return MakeSchema({{"id", DataType::kInt64}, {"name", DataType::kString},
                     {"price", DataType::kDouble}, {"ok", DataType::kBool}});
}

Batch ThreeRows() {
  Batch b(TestSchema());
  b.AppendValues(std::vector<Value>{Value::Int64(1), Value::String("a"), Value::Double(1.5),
                                    Value::Bool(true)},
                 10);
  b.AppendValues(std::vector<Value>{Value::Int64(2), Value::Null(DataType::kString),
                                    Value::Double(2.5), Value::Bool(false)},
                 20);
  b.AppendValues(std::vector<Value>{Value::Int64(3), Value::String("ccc"), Value::Double(3.5),
                                    Value::Null(DataType::kBool)},
                 30, ChangeKind::kUpdateAfter);
  return b;
}

TEST(BatchTest, AppendValuesKeepsNullsEventTimesAndChanges) {
  Batch b = ThreeRows();
  ASSERT_EQ(b.num_rows(), 3u);
  EXPECT_EQ(b.column(1).StringAt(0), "a");
  EXPECT_TRUE(b.column(1).IsNull(1));
  EXPECT_EQ(b.column(1).StringAt(2), "ccc");
  EXPECT_TRUE(b.column(3).IsNull(2));
  EXPECT_FALSE(b.column(3).IsNull(0));
  EXPECT_EQ(b.event_time(1), 20);
  EXPECT_EQ(b.change(0), ChangeKind::kInsert);
  EXPECT_EQ(b.change(2), ChangeKind::kUpdateAfter);
}

TEST(BatchTest, FilterAndSelectCopyRowsWithTheirNulls) {
  Batch b = ThreeRows();
  std::vector<uint8_t> keep = {0, 1, 1};
  Batch f = b.Filter(keep);
  ASSERT_EQ(f.num_rows(), 2u);
  EXPECT_TRUE(f.column(1).IsNull(0));
  EXPECT_EQ(f.column(1).StringAt(1), "ccc");
  EXPECT_EQ(f.change(1), ChangeKind::kUpdateAfter);
  std::vector<uint32_t> rows = {2, 0};
  Batch s = b.Select(rows);
  EXPECT_EQ(s.column(0).ints()[0], 3);
  EXPECT_EQ(s.column(0).ints()[1], 1);
  EXPECT_EQ(s.event_time(1), 10);
  EXPECT_EQ(s.RowValues(0), b.RowValues(2));
}

TEST(BatchTest, AFirstRowThatIsARetractionKeepsItsChangeKind) {
  Batch b(TestSchema());
  b.AppendValues(std::vector<Value>{Value::Int64(1), Value::String("a"), Value::Double(1.5),
                                    Value::Bool(true)},
                 10, ChangeKind::kUpdateBefore);
  b.AppendValues(std::vector<Value>{Value::Int64(1), Value::String("a"), Value::Double(2.5),
                                    Value::Bool(true)},
                 10, ChangeKind::kUpdateAfter);
  EXPECT_EQ(b.change(0), ChangeKind::kUpdateBefore);
  EXPECT_EQ(b.change(1), ChangeKind::kUpdateAfter);
}

TEST(KeyCodecTest, KeysRoundTripAndEqualValuesGiveEqualKeys) {
  Batch b = ThreeRows();
  std::vector<size_t> cols = {0, 1, 3};
  for (size_t r = 0; r < b.num_rows(); ++r) {
    std::string key = KeyOf(b, cols, r);
    std::vector<Value> values = DecodeKey(key);
    ASSERT_EQ(values.size(), 3u);
    EXPECT_EQ(values[0], b.column(0).ValueAt(r));
    EXPECT_EQ(values[1].is_null(), b.column(1).IsNull(r));
    if (!values[1].is_null()) {
      EXPECT_EQ(values[1], b.column(1).ValueAt(r));
    }
  }
  EXPECT_NE(KeyOf(b, cols, 0), KeyOf(b, cols, 1));
  Batch twice = b.Select(std::vector<uint32_t>{0, 0});
  EXPECT_EQ(KeyOf(twice, cols, 0), KeyOf(twice, cols, 1));
  Batch out(TestSchema());
  AppendKeyColumns(KeyOf(b, std::vector<size_t>{0, 1}, 2), out, 0);
  EXPECT_EQ(out.column(0).ints()[0], 3);
  EXPECT_EQ(out.column(1).StringAt(0), "ccc");
}

TEST(KeyCodecTest, KeyGroupsSpreadOverInstances) {
  std::vector<int> per_instance(4);
  Batch b(MakeSchema({{"k", DataType::kInt64}}));
  for (int i = 0; i < 4000; ++i) {
    b.column(0).AppendInt(i);
    b.CommitRow(0);
  }
  for (size_t r = 0; r < b.num_rows(); ++r) {
    int group = KeyGroupOf(HashKey(KeyOf(b, std::vector<size_t>{0}, r)));
    per_instance[InstanceOfKeyGroup(group, 4)]++;
  }
  for (int n : per_instance) EXPECT_GT(n, 700);
}

TEST(WatermarkTrackerTest, MinimumOverSplitsMinusOutOfOrderness) {
  WatermarkTracker t(2, /*max_out_of_orderness_ms=*/100, /*idle_timeout_ms=*/0);
  t.Observe(0, 1000, 0);
  EXPECT_EQ(t.Advance(0), kMinWatermark);  // split 1 has not produced yet
  t.Observe(1, 500, 0);
  EXPECT_EQ(t.Advance(0), 399);
  t.Observe(1, 2000, 0);
  EXPECT_EQ(t.Advance(0), 899);
}

TEST(WatermarkTrackerTest, IdleSplitDoesNotStallAndWatermarkNeverGoesBack) {
  WatermarkTracker t(2, 0, /*idle_timeout_ms=*/50);
  t.Observe(0, 1000, 0);
  EXPECT_EQ(t.Advance(10), kMinWatermark);
  EXPECT_EQ(t.Advance(60), kMinWatermark);  // split 0 itself went idle too: nothing active
  EXPECT_TRUE(t.idle());
  t.Observe(0, 2000, 70);
  EXPECT_EQ(t.Advance(70), 1999);  // split 1 never produced and is idle
  EXPECT_FALSE(t.idle());
  t.Observe(1, 5, 80);  // wakes up far behind
  EXPECT_EQ(t.Advance(80), 1999);
  t.MarkEnded(0);
  t.MarkEnded(1);
  EXPECT_EQ(t.Advance(90), kMaxWatermark);
}

}  // namespace
}  // namespace eddy::engine
