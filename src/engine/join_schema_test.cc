#include "src/engine/join_schema.h"

#include <gtest/gtest.h>

#include "src/engine/join_test_util.h"

namespace eddy::engine {
namespace {

using testing::I64;
using testing::MakeBatch;
using testing::Str;

TEST(JoinSchemaTest, RightColumnsWithTakenNamesGetThePrefix) {
  SchemaRef left = MakeSchema({{"id", DataType::kInt64}, {"name", DataType::kString}});
  SchemaRef right = MakeSchema({{"id", DataType::kInt64, false}, {"city", DataType::kString}});
  Result<std::vector<Field>> fields = JoinFields(*left, *right, "right_", false);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(Schema(*fields).ToString(),
            "id:int64, name:string, right_id:int64 not null, city:string");
  fields = JoinFields(*left, *right, "p_", true);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(Schema(*fields).ToString(), "id:int64, name:string, p_id:int64, city:string")
      << "outer joins make the right columns nullable";
}

TEST(JoinSchemaTest, PrefixingRepeatsUntilTheNameIsFree) {
  // "id" -> "right_id" is taken by a left column and then by a right column too.
  SchemaRef left = MakeSchema({{"id", DataType::kInt64}, {"right_id", DataType::kInt64}});
  SchemaRef right = MakeSchema({{"id", DataType::kInt64}, {"right_right_id", DataType::kInt64}});
  Result<std::vector<Field>> fields = JoinFields(*left, *right, "right_", false);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(Schema(*fields).ToString(),
            "id:int64, right_id:int64, right_right_right_id:int64, right_right_id:int64");
  EXPECT_FALSE(JoinFields(*left, *right, "", false).ok());
}

TEST(JoinSchemaTest, JoinKeysMustPairUpByCountAndType) {
  SchemaRef left = MakeSchema({{"a", DataType::kInt64}, {"t", DataType::kTimestamp}});
  SchemaRef right = MakeSchema({{"b", DataType::kInt64}, {"s", DataType::kString}});
  Result<JoinKeyColumns> keys = ResolveJoinKeys(*left, *right, {"a"}, {"b"});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->left, std::vector<size_t>{0});
  EXPECT_EQ(keys->right, std::vector<size_t>{0});
  EXPECT_FALSE(ResolveJoinKeys(*left, *right, {}, {}).ok());
  EXPECT_FALSE(ResolveJoinKeys(*left, *right, {"a"}, {"b", "s"}).ok());
  EXPECT_FALSE(ResolveJoinKeys(*left, *right, {"t"}, {"b"}).ok());
  Result<JoinKeyColumns> missing = ResolveJoinKeys(*left, *right, {"a"}, {"x"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'x'"), std::string::npos);
}

TEST(JoinSchemaTest, GatherCopiesRowsAndNullsAndMissingRows) {
  SchemaRef schema = MakeSchema({{"i", DataType::kInt64}, {"s", DataType::kString}});
  Batch src = MakeBatch(schema, {{1, {I64(10), Str("a")}},
                                 {2, {I64(20), Value::Null(DataType::kString)}},
                                 {3, {I64(30), Str("ccc")}}});
  Batch out(schema);
  std::vector<uint32_t> rows = {2, 0, 2};
  GatherColumns(src, rows, out, 0);
  std::vector<uint32_t> with_missing = {kNoRow, 1};
  GatherColumns(src, with_missing, out, 0);
  for (EventTimeMs t : {7, 7, 7, 7, 7}) out.CommitRow(t);
  EXPECT_EQ(
      testing::Lines(out),
      std::vector<std::string>({"[t=7 +I] 30, 'ccc'", "[t=7 +I] 10, 'a'", "[t=7 +I] 30, 'ccc'",
                                "[t=7 +I] null, null", "[t=7 +I] 20, null"}));
}

TEST(JoinSchemaTest, InsertOnlyCheckNamesTheFirstChange) {
  SchemaRef schema = MakeSchema({{"i", DataType::kInt64}});
  EXPECT_TRUE(CheckInsertOnly(MakeBatch(schema, {{1, {I64(1)}}}), "op", 0).ok());
  Status status = CheckInsertOnly(
      MakeBatch(schema, {{1, {I64(1)}}, {2, {I64(1)}, ChangeKind::kUpdateBefore}}), "op", 1);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("input 1 row 1 is a -U"), std::string::npos) << status.ToString();
}

}  // namespace
}  // namespace eddy::engine
