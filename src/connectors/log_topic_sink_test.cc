#include "src/connectors/log_topic_sink.h"

#include <gtest/gtest.h>

#include <sstream>

#include "src/connectors/connectors_test_util.h"
#include "src/connectors/key_partitioner.h"
#include "src/log/log_fixtures.h"

namespace eddy::connectors {
namespace {

using connectors::testing::FullRecord;
using connectors::testing::ReadFullRecords;
using engine::Batch;
using engine::ChangeKind;
using engine::DataType;
using engine::SinkContext;
using engine::Value;

engine::SchemaRef Schema() {
  return engine::MakeSchema(
      {{"user", DataType::kString}, {"n", DataType::kInt64}, {"avg", DataType::kDouble}});
}

void Add(Batch& batch, const std::string& user, int64_t n, double avg, int64_t t,
         ChangeKind kind = ChangeKind::kInsert) {
  batch.AppendValues(std::vector<Value>{Value::String(user), Value::Int64(n), Value::Double(avg)},
                     t, kind);
}

class LogTopicSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = connectors::testing::OpenTestLog(dir_);
    ASSERT_NE(log_, nullptr);
  }

  LogTopicSinkOptions Options(const std::string& topic) {
    LogTopicSinkOptions o;
    o.log = log_.get();
    o.topic = topic;
    return o;
  }

  std::vector<FullRecord> Records(const std::string& topic, int p, size_t* batches = nullptr) {
    auto partition = log_->GetPartition(topic, PartitionId(p));
    EXPECT_TRUE(partition.ok()) << partition.status().ToString();
    return partition.ok() ? ReadFullRecords(**partition, batches) : std::vector<FullRecord>{};
  }

  eddy::testing::TempDir dir_;
  std::unique_ptr<log::Log> log_;
};

TEST_F(LogTopicSinkTest, AppendsRowsAsJsonRecordsOneBatchPerWrite) {
  LogTopicSink sink(Options("out"));
  ASSERT_TRUE(sink.Open(SinkContext{1, 2, true}).ok());
  Batch batch(Schema());
  Add(batch, "ann", 1, 1.0, 1000);
  Add(batch, "bob", 2, 2.5, 2000);
  Add(batch, "c\"d", 3, -0.5, 3000);
  ASSERT_TRUE(sink.Write(batch).ok());
  ASSERT_TRUE(sink.Write(batch).ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(sink.rows_written(), 6u);

  // Created with the default 3 partitions; unkeyed rows of instance 1 all go to 1.
  auto info = log_->DescribeTopic("out");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->config.partitions, 3);
  EXPECT_TRUE(Records("out", 0).empty());
  EXPECT_TRUE(Records("out", 2).empty());
  size_t batches = 0;
  auto records = Records("out", 1, &batches);
  EXPECT_EQ(batches, 2u);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[0].value, R"({"user":"ann","n":1,"avg":1.0})");
  EXPECT_EQ(records[2].value, R"({"user":"c\"d","n":3,"avg":-0.5})");
  EXPECT_FALSE(records[0].key.has_value());
  EXPECT_EQ(records[0].timestamp, 1000);  // the row's event time
  EXPECT_EQ(records[2].timestamp, 3000);

  // The values are JSON that Python reads back to the same data.
  std::string values;
  for (const auto& r : records) values += *r.value + "\n";
  const std::string script = R"(
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o['user'], o['n'], repr(o['avg']))
)";
  EXPECT_EQ(connectors::testing::RunPython(dir_, script, values),
            "ann 1 1.0\nbob 2 2.5\nc\"d 3 -0.5\nann 1 1.0\nbob 2 2.5\nc\"d 3 -0.5\n");
}

TEST_F(LogTopicSinkTest, KeyedRowsGoToKafkasPartitionForTheirKey) {
  auto options = Options("keyed");
  options.key_columns = {"user"};
  options.partitions_if_created = 4;
  LogTopicSink sink(options);
  ASSERT_TRUE(sink.Open(SinkContext{0, 1, true}).ok());
  Batch batch(Schema());
  for (int i = 0; i < 40; ++i) Add(batch, "user-" + std::to_string(i), i, 0, i);
  ASSERT_TRUE(sink.Write(batch).ok());
  ASSERT_TRUE(sink.Finish().ok());

  std::string keys;
  std::vector<std::pair<std::string, int>> placed;
  size_t total = 0;
  for (int p = 0; p < 4; ++p) {
    for (const auto& r : Records("keyed", p)) {
      ASSERT_TRUE(r.key.has_value());
      placed.emplace_back(*r.key, p);
      keys += *r.key + "\n";
      ++total;
      // The key is the JSON object of the key columns, the value the whole row.
      const std::string user = r.key->substr(9, r.key->size() - 11);
      EXPECT_EQ(*r.key, "{\"user\":\"" + user + "\"}");
      EXPECT_EQ(r.value->rfind("{\"user\":\"" + user + "\",", 0), 0u);
    }
  }
  EXPECT_EQ(total, 40u);
  // Where kafka-python's default partitioner would put each key.
  const std::string script = R"(
import sys
from kafka.partitioner.default import DefaultPartitioner
for line in sys.stdin:
    print(DefaultPartitioner()(line.rstrip('\n').encode(), [0, 1, 2, 3], [0, 1, 2, 3]))
)";
  std::istringstream python(connectors::testing::RunPython(dir_, script, keys));
  std::set<int> used;
  for (const auto& [key, p] : placed) {
    int expected = -1;
    ASSERT_TRUE(python >> expected);
    EXPECT_EQ(p, expected) << key;
    used.insert(p);
  }
  EXPECT_GT(used.size(), 1u);
}

TEST_F(LogTopicSinkTest, AnExistingTopicKeepsItsPartitions) {
  log::TopicConfig config;
  config.partitions = 2;
  ASSERT_TRUE(log_->CreateTopic("existing", config).ok());
  LogTopicSink sink(Options("existing"));
  ASSERT_TRUE(sink.Open(SinkContext{3, 4, true}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, 1, 1);
  ASSERT_TRUE(sink.Write(batch).ok());
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(log_->DescribeTopic("existing")->config.partitions, 2);
  EXPECT_EQ(Records("existing", 1).size(), 1u);  // instance 3 % 2 partitions
}

TEST_F(LogTopicSinkTest, EncodeChangesWritesTheOpOfEachRow) {
  auto options = Options("changes");
  options.encode_changes = true;
  options.partitions_if_created = 1;
  LogTopicSink sink(options);
  ASSERT_TRUE(sink.Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, 1, 1, ChangeKind::kInsert);
  Add(batch, "a", 1, 1, 2, ChangeKind::kUpdateBefore);
  Add(batch, "a", 2, 1, 2, ChangeKind::kUpdateAfter);
  Add(batch, "a", 2, 1, 3, ChangeKind::kDelete);
  ASSERT_TRUE(sink.Write(batch).ok());
  auto records = Records("changes", 0);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].value, R"({"op":"+I","user":"a","n":1,"avg":1.0})");
  EXPECT_EQ(records[1].value, R"({"op":"-U","user":"a","n":1,"avg":1.0})");
  EXPECT_EQ(records[2].value, R"({"op":"+U","user":"a","n":2,"avg":1.0})");
  EXPECT_EQ(records[3].value, R"({"op":"-D","user":"a","n":2,"avg":1.0})");
}

TEST_F(LogTopicSinkTest, AKeyedSinkWithoutOpsWritesAnUpsertStream) {
  auto options = Options("upserts");
  options.key_columns = {"user"};
  options.partitions_if_created = 1;
  LogTopicSink sink(options);
  ASSERT_TRUE(sink.Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, 1, 1, ChangeKind::kInsert);
  Add(batch, "a", 1, 1, 2, ChangeKind::kUpdateBefore);  // dropped
  Add(batch, "a", 2, 1, 2, ChangeKind::kUpdateAfter);
  Add(batch, "a", 2, 1, 3, ChangeKind::kDelete);  // a tombstone
  ASSERT_TRUE(sink.Write(batch).ok());
  EXPECT_EQ(sink.rows_written(), 3u);
  auto records = Records("upserts", 0);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].value, R"({"user":"a","n":1,"avg":1.0})");
  EXPECT_EQ(records[1].value, R"({"user":"a","n":2,"avg":1.0})");
  EXPECT_FALSE(records[2].value.has_value());
  EXPECT_EQ(records[2].key, R"({"user":"a"})");
  EXPECT_EQ(records[2].timestamp, 3);
}

TEST_F(LogTopicSinkTest, AnUnkeyedSinkWithoutOpsRefusesRetractions) {
  LogTopicSink sink(Options("plain"));
  ASSERT_TRUE(sink.Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, 1, 1, ChangeKind::kDelete);
  Status st = sink.Write(batch);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("-D"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("encode_changes"), std::string::npos) << st.ToString();
}

TEST_F(LogTopicSinkTest, AnUnknownKeyColumnFailsTheWriteNamingIt) {
  auto options = Options("badkey");
  options.key_columns = {"nope"};
  LogTopicSink sink(options);
  ASSERT_TRUE(sink.Open(SinkContext{}).ok());
  Batch batch(Schema());
  Add(batch, "a", 1, 1, 1);
  Status st = sink.Write(batch);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("nope"), std::string::npos) << st.ToString();
}

TEST_F(LogTopicSinkTest, LargeWritesAreSplitIntoSeveralBatches) {
  auto options = Options("big");
  options.partitions_if_created = 1;
  options.max_batch_bytes = 1000;
  LogTopicSink sink(options);
  ASSERT_TRUE(sink.Open(SinkContext{}).ok());
  Batch batch(Schema());
  for (int i = 0; i < 200; ++i) Add(batch, std::string(20, 'x'), i, i, i);
  ASSERT_TRUE(sink.Write(batch).ok());
  size_t batches = 0;
  auto records = Records("big", 0, &batches);
  ASSERT_EQ(records.size(), 200u);
  EXPECT_GT(batches, 5u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(records[i].offset, i);
}

TEST_F(LogTopicSinkTest, CompressedBatchesReadBack) {
  auto options = Options("zstd");
  options.partitions_if_created = 1;
  options.compression = log::CompressionCodec::kZstd;
  LogTopicSink sink(options);
  ASSERT_TRUE(sink.Open(SinkContext{}).ok());
  Batch batch(Schema());
  for (int i = 0; i < 100; ++i) Add(batch, "u", i, 0.5, i);
  ASSERT_TRUE(sink.Write(batch).ok());
  auto partition = log_->GetPartition("zstd", PartitionId(0));
  ASSERT_TRUE(partition.ok());
  auto records = log::testing::ReadAllRecords(**partition);
  ASSERT_EQ(records.size(), 100u);
  EXPECT_EQ(records[99].value, R"({"user":"u","n":99,"avg":0.5})");
}

TEST_F(LogTopicSinkTest, FinishWaitsUntilEverythingIsDurable) {
  eddy::testing::TempDir other;
  auto log = connectors::testing::OpenTestLog(other, log::FsyncPolicy::kAlways);
  ASSERT_NE(log, nullptr);
  LogTopicSinkOptions options;
  options.log = log.get();
  options.topic = "durable";
  options.partitions_if_created = 2;
  options.key_columns = {"user"};
  LogTopicSink sink(options);
  ASSERT_TRUE(sink.Open(SinkContext{}).ok());
  Batch batch(Schema());
  for (int i = 0; i < 50; ++i) Add(batch, "u" + std::to_string(i), i, 0, i);
  ASSERT_TRUE(sink.Write(batch).ok());
  ASSERT_TRUE(sink.Finish().ok());
  // Under kAlways the high watermark is the durable end: it covers every record now.
  int64_t visible = 0;
  for (int p = 0; p < 2; ++p) {
    auto partition = log->GetPartition("durable", PartitionId(p));
    ASSERT_TRUE(partition.ok());
    EXPECT_EQ((*partition)->high_watermark(), (*partition)->log_end_offset());
    visible += (*partition)->high_watermark().value();
  }
  EXPECT_EQ(visible, 50);
}

}  // namespace
}  // namespace eddy::connectors
