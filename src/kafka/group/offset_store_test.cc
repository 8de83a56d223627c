#include "src/kafka/group/offset_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "src/base/crc32c.h"
#include "src/kafka/group/offsets_format.h"
#include "src/kafka/group/recording_file_system.h"
#include "tests/util/temp_dir.h"

namespace eddy::kafka {
namespace {

OffsetRecord Commit(const std::string& group, const std::string& topic, int32_t partition,
                    int64_t offset, std::string metadata = "", int32_t leader_epoch = -1) {
  OffsetRecord r;
  r.type = OffsetRecordType::kCommit;
  r.group = group;
  r.topic = topic;
  r.partition = partition;
  r.offset = offset;
  r.leader_epoch = leader_epoch;
  r.metadata = std::move(metadata);
  r.commit_time_ms = 1'700'000'000'000 + offset;
  return r;
}

OffsetRecord ForgetTopic(const std::string& topic) {
  OffsetRecord r;
  r.type = OffsetRecordType::kForgetTopic;
  r.topic = topic;
  return r;
}

OffsetRecord ForgetGroup(const std::string& group) {
  OffsetRecord r;
  r.type = OffsetRecordType::kForgetGroup;
  r.group = group;
  return r;
}

std::vector<uint8_t> Encode(const OffsetRecord& r) {
  ByteWriter w;
  EXPECT_TRUE(EncodeOffsetRecord(r, w).ok());
  return w.Release();
}

class OffsetStoreTest : public ::testing::Test {
 protected:
  OffsetStoreOptions Options() {
    OffsetStoreOptions o;
    o.data_dir = dir_.path();
    o.fs = &fs_;
    return o;
  }
  std::unique_ptr<OffsetStore> Open(OffsetStoreOptions o) {
    auto store = OffsetStore::Open(o);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::unique_ptr<OffsetStore> Open() { return Open(Options()); }
  std::string LogPath() const { return dir_.Sub("groups/offsets.log"); }
  uint64_t FileSize(const std::string& path) {
    auto data = FileSystem::Default()->ReadFile(path);
    return data.ok() ? data->size() : 0;
  }
  void AppendRaw(ByteSpan bytes) {
    auto file = FileSystem::Default()->Open(LogPath(), OpenMode::kReadWrite);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(bytes).ok());
  }
  static Status Write(OffsetStore& store, std::vector<OffsetRecord> records) {
    return store.Write(records);
  }

  eddy::testing::TempDir dir_;
  eddy::testing::RecordingFileSystem fs_;
};

TEST(OffsetsFormatTest, EveryRecordTypeRoundTrips) {
  for (const OffsetRecord& r : {Commit("g", "t", 7, 42, std::string("meta\0data", 9), 5),
                                ForgetTopic("t"), ForgetGroup("g")}) {
    std::vector<uint8_t> bytes = Encode(r);
    ASSERT_GE(bytes.size(), kOffsetRecordHeaderSize);
    ByteSpan payload(bytes.data() + kOffsetRecordPayloadPos,
                     bytes.size() - kOffsetRecordHeaderSize);
    EXPECT_EQ(static_cast<uint32_t>(LoadI32(bytes.data() + kOffsetRecordLengthPos)),
              payload.size());
    EXPECT_EQ(static_cast<uint32_t>(LoadI32(bytes.data() + kOffsetRecordCrcPos)), Crc32c(payload));
    auto decoded = DecodeOffsetRecord(payload);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, r);
  }
}

TEST(OffsetsFormatTest, CommitPayloadHasTheDocumentedLayout) {
  std::vector<uint8_t> bytes = Encode(Commit("gr", "top", 3, 0x0102030405060708, "md", 9));
  ByteReader in(ByteSpan(bytes).subspan(kOffsetRecordPayloadPos));
  EXPECT_EQ(in.ReadU8(), 1);
  EXPECT_EQ(in.ReadU16(), 2);
  EXPECT_EQ(AsStringView(in.ReadBytes(2)), "gr");
  EXPECT_EQ(in.ReadU16(), 3);
  EXPECT_EQ(AsStringView(in.ReadBytes(3)), "top");
  EXPECT_EQ(in.ReadI32(), 3);
  EXPECT_EQ(in.ReadI64(), 0x0102030405060708);
  EXPECT_EQ(in.ReadI32(), 9);
  EXPECT_EQ(in.ReadU32(), 2u);
  EXPECT_EQ(AsStringView(in.ReadBytes(2)), "md");
  EXPECT_EQ(in.ReadI64(), 1'700'000'000'000 + 0x0102030405060708);
  EXPECT_TRUE(in.ok());
  EXPECT_TRUE(in.empty());
}

TEST(OffsetsFormatTest, DecodeRefusesUnknownTypesAndTrailingBytes) {
  std::vector<uint8_t> unknown = {9, 0, 1, 'x'};
  EXPECT_TRUE(DecodeOffsetRecord(unknown).status().IsCorruption());
  std::vector<uint8_t> bytes = Encode(ForgetTopic("t"));
  std::vector<uint8_t> payload(bytes.begin() + kOffsetRecordPayloadPos, bytes.end());
  payload.push_back(0);
  EXPECT_TRUE(DecodeOffsetRecord(payload).status().IsCorruption());
  payload.resize(payload.size() - 3);
  EXPECT_TRUE(DecodeOffsetRecord(payload).status().IsCorruption());
}

TEST_F(OffsetStoreTest, CommittedOffsetsSurviveClosingAndReopening) {
  {
    auto store = Open();
    ASSERT_TRUE(
        Write(*store, {Commit("g1", "t", 0, 10, "first", 3), Commit("g1", "t", 1, 20)}).ok());
    ASSERT_TRUE(
        Write(*store, {Commit("g1", "t", 0, 11, "second", 4), Commit("g2", "u", 5, 7)}).ok());
  }
  auto store = Open();
  auto p0 = store->Get("g1", "t", PartitionId(0));
  ASSERT_TRUE(p0.has_value());
  EXPECT_EQ(p0->offset, Offset(11));
  EXPECT_EQ(p0->leader_epoch, 4);
  EXPECT_EQ(p0->metadata, "second");
  EXPECT_EQ(p0->commit_time_ms, 1'700'000'000'011);
  EXPECT_EQ(store->Get("g1", "t", PartitionId(1))->offset, Offset(20));
  EXPECT_EQ(store->Get("g2", "u", PartitionId(5))->offset, Offset(7));
  EXPECT_FALSE(store->Get("g2", "t", PartitionId(0)).has_value());
  EXPECT_EQ(store->Groups(), (std::vector<std::string>{"g1", "g2"}));
  auto all = store->GetAll("g1");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, (OffsetKey{"t", PartitionId(0)}));
  EXPECT_EQ(all[1].first, (OffsetKey{"t", PartitionId(1)}));
}

TEST_F(OffsetStoreTest, TornTailIsTruncatedAndTheRestKept) {
  {
    auto store = Open();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Write(*store, {Commit("g", "t", i, 100 + i)}).ok());
  }
  const uint64_t whole = FileSize(LogPath());
  std::vector<uint8_t> next = Encode(Commit("g", "t", 0, 999));
  AppendRaw(ByteSpan(next).first(next.size() - 5));  // the crash cut the last write short
  ASSERT_EQ(FileSize(LogPath()), whole + next.size() - 5);

  {
    auto store = Open();
    EXPECT_EQ(FileSize(LogPath()), whole);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(store->Get("g", "t", PartitionId(i))->offset, Offset(100 + i));
    }
    // New commits land after the kept records and survive too.
    ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, 500)}).ok());
  }
  auto store = Open();
  EXPECT_EQ(store->Get("g", "t", PartitionId(0))->offset, Offset(500));
  EXPECT_EQ(store->Get("g", "t", PartitionId(2))->offset, Offset(102));
}

TEST_F(OffsetStoreTest, RecordWithBadCrcEndsTheValidPartOfTheFile) {
  {
    auto store = Open();
    ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, 1)}).ok());
  }
  const uint64_t first = FileSize(LogPath());
  std::vector<uint8_t> second = Encode(Commit("g", "t", 1, 2));
  second.back() ^= 0x40;
  AppendRaw(second);
  AppendRaw(Encode(Commit("g", "t", 2, 3)));

  auto store = Open();
  EXPECT_EQ(FileSize(LogPath()), first);
  EXPECT_EQ(store->Get("g", "t", PartitionId(0))->offset, Offset(1));
  EXPECT_FALSE(store->Get("g", "t", PartitionId(1)).has_value());
  EXPECT_FALSE(store->Get("g", "t", PartitionId(2)).has_value());
}

TEST_F(OffsetStoreTest, ZeroedTailIsTruncated) {
  {
    auto store = Open();
    ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, 1)}).ok());
  }
  const uint64_t first = FileSize(LogPath());
  std::vector<uint8_t> zeros(4096, 0);
  AppendRaw(zeros);
  auto store = Open();
  EXPECT_EQ(FileSize(LogPath()), first);
  EXPECT_EQ(store->Get("g", "t", PartitionId(0))->offset, Offset(1));
}

TEST_F(OffsetStoreTest, RecordOfUnknownTypeWithGoodCrcStopsOpenAndKeepsTheFile) {
  {
    auto store = Open();
    ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, 1)}).ok());
  }
  std::vector<uint8_t> payload = {77, 1, 2, 3};
  ByteWriter w;
  w.WriteU32(static_cast<uint32_t>(payload.size()));
  w.WriteU32(Crc32c(payload));
  w.WriteBytes(payload);
  AppendRaw(w.buffer());
  const uint64_t size = FileSize(LogPath());

  auto store = OffsetStore::Open(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsCorruption()) << store.status().ToString();
  EXPECT_EQ(FileSize(LogPath()), size);
}

TEST_F(OffsetStoreTest, CompactionKeepsTheLatestValuesAndShrinksTheFile) {
  OffsetStoreOptions options = Options();
  options.compact_min_bytes = 16 * 1024;
  {
    auto store = Open(options);
    // Queued without waiting, then made durable together: one fsync for the lot.
    OffsetStore::Ticket last = 0;
    for (int round = 0; round < 400; ++round) {
      std::vector<OffsetRecord> batch;
      for (int p = 0; p < 4; ++p) batch.push_back(Commit("g", "t", p, round * 10 + p, "r"));
      auto ticket = store->Append(batch);
      ASSERT_TRUE(ticket.ok());
      last = *ticket;
    }
    ASSERT_TRUE(store->WaitDurable(last).ok());
    ASSERT_TRUE(Write(*store, {Commit("other", "u", 0, 5)}).ok());
    const uint64_t before = FileSize(LogPath());
    ASSERT_EQ(store->file_bytes(), before);
    ASSERT_GT(before, 2 * store->live_bytes());
    ASSERT_GT(before, options.compact_min_bytes);

    ASSERT_TRUE(store->MaybeCompact().ok());
    EXPECT_EQ(FileSize(LogPath()), store->live_bytes());
    EXPECT_LT(FileSize(LogPath()) * 50, before);
    EXPECT_FALSE(FileSystem::Default()->Exists(dir_.Sub("groups/offsets.log.tmp")));
    for (int p = 0; p < 4; ++p)
      EXPECT_EQ(store->Get("g", "t", PartitionId(p))->offset, Offset(3990 + p));

    // The compacted file takes appends as before.
    ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, 5000)}).ok());
  }
  auto store = Open(options);
  EXPECT_EQ(store->Get("g", "t", PartitionId(0))->offset, Offset(5000));
  EXPECT_EQ(store->Get("g", "t", PartitionId(0))->metadata, "");
  EXPECT_EQ(store->Get("g", "t", PartitionId(3))->offset, Offset(3993));
  EXPECT_EQ(store->Get("g", "t", PartitionId(3))->metadata, "r");
  EXPECT_EQ(store->Get("other", "u", PartitionId(0))->offset, Offset(5));
}

TEST_F(OffsetStoreTest, CompactionWaitsUntilTheFileIsLargeAndMostlyDead) {
  OffsetStoreOptions options = Options();
  options.compact_min_bytes = 8 * 1024;
  auto store = Open(options);
  // Small but mostly dead: not due.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, i)}).ok());
  uint64_t small = FileSize(LogPath());
  ASSERT_GT(small, 2 * store->live_bytes());
  ASSERT_TRUE(store->MaybeCompact().ok());
  EXPECT_EQ(FileSize(LogPath()), small);
  // Large but all live: not due either.
  std::vector<OffsetRecord> live;
  for (int p = 0; p < 400; ++p) live.push_back(Commit("g", "t", p + 1, p));
  ASSERT_TRUE(Write(*store, live).ok());
  uint64_t large = FileSize(LogPath());
  ASSERT_GT(large, options.compact_min_bytes);
  ASSERT_LT(large, 2 * store->live_bytes());
  ASSERT_TRUE(store->MaybeCompact().ok());
  EXPECT_EQ(FileSize(LogPath()), large);
}

TEST_F(OffsetStoreTest, ForgetTopicDropsItsOffsetsInEveryGroupDurably) {
  {
    auto store = Open();
    ASSERT_TRUE(Write(*store, {Commit("g1", "gone", 0, 1), Commit("g1", "gone", 1, 2),
                               Commit("g1", "kept", 0, 3), Commit("g2", "gone", 0, 4)})
                    .ok());
    ASSERT_TRUE(Write(*store, {ForgetTopic("gone")}).ok());
    EXPECT_FALSE(store->Get("g1", "gone", PartitionId(0)).has_value());
    EXPECT_FALSE(store->HasGroup("g2"));
  }
  {
    auto store = Open();
    EXPECT_FALSE(store->Get("g1", "gone", PartitionId(0)).has_value());
    EXPECT_FALSE(store->Get("g1", "gone", PartitionId(1)).has_value());
    EXPECT_FALSE(store->Get("g2", "gone", PartitionId(0)).has_value());
    EXPECT_EQ(store->Get("g1", "kept", PartitionId(0))->offset, Offset(3));
    EXPECT_EQ(store->Groups(), std::vector<std::string>{"g1"});
    // A topic created again under the same name starts over: later commits count.
    ASSERT_TRUE(Write(*store, {Commit("g2", "gone", 0, 9)}).ok());
    ASSERT_TRUE(store->Compact().ok());
  }
  auto store = Open();
  EXPECT_EQ(store->Get("g2", "gone", PartitionId(0))->offset, Offset(9));
  EXPECT_FALSE(store->Get("g1", "gone", PartitionId(0)).has_value());
  EXPECT_EQ(store->Get("g1", "kept", PartitionId(0))->offset, Offset(3));
}

TEST_F(OffsetStoreTest, ForgetGroupDropsOnlyThatGroup) {
  {
    auto store = Open();
    ASSERT_TRUE(Write(*store, {Commit("a", "t", 0, 1), Commit("b", "t", 0, 2)}).ok());
    ASSERT_TRUE(Write(*store, {ForgetGroup("a")}).ok());
  }
  auto store = Open();
  EXPECT_FALSE(store->HasGroup("a"));
  EXPECT_EQ(store->Get("b", "t", PartitionId(0))->offset, Offset(2));
}

TEST_F(OffsetStoreTest, LeftoverCompactionTempFileIsRemovedOnOpen) {
  {
    auto store = Open();
    ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, 1)}).ok());
  }
  ASSERT_TRUE(FileSystem::Default()
                  ->WriteFileAtomically(dir_.Sub("groups/offsets.log.tmp"),
                                        Encode(Commit("g", "t", 0, 666)))
                  .ok());
  auto store = Open();
  EXPECT_FALSE(FileSystem::Default()->Exists(dir_.Sub("groups/offsets.log.tmp")));
  EXPECT_EQ(store->Get("g", "t", PartitionId(0))->offset, Offset(1));
}

TEST_F(OffsetStoreTest, WaitDurableReturnsOnlyAfterTheRecordsAreSynced) {
  uint64_t synced_size = 0;
  fs_.before_sync = [&](const std::string& path, uint64_t size) {
    if (path == LogPath()) synced_size = size;
    return Status::OK();
  };
  auto store = Open();
  const int syncs_before = fs_.syncs.load();
  auto ticket = store->Append(std::vector<OffsetRecord>{Commit("g", "t", 0, 1)});
  ASSERT_TRUE(ticket.ok());
  EXPECT_EQ(fs_.syncs.load(), syncs_before);  // appending alone syncs nothing
  ASSERT_TRUE(store->WaitDurable(*ticket).ok());
  EXPECT_EQ(fs_.syncs.load(), syncs_before + 1);
  EXPECT_EQ(synced_size, Encode(Commit("g", "t", 0, 1)).size());
  EXPECT_EQ(synced_size, FileSize(LogPath()));
  // Already durable: no second sync.
  ASSERT_TRUE(store->WaitDurable(*ticket).ok());
  EXPECT_EQ(fs_.syncs.load(), syncs_before + 1);
}

TEST_F(OffsetStoreTest, CommitsArrivingDuringAnFsyncShareTheNextOne) {
  std::mutex mu;
  std::condition_variable cv;
  bool first_sync_started = false;
  bool release = false;
  fs_.before_sync = [&](const std::string& path, uint64_t) {
    if (path != LogPath()) return Status::OK();
    std::unique_lock lock(mu);
    if (!first_sync_started) {
      first_sync_started = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    }
    return Status::OK();
  };
  auto store = Open();
  const int syncs_before = fs_.syncs.load();

  auto release_all = [&] {
    std::lock_guard lock(mu);
    release = true;
    cv.notify_all();
  };
  std::thread first([&] { EXPECT_TRUE(Write(*store, {Commit("g", "t", 0, 1)}).ok()); });
  bool started = false;
  {
    std::unique_lock lock(mu);
    started = cv.wait_for(lock, std::chrono::seconds(10), [&] { return first_sync_started; });
  }
  const uint64_t one = Encode(Commit("g", "t", 0, 1)).size();
  std::thread second([&] { EXPECT_TRUE(Write(*store, {Commit("g", "t", 1, 2)}).ok()); });
  std::thread third([&] { EXPECT_TRUE(Write(*store, {Commit("g", "t", 2, 3)}).ok()); });
  // Both queue their records behind the fsync in progress.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store->file_bytes() < 3 * one && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const uint64_t queued = store->file_bytes();
  release_all();
  first.join();
  second.join();
  third.join();
  ASSERT_TRUE(started) << "the first commit never reached its fsync";
  ASSERT_EQ(queued, 3 * one);
  EXPECT_EQ(fs_.syncs.load() - syncs_before, 2);
  EXPECT_EQ(FileSize(LogPath()), 3 * one);
}

TEST_F(OffsetStoreTest, FailedFsyncFailsThisAndEveryLaterWrite) {
  bool fail = false;
  fs_.before_sync = [&](const std::string&, uint64_t) {
    return fail ? Status::IOError("fdatasync: input/output error") : Status::OK();
  };
  auto store = Open();
  ASSERT_TRUE(Write(*store, {Commit("g", "t", 0, 1)}).ok());
  fail = true;
  Status s = Write(*store, {Commit("g", "t", 0, 2)});
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  fail = false;
  EXPECT_FALSE(Write(*store, {Commit("g", "t", 0, 3)}).ok());
}

}  // namespace
}  // namespace eddy::kafka
