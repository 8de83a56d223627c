#include "src/log/time_index.h"

#include <gtest/gtest.h>

#include "tests/util/temp_dir.h"

namespace eddy::log {
namespace {

class TimeIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<File> OpenFile() {
    auto file = FileSystem::Default()->Open(dir_.Sub("0.timeindex"), OpenMode::kCreateOrOpen);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return std::move(file).value();
  }
  eddy::testing::TempDir dir_;
};

TEST_F(TimeIndexTest, LookupBeforeReturnsTheNewestEntryStrictlyOlderThanTheTime) {
  TimeIndex index(OpenFile(), 50);
  ASSERT_TRUE(index.MaybeAppend(1000, 60).ok());
  ASSERT_TRUE(index.MaybeAppend(2000, 70).ok());
  ASSERT_TRUE(index.MaybeAppend(3000, 80).ok());

  EXPECT_FALSE(index.LookupBefore(1000).has_value());
  EXPECT_EQ(index.LookupBefore(1001), (TimeIndex::Entry{1000, 60}));
  EXPECT_EQ(index.LookupBefore(2000), (TimeIndex::Entry{1000, 60}));
  EXPECT_EQ(index.LookupBefore(2500), (TimeIndex::Entry{2000, 70}));
  EXPECT_EQ(index.LookupBefore(9999), (TimeIndex::Entry{3000, 80}));
}

TEST_F(TimeIndexTest, EntriesThatDoNotIncreaseAreNotAdded) {
  TimeIndex index(OpenFile(), 0);
  ASSERT_TRUE(index.MaybeAppend(1000, 10).ok());
  ASSERT_TRUE(index.MaybeAppend(1000, 20).ok());  // same timestamp
  ASSERT_TRUE(index.MaybeAppend(900, 30).ok());   // older
  ASSERT_TRUE(index.MaybeAppend(1100, 5).ok());   // lower offset
  EXPECT_EQ(index.entries(), (std::vector<TimeIndex::Entry>{{1000, 10}}));
}

TEST_F(TimeIndexTest, LoadReadsBackEntriesAndRejectsOffsetsPastTheSegmentEnd) {
  {
    TimeIndex index(OpenFile(), 100);
    ASSERT_TRUE(index.MaybeAppend(1000, 110).ok());
    ASSERT_TRUE(index.MaybeAppend(2000, 120).ok());
  }
  TimeIndex loaded(OpenFile(), 100);
  ASSERT_TRUE(loaded.Load(121).ok());
  EXPECT_EQ(loaded.entries(), (std::vector<TimeIndex::Entry>{{1000, 110}, {2000, 120}}));
  TimeIndex short_segment(OpenFile(), 100);
  EXPECT_TRUE(short_segment.Load(120).IsCorruption());
  EXPECT_TRUE(short_segment.entries().empty());
}

}  // namespace
}  // namespace eddy::log
