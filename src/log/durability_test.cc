// Power-cut tests: the log runs on a file system that remembers what was synced, the
// "machine" loses power (every write fails from then on, the log is torn down, and
// unsynced bytes vanish), and the reopened log must hold everything it acknowledged.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "src/log/log.h"
#include "src/log/log_fixtures.h"
#include "tests/util/fault_injection_file_system.h"
#include "tests/util/temp_dir.h"

namespace eddy::log {
namespace {

using eddy::testing::FaultInjectionFileSystem;
using testing::DecodedRecord;
using testing::DecodeRecords;
using testing::MakeBatch;
using testing::ReadAllRecords;
using testing::WaitDurable;

constexpr int64_t kStart = 1'700'000'000'000;

class PowerCutTest : public ::testing::Test {
 protected:
  void Open(Durability durability, TopicConfig config = {}) {
    LogOptions o;
    o.data_dir = dir_.Sub("data");
    o.fs = &fs_;
    o.durability = durability;
    o.retention_check_interval_ms = 3'600'000;
    auto log = Log::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    if (!log_->DescribeTopic("t").ok()) {
      ASSERT_TRUE(log_->CreateTopic("t", config).ok());
    }
  }
  std::shared_ptr<Partition> Get(int32_t p = 0) {
    auto partition = log_->GetPartition("t", PartitionId(p));
    EXPECT_TRUE(partition.ok()) << partition.status().ToString();
    return partition.ok() ? *partition : nullptr;
  }
  /// The power goes: nothing more reaches the disk, the process is gone, and what was
  /// not synced is lost.
  void PowerCut() {
    fs_.SetActive(false);
    log_.reset();
    ASSERT_TRUE(fs_.DropUnsyncedData().ok());
    fs_.SetActive(true);
    fs_.FailSyncs(false);
  }

  eddy::testing::TempDir dir_;
  FaultInjectionFileSystem fs_;
  std::unique_ptr<Log> log_;
};

TEST_F(PowerCutTest, EverythingAcknowledgedUnderAlwaysSurvives) {
  TopicConfig config;
  config.partitions = 2;
  config.segment_bytes = 8 * 1024;  // several rolls: new files must survive too
  config.index_interval_bytes = 256;
  Open(Durability{FsyncPolicy::kAlways, 0}, config);

  std::mutex mu;
  std::map<std::pair<int, int64_t>, std::string> acknowledged;  // (partition, offset) -> value
  std::atomic<bool> cut{false};
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      auto p = Get(t % 2);
      for (int i = 0; !cut; ++i) {
        std::vector<uint8_t> batch =
            MakeBatch(1 + i % 3, kStart + i, "t" + std::to_string(t) + "-" + std::to_string(i));
        auto r = p->Append(batch);
        if (!r.ok()) break;
        if (!WaitDurable(*p, r->last_offset).ok()) break;
        std::lock_guard lock(mu);
        for (int k = 0; k <= r->last_offset.value() - r->base_offset.value(); ++k) {
          acknowledged[{t % 2, r->base_offset.value() + k}] =
              "t" + std::to_string(t) + "-" + std::to_string(i) + "-" + std::to_string(k);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Power goes while producers are still writing.
  fs_.SetActive(false);
  cut = true;
  for (auto& t : producers) t.join();
  std::map<std::pair<int, int64_t>, std::string> acked;
  {
    std::lock_guard lock(mu);
    acked = acknowledged;
  }
  ASSERT_GT(acked.size(), 50u) << "the test should have acknowledged a fair amount";
  PowerCut();

  Open(Durability{FsyncPolicy::kAlways, 0}, config);
  for (int p = 0; p < 2; ++p) {
    auto partition = Get(p);
    std::map<int64_t, std::string> found;
    for (const auto& r : ReadAllRecords(*partition)) found[r.offset] = r.value;
    for (const auto& [key, value] : acked) {
      if (key.first != p) continue;
      auto it = found.find(key.second);
      ASSERT_NE(it, found.end()) << "partition " << p << " lost acknowledged offset " << key.second;
      EXPECT_EQ(it->second, value);
    }
    // Offsets stay dense: nothing is missing below the recovered end.
    EXPECT_EQ(static_cast<int64_t>(found.size()), partition->log_end_offset().value());
  }
}

TEST_F(PowerCutTest, NothingBeyondTheSyncedDataSurvives) {
  Open(Durability{FsyncPolicy::kNever, 0});
  auto p = Get();
  for (int i = 0; i < 10; ++i) {
    std::vector<uint8_t> batch = MakeBatch(2, kStart + i);
    ASSERT_TRUE(p->Append(batch).ok());
  }
  EXPECT_EQ(p->high_watermark(), Offset(20));
  p.reset();
  PowerCut();
  Open(Durability{FsyncPolicy::kNever, 0});
  EXPECT_EQ(Get()->log_end_offset(), Offset(0)) << "under kNever nothing was synced";
}

TEST_F(PowerCutTest, AFailedSyncFailsTheWaitersAndRefusesAppendsUntilReopen) {
  Open(Durability{FsyncPolicy::kAlways, 0});
  auto p = Get();
  std::vector<uint8_t> a = MakeBatch(3, kStart, "a");
  auto first = p->Append(a);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(WaitDurable(*p, first->last_offset).ok());

  fs_.FailSyncs(true, ".log");
  std::vector<uint8_t> b = MakeBatch(2, kStart, "b");
  auto second = p->Append(b);
  ASSERT_TRUE(second.ok()) << "the write itself succeeds";
  Status durable = WaitDurable(*p, second->last_offset);
  EXPECT_EQ(LogErrorOf(durable), LogError::kStorage) << durable.ToString();
  EXPECT_EQ(p->high_watermark(), Offset(3)) << "readers never saw the unsynced batch";
  std::vector<uint8_t> c = MakeBatch(1, kStart, "c");
  EXPECT_EQ(LogErrorOf(p->Append(c).status()), LogError::kStorage);
  auto read = p->Read(Offset(0), {});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(DecodeRecords(read->bytes).size(), 3u);

  p.reset();
  PowerCut();
  Open(Durability{FsyncPolicy::kAlways, 0});
  p = Get();
  EXPECT_EQ(p->log_end_offset(), Offset(3));
  auto records = ReadAllRecords(*p);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].value, "a-2");
  std::vector<uint8_t> d = MakeBatch(1, kStart, "d");
  EXPECT_TRUE(p->Append(d).ok()) << "a reopened log takes appends again";
}

TEST_F(PowerCutTest, UnderIntervalDataSurvivesOnceAnIntervalPassed) {
  Open(Durability{FsyncPolicy::kInterval, 20});
  auto p = Get();
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> batch = MakeBatch(2, kStart + i);
    ASSERT_TRUE(p->Append(batch).ok());
  }
  const uint64_t size = static_cast<uint64_t>(p->size_bytes());
  const std::string log_file = dir_.Sub("data") + "/topics/t/0/00000000000000000000.log";
  for (int i = 0; i < 200 && fs_.SyncedSize(log_file) < size; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fs_.SyncedSize(log_file), size);
  p.reset();
  PowerCut();
  Open(Durability{FsyncPolicy::kInterval, 20});
  EXPECT_EQ(Get()->log_end_offset(), Offset(10));
}

}  // namespace
}  // namespace eddy::log

namespace eddy::log {
namespace {

TEST(FaultInjectionFileSystemTest, APowerCutKeepsOnlySyncedBytesAndDurableNames) {
  eddy::testing::TempDir dir;
  FaultInjectionFileSystem fs;
  const std::string kept = dir.Sub("kept");
  const std::string fresh = dir.Sub("fresh");
  {
    auto file = fs.Open(kept, OpenMode::kCreateTruncate);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(AsBytes("synced ")).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE(fs.SyncDir(dir.path()).ok());
    ASSERT_TRUE((*file)->Append(AsBytes("lost")).ok());
    auto other = fs.Open(fresh, OpenMode::kCreateTruncate);  // its name never synced
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->Append(AsBytes("data")).ok());
    ASSERT_TRUE((*other)->Sync().ok());
  }
  fs.SetActive(false);
  auto dead = fs.Open(kept, OpenMode::kReadWrite);
  ASSERT_TRUE(dead.ok()) << "reads still work";
  EXPECT_FALSE((*dead)->Append(AsBytes("x")).ok());
  EXPECT_FALSE((*dead)->Sync().ok());
  fs.SetActive(true);

  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  auto bytes = FileSystem::Default()->ReadFile(kept);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(AsStringView(*bytes), "synced ");
  EXPECT_FALSE(FileSystem::Default()->Exists(fresh));
}

TEST(FaultInjectionFileSystemTest, FailsAppendsAndSyncsOnDemand) {
  eddy::testing::TempDir dir;
  FaultInjectionFileSystem fs;
  auto file = fs.Open(dir.Sub("f.log"), OpenMode::kCreateTruncate);
  ASSERT_TRUE(file.ok());
  fs.FailAppends(eddy::testing::AppendFault::kDiskFull, ".log");
  EXPECT_EQ((*file)->Append(AsBytes("abc")).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ((*file)->Size(), 0u);
  fs.FailAppends(eddy::testing::AppendFault::kDiskFullMidWrite);
  EXPECT_EQ((*file)->Append(AsBytes("abcd")).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ((*file)->Size(), 2u) << "half was written";
  fs.FailAppends(eddy::testing::AppendFault::kNone);
  fs.FailSyncs(true);
  EXPECT_EQ((*file)->Sync().code(), StatusCode::kIOError);
  fs.FailSyncs(false);
  EXPECT_TRUE((*file)->Sync().ok());
  EXPECT_EQ(fs.SyncedSize(dir.Sub("f.log")), 2u);
}

}  // namespace
}  // namespace eddy::log
