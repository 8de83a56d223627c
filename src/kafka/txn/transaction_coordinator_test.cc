#include "src/kafka/txn/transaction_coordinator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <ostream>
#include <thread>

#include "src/kafka/group/group_coordinator.h"
#include "src/log/log.h"
#include "src/log/record_batch.h"
#include "src/log/record_batch_builder.h"
#include "tests/util/fault_injection_file_system.h"
#include "tests/util/manual_clock.h"
#include "tests/util/temp_dir.h"

namespace eddy::kafka {

void PrintTo(ErrorCode code, std::ostream* os) { *os << ErrorCodeName(code); }
void PrintTo(TxnState state, std::ostream* os) { *os << TxnStateName(state); }

namespace {

constexpr char kId[] = "payments-writer";
constexpr char kGroup[] = "payments-readers";

class TransactionCoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OpenLog();
    OpenGroups();
    OpenCoordinator();
    ASSERT_TRUE(log_->CreateTopic("out", TopicConfigWith(2)).ok());
    ASSERT_TRUE(log_->CreateTopic("in", TopicConfigWith(1)).ok());
  }
  void TearDown() override {
    tc_.reset();
    if (groups_) groups_->Close();
  }
  static log::TopicConfig TopicConfigWith(int32_t partitions) {
    log::TopicConfig config;
    config.partitions = partitions;
    return config;
  }
  void OpenLog() {
    log::LogOptions options;
    options.data_dir = dir_.Sub("data");
    options.fs = &log_fs_;
    options.clock = &clock_;
    options.durability = durability_;
    options.retention_check_interval_ms = 3'600'000;
    auto log = log::Log::Open(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }
  void OpenGroups() {
    GroupCoordinatorOptions options;
    options.data_dir = dir_.Sub("data");
    options.clock = &clock_;
    auto groups = GroupCoordinator::Open(options);
    ASSERT_TRUE(groups.ok()) << groups.status().ToString();
    groups_ = std::move(groups).value();
  }
  void OpenCoordinator() {
    TransactionCoordinatorOptions options;
    options.data_dir = dir_.Sub("data");
    options.clock = &clock_;
    options.log = log_.get();
    options.groups = groups_.get();
    options.retry_backoff_ms = 100;
    auto tc = TransactionCoordinator::Open(options);
    ASSERT_TRUE(tc.ok()) << tc.status().ToString();
    tc_ = std::move(tc).value();
  }
  /// The whole broker goes down and comes back: coordinator, groups and log.
  void RestartEverything() {
    tc_.reset();
    groups_->Close();
    groups_.reset();
    log_.reset();
    OpenLog();
    OpenGroups();
    OpenCoordinator();
  }

  InitProducerIdResult Init(const std::string& id = kId, int32_t timeout_ms = 60'000,
                            int64_t producer_id = -1, int16_t epoch = -1, int16_t version = 4) {
    std::promise<InitProducerIdResult> result;
    tc_->InitProducerId({id, timeout_ms, producer_id, epoch, version},
                        [&](InitProducerIdResult r) { result.set_value(r); });
    auto future = result.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return future.get();
  }
  TxnProducer Producer(const InitProducerIdResult& r, const std::string& id = kId) {
    EXPECT_EQ(r.error, ErrorCode::kNone);
    return TxnProducer{id, r.producer_id, r.producer_epoch};
  }
  ErrorCode Add(const TxnProducer& p, std::vector<TxnPartition> partitions) {
    AddPartitionsResult r = tc_->AddPartitions({p, partitions});
    EXPECT_EQ(r.partitions.size(), partitions.size());
    ErrorCode first = ErrorCode::kNone;
    for (const auto& [partition, error] : r.partitions) {
      if (first == ErrorCode::kNone) first = error;
    }
    return first;
  }
  std::promise<ErrorCode>* EndAsync(const TxnProducer& p, bool commit) {
    ends_.push_back(std::make_unique<std::promise<ErrorCode>>());
    std::promise<ErrorCode>* slot = ends_.back().get();
    tc_->EndTxn({p, commit}, [slot](ErrorCode e) { slot->set_value(e); });
    return slot;
  }
  ErrorCode End(const TxnProducer& p, bool commit) {
    auto future = EndAsync(p, commit)->get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return future.get();
  }
  std::shared_ptr<log::Partition> Partition(const std::string& topic, int32_t p) {
    auto partition = log_->GetPartition(topic, PartitionId(p));
    EXPECT_TRUE(partition.ok());
    return *partition;
  }
  /// What the broker does for a transactional produce: ask the coordinator, append.
  ErrorCode Produce(const TxnProducer& p, const std::string& topic, int32_t partition,
                    const std::string& value) {
    TransactionCoordinator::ProduceGuard guard;
    ErrorCode error = tc_->BeginProduce(p, {topic, partition}, &guard);
    if (error != ErrorCode::kNone) return error;
    return AppendRaw(p.producer_id, p.producer_epoch, topic, partition, value);
  }
  /// A transactional batch straight into the log, asking no one.
  ErrorCode AppendRaw(int64_t producer_id, int16_t epoch, const std::string& topic,
                      int32_t partition, const std::string& value) {
    log::BatchOptions options;
    options.producer_id = producer_id;
    options.producer_epoch = epoch;
    int32_t& sequence = sequences_[{producer_id, epoch, topic, partition}];
    options.base_sequence = sequence++;
    options.transactional = true;
    log::RecordBatchBuilder builder(options);
    builder.Add(1'700'000'000'000, "k", value);
    auto batch = builder.Build();
    EXPECT_TRUE(batch.ok());
    auto appended = Partition(topic, partition)->Append(*batch);
    if (!appended.ok())
      return log::LogErrorOf(appended.status()) == log::LogError::kInvalidProducerEpoch
                 ? ErrorCode::kInvalidProducerEpoch
                 : ErrorCode::kUnknownServerError;
    return ErrorCode::kNone;
  }
  /// The values a read_committed consumer gets from a partition, in order.
  std::vector<std::string> Committed(const std::string& topic, int32_t p) {
    return Read(topic, p, log::Isolation::kReadCommitted);
  }
  std::vector<std::string> Read(const std::string& topic, int32_t p, log::Isolation isolation) {
    auto partition = Partition(topic, p);
    std::vector<std::string> values;
    std::vector<log::AbortedTransaction> aborted;
    log::ReadOptions options;
    options.isolation = isolation;
    for (Offset from = partition->log_start_offset();;) {
      auto read = partition->Read(from, options);
      EXPECT_TRUE(read.ok());
      if (!read.ok() || read->bytes.empty()) break;
      aborted.insert(aborted.end(), read->aborted_transactions.begin(),
                     read->aborted_transactions.end());
      log::BatchIterator batches(read->bytes);
      while (true) {
        auto batch = batches.Next();
        if (!batch.ok() || batch->empty()) break;
        log::RecordReader reader;
        EXPECT_TRUE(reader.Reset(*batch).ok());
        const log::BatchHeader& h = reader.header();
        if (h.is_control()) continue;
        bool dropped = false;
        for (const auto& a : aborted) {
          dropped |= a.producer_id.value() == h.producer_id &&
                     a.first_offset.value() <= h.base_offset &&
                     h.base_offset < a.last_offset.value();
        }
        if (dropped) continue;
        log::Record record;
        while (reader.Next(&record)) values.emplace_back(AsStringView(*record.value));
      }
      from = read->next_offset;
    }
    return values;
  }
  int64_t GroupOffset(const std::string& topic, int32_t p) {
    OffsetFetchParams params{kGroup, std::vector<OffsetKey>{{topic, PartitionId(p)}}};
    return groups_->FetchOffsets(params).partitions.at(0).offset.value();
  }
  OffsetCommitResult CommitOffset(const TxnProducer& p, int64_t offset) {
    return tc_->TxnOffsetCommit({p, kGroup, {{"in", PartitionId(0), Offset(offset), -1, "m"}}});
  }
  TxnState State(const std::string& id = kId) { return tc_->Describe(id).value().state; }

  eddy::testing::TempDir dir_;
  eddy::testing::ManualClock clock_;
  /// The log's file system only: the coordinator's and the groups' files stay healthy.
  eddy::testing::FaultInjectionFileSystem log_fs_;
  log::Durability durability_{log::FsyncPolicy::kAlways, 0};
  std::unique_ptr<log::Log> log_;
  std::unique_ptr<GroupCoordinator> groups_;
  std::unique_ptr<TransactionCoordinator> tc_;
  std::vector<std::unique_ptr<std::promise<ErrorCode>>> ends_;
  std::map<std::tuple<int64_t, int16_t, std::string, int32_t>, int32_t> sequences_;
};

TEST_F(TransactionCoordinatorTest, InitHandsOutOneProducerIdAndBumpsItsEpochEachTime) {
  InitProducerIdResult first = Init();
  ASSERT_EQ(first.error, ErrorCode::kNone);
  EXPECT_GE(first.producer_id, 0);
  EXPECT_EQ(first.producer_epoch, 0);
  InitProducerIdResult second = Init();
  EXPECT_EQ(second.producer_id, first.producer_id);
  EXPECT_EQ(second.producer_epoch, 1);
  InitProducerIdResult other = Init("another-writer");
  EXPECT_NE(other.producer_id, first.producer_id);
  EXPECT_EQ(State(), TxnState::kEmpty);
  EXPECT_EQ(Init(kId, 0).error, ErrorCode::kInvalidTransactionTimeout);
  EXPECT_EQ(Init(kId, 900'001).error, ErrorCode::kInvalidTransactionTimeout);
  EXPECT_EQ(Init("").error, ErrorCode::kInvalidRequest);
}

TEST_F(TransactionCoordinatorTest, ACommittedTransactionIsVisibleAndCarriesItsOffsets) {
  TxnProducer p = Producer(Init());
  ASSERT_EQ(Add(p, {{"out", 0}, {"out", 1}}), ErrorCode::kNone);
  EXPECT_EQ(State(), TxnState::kOngoing);
  ASSERT_EQ(tc_->AddOffsets({p, kGroup}), ErrorCode::kNone);
  ASSERT_EQ(CommitOffset(p, 5).partitions[0].error, ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "a"), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 1, "b"), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "c"), ErrorCode::kNone);
  EXPECT_TRUE(Committed("out", 0).empty());
  EXPECT_EQ(GroupOffset("in", 0), -1) << "offsets wait for the commit";

  EXPECT_EQ(End(p, /*commit=*/true), ErrorCode::kNone);
  // Answered only once everything is visible and durable.
  EXPECT_EQ(Committed("out", 0), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Committed("out", 1), (std::vector<std::string>{"b"}));
  EXPECT_EQ(GroupOffset("in", 0), 5);
  EXPECT_EQ(State(), TxnState::kCompleteCommit);
  EXPECT_TRUE(tc_->Describe(kId)->partitions.empty());
  // A retried EndTxn is answered the same; the other decision is refused.
  EXPECT_EQ(End(p, true), ErrorCode::kNone);
  EXPECT_EQ(End(p, false), ErrorCode::kInvalidTxnState);

  // The next transaction of the same producer.
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "d"), ErrorCode::kNone);
  EXPECT_EQ(End(p, true), ErrorCode::kNone);
  EXPECT_EQ(Committed("out", 0), (std::vector<std::string>{"a", "c", "d"}));
}

TEST_F(TransactionCoordinatorTest, AnAbortedTransactionLeavesNeitherDataNorOffsets) {
  TxnProducer p = Producer(Init());
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "committed"), ErrorCode::kNone);
  ASSERT_EQ(End(p, true), ErrorCode::kNone);
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(tc_->AddOffsets({p, kGroup}), ErrorCode::kNone);
  ASSERT_EQ(CommitOffset(p, 9).partitions[0].error, ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "aborted"), ErrorCode::kNone);
  EXPECT_EQ(End(p, /*commit=*/false), ErrorCode::kNone);
  EXPECT_EQ(State(), TxnState::kCompleteAbort);
  EXPECT_EQ(Committed("out", 0), (std::vector<std::string>{"committed"}));
  EXPECT_EQ(Read("out", 0, log::Isolation::kReadUncommitted),
            (std::vector<std::string>{"committed", "aborted"}));
  EXPECT_EQ(GroupOffset("in", 0), -1);
  auto partition = Partition("out", 0);
  EXPECT_EQ(partition->last_stable_offset(), partition->high_watermark());
}

TEST_F(TransactionCoordinatorTest, ProducesAreRefusedOutsideTheTransactionsPartitions) {
  TxnProducer p = Producer(Init());
  EXPECT_EQ(Produce(p, "out", 0, "x"), ErrorCode::kInvalidTxnState) << "no transaction yet";
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  EXPECT_EQ(Produce(p, "out", 1, "x"), ErrorCode::kInvalidTxnState) << "partition not added";
  EXPECT_EQ(Produce(TxnProducer{kId, p.producer_id + 1000, 0}, "out", 0, "x"),
            ErrorCode::kInvalidProducerIdMapping);
  EXPECT_EQ(Produce(TxnProducer{"nobody", p.producer_id, 0}, "out", 0, "x"),
            ErrorCode::kInvalidProducerIdMapping);
  EXPECT_EQ(Produce(p, "out", 0, "x"), ErrorCode::kNone);
  AddPartitionsResult unknown = tc_->AddPartitions({p, {{"out", 1}, {"missing", 0}, {"out", 7}}});
  EXPECT_EQ(unknown.partitions[0].second, ErrorCode::kOperationNotAttempted);
  EXPECT_EQ(unknown.partitions[1].second, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(unknown.partitions[2].second, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(Produce(p, "out", 1, "x"), ErrorCode::kInvalidTxnState) << "nothing was added";
  // Offsets need AddOffsetsToTxn first.
  EXPECT_EQ(CommitOffset(p, 3).partitions[0].error, ErrorCode::kInvalidTxnState);
}

TEST_F(TransactionCoordinatorTest, ANewProducerFencesTheOldAndAbortsItsOpenTransaction) {
  TxnProducer zombie = Producer(Init());
  ASSERT_EQ(Add(zombie, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(zombie, "out", 0, "zombie"), ErrorCode::kNone);
  auto partition = Partition("out", 0);
  EXPECT_EQ(partition->OpenTransactions().size(), 1u);

  TxnProducer fresh = Producer(Init());
  EXPECT_EQ(fresh.producer_id, zombie.producer_id);
  EXPECT_EQ(fresh.producer_epoch, zombie.producer_epoch + 1);
  EXPECT_EQ(State(), TxnState::kCompleteAbort);
  EXPECT_TRUE(partition->OpenTransactions().empty());
  EXPECT_EQ(partition->last_stable_offset(), partition->high_watermark());

  // Every request of the old epoch is refused, and the log refuses its batches too.
  EXPECT_EQ(Add(zombie, {{"out", 1}}), ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(tc_->AddOffsets({zombie, kGroup}), ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(End(zombie, true), ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(Produce(zombie, "out", 0, "late"), ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(AppendRaw(zombie.producer_id, zombie.producer_epoch, "out", 0, "late"),
            ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(Init(kId, 60'000, zombie.producer_id, zombie.producer_epoch, 4).error,
            ErrorCode::kProducerFenced);
  EXPECT_EQ(Init(kId, 60'000, zombie.producer_id, zombie.producer_epoch, 3).error,
            ErrorCode::kInvalidProducerEpoch);

  ASSERT_EQ(Add(fresh, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(fresh, "out", 0, "fresh"), ErrorCode::kNone);
  ASSERT_EQ(End(fresh, true), ErrorCode::kNone);
  EXPECT_EQ(Committed("out", 0), (std::vector<std::string>{"fresh"}));
}

TEST_F(TransactionCoordinatorTest, AProducerBumpsItsOwnEpochAndARetriedBumpIsAnsweredAgain) {
  TxnProducer p = Producer(Init());
  InitProducerIdResult bumped = Init(kId, 60'000, p.producer_id, p.producer_epoch);
  ASSERT_EQ(bumped.error, ErrorCode::kNone);
  EXPECT_EQ(bumped.producer_id, p.producer_id);
  EXPECT_EQ(bumped.producer_epoch, p.producer_epoch + 1);
  // The answer got lost and the producer asks again with what it had.
  InitProducerIdResult again = Init(kId, 60'000, p.producer_id, p.producer_epoch);
  EXPECT_EQ(again.error, ErrorCode::kNone);
  EXPECT_EQ(again.producer_epoch, bumped.producer_epoch);
}

TEST_F(TransactionCoordinatorTest, ATransactionOpenPastItsTimeoutIsAbortedAndItsProducerFenced) {
  TxnProducer p = Producer(Init(kId, /*timeout_ms=*/2'000));
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "slow"), ErrorCode::kNone);
  clock_.AdvanceMs(1'999);
  tc_->Poll();
  tc_->WaitIdle();
  EXPECT_EQ(State(), TxnState::kOngoing);
  clock_.AdvanceMs(2);
  tc_->Poll();
  tc_->WaitIdle();
  EXPECT_EQ(State(), TxnState::kCompleteAbort);
  EXPECT_EQ(tc_->Describe(kId)->producer_epoch, p.producer_epoch + 1);
  auto partition = Partition("out", 0);
  EXPECT_EQ(partition->last_stable_offset(), partition->high_watermark());
  EXPECT_TRUE(Committed("out", 0).empty());
  EXPECT_EQ(End(p, true), ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(Produce(p, "out", 0, "late"), ErrorCode::kInvalidProducerEpoch);
}

TEST_F(TransactionCoordinatorTest, MarkersWaitForTheProducesInFlight) {
  TxnProducer p = Producer(Init());
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  TransactionCoordinator::ProduceGuard guard;
  ASSERT_EQ(tc_->BeginProduce(p, {"out", 0}, &guard), ErrorCode::kNone);
  std::future<ErrorCode> ended = EndAsync(p, true)->get_future();
  EXPECT_EQ(ended.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_EQ(State(), TxnState::kPrepareCommit);
  // Meanwhile the producer is told to wait, and no new produce starts.
  EXPECT_EQ(Init().error, ErrorCode::kConcurrentTransactions);
  EXPECT_EQ(Add(p, {{"out", 1}}), ErrorCode::kConcurrentTransactions);
  EXPECT_EQ(End(p, true), ErrorCode::kConcurrentTransactions);
  EXPECT_EQ(Produce(p, "out", 0, "other"), ErrorCode::kInvalidTxnState);
  EXPECT_EQ(Partition("out", 0)->log_end_offset(), Offset(0)) << "no marker yet";
  ASSERT_EQ(AppendRaw(p.producer_id, p.producer_epoch, "out", 0, "in-flight"), ErrorCode::kNone);
  guard.Release();
  ASSERT_EQ(ended.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(ended.get(), ErrorCode::kNone);
  EXPECT_EQ(Committed("out", 0), (std::vector<std::string>{"in-flight"}));
}

TEST_F(TransactionCoordinatorTest, AMarkerThatCannotBeWrittenIsRetriedAndTheDecisionStands) {
  TxnProducer p = Producer(Init());
  ASSERT_EQ(Add(p, {{"out", 0}, {"out", 1}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "x"), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 1, "y"), ErrorCode::kNone);
  log_fs_.FailAppends(eddy::testing::AppendFault::kDiskFull, "/out/1/");
  // The decision is durable, so the producer hears that its transaction commits.
  EXPECT_EQ(End(p, true), ErrorCode::kNone);
  tc_->WaitIdle();
  EXPECT_EQ(State(), TxnState::kPrepareCommit);
  EXPECT_TRUE(Committed("out", 1).empty());
  EXPECT_EQ(Init().error, ErrorCode::kConcurrentTransactions);
  log_fs_.FailAppends(eddy::testing::AppendFault::kNone);
  clock_.AdvanceMs(150);
  tc_->Poll();
  tc_->WaitIdle();
  EXPECT_EQ(State(), TxnState::kCompleteCommit);
  EXPECT_EQ(Committed("out", 0), (std::vector<std::string>{"x"}));
  EXPECT_EQ(Committed("out", 1), (std::vector<std::string>{"y"}));
}

TEST_F(TransactionCoordinatorTest, StateSurvivesARestart) {
  TxnProducer p = Producer(Init());
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "x"), ErrorCode::kNone);
  ASSERT_EQ(End(p, true), ErrorCode::kNone);
  TransactionMetadata before = tc_->Describe(kId).value();
  RestartEverything();
  EXPECT_EQ(tc_->Describe(kId).value(), before);
  // The producer carries on after the broker's restart.
  ASSERT_EQ(Add(p, {{"out", 1}}), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 1, "y"), ErrorCode::kNone);
  ASSERT_EQ(End(p, true), ErrorCode::kNone);
  EXPECT_EQ(Committed("out", 1), (std::vector<std::string>{"y"}));
  // Re-initializing still bumps from where it was.
  EXPECT_EQ(Init().producer_epoch, p.producer_epoch + 1);
}

TEST_F(TransactionCoordinatorTest, AnOngoingTransactionIsAbortedWhenTheBrokerRestarts) {
  TxnProducer p = Producer(Init());
  ASSERT_EQ(Add(p, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(tc_->AddOffsets({p, kGroup}), ErrorCode::kNone);
  ASSERT_EQ(CommitOffset(p, 4).partitions[0].error, ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "lost"), ErrorCode::kNone);
  RestartEverything();
  EXPECT_EQ(State(), TxnState::kCompleteAbort);
  EXPECT_EQ(tc_->Describe(kId)->producer_epoch, p.producer_epoch + 1);
  auto partition = Partition("out", 0);
  EXPECT_TRUE(partition->OpenTransactions().empty());
  EXPECT_EQ(partition->last_stable_offset(), partition->high_watermark());
  EXPECT_TRUE(Committed("out", 0).empty());
  EXPECT_EQ(GroupOffset("in", 0), -1);
  EXPECT_EQ(End(p, true), ErrorCode::kInvalidProducerEpoch);
}

TEST_F(TransactionCoordinatorTest, ADecidedCommitIsFinishedAfterARestart) {
  TxnProducer p = Producer(Init());
  ASSERT_EQ(Add(p, {{"out", 0}, {"out", 1}}), ErrorCode::kNone);
  ASSERT_EQ(tc_->AddOffsets({p, kGroup}), ErrorCode::kNone);
  ASSERT_EQ(CommitOffset(p, 8).partitions[0].error, ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 0, "a"), ErrorCode::kNone);
  ASSERT_EQ(Produce(p, "out", 1, "b"), ErrorCode::kNone);
  // The broker died right after the decision reached the disk, before any marker.
  TransactionMetadata decided = tc_->Describe(kId).value();
  decided.state = TxnState::kPrepareCommit;
  tc_.reset();
  {
    std::map<std::string, TransactionMetadata> states;
    auto state_log = TransactionLog::Open(dir_.Sub("data"), FileSystem::Default(), &states);
    ASSERT_TRUE(state_log.ok());
    auto ticket = (*state_log)->Append({TxnRecordType::kState, decided});
    ASSERT_TRUE(ticket.ok());
    ASSERT_TRUE((*state_log)->WaitDurable(*ticket).ok());
  }
  RestartEverything();
  EXPECT_EQ(State(), TxnState::kCompleteCommit);
  EXPECT_EQ(tc_->Describe(kId)->producer_epoch, p.producer_epoch) << "a commit fences no one";
  EXPECT_EQ(Committed("out", 0), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Committed("out", 1), (std::vector<std::string>{"b"}));
  EXPECT_EQ(GroupOffset("in", 0), 8);
  EXPECT_EQ(End(p, true), ErrorCode::kNone) << "the producer's retried EndTxn";
}

TEST_F(TransactionCoordinatorTest, OpenTransactionsNoStateAccountsForAreAbortedAtOpen) {
  TxnProducer p = Producer(Init());
  // Batches of the coordinator's producer that the coordinator never allowed (a partition
  // added in a transaction the state file lost), and of a producer it does not know.
  ASSERT_EQ(AppendRaw(p.producer_id, p.producer_epoch, "out", 1, "hanging"), ErrorCode::kNone);
  ASSERT_EQ(AppendRaw(999'999, 0, "out", 0, "someone else's"), ErrorCode::kNone);
  RestartEverything();
  EXPECT_TRUE(Partition("out", 1)->OpenTransactions().empty());
  EXPECT_TRUE(Committed("out", 1).empty());
  auto foreign = Partition("out", 0)->OpenTransactions();
  ASSERT_EQ(foreign.size(), 1u) << "left to the writer that owns it";
  EXPECT_EQ(foreign[0].producer_id, ProducerId(999'999));
}

TEST_F(TransactionCoordinatorTest, IdleIdsExpire) {
  Init();
  Init("busy");
  TxnProducer busy = Producer(Init("busy"), "busy");
  ASSERT_EQ(Add(busy, {{"out", 0}}), ErrorCode::kNone);
  clock_.AdvanceMs(7LL * 24 * 3600 * 1000 + 1);
  // The busy one times out first (aborted, not expired) ...
  tc_->Poll();
  tc_->WaitIdle();
  EXPECT_FALSE(tc_->Describe(kId).has_value());
  EXPECT_EQ(State("busy"), TxnState::kCompleteAbort);
  RestartEverything();
  EXPECT_FALSE(tc_->Describe(kId).has_value());
  // ... and a fresh start of the expired id gets a new producer id.
  EXPECT_EQ(Init().producer_epoch, 0);
}

TEST_F(TransactionCoordinatorTest, ClosedRefusesRequests) {
  TxnProducer p = Producer(Init());
  tc_->Close();
  EXPECT_EQ(Init().error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(Add(p, {{"out", 0}}), ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(End(p, true), ErrorCode::kCoordinatorNotAvailable);
}

}  // namespace
}  // namespace eddy::kafka
