#include "src/connectors/file_sink.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "src/connectors/connectors_test_util.h"

namespace eddy::connectors {
namespace {

using connectors::testing::ReadText;
using engine::Batch;
using engine::ChangeKind;
using engine::DataType;
using engine::SinkContext;
using engine::Value;

engine::SchemaRef Schema() {
  return engine::MakeSchema({{"k", DataType::kString}, {"n", DataType::kInt64}});
}

void Add(Batch& batch, const std::string& k, int64_t n, ChangeKind kind = ChangeKind::kInsert) {
  batch.AppendValues(std::vector<Value>{Value::String(k), Value::Int64(n)}, 0, kind);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::unique_ptr<engine::Sink> Make(const engine::SinkFactory& factory) {
  auto sink = factory();
  EXPECT_TRUE(sink.ok()) << sink.status().ToString();
  return sink.ok() ? std::move(sink).value() : nullptr;
}

TEST(JsonLinesFileSinkTest, AppendsOneLinePerRow) {
  eddy::testing::TempDir dir;
  const std::string path = dir.Sub("out.jsonl");
  connectors::testing::WriteText(path, "old content\n");
  auto sink = Make(MakeJsonLinesFileSink(JsonLinesFileSinkOptions{path}));
  ASSERT_TRUE(sink->Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1);
  Add(batch, "b\n", 2);
  ASSERT_TRUE(sink->Write(batch).ok());
  ASSERT_TRUE(sink->Write(Batch(Schema())).ok());
  ASSERT_TRUE(sink->Finish().ok());
  EXPECT_EQ(ReadText(path), "{\"k\":\"a\",\"n\":1}\n{\"k\":\"b\\n\",\"n\":2}\n");
  EXPECT_EQ(sink->rows_written(), 2u);
}

TEST(JsonLinesFileSinkTest, EncodeChangesWritesTheOpOfEachRow) {
  eddy::testing::TempDir dir;
  const std::string path = dir.Sub("changes.jsonl");
  JsonLinesFileSinkOptions options{path};
  options.encode_changes = true;
  auto sink = Make(MakeJsonLinesFileSink(options));
  ASSERT_TRUE(sink->Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, ChangeKind::kInsert);
  Add(batch, "a", 1, ChangeKind::kUpdateBefore);
  Add(batch, "a", 2, ChangeKind::kUpdateAfter);
  ASSERT_TRUE(sink->Write(batch).ok());
  ASSERT_TRUE(sink->Finish().ok());
  EXPECT_EQ(Lines(ReadText(path)), (std::vector<std::string>{R"({"op":"+I","k":"a","n":1})",
                                                             R"({"op":"-U","k":"a","n":1})",
                                                             R"({"op":"+U","k":"a","n":2})"}));
}

TEST(JsonLinesFileSinkTest, AChangelogNeedsEncodeChangesOrMaterialize) {
  eddy::testing::TempDir dir;
  auto sink = Make(MakeJsonLinesFileSink(JsonLinesFileSinkOptions{dir.Sub("x.jsonl")}));
  ASSERT_TRUE(sink->Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, ChangeKind::kInsert);
  Add(batch, "a", 1, ChangeKind::kUpdateBefore);
  Status st = sink->Write(batch);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("materialize"), std::string::npos) << st.ToString();
}

TEST(JsonLinesFileSinkTest, MaterializeWritesTheFinalTableAtFinish) {
  eddy::testing::TempDir dir;
  const std::string path = dir.Sub("table.jsonl");
  JsonLinesFileSinkOptions options{path};
  options.materialize = true;
  auto sink = Make(MakeJsonLinesFileSink(options));
  ASSERT_TRUE(sink->Open(SinkContext{0, 1, true}).ok());
  Batch first(Schema());
  Add(first, "a", 1, ChangeKind::kInsert);
  Add(first, "b", 1, ChangeKind::kInsert);
  Add(first, "c", 1, ChangeKind::kInsert);
  Batch second(Schema());
  Add(second, "a", 1, ChangeKind::kUpdateBefore);
  Add(second, "a", 2, ChangeKind::kUpdateAfter);
  Add(second, "b", 1, ChangeKind::kDelete);
  ASSERT_TRUE(sink->Write(first).ok());
  ASSERT_TRUE(sink->Write(second).ok());
  EXPECT_FALSE(FileSystem::Default()->Exists(path));  // nothing until Finish
  ASSERT_TRUE(sink->Finish().ok());
  EXPECT_EQ(ReadText(path), "{\"k\":\"a\",\"n\":2}\n{\"k\":\"c\",\"n\":1}\n");
  EXPECT_EQ(sink->rows_written(), 2u);
}

TEST(JsonLinesFileSinkTest, MaterializeLogsTheRemovalOfAnAbsentRow) {
  eddy::testing::TempDir dir;
  const std::string path = dir.Sub("table.jsonl");
  JsonLinesFileSinkOptions options{path};
  options.materialize = true;
  auto sink = Make(MakeJsonLinesFileSink(options));
  ASSERT_TRUE(sink->Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, ChangeKind::kInsert);
  Add(batch, "ghost", 9, ChangeKind::kDelete);
  connectors::testing::LogCapture capture;
  ASSERT_TRUE(sink->Write(batch).ok());
  ASSERT_TRUE(sink->Finish().ok());
  EXPECT_NE(
      capture.Text().find(R"(removes a row the table does not hold (-D {"k":"ghost","n":9}))"),
      std::string::npos)
      << capture.Text();
  EXPECT_EQ(ReadText(path), "{\"k\":\"a\",\"n\":1}\n");
}

TEST(JsonLinesFileSinkTest, InstancesShareOneFileAndNeverInterleaveInsideABatch) {
  eddy::testing::TempDir dir;
  const std::string path = dir.Sub("shared.jsonl");
  auto writer = std::make_shared<JsonLinesFileWriter>(JsonLinesFileSinkOptions{path});
  engine::SinkFactory factory = MakeJsonLinesFileSink(writer);
  constexpr int kBatches = 200;
  constexpr int kRows = 25;
  std::vector<std::unique_ptr<engine::Sink>> sinks;
  for (int i = 0; i < 2; ++i) {
    sinks.push_back(Make(factory));
    ASSERT_TRUE(sinks.back()->Open(SinkContext{i, 2, true}).ok());
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      for (int b = 0; b < kBatches; ++b) {
        Batch batch(Schema());
        for (int r = 0; r < kRows; ++r) {
          Add(batch, "i" + std::to_string(i) + "b" + std::to_string(b), r);
        }
        EXPECT_TRUE(sinks[i]->Write(batch).ok());
      }
      EXPECT_TRUE(sinks[i]->Finish().ok());
    });
  }
  for (auto& t : threads) t.join();
  const auto lines = Lines(ReadText(path));
  ASSERT_EQ(lines.size(), 2u * kBatches * kRows);
  // Each batch's rows are consecutive and in order.
  for (size_t start = 0; start < lines.size(); start += kRows) {
    const std::string tag = lines[start].substr(0, lines[start].find(",\"n\""));
    for (int r = 0; r < kRows; ++r) {
      EXPECT_EQ(lines[start + r], tag + ",\"n\":" + std::to_string(r) + "}");
    }
  }
  EXPECT_EQ(sinks[0]->rows_written() + sinks[1]->rows_written(), lines.size());
  EXPECT_EQ(writer->rows_written(), lines.size());
}

TEST(JsonLinesFileSinkTest, MaterializingInstancesShareOneTable) {
  eddy::testing::TempDir dir;
  const std::string path = dir.Sub("table.jsonl");
  JsonLinesFileSinkOptions options{path};
  options.materialize = true;
  auto writer = std::make_shared<JsonLinesFileWriter>(options);
  engine::SinkFactory factory = MakeJsonLinesFileSink(writer);
  auto a = Make(factory);
  auto b = Make(factory);
  ASSERT_TRUE(a->Open(SinkContext{0, 2, true}).ok());
  ASSERT_TRUE(b->Open(SinkContext{1, 2, true}).ok());
  Batch inserts(Schema());
  Add(inserts, "x", 1);
  Add(inserts, "y", 1);
  Batch retract(Schema());
  Add(retract, "x", 1, ChangeKind::kUpdateBefore);  // inserted by the other instance
  Add(retract, "x", 5, ChangeKind::kUpdateAfter);
  ASSERT_TRUE(a->Write(inserts).ok());
  ASSERT_TRUE(b->Write(retract).ok());
  ASSERT_TRUE(a->Finish().ok());
  EXPECT_FALSE(FileSystem::Default()->Exists(path));  // b is still running
  ASSERT_TRUE(b->Finish().ok());
  EXPECT_EQ(ReadText(path), "{\"k\":\"x\",\"n\":5}\n{\"k\":\"y\",\"n\":1}\n");
  EXPECT_EQ(a->rows_written() + b->rows_written(), 2u);
  EXPECT_EQ(writer->rows_written(), 2u);
}

}  // namespace
}  // namespace eddy::connectors
