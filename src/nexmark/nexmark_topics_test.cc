#include "src/nexmark/nexmark_topics.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "src/kafka/broker/broker.h"
#include "src/log/log_error.h"
#include "src/log/record_batch.h"
#include "src/nexmark/nexmark_json.h"
#include "tests/util/temp_dir.h"

namespace eddy::nexmark {
namespace {

GeneratorConfig SmallConfig(int64_t events) {
  GeneratorConfig config;
  config.num_events = events;
  return config;
}

std::unique_ptr<log::Log> OpenLog(const std::string& dir) {
  log::LogOptions options;
  options.data_dir = dir;
  options.durability.policy = log::FsyncPolicy::kNever;
  auto log = log::Log::Open(options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(log).value();
}

struct StoredRecord {
  int64_t timestamp;
  std::string value;
};

struct PartitionContents {
  std::vector<StoredRecord> records;
  int batches = 0;
  bool any_compressed = false;
};

PartitionContents ReadPartition(log::Log& log, const std::string& topic, int partition) {
  PartitionContents out;
  auto p = log.GetPartition(topic, PartitionId(partition));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return out;
  Offset next((*p)->log_start_offset());
  log::RecordReader reader;
  log::Record record;
  while (next < (*p)->high_watermark()) {
    auto read = (*p)->Read(next, log::ReadOptions{});
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (!read.ok()) break;
    log::BatchIterator batches(read->bytes);
    while (true) {
      auto batch = batches.Next();
      EXPECT_TRUE(batch.ok());
      if (!batch.ok() || batch->empty()) break;
      EXPECT_TRUE(log::ValidateBatch(*batch).ok());
      EXPECT_TRUE(reader.Reset(*batch).ok());
      ++out.batches;
      out.any_compressed |= reader.header().codec() != log::CompressionCodec::kNone;
      while (reader.Next(&record)) {
        EXPECT_FALSE(record.key.has_value());
        out.records.push_back({record.timestamp, std::string(AsStringView(*record.value))});
      }
      EXPECT_TRUE(reader.status().ok());
    }
    next = read->next_offset;
  }
  return out;
}

// Every event of `events` is in its topic, the k-th in partition k % partitions, as its
// JSON with its date_time as the record timestamp.
template <typename Event>
void ExpectTopicHolds(log::Log& log, NexmarkStream stream, const std::vector<Event>& events,
                      int partitions) {
  NexmarkJsonDecoder decoder;
  Event decoded;
  size_t total = 0;
  for (int p = 0; p < partitions; ++p) {
    PartitionContents contents = ReadPartition(log, std::string(TopicName(stream)), p);
    EXPECT_FALSE(contents.any_compressed);
    total += contents.records.size();
    size_t i = 0;
    for (size_t k = static_cast<size_t>(p); k < events.size(); k += partitions, ++i) {
      ASSERT_LT(i, contents.records.size()) << TopicName(stream) << "/" << p;
      ASSERT_TRUE(decoder.Decode(contents.records[i].value, &decoded).ok());
      ASSERT_EQ(decoded, events[k]) << TopicName(stream) << "/" << p << " record " << i;
      ASSERT_EQ(contents.records[i].timestamp, events[k].date_time);
    }
    EXPECT_EQ(i, contents.records.size()) << TopicName(stream) << "/" << p;
    if (contents.records.size() > 100) {
      EXPECT_LT(contents.batches * 10, static_cast<int>(contents.records.size()))
          << "records are written many to a batch";
    }
  }
  EXPECT_EQ(total, events.size());
}

TEST(NexmarkTopicsTest, WritesEveryEventAsAJsonRecordRoundRobinOverPartitions) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  const GeneratorConfig config = SmallConfig(20'000);
  std::vector<NexmarkWriteStats> reports;
  auto stats = WriteNexmarkTopics(*log, config, 3,
                                  [&](const NexmarkWriteStats& s) { reports.push_back(s); });
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->persons, 400);
  EXPECT_EQ(stats->auctions, 1200);
  EXPECT_EQ(stats->bids, 18'400);
  EXPECT_GT(stats->batch_bytes, stats->value_bytes);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().events(), 20'000);

  const NexmarkEvents events = GenerateEvents(config);
  ExpectTopicHolds(*log, NexmarkStream::kPerson, events.persons, 3);
  ExpectTopicHolds(*log, NexmarkStream::kAuction, events.auctions, 3);
  ExpectTopicHolds(*log, NexmarkStream::kBid, events.bids, 3);

  // The events' fixed past timestamps must not be taken for expired data.
  for (NexmarkStream stream : kAllStreams) {
    auto info = log->DescribeTopic(std::string(TopicName(stream)));
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->config.retention_ms, -1);
    EXPECT_EQ(info->config.partitions, 3);
  }
  ASSERT_TRUE(log->EnforceRetention().ok());
  auto bid0 = log->GetPartition("nexmark-bid", PartitionId(0));
  ASSERT_TRUE(bid0.ok());
  EXPECT_EQ((*bid0)->log_start_offset(), Offset(0));
}

TEST(NexmarkTopicsTest, SurvivesAReopenOfTheLog) {
  testing::TempDir dir;
  const GeneratorConfig config = SmallConfig(3000);
  {
    auto log = OpenLog(dir.path());
    ASSERT_TRUE(WriteNexmarkTopics(*log, config, 2).ok());
    ASSERT_TRUE(log->Close().ok());
  }
  auto log = OpenLog(dir.path());
  const NexmarkEvents events = GenerateEvents(config);
  ExpectTopicHolds(*log, NexmarkStream::kBid, events.bids, 2);
}

TEST(NexmarkTopicsTest, RefusesTopicsThatAlreadyHoldRecords) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  ASSERT_TRUE(WriteNexmarkTopics(*log, SmallConfig(1000), 3).ok());
  auto again = WriteNexmarkTopics(*log, SmallConfig(1000), 3);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("nexmark-person partition 0 already holds records"),
            std::string::npos)
      << again.status().ToString();
}

TEST(NexmarkTopicsTest, KeepsThePartitionCountOfAnExistingTopic) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  log::TopicConfig existing;
  existing.partitions = 2;
  ASSERT_TRUE(log->CreateTopic("nexmark-bid", existing).ok());
  const GeneratorConfig config = SmallConfig(5000);
  ASSERT_TRUE(WriteNexmarkTopics(*log, config, 4).ok());
  const NexmarkEvents events = GenerateEvents(config);
  ExpectTopicHolds(*log, NexmarkStream::kBid, events.bids, 2);
  ExpectTopicHolds(*log, NexmarkStream::kPerson, events.persons, 4);
  auto bid = log->DescribeTopic("nexmark-bid");
  ASSERT_TRUE(bid.ok());
  EXPECT_EQ(bid->config.retention_ms, -1);
}

TEST(NexmarkTopicsTest, RejectsABadConfigBeforeCreatingTopics) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  GeneratorConfig bad = SmallConfig(10);
  bad.events_per_second = 0;
  EXPECT_FALSE(WriteNexmarkTopics(*log, bad, 3).ok());
  EXPECT_FALSE(WriteNexmarkTopics(*log, SmallConfig(10), 0).ok());
  EXPECT_TRUE(log->ListTopics().empty());
}

// ---- through the Kafka protocol, against librdkafka's in-process mock cluster ----

struct MockCluster {
  MockCluster() {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    cluster = rd_kafka_mock_cluster_new(rk, 1);
    bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
  }
  // The high watermark of each partition, read with a client of its own.
  std::vector<int64_t> HighWatermarks(const std::string& topic, int partitions) {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
    rd_kafka_t* client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    std::vector<int64_t> out;
    for (int p = 0; p < partitions; ++p) {
      int64_t low = -1;
      int64_t high = -1;
      EXPECT_EQ(rd_kafka_query_watermark_offsets(client, topic.c_str(), p, &low, &high, 10000),
                RD_KAFKA_RESP_ERR_NO_ERROR);
      out.push_back(high);
    }
    rd_kafka_destroy(client);
    return out;
  }

  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  std::string bootstrap;
};

// librdkafka's mock cluster does not create topics: they exist beforehand, so the
// filler uses them as they are.
TEST(NexmarkTopicsTest, FillsExistingTopicsThroughTheKafkaProtocol) {
  MockCluster mock;
  for (NexmarkStream stream : kAllStreams) {
    ASSERT_EQ(
        rd_kafka_mock_topic_create(mock.cluster, std::string(TopicName(stream)).c_str(), 3, 1),
        RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  const GeneratorConfig config = SmallConfig(10'000);
  auto stats = WriteNexmarkTopicsToKafka(mock.bootstrap, config, 3, nullptr, 20'000);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->events(), 10'000);
  // k-th event of a stream in partition k % 3: 200 persons, 600 auctions, 9200 bids.
  EXPECT_EQ(mock.HighWatermarks("nexmark-person", 3), (std::vector<int64_t>{67, 67, 66}));
  EXPECT_EQ(mock.HighWatermarks("nexmark-auction", 3), (std::vector<int64_t>{200, 200, 200}));
  EXPECT_EQ(mock.HighWatermarks("nexmark-bid", 3), (std::vector<int64_t>{3067, 3067, 3066}));

  auto again = WriteNexmarkTopicsToKafka(mock.bootstrap, config, 3, nullptr, 20'000);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("already holds records"), std::string::npos)
      << again.status().ToString();
}

// Through eddy's own broker: the filler creates the topics with the admin API, and the
// log then holds exactly what the direct filler would have written.
TEST(NexmarkTopicsTest, CreatesAndFillsTopicsOnAnEddyBroker) {
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  kafka::BrokerConfig broker_config;
  broker_config.port = 0;
  auto broker = kafka::Broker::Make(broker_config, log.get(), nullptr);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  ASSERT_TRUE((*broker)->Start().ok());
  const std::string bootstrap = "127.0.0.1:" + std::to_string((*broker)->port());

  const GeneratorConfig config = SmallConfig(8000);
  auto stats = WriteNexmarkTopicsToKafka(bootstrap, config, 2, nullptr, 20'000);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  (*broker)->Stop();
  const NexmarkEvents events = GenerateEvents(config);
  ExpectTopicHolds(*log, NexmarkStream::kPerson, events.persons, 2);
  ExpectTopicHolds(*log, NexmarkStream::kAuction, events.auctions, 2);
  ExpectTopicHolds(*log, NexmarkStream::kBid, events.bids, 2);
  auto bid = log->DescribeTopic("nexmark-bid");
  ASSERT_TRUE(bid.ok());
  EXPECT_EQ(bid->config.retention_ms, -1);
}

TEST(NexmarkTopicsTest, KafkaFillNamesAnUnreachableBroker) {
  auto stats = WriteNexmarkTopicsToKafka("127.0.0.1:1", SmallConfig(100), 3, nullptr, 1500);
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().message().find("127.0.0.1:1"), std::string::npos)
      << stats.status().ToString();
}

}  // namespace
}  // namespace eddy::nexmark
