#include "src/log/segment.h"

#include <gtest/gtest.h>

#include "src/log/log_fixtures.h"
#include "src/log/log_format.h"
#include "tests/util/temp_dir.h"

namespace eddy::log {
namespace {

using testing::DecodeRecords;
using testing::MakeBatch;

constexpr int64_t kNow = 1'700'000'000'000;

class SegmentTest : public ::testing::Test {
 protected:
  std::shared_ptr<Segment> Create(int64_t base) {
    auto s = Segment::Create(fs_, dir_.path(), base, kNow);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return *s;
  }

  /// Appends "batches" batches of "records" records each, as the partition would.
  void Fill(Segment* segment, int batches, int records, int32_t index_interval) {
    for (int i = 0; i < batches; ++i) {
      std::vector<uint8_t> batch = MakeBatch(records, kNow + i, "b" + std::to_string(i));
      int64_t base = segment->next_offset();
      SetBaseOffset(batch, base);
      auto header = ParseBatchHeader(batch);
      ASSERT_TRUE(header.ok());
      ASSERT_TRUE(segment->Append(batch, *header, index_interval).ok());
      all_bytes_.insert(all_bytes_.end(), batch.begin(), batch.end());
    }
    segment->set_readable_bytes(segment->size_bytes());
  }

  eddy::testing::TempDir dir_;
  FileSystem* fs_ = FileSystem::Default();
  std::vector<uint8_t> all_bytes_;
};

TEST_F(SegmentTest, ReadReturnsExactlyTheBytesAppended) {
  auto segment = Create(1000);
  Fill(segment.get(), 10, 3, 4096);
  EXPECT_EQ(segment->next_offset(), 1030);
  std::vector<uint8_t> out;
  auto next = segment->Read(1000, 1030, 1 << 20, true, &out);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, 1030);
  EXPECT_EQ(out, all_bytes_);
  auto records = DecodeRecords(out);
  ASSERT_EQ(records.size(), 30u);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].offset, 1000 + int64_t(i));
}

TEST_F(SegmentTest, ReadFromAnOffsetInsideABatchStartsWithThatBatch) {
  auto segment = Create(0);
  Fill(segment.get(), 50, 4, /*index_interval=*/256);
  ASSERT_GT(segment->offset_index().size(), 3u);
  for (int64_t from : {0, 1, 57, 99, 150, 199}) {
    std::vector<uint8_t> out;
    auto next = segment->Read(from, 200, 1 << 20, true, &out);
    ASSERT_TRUE(next.ok());
    auto records = DecodeRecords(out);
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.front().offset, from / 4 * 4) << from;
    EXPECT_EQ(records.back().offset, 199);
  }
}

TEST_F(SegmentTest, TheIndexGetsAnEntryPerIntervalOfBytes) {
  auto segment = Create(0);
  Fill(segment.get(), 40, 2, /*index_interval=*/500);
  const size_t batch_size = all_bytes_.size() / 40;
  auto entries = segment->offset_index().entries();
  ASSERT_FALSE(entries.empty());
  // Consecutive entries are at least an interval apart, and no more than an interval
  // plus one batch.
  for (size_t i = 1; i < entries.size(); ++i) {
    uint64_t gap = entries[i].position - entries[i - 1].position;
    EXPECT_GE(gap, 500u);
    EXPECT_LE(gap, 500u + batch_size);
  }
  for (const auto& e : entries) {
    auto header = ParseBatchHeader(ByteSpan(all_bytes_).subspan(e.position));
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->base_offset, e.offset);
  }
}

TEST_F(SegmentTest, ReadStopsAtTheHighWatermarkAndAtMaxBytes) {
  auto segment = Create(0);
  Fill(segment.get(), 10, 1, 4096);
  const size_t batch_size = all_bytes_.size() / 10;
  std::vector<uint8_t> out;
  ASSERT_EQ(*segment->Read(0, 4, 1 << 20, true, &out), 4);
  EXPECT_EQ(out.size(), 4 * batch_size);

  out.clear();
  ASSERT_EQ(*segment->Read(2, 10, 3 * batch_size + 5, true, &out), 5);
  EXPECT_EQ(out.size(), 3 * batch_size);

  out.clear();
  ASSERT_EQ(*segment->Read(2, 10, 10, /*min_one_batch=*/true, &out), 3);
  EXPECT_EQ(out.size(), batch_size);

  out.clear();
  ASSERT_EQ(*segment->Read(2, 10, 10, /*min_one_batch=*/false, &out), 2);
  EXPECT_TRUE(out.empty());
}

TEST_F(SegmentTest, ReadNeverLooksPastTheReadableBytes) {
  auto segment = Create(0);
  Fill(segment.get(), 4, 1, 4096);
  const size_t batch_size = all_bytes_.size() / 4;
  segment->set_readable_bytes(2 * batch_size);
  std::vector<uint8_t> out;
  ASSERT_EQ(*segment->Read(0, 4, 1 << 20, true, &out), 2);
  EXPECT_EQ(out.size(), 2 * batch_size);
}

TEST_F(SegmentTest, ValidatingRecoveryRebuildsTheSameIndexes) {
  std::vector<OffsetIndex::Entry> offsets;
  std::vector<TimeIndex::Entry> times;
  {
    auto segment = Create(500);
    Fill(segment.get(), 60, 3, 300);
    ASSERT_TRUE(segment->SealTimeIndex().ok());
    offsets = segment->offset_index().entries();
    times = segment->time_index().entries();
  }
  ASSERT_TRUE(fs_->Remove(JoinPath(dir_.path(), SegmentFileName(500, kIndexFileSuffix))).ok());
  SegmentRecovery report;
  auto reopened =
      Segment::Open(fs_, dir_.path(), 500, Segment::RecoveryMode::kTrustData, 300, kNow, &report);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_TRUE(report.validated);
  EXPECT_NE(report.rescan_reason.find("missing"), std::string::npos) << report.rescan_reason;
  EXPECT_EQ((*reopened)->offset_index().entries(), offsets);
  EXPECT_EQ((*reopened)->time_index().entries(), times);
  EXPECT_EQ((*reopened)->next_offset(), 680);
  EXPECT_EQ((*reopened)->max_timestamp(), kNow + 59);
}

TEST_F(SegmentTest, TrustingRecoveryWalksOnlyTheTailAndFindsTheEnd) {
  {
    auto segment = Create(0);
    Fill(segment.get(), 30, 2, 200);
  }
  SegmentRecovery report;
  auto reopened =
      Segment::Open(fs_, dir_.path(), 0, Segment::RecoveryMode::kTrustData, 200, kNow, &report);
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(report.validated) << report.rescan_reason;
  EXPECT_EQ((*reopened)->next_offset(), 60);
  EXPECT_EQ((*reopened)->max_timestamp(), kNow + 29);
  EXPECT_EQ(report.kept_bytes, all_bytes_.size());
}

}  // namespace
}  // namespace eddy::log

namespace eddy::log {
namespace {

TEST_F(SegmentTest, ARemovedSegmentStaysReadableThroughItsOpenFiles) {
  auto segment = Create(0);
  Fill(segment.get(), 3, 2, 4096);
  ASSERT_TRUE(segment->RemoveFiles().ok());
  EXPECT_FALSE(fs_->Exists(JoinPath(dir_.path(), SegmentFileName(0, kLogFileSuffix))));
  std::vector<uint8_t> out;
  ASSERT_TRUE(segment->Read(0, 6, 1 << 20, true, &out).ok());
  EXPECT_EQ(out, all_bytes_);
}

}  // namespace
}  // namespace eddy::log
