// Transactions in the log, through its API: the last stable offset, transaction
// markers, the aborted-transaction index, read_committed reads, and all of it after a
// restart (clean, unclean, with the index torn or damaged).

#include <gtest/gtest.h>

#include "src/log/log.h"
#include "src/log/log_fixtures.h"
#include "src/log/log_format.h"
#include "src/log/partition_impl.h"
#include "src/log/record_batch.h"
#include "src/log/transaction_marker.h"
#include "tests/util/fault_injection_file_system.h"
#include "tests/util/manual_clock.h"
#include "tests/util/temp_dir.h"

namespace eddy::log {
namespace {

using testing::DecodeRecords;
using testing::MakeBatch;
using testing::WaitDurable;

constexpr int64_t kStart = 1'700'000'000'000;

/// A batch of "count" records of a transactional producer.
std::vector<uint8_t> TxnBatch(int64_t producer, int16_t epoch, int32_t sequence, int count,
                              const std::string& prefix) {
  BatchOptions options;
  options.producer_id = producer;
  options.producer_epoch = epoch;
  options.base_sequence = sequence;
  options.transactional = true;
  return MakeBatch(count, kStart, prefix, options);
}

class TransactionTest : public ::testing::Test {
 protected:
  LogOptions Options() const {
    LogOptions o;
    o.data_dir = dir_.Sub("data");
    o.fs = fs_;
    o.clock = &clock_;
    o.durability = durability_;
    o.retention_check_interval_ms = 3'600'000;
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
  /// Closes, then removes the clean-shutdown marker and the newest producer snapshot
  /// (the one Close wrote): recovery rebuilds what came after the previous snapshot
  /// from the batches, as after a crash.
  void CloseLikeACrash() {
    log_.reset();
    FileSystem* disk = FileSystem::Default();
    ASSERT_TRUE(disk->Remove(JoinPath(Options().data_dir, ".clean-shutdown")).ok());
    auto names = disk->ListDir(PartitionDir());
    ASSERT_TRUE(names.ok());
    int64_t newest = -1;
    for (const auto& name : *names) {
      if (auto offset = ParseSegmentFileName(name, kSnapshotFileSuffix)) {
        newest = std::max(newest, *offset);
      }
    }
    if (newest >= 0) {
      ASSERT_TRUE(
          disk->Remove(JoinPath(PartitionDir(), SegmentFileName(newest, ".snapshot"))).ok());
    }
  }
  std::shared_ptr<Partition> Create(TopicConfig config = {}) {
    auto info = log_->CreateTopic("t", config);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return Get();
  }
  std::shared_ptr<Partition> Get() {
    auto partition = log_->GetPartition("t", PartitionId(0));
    EXPECT_TRUE(partition.ok()) << partition.status().ToString();
    return partition.ok() ? *partition : nullptr;
  }
  AppendResult Append(Partition& p, std::vector<uint8_t> batch) {
    auto r = p.Append(batch);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : AppendResult{};
  }
  AppendResult End(Partition& p, int64_t producer, int16_t epoch, TransactionResult result) {
    auto r = p.AppendTransactionMarker(ProducerId(producer), ProducerEpoch(epoch), result, 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : AppendResult{};
  }
  std::string PartitionDir() const { return Options().data_dir + "/topics/t/0"; }

  /// The values a reader sees from the log start with "isolation", as a Kafka consumer
  /// would: batches of aborted transactions and control batches dropped (read_committed
  /// uses the aborted list the reads return, exactly as librdkafka does).
  std::vector<std::string> Visible(Partition& p, Isolation isolation) {
    std::vector<std::string> values;
    Offset from = p.log_start_offset();
    std::map<int64_t, int64_t> aborted_from;  // producer -> first offset still to skip
    std::vector<AbortedTransaction> pending;
    while (true) {
      ReadOptions options;
      options.isolation = isolation;
      options.max_bytes = 1;  // one batch at a time: the list must be right per read
      auto r = p.Read(from, options);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok() || r->bytes.empty()) break;
      pending.insert(pending.end(), r->aborted_transactions.begin(), r->aborted_transactions.end());
      BatchIterator batches(r->bytes);
      while (true) {
        Result<ByteSpan> batch = batches.Next();
        EXPECT_TRUE(batch.ok());
        if (!batch.ok() || batch->empty()) break;
        Result<BatchHeader> h = ParseBatchHeader(*batch);
        EXPECT_TRUE(h.ok());
        // Transactions listed as aborted take effect at their first offset.
        for (auto it = pending.begin(); it != pending.end();) {
          if (it->first_offset.value() <= h->base_offset) {
            aborted_from[it->producer_id.value()] = it->first_offset.value();
            it = pending.erase(it);
          } else {
            ++it;
          }
        }
        if (h->is_control()) {
          aborted_from.erase(h->producer_id);
          continue;
        }
        if (isolation == Isolation::kReadCommitted && h->is_transactional() &&
            aborted_from.contains(h->producer_id)) {
          continue;
        }
        for (const auto& record : DecodeRecords(*batch)) values.push_back(record.value);
      }
      from = r->next_offset;
    }
    return values;
  }

  eddy::testing::TempDir dir_;
  mutable eddy::testing::ManualClock clock_{kStart};
  FileSystem* fs_ = FileSystem::Default();
  Durability durability_{FsyncPolicy::kNever, 1000};
  std::unique_ptr<Log> log_;
};

using Values = std::vector<std::string>;

TEST_F(TransactionTest, TheLastStableOffsetStopsAtTheFirstOpenTransaction) {
  Open();
  auto p = Create();
  Append(*p, MakeBatch(2, kStart, "plain"));  // 0-1
  Append(*p, TxnBatch(7, 0, 0, 2, "seven"));  // 2-3
  Append(*p, MakeBatch(1, kStart, "later"));  // 4
  Append(*p, TxnBatch(8, 0, 0, 1, "eight"));  // 5
  EXPECT_EQ(p->high_watermark(), Offset(6));
  EXPECT_EQ(p->last_stable_offset(), Offset(2));
  EXPECT_EQ(p->OpenTransactions(),
            (std::vector<OpenTransaction>{{ProducerId(7), ProducerEpoch(0), Offset(2)},
                                          {ProducerId(8), ProducerEpoch(0), Offset(5)}}));
  EXPECT_EQ(Visible(*p, Isolation::kReadCommitted), (Values{"plain-0", "plain-1"}));
  EXPECT_EQ(Visible(*p, Isolation::kReadUncommitted).size(), 6u);

  // Reading at or past the last stable offset returns nothing, without an error.
  ReadOptions committed;
  committed.isolation = Isolation::kReadCommitted;
  auto at_lso = p->Read(Offset(4), committed);
  ASSERT_TRUE(at_lso.ok());
  EXPECT_TRUE(at_lso->bytes.empty());
  EXPECT_EQ(at_lso->next_offset, Offset(4));
  EXPECT_EQ(at_lso->last_stable_offset, Offset(2));

  // Deciding the later transaction first leaves the earlier one holding the offset back.
  AppendResult marker8 = End(*p, 8, 0, TransactionResult::kCommit);
  EXPECT_EQ(marker8.base_offset, Offset(6));
  EXPECT_EQ(p->last_stable_offset(), Offset(2));
  End(*p, 7, 0, TransactionResult::kCommit);
  EXPECT_EQ(p->last_stable_offset(), Offset(8));
  EXPECT_EQ(p->last_stable_offset(), p->high_watermark());
  EXPECT_TRUE(p->OpenTransactions().empty());
  EXPECT_EQ(Visible(*p, Isolation::kReadCommitted),
            (Values{"plain-0", "plain-1", "seven-0", "seven-1", "later-0", "eight-0"}));
}

TEST_F(TransactionTest, AbortedBatchesAreListedForReadCommittedReaders) {
  Open();
  auto p = Create();
  Append(*p, TxnBatch(7, 0, 0, 2, "kept"));
  End(*p, 7, 0, TransactionResult::kCommit);                      // 2
  Append(*p, TxnBatch(7, 0, 2, 1, "dropped"));                    // 3
  Append(*p, MakeBatch(1, kStart, "plain"));                      // 4
  Append(*p, TxnBatch(7, 0, 3, 1, "dropped-too"));                // 5
  AppendResult abort = End(*p, 7, 0, TransactionResult::kAbort);  // 6
  Append(*p, TxnBatch(7, 0, 4, 1, "after"));                      // 7
  End(*p, 7, 0, TransactionResult::kCommit);                      // 8

  ReadOptions committed;
  committed.isolation = Isolation::kReadCommitted;
  auto all = p->Read(Offset(0), committed);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->aborted_transactions,
            (std::vector<AbortedTransaction>{{ProducerId(7), Offset(3), abort.base_offset}}));
  EXPECT_EQ(Visible(*p, Isolation::kReadCommitted),
            (Values{"kept-0", "kept-1", "plain-0", "after-0"}));
  EXPECT_EQ(Visible(*p, Isolation::kReadUncommitted),
            (Values{"kept-0", "kept-1", "dropped-0", "plain-0", "dropped-too-0", "after-0"}));
  // Past the abort, or before it began, the list is empty; read_uncommitted never has one.
  EXPECT_TRUE(p->Read(Offset(7), committed)->aborted_transactions.empty());
  committed.max_bytes = 1;
  EXPECT_TRUE(p->Read(Offset(0), committed)->aborted_transactions.empty());
  EXPECT_TRUE(p->Read(Offset(0), ReadOptions{})->aborted_transactions.empty());
}

TEST_F(TransactionTest, TheMarkerIsKafkasControlBatch) {
  Open();
  auto p = Create();
  Append(*p, TxnBatch(7, 3, 0, 1, "x"));
  End(*p, 7, 3, TransactionResult::kAbort);
  auto read = p->Read(Offset(1), ReadOptions{});
  ASSERT_TRUE(read.ok());
  Result<BatchHeader> h = ParseBatchHeader(read->bytes);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->is_control());
  EXPECT_TRUE(h->is_transactional());
  EXPECT_EQ(h->producer_id, 7);
  EXPECT_EQ(h->producer_epoch, 3);
  EXPECT_EQ(h->base_sequence, -1);
  EXPECT_EQ(h->record_count, 1);
  EXPECT_TRUE(ValidateBatch(read->bytes).ok());
  RecordReader reader;
  ASSERT_TRUE(reader.Reset(read->bytes).ok());
  Record record;
  ASSERT_TRUE(reader.Next(&record));
  ASSERT_TRUE(record.key && record.value);
  EXPECT_EQ(std::vector<uint8_t>(record.key->begin(), record.key->end()),
            (std::vector<uint8_t>{0, 0, 0, 0}));  // version 0, type 0 (abort)
  EXPECT_EQ(std::vector<uint8_t>(record.value->begin(), record.value->end()),
            (std::vector<uint8_t>{0, 0, 0, 0, 0, 0}));  // version 0, coordinator epoch 0
  EXPECT_EQ(ParseTransactionMarker(read->bytes).value(), TransactionResult::kAbort);
}

TEST_F(TransactionTest, ProducersMayNotWriteControlBatchesAndOldEpochsAreFenced) {
  Open();
  auto p = Create();
  auto marker = EncodeTransactionMarker(ProducerId(7), ProducerEpoch(0), TransactionResult::kCommit,
                                        0, kStart);
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(LogErrorOf(p->Append(*marker).status()), LogError::kInvalidRecord);
  BatchOptions no_producer;
  no_producer.transactional = true;
  std::vector<uint8_t> anonymous = MakeBatch(1, kStart, "x", no_producer);
  EXPECT_EQ(LogErrorOf(p->Append(anonymous).status()), LogError::kInvalidRecord);

  Append(*p, TxnBatch(7, 0, 0, 1, "zombie"));
  // A coordinator aborting with the bumped epoch fences the old producer.
  End(*p, 7, 1, TransactionResult::kAbort);
  std::vector<uint8_t> late = TxnBatch(7, 0, 1, 1, "zombie");
  EXPECT_EQ(LogErrorOf(p->Append(late).status()), LogError::kInvalidProducerEpoch);
  EXPECT_EQ(LogErrorOf(p->AppendTransactionMarker(ProducerId(7), ProducerEpoch(0),
                                                  TransactionResult::kCommit, 0)
                           .status()),
            LogError::kInvalidProducerEpoch);
  Append(*p, TxnBatch(7, 1, 0, 1, "new"));
  End(*p, 7, 1, TransactionResult::kCommit);
  EXPECT_EQ(Visible(*p, Isolation::kReadCommitted), (Values{"new-0"}));
  EXPECT_EQ(p->log_end_offset(), Offset(4));
}

TEST_F(TransactionTest, UnderAlwaysADecisionIsVisibleOnlyOnceItsMarkerIsDurable) {
  eddy::testing::FaultInjectionFileSystem faulty;
  fs_ = &faulty;
  durability_ = Durability{FsyncPolicy::kAlways, 0};
  Open();
  auto p = Create();
  AppendResult data = Append(*p, TxnBatch(7, 0, 0, 2, "x"));
  ASSERT_TRUE(WaitDurable(*p, data.last_offset).ok());
  EXPECT_EQ(p->high_watermark(), Offset(2));
  EXPECT_EQ(p->last_stable_offset(), Offset(0));
  faulty.SetSyncDelayMs(200);
  AppendResult marker = End(*p, 7, 0, TransactionResult::kCommit);
  // The marker is written, not yet synced: read_committed readers still wait.
  EXPECT_EQ(p->last_stable_offset(), Offset(0));
  ASSERT_TRUE(WaitDurable(*p, marker.last_offset).ok());
  EXPECT_EQ(p->high_watermark(), Offset(3));
  EXPECT_EQ(p->last_stable_offset(), Offset(3));
  log_.reset();
}

TEST_F(TransactionTest, WatchesWakeReadCommittedReadersWhenAMarkerLands) {
  Open();
  auto p = Create();
  Append(*p, TxnBatch(7, 0, 0, 1, "x"));
  int woken = 0;
  p->Watch(p->high_watermark(), [&] { ++woken; });
  End(*p, 7, 0, TransactionResult::kCommit);
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(p->last_stable_offset(), Offset(2));
}

TEST_F(TransactionTest, OpenTransactionsAndAbortsSurviveACleanRestart) {
  Open();
  auto p = Create();
  Append(*p, TxnBatch(7, 0, 0, 1, "aborted"));
  End(*p, 7, 0, TransactionResult::kAbort);
  Append(*p, MakeBatch(1, kStart, "plain"));
  Append(*p, TxnBatch(9, 2, 0, 1, "open"));
  const Values committed = Visible(*p, Isolation::kReadCommitted);
  EXPECT_EQ(committed, (Values{"plain-0"}));
  p.reset();
  Reopen();
  p = Get();
  EXPECT_EQ(p->last_stable_offset(), Offset(3));
  EXPECT_EQ(p->OpenTransactions(),
            (std::vector<OpenTransaction>{{ProducerId(9), ProducerEpoch(2), Offset(3)}}));
  EXPECT_EQ(Visible(*p, Isolation::kReadCommitted), committed);
  // The open transaction can still be ended after the restart.
  End(*p, 9, 2, TransactionResult::kAbort);
  EXPECT_EQ(p->last_stable_offset(), p->high_watermark());
  EXPECT_EQ(Visible(*p, Isolation::kReadCommitted), committed);
}

class TransactionRecoveryTest : public TransactionTest {
 protected:
  static TopicConfig SmallSegments() {
    TopicConfig config;
    config.segment_bytes = static_cast<int64_t>(3 * TxnBatch(1, 0, 0, 1, "a0").size());
    return config;
  }
  /// Several segments, aborts in several, a transaction spanning a roll, one left open.
  void Fill() {
    Open();
    auto p = Create(SmallSegments());
    for (int round = 0; round < 4; ++round) {
      const std::string r = std::to_string(round);
      Append(*p, TxnBatch(7, 0, seq7_++, 1, "a" + r));
      Append(*p, TxnBatch(8, 0, seq8_++, 1, "c" + r));
      Append(*p, MakeBatch(1, kStart, "p" + r));
      End(*p, 7, 0, TransactionResult::kAbort);
      End(*p, 8, 0, TransactionResult::kCommit);
    }
    Append(*p, TxnBatch(8, 0, seq8_++, 1, "spans"));
    Append(*p, MakeBatch(1, kStart, "px"));
    Append(*p, MakeBatch(1, kStart, "py"));
    End(*p, 8, 0, TransactionResult::kAbort);
    Append(*p, TxnBatch(7, 0, seq7_++, 1, "open"));
    ASSERT_GT(Segments().size(), 3u);
    Capture();
  }
  /// Commits the transaction Fill left open (so that readers see past it), then aborts
  /// one whose marker lands after the last roll, and leaves another open if asked.
  void AddLateAbort(Partition& p, bool leave_open) {
    End(p, 7, 0, TransactionResult::kCommit);
    Append(p, TxnBatch(9, 0, 0, 1, "late"));
    End(p, 9, 0, TransactionResult::kAbort);
    if (leave_open) Append(p, TxnBatch(10, 0, 0, 1, "still-open"));
    EXPECT_EQ(p.OpenTransactions().size(), leave_open ? 1u : 0u);
    EXPECT_EQ(Visible(p, Isolation::kReadCommitted).back(), "open-0");
  }
  std::vector<int64_t> Segments() {
    return dynamic_cast<PartitionImpl&>(*Get()).SegmentBaseOffsets();
  }
  /// Every aborted transaction a read_committed reader is told about, reading it all.
  std::vector<AbortedTransaction> AllAborted(Partition& p) {
    std::vector<AbortedTransaction> all;
    ReadOptions options;
    options.isolation = Isolation::kReadCommitted;
    for (Offset from = p.log_start_offset(); from < p.last_stable_offset();) {
      auto read = p.Read(from, options);
      EXPECT_TRUE(read.ok());
      if (!read.ok() || read->bytes.empty()) break;
      for (const auto& aborted : read->aborted_transactions) {
        if (std::find(all.begin(), all.end(), aborted) == all.end()) all.push_back(aborted);
      }
      from = read->next_offset;
    }
    return all;
  }
  /// What ExpectSameState compares against.
  void Capture() {
    auto p = Get();
    committed_ = Visible(*p, Isolation::kReadCommitted);
    uncommitted_ = Visible(*p, Isolation::kReadUncommitted);
    lso_ = p->last_stable_offset();
    aborted_ = AllAborted(*p);
    open_ = p->OpenTransactions();
  }
  void ExpectSameState() {
    auto p = Get();
    EXPECT_EQ(Visible(*p, Isolation::kReadCommitted), committed_);
    EXPECT_EQ(Visible(*p, Isolation::kReadUncommitted), uncommitted_);
    EXPECT_EQ(p->last_stable_offset(), lso_);
    EXPECT_EQ(AllAborted(*p), aborted_);
    EXPECT_EQ(p->OpenTransactions(), open_);
  }
  /// The .txnindex files there are, oldest first.
  std::vector<std::string> IndexFiles() {
    std::vector<std::string> files;
    for (int64_t base : Segments()) {
      std::string path = JoinPath(PartitionDir(), SegmentFileName(base, kTxnIndexFileSuffix));
      if (fs_->Exists(path)) files.push_back(path);
    }
    return files;
  }

  int32_t seq7_ = 0;
  int32_t seq8_ = 0;
  Values committed_;
  Values uncommitted_;
  Offset lso_;
  std::vector<AbortedTransaction> aborted_;
  std::vector<OpenTransaction> open_;
};

TEST_F(TransactionRecoveryTest, FillHasWhatTheRecoveryTestsNeed) {
  Fill();
  EXPECT_EQ(aborted_.size(), 5u);
  EXPECT_EQ(committed_, (Values{"c0-0", "p0-0", "c1-0", "p1-0", "c2-0", "p2-0", "c3-0", "p3-0",
                                "px-0", "py-0"}));
  EXPECT_EQ(uncommitted_.size(), 16u);
  EXPECT_EQ(open_.size(), 1u);
  EXPECT_GE(IndexFiles().size(), 3u);
}

TEST_F(TransactionRecoveryTest, AbortsAndOpenTransactionsSurviveACrash) {
  Fill();
  // An abort after the last roll, which only the batches on disk tell about, followed
  // by a transaction left open.
  auto p = Get();
  AddLateAbort(*p, /*leave_open=*/true);
  Capture();
  p.reset();
  CloseLikeACrash();
  Open();
  ExpectSameState();
}

TEST_F(TransactionRecoveryTest, ATornIndexEntryAfterTheLastSnapshotIsRebuiltFromTheLog) {
  Fill();
  // An abort in the active segment, whose index file is not synced until it rolls.
  auto p = Get();
  AddLateAbort(*p, /*leave_open=*/false);
  const std::string active =
      JoinPath(PartitionDir(), SegmentFileName(Segments().back(), kTxnIndexFileSuffix));
  ASSERT_TRUE(fs_->Exists(active));
  Capture();
  p.reset();
  CloseLikeACrash();
  // The crash cut the file in the middle of its last entry.
  auto file = fs_->Open(active, OpenMode::kReadWrite);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Truncate((*file)->Size() - kTxnIndexEntrySize / 2).ok());
  file->reset();
  Open();
  ExpectSameState();
  // And it is whole on disk again: a clean reopen reads it as it was.
  Reopen();
  ExpectSameState();
}

TEST_F(TransactionRecoveryTest, ADamagedIndexIsRebuiltFromEveryBatch) {
  Fill();
  std::vector<std::string> files = IndexFiles();
  log_.reset();
  auto file = fs_->Open(files.front(), OpenMode::kReadWrite);
  ASSERT_TRUE(file.ok());
  uint8_t garbage[kTxnIndexEntrySize] = {0, 9};  // version 9
  ASSERT_TRUE((*file)->Append(ByteSpan(garbage, sizeof(garbage))).ok());
  file->reset();
  Open();
  ExpectSameState();
  Reopen();
  ExpectSameState();
}

TEST_F(TransactionRecoveryTest, RetentionTakesASegmentsAbortsWithIt) {
  Fill();
  auto p = Get();
  const std::string first_index = IndexFiles().front();
  // Drop every segment up to and including the first that holds an abort.
  const std::vector<int64_t> segments = Segments();
  int64_t dropped_bytes = 0;
  size_t dropped = 0;
  for (int64_t base : segments) {
    const std::string log = JoinPath(PartitionDir(), SegmentFileName(base, ".log"));
    dropped_bytes += static_cast<int64_t>(fs_->Open(log, OpenMode::kReadOnly).value()->Size());
    ++dropped;
    if (JoinPath(PartitionDir(), SegmentFileName(base, kTxnIndexFileSuffix)) == first_index) break;
  }
  TopicConfig config = SmallSegments();
  config.retention_bytes = p->size_bytes() - dropped_bytes;
  ASSERT_TRUE(log_->AlterTopic("t", config).ok());
  ASSERT_TRUE(log_->EnforceRetention().ok());
  ASSERT_EQ(p->log_start_offset(), Offset(segments[dropped]));
  EXPECT_FALSE(fs_->Exists(first_index));
  std::vector<AbortedTransaction> left = AllAborted(*p);
  EXPECT_LT(left.size(), aborted_.size());
  for (const auto& aborted : left) EXPECT_GE(aborted.last_offset.value(), segments[dropped]);
  Reopen();
  EXPECT_EQ(AllAborted(*Get()), left);
}

}  // namespace
}  // namespace eddy::log
