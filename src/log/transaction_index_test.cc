#include "src/log/transaction_index.h"

#include <gtest/gtest.h>

#include "src/log/log_format.h"
#include "tests/util/temp_dir.h"

namespace eddy::log {
namespace {

AbortedTransaction Aborted(int64_t producer, int64_t first, int64_t last) {
  return {ProducerId(producer), Offset(first), Offset(last)};
}

class TransactionIndexTest : public ::testing::Test {
 protected:
  std::string Path(int64_t base) const {
    return JoinPath(dir_.path(), SegmentFileName(base, kTxnIndexFileSuffix));
  }
  FileSystem* fs_ = FileSystem::Default();
  eddy::testing::TempDir dir_;
};

TEST_F(TransactionIndexTest, CollectReturnsTheTransactionsOverlappingTheRange) {
  TransactionIndex index(fs_, dir_.path());
  // Segments [0, 100) and [100, 200); the second transaction began in the first segment.
  ASSERT_TRUE(index.Append(0, {1, 10, 20, 21}).ok());
  ASSERT_TRUE(index.Append(100, {2, 50, 120, 121}).ok());
  ASSERT_TRUE(index.Append(100, {1, 130, 140, 141}).ok());
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.Collect(0, 200),
            (std::vector{Aborted(1, 10, 20), Aborted(2, 50, 120), Aborted(1, 130, 140)}));
  EXPECT_EQ(index.Collect(21, 100), (std::vector{Aborted(2, 50, 120)}));
  EXPECT_EQ(index.Collect(0, 10), std::vector<AbortedTransaction>{});
  EXPECT_EQ(index.Collect(0, 11), (std::vector{Aborted(1, 10, 20)}));
  EXPECT_EQ(index.Collect(141, 300), std::vector<AbortedTransaction>{});
  EXPECT_EQ(index.Collect(125, 135), (std::vector{Aborted(1, 130, 140)}));
  // Only segments with an abort have a file.
  EXPECT_TRUE(fs_->Exists(Path(0)));
  EXPECT_TRUE(fs_->Exists(Path(100)));
}

TEST_F(TransactionIndexTest, CollectStopsAtAnEntryWhoseStableOffsetPassesTheRange) {
  TransactionIndex index(fs_, dir_.path());
  // The last stable offset after the first abort says every later abort begins at or
  // after 30; an entry that breaks that promise is not looked at for a range below 30.
  ASSERT_TRUE(index.Append(0, {1, 10, 20, 30}).ok());
  ASSERT_TRUE(index.Append(0, {2, 5, 40, 41}).ok());
  EXPECT_EQ(index.Collect(0, 25), (std::vector{Aborted(1, 10, 20)}));
  EXPECT_EQ(index.Collect(0, 31), (std::vector{Aborted(1, 10, 20), Aborted(2, 5, 40)}));
}

TEST_F(TransactionIndexTest, EntriesSurviveAReloadAndATornTailIsCut) {
  {
    TransactionIndex index(fs_, dir_.path());
    ASSERT_TRUE(index.Append(0, {1, 10, 20, 21}).ok());
    ASSERT_TRUE(index.Append(100, {2, 110, 120, 121}).ok());
    ASSERT_TRUE(index.Append(100, {3, 111, 130, 131}).ok());
    ASSERT_TRUE(index.SyncAll().ok());
  }
  // A crash cut the last append short.
  {
    auto file = fs_->Open(Path(100), OpenMode::kReadWrite);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Truncate(2 * kTxnIndexEntrySize - 5).ok());
  }
  TransactionIndex index(fs_, dir_.path());
  std::string problem;
  ASSERT_TRUE(index.Load({{0, 100}, {100, 200}}, &problem).ok());
  EXPECT_EQ(problem, "");
  EXPECT_EQ(index.Collect(0, 200), (std::vector{Aborted(1, 10, 20), Aborted(2, 110, 120)}));
  auto size = fs_->Open(Path(100), OpenMode::kReadOnly);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ((*size)->Size(), kTxnIndexEntrySize);
}

TEST_F(TransactionIndexTest, LoadReportsDamageAndRemovesFilesOfMissingSegments) {
  {
    TransactionIndex index(fs_, dir_.path());
    ASSERT_TRUE(index.Append(0, {1, 10, 20, 21}).ok());
    ASSERT_TRUE(index.Append(500, {1, 510, 520, 521}).ok());
  }
  {
    TransactionIndex index(fs_, dir_.path());
    std::string problem;
    // Segment 500 is gone; segment 0 ends at 15, before the marker at 20.
    ASSERT_TRUE(index.Load({{0, 15}, {15, 100}}, &problem).ok());
    EXPECT_NE(problem.find("outside the segment"), std::string::npos) << problem;
    EXPECT_EQ(index.size(), 0u);
    EXPECT_FALSE(fs_->Exists(Path(500)));
  }
  {
    auto file = fs_->Open(Path(0), OpenMode::kReadWrite);
    ASSERT_TRUE(file.ok());
    uint8_t bytes[kTxnIndexEntrySize];
    EncodeTxnIndexEntry({1, 30, 25, 26}, bytes);  // first offset after its marker
    ASSERT_TRUE((*file)->Append(ByteSpan(bytes, sizeof(bytes))).ok());
  }
  TransactionIndex index(fs_, dir_.path());
  std::string problem;
  ASSERT_TRUE(index.Load({{0, 100}}, &problem).ok());
  EXPECT_NE(problem.find("entry 1"), std::string::npos) << problem;
  // The rebuild starts from nothing: Clear removes the damaged file too.
  ASSERT_TRUE(index.Clear().ok());
  EXPECT_FALSE(fs_->Exists(Path(0)));
}

TEST_F(TransactionIndexTest, EntriesPastTheEndOfTheLastSegmentAreLeftForTruncateFrom) {
  {
    TransactionIndex index(fs_, dir_.path());
    ASSERT_TRUE(index.Append(0, {1, 10, 20, 21}).ok());
    ASSERT_TRUE(index.Append(0, {1, 30, 40, 41}).ok());
  }
  // Recovery cut the log at 35: the second marker is gone from the log.
  TransactionIndex index(fs_, dir_.path());
  std::string problem;
  ASSERT_TRUE(index.Load({{0, 35}}, &problem).ok());
  EXPECT_EQ(problem, "");
  ASSERT_TRUE(index.TruncateFrom(35).ok());
  EXPECT_EQ(index.Collect(0, 100), (std::vector{Aborted(1, 10, 20)}));
}

TEST_F(TransactionIndexTest, TruncateFromAndRemoveSegmentChangeMemoryAndFiles) {
  TransactionIndex index(fs_, dir_.path());
  ASSERT_TRUE(index.Append(0, {1, 10, 20, 21}).ok());
  ASSERT_TRUE(index.Append(0, {1, 30, 40, 41}).ok());
  ASSERT_TRUE(index.Append(100, {2, 110, 120, 121}).ok());
  ASSERT_TRUE(index.TruncateFrom(40).ok());
  EXPECT_EQ(index.Collect(0, 200), (std::vector{Aborted(1, 10, 20)}));
  auto file = fs_->Open(Path(0), OpenMode::kReadOnly);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->Size(), kTxnIndexEntrySize);
  ASSERT_TRUE(index.Append(0, {3, 35, 45, 46}).ok());
  index.RemoveSegment(0);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(fs_->Exists(Path(0)));
}

}  // namespace
}  // namespace eddy::log
