#include "src/log/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "src/base/crc32c.h"
#include "src/log/log_fixtures.h"
#include "src/log/log_format.h"
#include "src/log/partition_impl.h"
#include "src/log/record_batch_format.h"
#include "tests/util/fault_injection_file_system.h"
#include "tests/util/manual_clock.h"
#include "tests/util/temp_dir.h"

namespace eddy::log {
namespace {

using testing::DecodedRecord;
using testing::DecodeRecords;
using testing::MakeBatch;
using testing::ReadAllRecords;
using testing::MakeBatchAt;
using testing::MakeProducerBatch;
using testing::WaitDurable;

constexpr int64_t kStart = 1'700'000'000'000;

class LogTest : public ::testing::Test {
 protected:
  LogOptions Options() const {
    LogOptions o;
    o.data_dir = dir_.Sub("data");
    o.fs = fs_;
    o.clock = &clock_;
    o.durability = durability_;
    o.retention_check_interval_ms = 3'600'000;  // tests run the pass themselves
    return o;
  }
  void Open() {
    auto log = Log::Open(Options());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }
  void Reopen() {
    log_.reset();
    Open();
  }
  /// Closes the log, then removes the clean-shutdown marker: the next open recovers
  /// as after a crash (the data itself is what the process had written).
  void CloseUncleanly() {
    log_.reset();
    ASSERT_TRUE(
        FileSystem::Default()->Remove(JoinPath(Options().data_dir, ".clean-shutdown")).ok());
  }
  std::shared_ptr<Partition> Create(const std::string& name, TopicConfig config = {}) {
    auto info = log_->CreateTopic(name, config);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return Get(name);
  }
  std::shared_ptr<Partition> Get(const std::string& name, int32_t p = 0) {
    auto partition = log_->GetPartition(name, PartitionId(p));
    EXPECT_TRUE(partition.ok()) << partition.status().ToString();
    return partition.ok() ? *partition : nullptr;
  }
  AppendResult Append(Partition& p, std::vector<uint8_t> batch) {
    auto r = p.Append(batch);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : AppendResult{};
  }
  /// Waits until everything appended is durable (and, under kAlways, visible).
  void Settle(Partition& p) {
    if (p.log_end_offset().value() == 0) return;
    Status st = WaitDurable(p, Offset(p.log_end_offset().value() - 1));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::string PartitionDir(const std::string& topic, int p = 0) const {
    return Options().data_dir + "/topics/" + topic + "/" + std::to_string(p);
  }
  std::string SegmentPath(const std::string& topic, int64_t base, std::string_view suffix) const {
    return JoinPath(PartitionDir(topic), SegmentFileName(base, suffix));
  }
  std::vector<int64_t> Segments(Partition& p) {
    return dynamic_cast<PartitionImpl&>(p).SegmentBaseOffsets();
  }
  /// Size of a one-record batch made with MakeBatch(1, _, prefix); values of the same
  /// length give batches of the same size.
  size_t BatchSize(const std::string& prefix = "value") {
    return MakeBatch(1, kStart, prefix).size();
  }
  static std::string Padded(int i) { return (i < 10 ? "v0" : "v") + std::to_string(i); }

  eddy::testing::TempDir dir_;
  mutable eddy::testing::ManualClock clock_{kStart};
  FileSystem* fs_ = FileSystem::Default();
  Durability durability_{FsyncPolicy::kNever, 1000};
  std::unique_ptr<Log> log_;
};

// --- Topics ---

TEST_F(LogTest, CreatedTopicsAndTheirSettingsSurviveAReopen) {
  Open();
  TopicConfig config;
  config.partitions = 3;
  config.retention_ms = 12345;
  config.segment_bytes = 1 << 20;
  ASSERT_TRUE(log_->CreateTopic("orders", config).ok());
  ASSERT_TRUE(log_->CreateTopic("clicks", TopicConfig{}).ok());
  EXPECT_TRUE(fs_->Exists(Options().data_dir + "/topics/orders/topic.conf"));
  EXPECT_TRUE(fs_->Exists(Options().data_dir + "/topics/orders/2"));

  Reopen();
  auto topics = log_->ListTopics();
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].name, "clicks");
  EXPECT_EQ(topics[1].name, "orders");
  auto orders = log_->DescribeTopic("orders");
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(orders->config.partitions, 3);
  EXPECT_EQ(orders->config.retention_ms, 12345);
  EXPECT_EQ(orders->config.segment_bytes, 1 << 20);
  EXPECT_TRUE(log_->GetPartition("orders", PartitionId(2)).ok());
  EXPECT_EQ(LogErrorOf(log_->GetPartition("orders", PartitionId(3)).status()),
            LogError::kUnknownTopicOrPartition);
}

TEST_F(LogTest, CreateTopicRefusesDuplicatesBadNamesAndBadSettings) {
  Open();
  ASSERT_TRUE(log_->CreateTopic("t", TopicConfig{}).ok());
  EXPECT_EQ(LogErrorOf(log_->CreateTopic("t", TopicConfig{}).status()), LogError::kTopicAlreadyExists);
  EXPECT_EQ(LogErrorOf(log_->CreateTopic("a/b", TopicConfig{}).status()), LogError::kInvalidTopicName);
  TopicConfig bad;
  bad.partitions = 0;
  EXPECT_EQ(LogErrorOf(log_->CreateTopic("u", bad).status()), LogError::kInvalidConfig);
  EXPECT_EQ(LogErrorOf(log_->GetPartition("nope", PartitionId(0)).status()),
            LogError::kUnknownTopicOrPartition);
}

TEST_F(LogTest, DeletingATopicRemovesItsFilesAndFailsLaterAppends) {
  Open();
  auto p = Create("doomed");
  Append(*p, MakeBatch(2, kStart));
  ASSERT_TRUE(log_->DeleteTopic("doomed").ok());
  EXPECT_FALSE(fs_->Exists(Options().data_dir + "/topics/doomed"));
  std::vector<uint8_t> batch = MakeBatch(1, kStart);
  EXPECT_EQ(LogErrorOf(p->Append(batch).status()), LogError::kUnknownTopicOrPartition);
  EXPECT_EQ(LogErrorOf(p->Read(Offset(0), {}).status()), LogError::kUnknownTopicOrPartition);
  EXPECT_EQ(LogErrorOf(log_->GetPartition("doomed", PartitionId(0)).status()),
            LogError::kUnknownTopicOrPartition);
  EXPECT_EQ(LogErrorOf(log_->DeleteTopic("doomed")), LogError::kUnknownTopicOrPartition);

  // The name can be used again, starting from scratch.
  auto again = Create("doomed");
  EXPECT_EQ(again->log_end_offset(), Offset(0));
  Reopen();
  EXPECT_EQ(log_->ListTopics().size(), 1u);
}

TEST_F(LogTest, AlterTopicChangesSettingsDurablyButNotThePartitionCount) {
  Open();
  Create("t");
  TopicConfig changed;
  changed.retention_bytes = 4096;
  changed.max_message_bytes = 100;
  ASSERT_TRUE(log_->AlterTopic("t", changed).ok());
  std::vector<uint8_t> big = MakeBatch(10, kStart);
  EXPECT_EQ(LogErrorOf(Get("t")->Append(big).status()), LogError::kBatchTooLarge);
  changed.partitions = 2;
  EXPECT_EQ(LogErrorOf(log_->AlterTopic("t", changed)), LogError::kInvalidConfig);
  Reopen();
  EXPECT_EQ(log_->DescribeTopic("t")->config.retention_bytes, 4096);
}

TEST_F(LogTest, AnUnfinishedTopicCreationIsRemovedAtOpen) {
  Open();
  Create("real");
  log_.reset();
  ASSERT_TRUE(fs_->CreateDirs(Options().data_dir + "/topics/half/0").ok());
  Open();
  EXPECT_EQ(log_->ListTopics().size(), 1u);
  EXPECT_FALSE(fs_->Exists(Options().data_dir + "/topics/half"));
}

// --- Appends and reads ---

TEST_F(LogTest, AppendAssignsConsecutiveOffsetsAndReadReturnsTheBatches) {
  Open();
  auto p = Create("t");
  AppendResult a = Append(*p, MakeBatch(3, kStart, "a"));
  AppendResult b = Append(*p, MakeBatch(2, kStart + 1, "b"));
  EXPECT_EQ(a.base_offset, Offset(0));
  EXPECT_EQ(a.last_offset, Offset(2));
  EXPECT_EQ(b.base_offset, Offset(3));
  EXPECT_EQ(b.last_offset, Offset(4));
  EXPECT_FALSE(b.duplicate);
  EXPECT_EQ(p->log_end_offset(), Offset(5));
  EXPECT_EQ(p->high_watermark(), Offset(5));

  auto r = p->Read(Offset(0), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->next_offset, Offset(5));
  EXPECT_EQ(r->high_watermark, Offset(5));
  auto records = DecodeRecords(r->bytes);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].value, "a-0");
  EXPECT_EQ(records[3].value, "b-0");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(records[i].offset, i);
  EXPECT_EQ(static_cast<int64_t>(r->bytes.size()), p->size_bytes());
}

TEST_F(LogTest, AppendRefusesCorruptBatchesAndWritesNothing) {
  Open();
  auto p = Create("t");
  std::vector<uint8_t> flipped = MakeBatch(3, kStart);
  flipped[flipped.size() - 3] ^= 0x01;
  EXPECT_EQ(LogErrorOf(p->Append(flipped).status()), LogError::kCorruptBatch);

  std::vector<uint8_t> cut = MakeBatch(3, kStart);
  cut.pop_back();
  EXPECT_EQ(LogErrorOf(p->Append(cut).status()), LogError::kCorruptBatch);

  // CRC-valid, but the header claims more offsets than it has records.
  std::vector<uint8_t> lying = MakeBatch(3, kStart);
  StoreI32(&lying[kLastOffsetDeltaPos], 7);
  StoreI32(&lying[kCrcPos],
           static_cast<int32_t>(Crc32c(ByteSpan(lying).subspan(kCrcCoverageStart))));
  EXPECT_EQ(LogErrorOf(p->Append(lying).status()), LogError::kCorruptBatch);

  EXPECT_EQ(p->log_end_offset(), Offset(0));
  EXPECT_EQ(p->size_bytes(), 0);
}

TEST_F(LogTest, AppendRefusesABatchLargerThanMaxMessageBytes) {
  Open();
  std::vector<uint8_t> batch = MakeBatch(5, kStart);
  TopicConfig config;
  config.max_message_bytes = static_cast<int32_t>(batch.size()) - 1;
  auto p = Create("t", config);
  EXPECT_EQ(LogErrorOf(p->Append(batch).status()), LogError::kBatchTooLarge);
  config.max_message_bytes = static_cast<int32_t>(batch.size());
  ASSERT_TRUE(log_->AlterTopic("t", config).ok());
  EXPECT_TRUE(p->Append(batch).ok());
}

TEST_F(LogTest, ReadHonoursMaxBytesMinOneBatchAndTheOffsetRange) {
  Open();
  auto p = Create("t");
  for (int i = 0; i < 10; ++i) Append(*p, MakeBatch(2, kStart + i));
  const size_t batch = static_cast<size_t>(p->size_bytes()) / 10;

  auto three = p->Read(Offset(4), ReadOptions{3 * batch + 1, true});
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->bytes.size(), 3 * batch);
  EXPECT_EQ(three->next_offset, Offset(10));
  EXPECT_EQ(DecodeRecords(three->bytes).front().offset, 4);

  auto one = p->Read(Offset(5), ReadOptions{1, true});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->bytes.size(), batch);
  EXPECT_EQ(DecodeRecords(one->bytes).front().offset, 4) << "the whole batch holding 5";

  auto none = p->Read(Offset(5), ReadOptions{1, false});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->bytes.empty());
  EXPECT_EQ(none->next_offset, Offset(5));

  auto at_end = p->Read(Offset(20), {});
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->bytes.empty());
  EXPECT_EQ(at_end->high_watermark, Offset(20));

  EXPECT_EQ(LogErrorOf(p->Read(Offset(21), {}).status()), LogError::kOffsetOutOfRange);
  EXPECT_EQ(LogErrorOf(p->Read(Offset(-1), {}).status()), LogError::kOffsetOutOfRange);
}

// --- Rolling and retention ---

TEST_F(LogTest, ASegmentRollsWhenTheNextBatchWouldPassSegmentBytes) {
  Open();
  TopicConfig config;
  config.segment_bytes = static_cast<int64_t>(3 * BatchSize());
  auto p = Create("t", config);
  for (int i = 0; i < 7; ++i) Append(*p, MakeBatch(1, kStart));
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{0, 3, 6}));
  for (int64_t base : {0, 3, 6}) {
    EXPECT_TRUE(fs_->Exists(SegmentPath("t", base, ".log"))) << base;
    EXPECT_TRUE(fs_->Exists(SegmentPath("t", base, ".index"))) << base;
    EXPECT_TRUE(fs_->Exists(SegmentPath("t", base, ".timeindex"))) << base;
  }
  EXPECT_EQ(ReadAllRecords(*p).size(), 7u);
  Reopen();
  p = Get("t");
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{0, 3, 6}));
  EXPECT_EQ(p->log_end_offset(), Offset(7));
  EXPECT_EQ(ReadAllRecords(*p).size(), 7u);
}

TEST_F(LogTest, ASegmentRollsWhenSegmentMsHasPassed) {
  Open();
  TopicConfig config;
  config.segment_ms = 60'000;
  auto p = Create("t", config);
  Append(*p, MakeBatch(1, clock_.NowMs()));
  clock_.AdvanceMs(59'000);
  Append(*p, MakeBatch(1, clock_.NowMs()));
  EXPECT_EQ(Segments(*p).size(), 1u);
  clock_.AdvanceMs(1'000);
  Append(*p, MakeBatch(1, clock_.NowMs()));
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{0, 2}));
}

TEST_F(LogTest, TheRetentionPassRollsASegmentOlderThanSegmentMs) {
  Open();
  TopicConfig config;
  config.segment_ms = 60'000;
  auto p = Create("t", config);
  Append(*p, MakeBatch(1, clock_.NowMs()));
  ASSERT_TRUE(log_->EnforceRetention().ok());
  EXPECT_EQ(Segments(*p).size(), 1u);
  clock_.AdvanceMs(61'000);
  ASSERT_TRUE(log_->EnforceRetention().ok());
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{0, 1}));
  // An empty active segment does not roll again.
  clock_.AdvanceMs(61'000);
  ASSERT_TRUE(log_->EnforceRetention().ok());
  EXPECT_EQ(Segments(*p).size(), 2u);
}

TEST_F(LogTest, RetentionBytesDeletesTheOldestSegmentsAndMovesTheLogStart) {
  Open();
  TopicConfig config;
  config.segment_bytes = static_cast<int64_t>(2 * BatchSize("r0"));
  config.retention_bytes = static_cast<int64_t>(3 * BatchSize("r0"));
  auto p = Create("t", config);
  for (int i = 0; i < 9; ++i) Append(*p, MakeBatch(1, kStart, "r" + std::to_string(i)));
  ASSERT_EQ(Segments(*p), (std::vector<int64_t>{0, 2, 4, 6, 8}));
  ASSERT_TRUE(log_->EnforceRetention().ok());
  // 9 batches; dropping segments while at least 3 batches remain leaves 6, 8.
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{6, 8}));
  EXPECT_EQ(p->log_start_offset(), Offset(6));
  EXPECT_EQ(p->size_bytes(), static_cast<int64_t>(3 * BatchSize("r0")));
  EXPECT_FALSE(fs_->Exists(SegmentPath("t", 4, ".log")));
  EXPECT_FALSE(fs_->Exists(SegmentPath("t", 4, ".index")));
  EXPECT_EQ(LogErrorOf(p->Read(Offset(5), {}).status()), LogError::kOffsetOutOfRange);
  auto records = ReadAllRecords(*p);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].offset, 6);
  EXPECT_EQ(records[0].value, "r6-0");
  Reopen();
  EXPECT_EQ(Get("t")->log_start_offset(), Offset(6));
}

TEST_F(LogTest, RetentionMsDeletesSegmentsWhoseNewestRecordExpired) {
  Open();
  TopicConfig config;
  config.segment_bytes = static_cast<int64_t>(2 * BatchSize());
  config.retention_ms = 3'600'000;
  auto p = Create("t", config);
  for (int i = 0; i < 4; ++i) Append(*p, MakeBatch(1, kStart));              // 0-3: old
  for (int i = 0; i < 2; ++i) Append(*p, MakeBatch(1, kStart + 3'000'000));  // 4-5: newer
  ASSERT_EQ(Segments(*p), (std::vector<int64_t>{0, 2, 4}));
  clock_.AdvanceMs(3'600'001);
  ASSERT_TRUE(log_->EnforceRetention().ok());
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{4}));
  EXPECT_EQ(p->log_start_offset(), Offset(4));

  // Once everything expired, the partition empties (its active segment rolls first)
  // and appends carry on at the same offsets.
  clock_.AdvanceMs(3'000'000);
  ASSERT_TRUE(log_->EnforceRetention().ok());
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{6}));
  EXPECT_EQ(p->log_start_offset(), Offset(6));
  EXPECT_EQ(p->size_bytes(), 0);
  EXPECT_EQ(Append(*p, MakeBatch(1, clock_.NowMs())).base_offset, Offset(6));
}

// --- Recovery ---

TEST_F(LogTest, RecoveryCutsATornTail) {
  Open();
  auto p = Create("t");
  for (int i = 0; i < 5; ++i) Append(*p, MakeBatch(2, kStart, "v" + std::to_string(i)));
  const uint64_t batch = static_cast<uint64_t>(p->size_bytes()) / 5;
  CloseUncleanly();
  {
    auto file = fs_->Open(SegmentPath("t", 0, ".log"), OpenMode::kReadWrite);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Truncate(4 * batch + batch / 2).ok());
  }
  Open();
  p = Get("t");
  EXPECT_EQ(p->log_end_offset(), Offset(8));
  EXPECT_EQ(p->size_bytes(), static_cast<int64_t>(4 * batch));
  EXPECT_EQ(ReadAllRecords(*p).size(), 8u);
  EXPECT_EQ(Append(*p, MakeBatch(1, kStart)).base_offset, Offset(8));
  Reopen();
  EXPECT_EQ(ReadAllRecords(*Get("t")).size(), 9u);
}

TEST_F(LogTest, RecoveryNoticesATornTailEvenAfterACleanShutdown) {
  Open();
  auto p = Create("t");
  for (int i = 0; i < 3; ++i) Append(*p, MakeBatch(2, kStart));
  const uint64_t size = static_cast<uint64_t>(p->size_bytes());
  log_.reset();
  {
    auto file = fs_->Open(SegmentPath("t", 0, ".log"), OpenMode::kReadWrite);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Truncate(size - 10).ok());
  }
  Open();
  EXPECT_EQ(Get("t")->log_end_offset(), Offset(4));
}

TEST_F(LogTest, RecoveryCutsACorruptTail) {
  Open();
  auto p = Create("t");
  for (int i = 0; i < 4; ++i) Append(*p, MakeBatch(3, kStart));
  const uint64_t batch = static_cast<uint64_t>(p->size_bytes()) / 4;
  CloseUncleanly();
  {
    auto file = fs_->Open(SegmentPath("t", 0, ".log"), OpenMode::kReadWrite);
    ASSERT_TRUE(file.ok());
    std::vector<uint8_t> bytes((*file)->Size());
    ASSERT_TRUE((*file)->ReadAt(0, bytes).ok());
    bytes[3 * batch + batch - 5] ^= 0x20;  // inside the last batch's records
    ASSERT_TRUE((*file)->Truncate(0).ok());
    ASSERT_TRUE((*file)->Append(bytes).ok());
  }
  Open();
  p = Get("t");
  EXPECT_EQ(p->log_end_offset(), Offset(9));
  EXPECT_EQ(p->size_bytes(), static_cast<int64_t>(3 * batch));
  EXPECT_EQ(ReadAllRecords(*p).size(), 9u);
}

TEST_F(LogTest, RecoveryKeepsOffsetsDenseWhenARolledSegmentLostItsTail) {
  // What a power cut right after a roll can leave: the new segment empty, the one
  // before it without its unsynced last batches.
  Open();
  TopicConfig config;
  config.segment_bytes = static_cast<int64_t>(5 * BatchSize());
  auto p = Create("t", config);
  for (int i = 0; i < 6; ++i) Append(*p, MakeBatch(1, kStart));
  ASSERT_EQ(Segments(*p), (std::vector<int64_t>{0, 5}));
  CloseUncleanly();
  for (auto [base, keep] : {std::pair<int64_t, uint64_t>{0, 3 * BatchSize()}, {5, 0}}) {
    auto file = fs_->Open(SegmentPath("t", base, ".log"), OpenMode::kReadWrite);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Truncate(keep).ok());
  }
  Open();
  p = Get("t");
  EXPECT_EQ(p->log_end_offset(), Offset(3));
  EXPECT_EQ(Segments(*p), (std::vector<int64_t>{0}));
  EXPECT_FALSE(fs_->Exists(SegmentPath("t", 5, ".log")));
  EXPECT_EQ(Append(*p, MakeBatch(1, kStart)).base_offset, Offset(3));
  EXPECT_EQ(ReadAllRecords(*p).size(), 4u);
}

class IndexRecoveryTest : public LogTest {
 protected:
  void SetUp() override {
    Open();
    TopicConfig config;
    config.segment_bytes = 20 * static_cast<int64_t>(BatchSize("v00"));
    config.index_interval_bytes = 3 * static_cast<int32_t>(BatchSize("v00"));
    auto p = Create("t", config);
    for (int i = 0; i < 50; ++i) Append(*p, MakeBatch(1, kStart + i, Padded(i)));
    ASSERT_EQ(Segments(*p), (std::vector<int64_t>{0, 20, 40}));
    log_.reset();
    original_ = ReadIndex();
    ASSERT_GT(original_.size(), 8u);
  }
  std::vector<uint8_t> ReadIndex() {
    auto bytes = fs_->ReadFile(SegmentPath("t", 20, ".index"));
    EXPECT_TRUE(bytes.ok());
    return bytes.ok() ? *bytes : std::vector<uint8_t>{};
  }
  void ExpectRebuiltAndReadable() {
    Open();
    auto p = Get("t");
    EXPECT_EQ(ReadIndex(), original_);
    for (int64_t from : {20, 23, 31, 39}) {
      auto r = p->Read(Offset(from), ReadOptions{1, true});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      auto records = DecodeRecords(r->bytes);
      ASSERT_EQ(records.size(), 1u);
      EXPECT_EQ(records[0].offset, from);
      EXPECT_EQ(records[0].value, Padded(static_cast<int>(from)) + "-0");
    }
  }
  void WriteIndex(const std::vector<uint8_t>& bytes) {
    ASSERT_TRUE(fs_->WriteFileAtomically(SegmentPath("t", 20, ".index"), bytes).ok());
  }
  std::vector<uint8_t> original_;
};

TEST_F(IndexRecoveryTest, ADeletedIndexIsRebuilt) {
  ASSERT_TRUE(fs_->Remove(SegmentPath("t", 20, ".index")).ok());
  ExpectRebuiltAndReadable();
}

TEST_F(IndexRecoveryTest, AnIndexWithAPartialEntryIsRebuilt) {
  std::vector<uint8_t> bad = original_;
  bad.resize(bad.size() - 3);
  WriteIndex(bad);
  ExpectRebuiltAndReadable();
}

TEST_F(IndexRecoveryTest, AnIndexWhoseEntriesDoNotIncreaseIsRebuilt) {
  std::vector<uint8_t> bad = original_;
  std::swap_ranges(bad.begin(), bad.begin() + 8, bad.begin() + 8);
  WriteIndex(bad);
  ExpectRebuiltAndReadable();
}

TEST_F(IndexRecoveryTest, AnIndexPointingPastTheLogIsRebuilt) {
  std::vector<uint8_t> bad = original_;
  StoreI32(&bad[bad.size() - 4], 0x7FFFFFF0);
  WriteIndex(bad);
  ExpectRebuiltAndReadable();
}

TEST_F(IndexRecoveryTest, AnIndexWhoseLastEntryNamesTheWrongBatchIsRebuilt) {
  std::vector<uint8_t> bad = original_;
  StoreI32(&bad[bad.size() - 8], LoadI32(&bad[bad.size() - 8]) + 1);
  WriteIndex(bad);
  ExpectRebuiltAndReadable();
}

TEST_F(LogTest, ASecondOpenOfTheSameDirectoryFailsNamingTheHolder) {
  Open();
  auto second = Log::Open(Options());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.status().message();
  log_.reset();
  EXPECT_TRUE(Log::Open(Options()).ok());
}

// --- Idempotent producers ---

TEST_F(LogTest, ARetriedProducerBatchGetsItsOriginalOffsetsAndIsNotWrittenTwice) {
  Open();
  auto p = Create("t");
  Append(*p, MakeBatch(1, kStart));  // someone else's record first
  AppendResult first = Append(*p, MakeProducerBatch(42, 0, 0, 3));
  AppendResult second = Append(*p, MakeProducerBatch(42, 0, 3, 2));
  AppendResult retry = Append(*p, MakeProducerBatch(42, 0, 0, 3));
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.base_offset, first.base_offset);
  EXPECT_EQ(retry.last_offset, first.last_offset);
  EXPECT_EQ(first.base_offset, Offset(1));
  EXPECT_EQ(second.base_offset, Offset(4));
  EXPECT_EQ(p->log_end_offset(), Offset(6));
  EXPECT_EQ(ReadAllRecords(*p).size(), 6u);
}

TEST_F(LogTest, AProducerGapOrOldEpochIsRefused) {
  Open();
  auto p = Create("t");
  Append(*p, MakeProducerBatch(42, 1, 0, 3));
  std::vector<uint8_t> gap = MakeProducerBatch(42, 1, 4, 1);
  EXPECT_EQ(LogErrorOf(p->Append(gap).status()), LogError::kOutOfOrderSequence);
  std::vector<uint8_t> old = MakeProducerBatch(42, 0, 3, 1);
  EXPECT_EQ(LogErrorOf(p->Append(old).status()), LogError::kInvalidProducerEpoch);
  std::vector<uint8_t> stranger = MakeProducerBatch(43, 0, 9, 1);
  EXPECT_EQ(LogErrorOf(p->Append(stranger).status()), LogError::kOutOfOrderSequence);
  EXPECT_EQ(p->log_end_offset(), Offset(3));
}

TEST_F(LogTest, ProducerStateIsRebuiltAfterACleanAndAnUncleanRestart) {
  Open();
  TopicConfig config;
  config.segment_bytes = static_cast<int64_t>(3 * MakeProducerBatch(1, 0, 0, 2).size());
  auto p = Create("t", config);
  int32_t seq = 0;
  for (int i = 0; i < 7; ++i, seq += 2) Append(*p, MakeProducerBatch(7, 0, seq, 2));
  Append(*p, MakeProducerBatch(8, 3, 0, 1));
  ASSERT_GT(Segments(*p).size(), 2u);

  auto check = [&](int32_t next_seq, int64_t log_end) {
    auto q = Get("t");
    ASSERT_EQ(q->log_end_offset(), Offset(log_end));
    AppendResult retry = Append(*q, MakeProducerBatch(7, 0, next_seq - 2, 2));
    EXPECT_TRUE(retry.duplicate);
    EXPECT_EQ(retry.base_offset, Offset(log_end - 3));
    std::vector<uint8_t> gap = MakeProducerBatch(7, 0, next_seq + 2, 2);
    EXPECT_EQ(LogErrorOf(q->Append(gap).status()), LogError::kOutOfOrderSequence);
    std::vector<uint8_t> old_epoch = MakeProducerBatch(8, 2, 1, 1);
    EXPECT_EQ(LogErrorOf(q->Append(old_epoch).status()), LogError::kInvalidProducerEpoch);
  };
  Reopen();
  check(seq, 15);

  // Unclean, and without any snapshot: everything comes from the batch headers.
  CloseUncleanly();
  auto names = fs_->ListDir(PartitionDir("t"));
  ASSERT_TRUE(names.ok());
  int snapshots = 0;
  for (const auto& name : *names) {
    if (name.ends_with(".snapshot")) {
      ++snapshots;
      ASSERT_TRUE(fs_->Remove(JoinPath(PartitionDir("t"), name)).ok());
    }
  }
  EXPECT_GT(snapshots, 0);
  Open();
  check(seq, 15);
}

// --- Durability, the high watermark and watches ---

TEST_F(LogTest, UnderNeverAndIntervalAppendsAreVisibleAndDurableAtOnce) {
  for (FsyncPolicy policy : {FsyncPolicy::kNever, FsyncPolicy::kInterval}) {
    durability_ = Durability{policy, 60'000};
    log_.reset();
    Open();
    const std::string name = policy == FsyncPolicy::kNever ? "never" : "interval";
    auto p = Create(name);
    AppendResult r = Append(*p, MakeBatch(2, kStart));
    EXPECT_EQ(p->high_watermark(), Offset(2)) << name;
    bool called = false;
    p->WhenDurable(r.last_offset, [&](Status st) {
      EXPECT_TRUE(st.ok());
      called = true;
    });
    EXPECT_TRUE(called) << name << ": WhenDurable completes inline";
  }
}

TEST_F(LogTest, UnderAlwaysTheHighWatermarkIsTheSyncedEnd) {
  eddy::testing::FaultInjectionFileSystem faulty;
  fs_ = &faulty;
  durability_ = Durability{FsyncPolicy::kAlways, 0};
  Open();
  auto p = Create("t");
  faulty.SetSyncDelayMs(200);
  const int64_t syncs_before = faulty.sync_count();
  AppendResult r = Append(*p, MakeBatch(2, kStart));
  // The flush takes 200 ms: the record is not visible before it is synced.
  EXPECT_EQ(p->high_watermark(), Offset(0));
  Status durable = WaitDurable(*p, r.last_offset);
  EXPECT_TRUE(durable.ok()) << durable.ToString();
  EXPECT_EQ(p->high_watermark(), Offset(2));
  EXPECT_GT(faulty.sync_count(), syncs_before);
  EXPECT_GE(faulty.SyncedSize(SegmentPath("t", 0, ".log")), static_cast<uint64_t>(p->size_bytes()));
  log_.reset();
}

TEST_F(LogTest, OneSyncCoversEveryProducerWaitingMeanwhile) {
  eddy::testing::FaultInjectionFileSystem faulty;
  fs_ = &faulty;
  durability_ = Durability{FsyncPolicy::kAlways, 0};
  Open();
  auto p = Create("t");
  faulty.SetSyncDelayMs(5);
  const int64_t syncs_before = faulty.sync_count();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<uint8_t> batch = MakeBatch(1, kStart, "t" + std::to_string(t));
        auto r = p->Append(batch);
        if (!r.ok()) {
          ++failures;
          continue;
        }
        if (!WaitDurable(*p, r->last_offset).ok()) ++failures;
      }
    });
  }
  for (auto& t : producers) t.join();
  EXPECT_EQ(failures.load(), 0);
  const int64_t syncs = faulty.sync_count() - syncs_before;
  EXPECT_LT(syncs, kThreads * kPerThread / 2) << "group commit should share syncs";
  EXPECT_EQ(p->high_watermark(), Offset(kThreads * kPerThread));
  log_.reset();
}

TEST_F(LogTest, WatchFiresWhenTheHighWatermarkPassesTheOffset) {
  Open();
  auto p = Create("t");
  Append(*p, MakeBatch(1, kStart));
  int fired_past = 0;
  p->Watch(Offset(0), [&] { ++fired_past; });
  EXPECT_EQ(fired_past, 1) << "already passed: fires inline";

  int fired = 0;
  p->Watch(Offset(1), [&] { ++fired; });
  int cancelled = 0;
  WatchId id = p->Watch(Offset(1), [&] { ++cancelled; });
  p->Unwatch(id);
  int later = 0;
  p->Watch(Offset(5), [&] { ++later; });
  EXPECT_EQ(fired, 0);
  Append(*p, MakeBatch(2, kStart));  // high watermark 3
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(cancelled, 0);
  EXPECT_EQ(later, 0);
  Append(*p, MakeBatch(1, kStart));
  EXPECT_EQ(fired, 1) << "a watch fires once";
  EXPECT_EQ(later, 0);
  Append(*p, MakeBatch(3, kStart));
  EXPECT_EQ(later, 1);
}

TEST_F(LogTest, WatchesFireWhenTheTopicIsDeletedOrTheLogCloses) {
  Open();
  auto doomed = Create("doomed");
  auto kept = Create("kept");
  int deleted_fired = 0;
  int closed_fired = 0;
  doomed->Watch(Offset(0), [&] {
    ++deleted_fired;
    // Callbacks run without the log's locks: calling back into it must not deadlock.
    EXPECT_TRUE(log_->CreateTopic("born-in-a-callback", TopicConfig{}).ok());
  });
  kept->Watch(Offset(0), [&] { ++closed_fired; });
  ASSERT_TRUE(log_->DeleteTopic("doomed").ok());
  EXPECT_EQ(deleted_fired, 1);
  EXPECT_TRUE(log_->DescribeTopic("born-in-a-callback").ok());
  EXPECT_EQ(closed_fired, 0);
  ASSERT_TRUE(log_->Close().ok());
  EXPECT_EQ(closed_fired, 1);
  EXPECT_EQ(LogErrorOf(log_->Close()), LogError::kShuttingDown);
  EXPECT_EQ(LogErrorOf(log_->CreateTopic("x", {}).status()), LogError::kShuttingDown);
  std::vector<uint8_t> batch = MakeBatch(1, kStart);
  EXPECT_EQ(LogErrorOf(kept->Append(batch).status()), LogError::kShuttingDown);
}

TEST_F(LogTest, ReadWaitWakesOnAnAppendAndOtherwiseTimesOut) {
  Open();
  auto p = Create("t");
  auto start = std::chrono::steady_clock::now();
  auto empty = ReadWait(*p, Offset(0), {}, 50);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->bytes.empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(45));

  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    Append(*p, MakeBatch(2, kStart));
  });
  auto woken = ReadWait(*p, Offset(0), {}, 10'000);
  writer.join();
  ASSERT_TRUE(woken.ok());
  EXPECT_EQ(DecodeRecords(woken->bytes).size(), 2u);
}

// --- Timestamps ---

TEST_F(LogTest, OffsetForTimestampFindsTheFirstRecordAtOrAfterTheTime) {
  Open();
  TopicConfig config;
  config.segment_bytes = static_cast<int64_t>(2 * MakeBatchAt({1, 2, 3}).size());
  config.index_interval_bytes = 1;
  auto p = Create("t", config);
  Append(*p, MakeBatchAt({1000, 1010, 1020}));  // 0-2
  Append(*p, MakeBatchAt({1030, 1005, 1040}));  // 3-5: out of order inside
  Append(*p, MakeBatchAt({1050, 1060, 1070}));  // 6-8, second segment
  ASSERT_EQ(Segments(*p).size(), 2u);
  auto at = [&](int64_t ts) -> std::optional<int64_t> {
    auto r = p->OffsetForTimestamp(ts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->has_value() ? std::optional<int64_t>((*r)->offset.value()) : std::nullopt;
  };
  EXPECT_EQ(at(0), 0);
  EXPECT_EQ(at(1000), 0);
  EXPECT_EQ(at(1001), 1);
  EXPECT_EQ(at(1020), 2);
  EXPECT_EQ(at(1021), 3);
  EXPECT_EQ(at(1035), 5);
  EXPECT_EQ(at(1041), 6);
  EXPECT_EQ(at(1065), 8);
  EXPECT_EQ(at(1070), 8);
  EXPECT_EQ(at(1071), std::nullopt);
  // The answer carries the found record's own timestamp, not the one asked for.
  auto found = p->OffsetForTimestamp(1035);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->timestamp, 1040);
}

TEST_F(LogTest, OffsetForTimestampLooksInsideCompressedBatches) {
  Open();
  auto p = Create("t");
  for (CompressionCodec codec : {CompressionCodec::kGzip, CompressionCodec::kSnappy,
                                 CompressionCodec::kLz4, CompressionCodec::kZstd}) {
    BatchOptions options;
    options.codec = codec;
    const int64_t base = 10'000 * (static_cast<int64_t>(codec) + 1);
    Append(*p, MakeBatchAt({base, base + 10, base + 20, base + 30}, options));
  }
  for (int codec = 1; codec <= 4; ++codec) {
    const int64_t base = 10'000 * (codec + 1);
    auto r = p->OffsetForTimestamp(base + 15);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->offset.value(), (codec - 1) * 4 + 2)
        << CodecName(static_cast<CompressionCodec>(codec));
    EXPECT_EQ((*r)->timestamp, base + 20);
  }
}

// --- Faults ---

TEST_F(LogTest, ADiskFullAppendLeavesThePartitionUsable) {
  eddy::testing::FaultInjectionFileSystem faulty;
  fs_ = &faulty;
  Open();
  auto p = Create("t");
  Append(*p, MakeBatch(2, kStart, "before"));
  const int64_t size = p->size_bytes();
  for (auto fault :
       {eddy::testing::AppendFault::kDiskFull, eddy::testing::AppendFault::kDiskFullMidWrite}) {
    faulty.FailAppends(fault, ".log");
    std::vector<uint8_t> batch = MakeBatch(2, kStart, "lost");
    auto r = p->Append(batch);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(LogErrorOf(r.status()), LogError::kStorage);
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(p->log_end_offset(), Offset(2));
    EXPECT_EQ(p->size_bytes(), size);
    EXPECT_EQ(fs_->Open(SegmentPath("t", 0, ".log"), OpenMode::kReadOnly).value()->Size(),
              static_cast<uint64_t>(size));
  }
  faulty.FailAppends(eddy::testing::AppendFault::kNone);
  EXPECT_EQ(Append(*p, MakeBatch(2, kStart, "after")).base_offset, Offset(2));
  auto records = ReadAllRecords(*p);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[2].value, "after-0");
  Reopen();
  EXPECT_EQ(ReadAllRecords(*Get("t")).size(), 4u);
  log_.reset();
}

TEST_F(LogTest, ProducerIdsNeverRepeatAcrossRestarts) {
  Open();
  std::set<int64_t> seen;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i) {
      auto id = log_->AllocateProducerId();
      ASSERT_TRUE(id.ok());
      EXPECT_TRUE(seen.insert(id->value()).second) << id->value();
    }
    if (round == 0) Reopen();
    if (round == 1) {
      CloseUncleanly();
      Open();
    }
  }
}

// --- Concurrency ---

TEST_F(LogTest, ConcurrentAppendersReadersAndRetentionAgree) {
  durability_ = Durability{FsyncPolicy::kAlways, 0};
  Open();
  TopicConfig config;
  config.partitions = 2;
  config.segment_bytes = 4 * 1024;
  config.index_interval_bytes = 512;
  config.retention_bytes = 16 * 1024;
  ASSERT_TRUE(log_->CreateTopic("t", config).ok());
  constexpr int kWriters = 4;
  constexpr int kBatches = 300;
  std::atomic<bool> writing{true};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto p = Get("t", w % 2);
      for (int i = 0; i < kBatches; ++i) {
        std::vector<uint8_t> batch = MakeBatch(1 + i % 5, kStart + i, "w" + std::to_string(w));
        auto r = p->Append(batch);
        if (!r.ok()) ++errors;
        if (r.ok() && i % 50 == 0 && !WaitDurable(*p, r->last_offset).ok()) ++errors;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      auto p = Get("t", r);
      int64_t next = 0;
      while (writing || next < p->high_watermark().value()) {
        if (next < p->log_start_offset().value()) next = p->log_start_offset().value();
        auto read = p->Read(Offset(next), ReadOptions{8 * 1024, true});
        if (!read.ok()) {
          // Retention may pass the reader between its two looks at the log start.
          if (LogErrorOf(read.status()) != LogError::kOffsetOutOfRange) ++errors;
          continue;
        }
        if (read->bytes.empty()) {
          std::this_thread::yield();
          continue;
        }
        auto records = DecodeRecords(read->bytes);
        if (records.empty() || records.back().offset + 1 != read->next_offset.value() ||
            records.back().offset >= read->high_watermark.value()) {
          ++errors;
        }
        for (size_t i = 1; i < records.size(); ++i) {
          if (records[i].offset != records[i - 1].offset + 1) ++errors;
        }
        next = read->next_offset.value();
      }
    });
  }
  threads.emplace_back([&] {
    while (writing) {
      if (!log_->EnforceRetention().ok()) ++errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  for (int p = 0; p < 2; ++p) Settle(*Get("t", p));
  writing = false;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(errors.load(), 0);
  int64_t total = 0;
  for (int p = 0; p < 2; ++p) total += Get("t", p)->log_end_offset().value();
  EXPECT_EQ(total, kWriters * kBatches * 3);  // 1+2+3+4+5 over every 5 batches
  Reopen();
  for (int p = 0; p < 2; ++p) {
    auto q = Get("t", p);
    auto records = ReadAllRecords(*q);
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.front().offset, q->log_start_offset().value());
    EXPECT_EQ(records.back().offset + 1, q->log_end_offset().value());
  }
}

}  // namespace
}  // namespace eddy::log
