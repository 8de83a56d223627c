#include "src/connectors/changelog_materializer.h"

#include <gtest/gtest.h>

namespace eddy::connectors {
namespace {

using engine::Batch;
using engine::ChangeKind;
using engine::DataType;
using engine::MakeSchema;
using engine::SchemaRef;
using engine::Value;

SchemaRef Schema() { return MakeSchema({{"k", DataType::kString}, {"n", DataType::kInt64}}); }

void Add(Batch& batch, const std::string& k, int64_t n, ChangeKind kind, int64_t t = 0) {
  batch.AppendValues(std::vector<Value>{Value::String(k), Value::Int64(n)}, t, kind);
}

TEST(ChangelogMaterializerTest, AppliesInsertsUpdatesAndDeletes) {
  ChangelogMaterializer table(Schema());
  Batch batch(Schema());
  Add(batch, "a", 1, ChangeKind::kInsert);
  Add(batch, "b", 1, ChangeKind::kInsert);
  Add(batch, "c", 5, ChangeKind::kInsert);
  Add(batch, "a", 1, ChangeKind::kUpdateBefore);
  Add(batch, "a", 2, ChangeKind::kUpdateAfter);
  Add(batch, "c", 5, ChangeKind::kDelete, /*t=*/99);  // event time does not matter
  ASSERT_TRUE(table.Apply(batch).ok());
  EXPECT_EQ(table.Rows(), (std::vector<std::string>{R"({"k":"a","n":2})", R"({"k":"b","n":1})"}));
  EXPECT_EQ(table.num_rows(), 2u);
}

TEST(ChangelogMaterializerTest, KeepsEqualRowsAsAMultiset) {
  ChangelogMaterializer table(Schema());
  Batch batch(Schema());
  Add(batch, "x", 1, ChangeKind::kInsert);
  Add(batch, "x", 1, ChangeKind::kInsert);
  Add(batch, "x", 1, ChangeKind::kUpdateAfter);
  Add(batch, "x", 1, ChangeKind::kDelete);
  ASSERT_TRUE(table.Apply(batch).ok());
  EXPECT_EQ(table.Rows(), (std::vector<std::string>{R"({"k":"x","n":1})", R"({"k":"x","n":1})"}));
}

TEST(ChangelogMaterializerTest, ListsRowsSorted) {
  ChangelogMaterializer table(Schema());
  Batch batch(Schema());
  for (const char* k : {"d", "b", "a", "c"}) Add(batch, k, 0, ChangeKind::kInsert);
  ASSERT_TRUE(table.Apply(batch).ok());
  const auto rows = table.Rows();
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  EXPECT_EQ(rows.front(), R"({"k":"a","n":0})");
}

TEST(ChangelogMaterializerTest, RemovingAnAbsentRowIsReportedAndTheRestIsApplied) {
  ChangelogMaterializer table(Schema());
  Batch batch(Schema());
  Add(batch, "a", 1, ChangeKind::kInsert);
  Add(batch, "ghost", 7, ChangeKind::kDelete);
  Add(batch, "a", 2, ChangeKind::kUpdateBefore);  // a differs in n: absent too
  Add(batch, "b", 1, ChangeKind::kInsert);
  Status st = table.Apply(batch);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find(R"(-D {"k":"ghost","n":7})"), std::string::npos) << st.ToString();
  EXPECT_EQ(table.missing_removals(), 2u);
  EXPECT_EQ(table.Rows(), (std::vector<std::string>{R"({"k":"a","n":1})", R"({"k":"b","n":1})"}));
}

TEST(ChangelogMaterializerTest, NullsTakePartInEquality) {
  ChangelogMaterializer table(Schema());
  Batch batch(Schema());
  batch.AppendValues(std::vector<Value>{Value::Null(DataType::kString), Value::Int64(1)}, 0,
                     ChangeKind::kInsert);
  batch.AppendValues(std::vector<Value>{Value::String(""), Value::Int64(1)}, 0,
                     ChangeKind::kInsert);
  batch.AppendValues(std::vector<Value>{Value::Null(DataType::kString), Value::Int64(1)}, 0,
                     ChangeKind::kDelete);
  ASSERT_TRUE(table.Apply(batch).ok());
  EXPECT_EQ(table.Rows(), (std::vector<std::string>{R"({"k":"","n":1})"}));
}

}  // namespace
}  // namespace eddy::connectors
