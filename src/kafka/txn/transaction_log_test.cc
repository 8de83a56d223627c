#include "src/kafka/txn/transaction_log.h"

#include <gtest/gtest.h>

#include "src/base/crc32c.h"
#include "tests/util/temp_dir.h"

namespace eddy::kafka {
namespace {

TransactionMetadata Sample(const std::string& id, TxnState state) {
  TransactionMetadata m;
  m.transactional_id = id;
  m.producer_id = 4000;
  m.producer_epoch = 7;
  m.last_producer_id = 4000;
  m.last_producer_epoch = 6;
  m.timeout_ms = 30'000;
  m.state = state;
  m.start_ms = 1'700'000'000'000;
  m.update_ms = 1'700'000'000'500;
  m.partitions = {{"orders", 0}, {"orders", 3}, {"payments", 1}};
  m.groups = {"billing"};
  m.offsets[TxnOffsetKey{"billing", "in", 2}] = TxnOffset{42, 5, "meta"};
  return m;
}

class TransactionLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<TransactionLog> Open(std::map<std::string, TransactionMetadata>* states) {
    auto log = TransactionLog::Open(dir_.path(), fs_, states);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  void Write(TransactionLog& log, const TxnRecord& record) {
    auto ticket = log.Append(record);
    ASSERT_TRUE(ticket.ok()) << ticket.status().ToString();
    ASSERT_TRUE(log.WaitDurable(*ticket).ok());
  }
  std::string Path() const { return dir_.path() + "/transactions/state.log"; }

  eddy::testing::TempDir dir_;
  FileSystem* fs_ = FileSystem::Default();
};

TEST(TransactionLogFormat, RecordsRoundTrip) {
  for (TxnState state :
       {TxnState::kEmpty, TxnState::kOngoing, TxnState::kPrepareCommit, TxnState::kPrepareAbort,
        TxnState::kCompleteCommit, TxnState::kCompleteAbort}) {
    TxnRecord record{TxnRecordType::kState, Sample("txn-a", state)};
    ByteWriter out;
    ASSERT_TRUE(EncodeTxnRecord(record, out).ok());
    ByteSpan bytes = out.buffer();
    ASSERT_EQ(static_cast<size_t>(LoadI32(bytes.data())) + kTxnRecordHeaderSize, bytes.size());
    ByteSpan payload = bytes.subspan(kTxnRecordHeaderSize);
    EXPECT_EQ(static_cast<uint32_t>(LoadI32(bytes.data() + 4)), Crc32c(payload));
    Result<TxnRecord> decoded = DecodeTxnRecord(payload);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, record);
  }
  TxnRecord forget{TxnRecordType::kForget, {}};
  forget.metadata.transactional_id = "gone";
  ByteWriter out;
  ASSERT_TRUE(EncodeTxnRecord(forget, out).ok());
  EXPECT_EQ(out.size(), kTxnRecordHeaderSize + 1 + 2 + 4);
  EXPECT_EQ(*DecodeTxnRecord(ByteSpan(out.buffer()).subspan(kTxnRecordHeaderSize)), forget);
}

TEST(TransactionLogFormat, DamagedPayloadsAreCorruptionNotCrashes) {
  ByteWriter out;
  ASSERT_TRUE(
      EncodeTxnRecord(TxnRecord{TxnRecordType::kState, Sample("t", TxnState::kOngoing)}, out).ok());
  std::vector<uint8_t> payload(out.buffer().begin() + kTxnRecordHeaderSize, out.buffer().end());
  for (size_t cut = 0; cut < payload.size(); ++cut) {
    EXPECT_TRUE(DecodeTxnRecord(ByteSpan(payload).first(cut)).status().IsCorruption()) << cut;
  }
  std::vector<uint8_t> bad_state = payload;
  bad_state[1 + 2 + 1 + 8 + 2 + 8 + 2 + 4] = 9;  // type, id "t", ids, epochs, timeout
  EXPECT_TRUE(DecodeTxnRecord(bad_state).status().IsCorruption());
  std::vector<uint8_t> bad_type = payload;
  bad_type[0] = 7;
  EXPECT_TRUE(DecodeTxnRecord(bad_type).status().IsCorruption());
  std::vector<uint8_t> trailing = payload;
  trailing.push_back(0);
  EXPECT_TRUE(DecodeTxnRecord(trailing).status().IsCorruption());
}

TEST_F(TransactionLogTest, ReplayKeepsTheLastStateOfEveryIdAndForgets) {
  {
    std::map<std::string, TransactionMetadata> states;
    auto log = Open(&states);
    EXPECT_TRUE(states.empty());
    Write(*log, {TxnRecordType::kState, Sample("a", TxnState::kOngoing)});
    Write(*log, {TxnRecordType::kState, Sample("b", TxnState::kEmpty)});
    Write(*log, {TxnRecordType::kState, Sample("a", TxnState::kPrepareCommit)});
    TxnRecord forget{TxnRecordType::kForget, {}};
    forget.metadata.transactional_id = "b";
    Write(*log, forget);
    Write(*log, {TxnRecordType::kState, Sample("c", TxnState::kCompleteAbort)});
  }
  std::map<std::string, TransactionMetadata> states;
  auto log = Open(&states);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states.at("a"), Sample("a", TxnState::kPrepareCommit));
  EXPECT_EQ(states.at("c").state, TxnState::kCompleteAbort);
}

TEST_F(TransactionLogTest, ATornTailIsCutAndTheRestKept) {
  uint64_t whole = 0;
  {
    std::map<std::string, TransactionMetadata> states;
    auto log = Open(&states);
    Write(*log, {TxnRecordType::kState, Sample("a", TxnState::kOngoing)});
    whole = log->file_bytes();
    Write(*log, {TxnRecordType::kState, Sample("a", TxnState::kPrepareAbort)});
  }
  auto file = fs_->Open(Path(), OpenMode::kReadWrite);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Truncate((*file)->Size() - 3).ok());
  file->reset();
  std::map<std::string, TransactionMetadata> states;
  auto log = Open(&states);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states.at("a").state, TxnState::kOngoing);
  EXPECT_EQ(log->file_bytes(), whole);
  // Appends continue after the cut.
  Write(*log, {TxnRecordType::kState, Sample("a", TxnState::kCompleteCommit)});
  log.reset();
  states.clear();
  log = Open(&states);
  EXPECT_EQ(states.at("a").state, TxnState::kCompleteCommit);
}

TEST_F(TransactionLogTest, ARecordWithAGoodCrcThatDoesNotDecodeStopsTheOpen) {
  {
    std::map<std::string, TransactionMetadata> states;
    auto log = Open(&states);
  }
  ByteWriter payload;
  payload.WriteU8(42);  // no such type
  ByteWriter record;
  record.WriteU32(static_cast<uint32_t>(payload.size()));
  record.WriteU32(Crc32c(payload.buffer()));
  record.WriteBytes(payload.buffer());
  auto file = fs_->Open(Path(), OpenMode::kReadWrite);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(record.buffer()).ok());
  file->reset();
  std::map<std::string, TransactionMetadata> states;
  auto opened = TransactionLog::Open(dir_.path(), fs_, &states);
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(opened.status().IsCorruption());
  EXPECT_NE(opened.status().message().find("state.log"), std::string::npos);
}

TEST_F(TransactionLogTest, CompactionKeepsOnlyTheLiveStates) {
  std::map<std::string, TransactionMetadata> live;
  {
    std::map<std::string, TransactionMetadata> states;
    auto log = Open(&states);
    for (int i = 0; i < 50; ++i) {
      TransactionMetadata m = Sample("a", i % 2 ? TxnState::kOngoing : TxnState::kCompleteCommit);
      m.producer_epoch = static_cast<int16_t>(i);
      Write(*log, {TxnRecordType::kState, m});
      live["a"] = m;
    }
    live["b"] = Sample("b", TxnState::kEmpty);
    ASSERT_TRUE(log->Append({TxnRecordType::kState, live["b"]}).ok());  // queued, not synced
    const uint64_t before = log->file_bytes();
    ASSERT_TRUE(log->Compact(live).ok());
    EXPECT_LT(log->file_bytes() * 10, before);
    Write(*log, {TxnRecordType::kState, Sample("c", TxnState::kOngoing)});
    live["c"] = Sample("c", TxnState::kOngoing);
  }
  EXPECT_FALSE(fs_->Exists(dir_.path() + "/transactions/state.log.tmp"));
  std::map<std::string, TransactionMetadata> states;
  auto log = Open(&states);
  EXPECT_EQ(states, live);
}

}  // namespace
}  // namespace eddy::kafka
