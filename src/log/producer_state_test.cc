#include "src/log/producer_state.h"

#include <gtest/gtest.h>

#include <limits>

#include "src/base/crc32c.h"
#include "src/log/log_error.h"
#include "src/log/log_format.h"

namespace eddy::log {
namespace {

BatchHeader Batch(int64_t producer_id, int16_t epoch, int32_t base_sequence, int32_t count,
                  int64_t base_offset = 0) {
  BatchHeader h;
  h.producer_id = producer_id;
  h.producer_epoch = epoch;
  h.base_sequence = base_sequence;
  h.record_count = count;
  h.last_offset_delta = count - 1;
  h.base_offset = base_offset;
  return h;
}

LogError ErrorOf(const Result<std::optional<ProducerBatch>>& r) {
  return static_cast<LogError>(r.status().detail());
}

/// Checks then applies, as the partition does.
std::optional<ProducerBatch> Write(ProducerStateTable* table, BatchHeader h) {
  auto check = table->Check(h);
  EXPECT_TRUE(check.ok()) << check.status().ToString();
  if (check.ok() && !check->has_value()) table->Apply(h);
  return check.ok() ? *check : std::nullopt;
}

TEST(ProducerStateTest, AnUnknownProducerMustStartAtSequenceZero) {
  ProducerStateTable table;
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 0, 3, 1))), LogError::kOutOfOrderSequence);
  auto first = table.Check(Batch(7, 0, 0, 1));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
}

TEST(ProducerStateTest, ARetriedBatchReturnsTheOriginalOffsets) {
  ProducerStateTable table;
  Write(&table, Batch(7, 0, 0, 3, /*base_offset=*/10));
  Write(&table, Batch(7, 0, 3, 2, /*base_offset=*/20));
  auto retry = table.Check(Batch(7, 0, 0, 3));
  ASSERT_TRUE(retry.ok());
  ASSERT_TRUE(retry->has_value());
  EXPECT_EQ(**retry, (ProducerBatch{0, 2, 10, 12}));
  auto retry2 = table.Check(Batch(7, 0, 3, 2));
  ASSERT_TRUE(retry2.ok() && retry2->has_value());
  EXPECT_EQ((*retry2)->first_offset, 20);
}

TEST(ProducerStateTest, AGapInSequenceNumbersIsRefused) {
  ProducerStateTable table;
  Write(&table, Batch(7, 0, 0, 3));
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 0, 4, 1))), LogError::kOutOfOrderSequence);
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 0, 2, 1))), LogError::kOutOfOrderSequence);
  EXPECT_TRUE(table.Check(Batch(7, 0, 3, 1)).ok());
}

TEST(ProducerStateTest, OnlyTheLastFiveBatchesAreRecognisedAsRetries) {
  ProducerStateTable table;
  for (int i = 0; i < 6; ++i) Write(&table, Batch(7, 0, i, 1, 100 + i));
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 0, 0, 1))), LogError::kOutOfOrderSequence);
  for (int i = 1; i < 6; ++i) {
    auto retry = table.Check(Batch(7, 0, i, 1));
    ASSERT_TRUE(retry.ok() && retry->has_value()) << i;
    EXPECT_EQ((*retry)->first_offset, 100 + i);
  }
}

TEST(ProducerStateTest, AnOlderEpochIsRefusedAndANewEpochMustStartAtZero) {
  ProducerStateTable table;
  Write(&table, Batch(7, 3, 0, 5));
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 2, 5, 1))), LogError::kInvalidProducerEpoch);
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 4, 5, 1))), LogError::kOutOfOrderSequence);
  Write(&table, Batch(7, 4, 0, 1));
  EXPECT_EQ(table.Find(7)->epoch, 4);
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 3, 5, 1))), LogError::kInvalidProducerEpoch);
}

TEST(ProducerStateTest, SequenceNumbersWrapAfterInt32Max) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  ProducerStateTable table;
  table.Apply(Batch(7, 0, kMax - 1, 2));  // sequences kMax-1 and kMax
  EXPECT_EQ(table.Find(7)->last_sequence(), kMax);
  EXPECT_TRUE(table.Check(Batch(7, 0, 0, 1)).ok());
  EXPECT_EQ(ErrorOf(table.Check(Batch(7, 0, 1, 1))), LogError::kOutOfOrderSequence);
}

TEST(ProducerStateTest, ProducersAreIndependent) {
  ProducerStateTable table;
  Write(&table, Batch(1, 0, 0, 2));
  Write(&table, Batch(2, 0, 0, 1));
  EXPECT_TRUE(table.Check(Batch(1, 0, 2, 1)).ok());
  EXPECT_TRUE(table.Check(Batch(2, 0, 1, 1)).ok());
  EXPECT_EQ(ErrorOf(table.Check(Batch(2, 0, 2, 1))), LogError::kOutOfOrderSequence);
}

TEST(ProducerStateTest, SnapshotRoundTripsAndDetectsDamage) {
  ProducerStateTable table;
  for (int i = 0; i < 7; ++i) Write(&table, Batch(1, 2, i * 2, 2, 1000 + i * 2));
  Write(&table, Batch(99, 0, 0, 4, 5000));
  std::vector<uint8_t> bytes = table.Serialize();

  auto parsed = ProducerStateTable::Parse(bytes, "snap");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 2u);
  const ProducerEntry* one = parsed->Find(1);
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->epoch, 2);
  EXPECT_EQ(one->count, 5);
  EXPECT_EQ(one->last_offset, 1013);
  EXPECT_EQ(one->batches[0], (ProducerBatch{4, 5, 1004, 1005}));
  auto retry = parsed->Check(Batch(99, 0, 0, 4));
  ASSERT_TRUE(retry.ok() && retry->has_value());
  EXPECT_EQ((*retry)->first_offset, 5000);

  bytes[bytes.size() / 2] ^= 0x40;
  EXPECT_TRUE(ProducerStateTable::Parse(bytes, "snap").status().IsCorruption());
  EXPECT_TRUE(ProducerStateTable::Parse(ByteSpan(bytes).first(6), "snap").status().IsCorruption());
}

TEST(ProducerStateTest, RemoveBeforeForgetsProducersWhoseBatchesAreGone) {
  ProducerStateTable table;
  Write(&table, Batch(1, 0, 0, 1, 10));
  Write(&table, Batch(2, 0, 0, 1, 30));
  table.RemoveBefore(20);
  EXPECT_EQ(table.Find(1), nullptr);
  EXPECT_NE(table.Find(2), nullptr);
}

BatchHeader Transactional(int64_t producer_id, int16_t epoch, int32_t base_sequence,
                          int32_t count, int64_t base_offset) {
  BatchHeader h = Batch(producer_id, epoch, base_sequence, count, base_offset);
  h.attributes = kTransactionalBit;
  return h;
}

BatchHeader Marker(int64_t producer_id, int16_t epoch, int64_t offset) {
  BatchHeader h = Batch(producer_id, epoch, kNoSequence, 1, offset);
  h.attributes = kTransactionalBit | kControlBit;
  return h;
}

TEST(ProducerStateTest, ATransactionIsOpenFromItsFirstBatchUntilItsMarker) {
  ProducerStateTable table;
  Write(&table, Batch(1, 0, 0, 2, 0));  // idempotent, not transactional
  EXPECT_FALSE(table.FirstOpenTransactionOffset().has_value());
  Write(&table, Transactional(2, 0, 0, 3, 10));
  Write(&table, Transactional(3, 0, 0, 1, 13));
  Write(&table, Transactional(2, 0, 3, 1, 14));  // same transaction: first offset stays
  EXPECT_EQ(table.Find(2)->txn_first_offset, 10);
  EXPECT_EQ(table.FirstOpenTransactionOffset(), 10);
  EXPECT_EQ(table.open_transactions().size(), 2u);

  ASSERT_TRUE(table.Check(Marker(2, 0, 15)).ok());
  table.Apply(Marker(2, 0, 15));
  EXPECT_EQ(table.Find(2)->txn_first_offset, -1);
  EXPECT_EQ(table.FirstOpenTransactionOffset(), 13);
  // The marker does not reset the producer's sequence numbers.
  EXPECT_EQ(ErrorOf(table.Check(Transactional(2, 0, 0, 1, 16))), LogError::kOutOfOrderSequence);
  Write(&table, Transactional(2, 0, 4, 1, 16));
  EXPECT_EQ(table.Find(2)->txn_first_offset, 16);
  table.Apply(Marker(3, 0, 17));
  table.Apply(Marker(2, 0, 18));
  EXPECT_FALSE(table.FirstOpenTransactionOffset().has_value());
}

TEST(ProducerStateTest, AMarkerOfANewerEpochFencesTheOldOne) {
  ProducerStateTable table;
  Write(&table, Transactional(2, 4, 0, 3, 10));
  // The coordinator aborts with the bumped epoch: the zombie's batches are refused.
  ASSERT_TRUE(table.Check(Marker(2, 5, 13)).ok());
  table.Apply(Marker(2, 5, 13));
  EXPECT_EQ(ErrorOf(table.Check(Transactional(2, 4, 3, 1, 14))), LogError::kInvalidProducerEpoch);
  EXPECT_EQ(ErrorOf(table.Check(Marker(2, 4, 14))), LogError::kInvalidProducerEpoch);
  // The new producer starts its epoch at sequence 0.
  EXPECT_TRUE(table.Check(Transactional(2, 5, 0, 1, 14)).ok());
}

TEST(ProducerStateTest, SnapshotKeepsOpenTransactionsAndReadsTheOlderFormat) {
  ProducerStateTable table;
  Write(&table, Transactional(5, 1, 0, 2, 100));
  Write(&table, Batch(6, 0, 0, 1, 102));
  auto parsed = ProducerStateTable::Parse(table.Serialize(), "snap");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Find(5)->txn_first_offset, 100);
  EXPECT_EQ(parsed->Find(6)->txn_first_offset, -1);
  EXPECT_EQ(parsed->FirstOpenTransactionOffset(), 100);

  // An "EPS1" snapshot (no open-transaction field) from before transactions existed.
  ByteWriter w;
  w.WriteU32(kProducerSnapshotMagicV1);
  w.WriteU32(1);
  w.WriteI64(6);    // producer id
  w.WriteI16(0);    // epoch
  w.WriteI64(102);  // last offset
  w.WriteU8(1);
  w.WriteI32(0);
  w.WriteI32(0);
  w.WriteI64(102);
  w.WriteI32(0);
  w.WriteU32(Crc32c(w.buffer()));
  auto old = ProducerStateTable::Parse(w.buffer(), "old");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->Find(6)->last_offset, 102);
  EXPECT_EQ(old->Find(6)->txn_first_offset, -1);
  EXPECT_FALSE(old->FirstOpenTransactionOffset().has_value());
}

TEST(ProducerStateTest, RemoveBeforeAlsoForgetsTheirOpenTransactions) {
  ProducerStateTable table;
  Write(&table, Transactional(1, 0, 0, 1, 10));
  Write(&table, Transactional(2, 0, 0, 1, 30));
  table.RemoveBefore(20);
  EXPECT_EQ(table.FirstOpenTransactionOffset(), 30);
}

}  // namespace
}  // namespace eddy::log
