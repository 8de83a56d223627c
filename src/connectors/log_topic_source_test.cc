#include "src/connectors/log_topic_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "src/connectors/connectors_test_util.h"
#include "src/connectors/dead_letter_log.h"
#include "src/log/record_batch_builder.h"
#include "tests/util/manual_clock.h"

namespace eddy::connectors {
namespace {

using connectors::testing::AppendRecords;
using connectors::testing::ReadFullRecords;
using connectors::testing::TestRecord;
using engine::Batch;
using engine::DataType;
using engine::SourceContext;
using engine::SourceState;

constexpr int64_t kT0 = 1'700'000'000'000;

engine::SchemaRef EventSchema() {
  return engine::MakeSchema({{"id", DataType::kInt64, false},
                             {"p", DataType::kInt64},
                             {"name", DataType::kString},
                             {"ts", DataType::kTimestamp}});
}

std::string Event(int64_t id, int p, int64_t ts) {
  return "{\"id\":" + std::to_string(id) + ",\"p\":" + std::to_string(p) + ",\"name\":\"e" +
         std::to_string(id) + "\",\"ts\":" + std::to_string(ts) + "}";
}

class LogTopicSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = connectors::testing::OpenTestLog(dir_);
    ASSERT_NE(log_, nullptr);
  }

  void CreateTopic(const std::string& name, int partitions) {
    log::TopicConfig config;
    config.partitions = partitions;
    auto created = log_->CreateTopic(name, config);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  // `count` events per partition; event i of partition p has id p*1000+i and event
  // time kT0 + i*10 + p.
  void Fill(const std::string& topic, int partitions, int count, int per_batch,
            log::CompressionCodec codec = log::CompressionCodec::kNone) {
    for (int p = 0; p < partitions; ++p) {
      std::vector<TestRecord> records;
      for (int i = 0; i < count; ++i) {
        records.push_back({kT0 + i, Event(p * 1000 + i, p, kT0 + i * 10 + p), "k"});
        if (static_cast<int>(records.size()) == per_batch || i == count - 1) {
          AppendRecords(*log_, topic, p, records, codec);
          records.clear();
        }
      }
    }
  }

  LogTopicSourceOptions Options(const std::string& topic) {
    LogTopicSourceOptions o;
    o.log = log_.get();
    o.topic = topic;
    o.schema = EventSchema();
    o.event_time_field = "ts";
    return o;
  }

  SourceContext Context(bool bounded, int instance = 0, int parallelism = 1) {
    SourceContext c;
    c.bounded = bounded;
    c.instance = instance;
    c.parallelism = parallelism;
    c.clock = &clock_;
    return c;
  }

  // Polls a bounded source to its end.
  Batch ReadToEnd(engine::Source& source, size_t max_rows = 1000) {
    Batch all(source.schema());
    for (int i = 0; i < 10'000; ++i) {
      Batch batch(source.schema());
      auto state = source.Poll(batch, max_rows, 0);
      EXPECT_TRUE(state.ok()) << state.status().ToString();
      if (!state.ok()) break;
      EXPECT_LE(batch.num_rows(), max_rows);
      all.AppendRange(batch, 0, batch.num_rows());
      if (*state == SourceState::kEnd) return all;
    }
    ADD_FAILURE() << "the source did not end";
    return all;
  }

  static std::multiset<int64_t> Ids(const Batch& batch) {
    std::multiset<int64_t> ids;
    for (size_t r = 0; r < batch.num_rows(); ++r) ids.insert(batch.column(0).ints()[r]);
    return ids;
  }

  static std::multiset<int64_t> ExpectedIds(std::vector<int> partitions, int count) {
    std::multiset<int64_t> ids;
    for (int p : partitions) {
      for (int i = 0; i < count; ++i) ids.insert(p * 1000 + i);
    }
    return ids;
  }

  eddy::testing::TempDir dir_;
  eddy::testing::ManualClock clock_{kT0};
  std::unique_ptr<log::Log> log_;
};

TEST_F(LogTopicSourceTest, BoundedReadsEveryPartitionToItsEndThenEnds) {
  CreateTopic("events", 3);
  Fill("events", 3, 50, 7);
  LogTopicSource source(Options("events"));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  EXPECT_EQ(Ids(all), ExpectedIds({0, 1, 2}, 50));
  EXPECT_EQ(source.counters().records_in, 150u);
  EXPECT_EQ(source.counters().dead_letters, 0u);
  // Values and event times come from the JSON.
  for (size_t r = 0; r < all.num_rows(); ++r) {
    const int64_t id = all.column(0).ints()[r];
    EXPECT_EQ(all.column(2).StringAt(r), "e" + std::to_string(id));
    EXPECT_EQ(all.event_time(r), kT0 + (id % 1000) * 10 + id / 1000);
  }
  // Within a partition, records come in offset order.
  std::vector<int64_t> last(3, -1);
  for (size_t r = 0; r < all.num_rows(); ++r) {
    const int64_t id = all.column(0).ints()[r];
    EXPECT_GT(id % 1000, last[id / 1000]);
    last[id / 1000] = id % 1000;
  }
  EXPECT_EQ(source.watermark(), engine::kMaxWatermark);
}

TEST_F(LogTopicSourceTest, ReadsCompressedBatchesOfEveryCodec) {
  const std::vector<log::CompressionCodec> codecs = {
      log::CompressionCodec::kGzip, log::CompressionCodec::kSnappy, log::CompressionCodec::kLz4,
      log::CompressionCodec::kZstd};
  for (log::CompressionCodec codec : codecs) {
    const std::string topic = "compressed-" + std::string(log::CodecName(codec));
    CreateTopic(topic, 2);
    Fill(topic, 2, 40, 13, codec);
    LogTopicSource source(Options(topic));
    ASSERT_TRUE(source.Open(Context(true)).ok());
    Batch all = ReadToEnd(source, 17);  // stops inside compressed batches too
    EXPECT_EQ(Ids(all), ExpectedIds({0, 1}, 40)) << log::CodecName(codec);
  }
}

// A transactional producer's batch: ids `first`.. of partition 0.
std::vector<uint8_t> TransactionalBatch(ProducerId producer, int32_t sequence, int64_t first,
                                        int count) {
  log::BatchOptions options;
  options.producer_id = producer.value();
  options.producer_epoch = 0;
  options.base_sequence = sequence;
  options.transactional = true;
  log::RecordBatchBuilder builder(options);
  for (int i = 0; i < count; ++i)
    builder.Add(kT0 + first + i, "k", Event(first + i, 0, kT0 + first + i));
  return *builder.Build();
}

TEST_F(LogTopicSourceTest, ReadsOnlyCommittedTransactionsAndStopsAtAnOpenOne) {
  CreateTopic("txn", 1);
  auto partition = log_->GetPartition("txn", PartitionId(0));
  ASSERT_TRUE(partition.ok());
  const ProducerId committed = *log_->AllocateProducerId();
  const ProducerId aborted = *log_->AllocateProducerId();
  const ProducerId open = *log_->AllocateProducerId();
  auto append = [&](std::vector<uint8_t> batch) { ASSERT_TRUE((*partition)->Append(batch).ok()); };
  append(TransactionalBatch(committed, 0, 0, 3));  // ids 0-2
  append(TransactionalBatch(aborted, 0, 100, 4));  // ids 100-103, aborted below
  append(TransactionalBatch(committed, 3, 3, 2));  // ids 3-4
  ASSERT_TRUE(
      (*partition)
          ->AppendTransactionMarker(aborted, ProducerEpoch(0), log::TransactionResult::kAbort, 0)
          .ok());
  ASSERT_TRUE(
      (*partition)
          ->AppendTransactionMarker(committed, ProducerEpoch(0), log::TransactionResult::kCommit, 0)
          .ok());
  append(TransactionalBatch(open, 0, 200, 2));  // ids 200-201, still open
  LogTopicSource source(Options("txn"));
  ASSERT_TRUE(source.Open(Context(/*bounded=*/true)).ok());
  Batch all = ReadToEnd(source);
  EXPECT_EQ(Ids(all), (std::multiset<int64_t>{0, 1, 2, 3, 4}));
}

TEST_F(LogTopicSourceTest, InstancesSplitThePartitionsByModulo) {
  CreateTopic("events", 3);
  Fill("events", 3, 20, 5);
  LogTopicSource first(Options("events"));
  LogTopicSource second(Options("events"));
  ASSERT_TRUE(first.Open(Context(true, 0, 2)).ok());
  ASSERT_TRUE(second.Open(Context(true, 1, 2)).ok());
  EXPECT_EQ(first.partitions(), (std::vector<PartitionId>{PartitionId(0), PartitionId(2)}));
  EXPECT_EQ(second.partitions(), (std::vector<PartitionId>{PartitionId(1)}));
  EXPECT_EQ(Ids(ReadToEnd(first)), ExpectedIds({0, 2}, 20));
  EXPECT_EQ(Ids(ReadToEnd(second)), ExpectedIds({1}, 20));
}

TEST_F(LogTopicSourceTest, AnInstanceWithoutPartitionsEndsAtOnceWhenBounded) {
  CreateTopic("events", 1);
  Fill("events", 1, 3, 3);
  LogTopicSource source(Options("events"));
  ASSERT_TRUE(source.Open(Context(true, 1, 2)).ok());
  EXPECT_TRUE(source.partitions().empty());
  EXPECT_EQ(ReadToEnd(source).num_rows(), 0u);
}

TEST_F(LogTopicSourceTest, BoundedStopsAtTheHighWatermarkOfOpen) {
  CreateTopic("events", 1);
  Fill("events", 1, 10, 10);
  LogTopicSource source(Options("events"));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  AppendRecords(*log_, "events", 0, {{kT0, Event(999, 0, kT0), ""}});
  Batch all = ReadToEnd(source);
  EXPECT_EQ(Ids(all), ExpectedIds({0}, 10));
}

TEST_F(LogTopicSourceTest, MaxRowsStopsMidBatchAndTheNextPollResumes) {
  CreateTopic("events", 1);
  Fill("events", 1, 10, 10);  // one batch of 10
  LogTopicSource source(Options("events"));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  std::vector<int64_t> ids;
  std::vector<size_t> sizes;
  for (int i = 0; i < 10; ++i) {
    Batch batch(source.schema());
    auto state = source.Poll(batch, 3, 0);
    ASSERT_TRUE(state.ok());
    sizes.push_back(batch.num_rows());
    for (size_t r = 0; r < batch.num_rows(); ++r) ids.push_back(batch.column(0).ints()[r]);
    if (*state == SourceState::kEnd) break;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 3, 1}));
  EXPECT_EQ(ids, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(source.position(0), Offset(10));
}

TEST_F(LogTopicSourceTest, UnboundedWaitsForAppendsAndWakesUpOnOne) {
  CreateTopic("events", 2);
  LogTopicSource source(Options("events"));
  ASSERT_TRUE(source.Open(Context(false)).ok());

  // Nothing there: Poll waits about max_wait_ms and returns empty, not ended.
  auto start = std::chrono::steady_clock::now();
  Batch empty(source.schema());
  auto state = source.Poll(empty, 100, 50);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, SourceState::kMore);
  EXPECT_EQ(empty.num_rows(), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(45));

  // An append to either partition wakes a long Poll well before its timeout.
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    AppendRecords(*log_, "events", 1, {{kT0, Event(7, 1, kT0), ""}});
  });
  start = std::chrono::steady_clock::now();
  Batch batch(source.schema());
  for (int i = 0; i < 3 && batch.empty(); ++i) {
    state = source.Poll(batch, 100, 10'000);
    ASSERT_TRUE(state.ok());
  }
  producer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(batch.num_rows(), 1u);
  EXPECT_EQ(batch.column(0).ints()[0], 7);
  EXPECT_EQ(*state, SourceState::kMore);
}

TEST_F(LogTopicSourceTest, StartLatestSkipsWhatWasThereAtOpen) {
  CreateTopic("events", 1);
  Fill("events", 1, 5, 5);
  auto options = Options("events");
  options.start = StartPosition::kLatest;
  LogTopicSource source(options);
  ASSERT_TRUE(source.Open(Context(false)).ok());
  AppendRecords(*log_, "events", 0, {{kT0, Event(42, 0, kT0), ""}});
  Batch batch(source.schema());
  ASSERT_TRUE(source.Poll(batch, 100, 1000).ok());
  EXPECT_EQ(Ids(batch), (std::multiset<int64_t>{42}));
}

TEST_F(LogTopicSourceTest, WithoutAnEventTimeFieldTheRecordTimestampIsTheEventTime) {
  CreateTopic("events", 1);
  AppendRecords(*log_, "events", 0, {{kT0 + 5, Event(1, 0, 1), ""}, {kT0 + 9, Event(2, 0, 2), ""}});
  auto options = Options("events");
  options.event_time_field = "";
  LogTopicSource source(options);
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  EXPECT_EQ(all.event_times(), (std::vector<int64_t>{kT0 + 5, kT0 + 9}));
}

TEST_F(LogTopicSourceTest, AnUnknownTopicIsNotFoundNamingIt) {
  LogTopicSource source(Options("no-such-topic"));
  Status st = source.Open(Context(true));
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("\"no-such-topic\""), std::string::npos) << st.ToString();
}

TEST_F(LogTopicSourceTest, AnEventTimeFieldOfTheWrongTypeFailsOpen) {
  CreateTopic("events", 1);
  auto options = Options("events");
  options.event_time_field = "name";
  LogTopicSource source(options);
  Status st = source.Open(Context(true));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("name"), std::string::npos) << st.ToString();
}

TEST_F(LogTopicSourceTest, BadRecordsGoToTheDeadLetterTopicWithTheirReason) {
  CreateTopic("events", 2);
  AppendRecords(*log_, "events", 0,
                {{kT0, Event(1, 0, kT0), "k1"},
                 {kT0 + 1, "{\"id\": \"one\"}", "k2"},
                 {kT0 + 2, Event(2, 0, kT0), "k3"},
                 {kT0 + 3, "not json", "k4"}});
  AppendRecords(*log_, "events", 1,
                {{kT0 + 4, "", "k5", /*tombstone=*/true}, {kT0 + 5, Event(3, 1, kT0), ""}});
  auto options = Options("events");
  options.dead_letter_topic = "events-dlq";
  connectors::testing::LogCapture capture;
  LogTopicSource source(options);
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  source.Close();
  EXPECT_EQ(Ids(all), (std::multiset<int64_t>{1, 2, 3}));
  EXPECT_EQ(source.counters().dead_letters, 3u);
  EXPECT_EQ(source.counters().records_in, 3u);

  auto info = log_->DescribeTopic("events-dlq");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->config.partitions, 1);
  auto dlq = log_->GetPartition("events-dlq", PartitionId(0));
  ASSERT_TRUE(dlq.ok());
  auto records = ReadFullRecords(**dlq);
  ASSERT_EQ(records.size(), 3u);
  auto header = [](const connectors::testing::FullRecord& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return std::string("<missing>");
  };
  // Partition 0's come first (read first), in offset order.
  EXPECT_EQ(records[0].value, "{\"id\": \"one\"}");
  EXPECT_EQ(records[0].key, "k2");
  EXPECT_EQ(records[0].timestamp, kT0 + 1);
  EXPECT_EQ(header(records[0], "eddy.error"),
            "field \"id\": expected int64 (a JSON integer), found string \"one\"");
  EXPECT_EQ(header(records[0], "eddy.topic"), "events");
  EXPECT_EQ(header(records[0], "eddy.partition"), "0");
  EXPECT_EQ(header(records[0], "eddy.offset"), "1");
  EXPECT_EQ(records[1].value, "not json");
  EXPECT_EQ(header(records[1], "eddy.offset"), "3");
  EXPECT_NE(header(records[1], "eddy.error").find("not a JSON object"), std::string::npos);
  EXPECT_FALSE(records[2].value.has_value());  // the tombstone stays one
  EXPECT_EQ(header(records[2], "eddy.partition"), "1");
  EXPECT_EQ(header(records[2], "eddy.offset"), "0");
  EXPECT_NE(header(records[2], "eddy.error").find("tombstone"), std::string::npos);
  // Each was logged with where it was.
  EXPECT_NE(capture.Text().find("partition 0 offset 1"), std::string::npos) << capture.Text();
  EXPECT_NE(capture.Text().find("partition 1 offset 0"), std::string::npos);
}

TEST_F(LogTopicSourceTest, TheDeadLetterTopicCannotBeTheTopicRead) {
  CreateTopic("events", 1);
  auto options = Options("events");
  options.dead_letter_topic = "events";
  LogTopicSource source(options);
  Status st = source.Open(Context(false));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("dead-letter topic"), std::string::npos) << st.ToString();
}

TEST_F(LogTopicSourceTest, WithoutADeadLetterTopicBadRecordsAreCountedAndLogRateLimited) {
  CreateTopic("events", 1);
  std::vector<TestRecord> records;
  for (int i = 0; i < 250; ++i) records.push_back({kT0, "[" + std::to_string(i) + "]", ""});
  records.push_back({kT0, Event(1, 0, kT0), ""});
  AppendRecords(*log_, "events", 0, records);
  connectors::testing::LogCapture capture;
  LogTopicSource source(Options("events"));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  source.Close();
  EXPECT_EQ(all.num_rows(), 1u);
  EXPECT_EQ(source.counters().dead_letters, 250u);
  EXPECT_EQ(log_->ListTopics().size(), 1u);  // no dead-letter topic appeared
  // The first few one by one, then counts at 10 and 100, then the total.
  EXPECT_EQ(capture.Count("skipping bad record"), DeadLetterLog::kLogFirst);
  EXPECT_EQ(capture.Count("10 bad records so far"), 1u);
  EXPECT_EQ(capture.Count("100 bad records so far"), 1u);
  EXPECT_EQ(capture.Count("250 bad records in all"), 1u);
}

TEST_F(LogTopicSourceTest, WatermarkIsTheMinimumOverPartitionsLessOutOfOrderness) {
  CreateTopic("events", 2);
  AppendRecords(*log_, "events", 0, {{kT0, Event(1, 0, 5000), ""}});
  AppendRecords(*log_, "events", 1, {{kT0, Event(2, 1, 3000), ""}});
  auto options = Options("events");
  options.max_out_of_orderness_ms = 100;
  options.idle_timeout_ms = 1000;
  LogTopicSource source(options);
  ASSERT_TRUE(source.Open(Context(false)).ok());
  Batch batch(source.schema());
  ASSERT_TRUE(source.Poll(batch, 100, 0).ok());
  ASSERT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(source.watermark(), 3000 - 100 - 1);
  EXPECT_FALSE(source.idle());

  // Partition 1 goes quiet while partition 0 moves on: once partition 1 has been idle
  // for the timeout it no longer holds the watermark back.
  clock_.AdvanceMs(600);
  AppendRecords(*log_, "events", 0, {{kT0, Event(3, 0, 9000), ""}});
  batch.Clear();
  ASSERT_TRUE(source.Poll(batch, 100, 0).ok());
  EXPECT_EQ(source.watermark(), 3000 - 100 - 1);
  clock_.AdvanceMs(500);
  batch.Clear();
  ASSERT_TRUE(source.Poll(batch, 100, 0).ok());
  EXPECT_EQ(source.watermark(), 9000 - 100 - 1);
  EXPECT_FALSE(source.idle());

  // Both quiet: the instance is idle, and the watermark stays.
  clock_.AdvanceMs(1000);
  batch.Clear();
  ASSERT_TRUE(source.Poll(batch, 100, 0).ok());
  EXPECT_TRUE(source.idle());
  EXPECT_EQ(source.watermark(), 9000 - 100 - 1);

  // A late event on the idle partition wakes it without moving the watermark back.
  AppendRecords(*log_, "events", 1, {{kT0, Event(4, 1, 4000), ""}});
  batch.Clear();
  ASSERT_TRUE(source.Poll(batch, 100, 0).ok());
  EXPECT_FALSE(source.idle());
  EXPECT_EQ(source.watermark(), 9000 - 100 - 1);
}

TEST_F(LogTopicSourceTest, BoundedPartitionsLeaveTheWatermarkWhenTheyEnd) {
  CreateTopic("events", 2);
  // Partition 1 is empty: it ends at once and does not hold the watermark back.
  AppendRecords(*log_, "events", 0, {{kT0, Event(1, 0, 5000), ""}, {kT0, Event(2, 0, 6000), ""}});
  LogTopicSource source(Options("events"));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch batch(source.schema());
  auto state = source.Poll(batch, 1, 0);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, SourceState::kMore);
  EXPECT_EQ(source.watermark(), 5000 - 1);
  batch.Clear();
  state = source.Poll(batch, 1, 0);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, SourceState::kEnd);
  EXPECT_EQ(source.watermark(), engine::kMaxWatermark);
}

TEST_F(LogTopicSourceTest, TheFactoryMakesIndependentInstances) {
  CreateTopic("events", 2);
  Fill("events", 2, 5, 5);
  engine::SourceFactory factory = MakeLogTopicSource(Options("events"));
  auto a = factory();
  auto b = factory();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Open(Context(true, 0, 2)).ok());
  ASSERT_TRUE((*b)->Open(Context(true, 1, 2)).ok());
  EXPECT_EQ(Ids(ReadToEnd(**a)), ExpectedIds({0}, 5));
  EXPECT_EQ(Ids(ReadToEnd(**b)), ExpectedIds({1}, 5));
}

}  // namespace
}  // namespace eddy::connectors
