#include "src/log/offset_index.h"

#include <gtest/gtest.h>

#include "src/base/bytes.h"
#include "tests/util/fault_injection_file_system.h"
#include "tests/util/temp_dir.h"

namespace eddy::log {
namespace {

class OffsetIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<File> OpenFile(OpenMode mode = OpenMode::kCreateOrOpen) {
    auto file = fs_->Open(path_, mode);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return std::move(file).value();
  }
  void WriteRaw(const std::vector<uint8_t>& bytes) {
    ASSERT_TRUE(fs_->WriteFileAtomically(path_, bytes).ok());
  }

  eddy::testing::TempDir dir_;
  FileSystem* fs_ = FileSystem::Default();
  std::string path_ = dir_.Sub("00000000000000000100.index");
};

TEST_F(OffsetIndexTest, LookupFindsTheClosestEntryAtOrBelowTheOffset) {
  OffsetIndex index(OpenFile(), 100);
  ASSERT_TRUE(index.Append(110, 4000).ok());
  ASSERT_TRUE(index.Append(125, 8100).ok());
  ASSERT_TRUE(index.Append(140, 12500).ok());

  EXPECT_EQ(index.Lookup(100), (OffsetIndex::Entry{100, 0}));
  EXPECT_EQ(index.Lookup(109), (OffsetIndex::Entry{100, 0}));
  EXPECT_EQ(index.Lookup(110), (OffsetIndex::Entry{110, 4000}));
  EXPECT_EQ(index.Lookup(124), (OffsetIndex::Entry{110, 4000}));
  EXPECT_EQ(index.Lookup(125), (OffsetIndex::Entry{125, 8100}));
  EXPECT_EQ(index.Lookup(1'000'000), (OffsetIndex::Entry{140, 12500}));
}

TEST_F(OffsetIndexTest, EntriesAreWrittenAsBigEndianRelativeOffsetAndPosition) {
  {
    OffsetIndex index(OpenFile(), 100);
    ASSERT_TRUE(index.Append(0x10100, 0x0A0B0C0D).ok());
  }
  auto bytes = fs_->ReadFile(path_);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, (std::vector<uint8_t>{0x00, 0x01, 0x00, 0x9C, 0x0A, 0x0B, 0x0C, 0x0D}));
}

TEST_F(OffsetIndexTest, LoadReadsBackWhatWasAppended) {
  {
    OffsetIndex index(OpenFile(), 100);
    ASSERT_TRUE(index.Append(110, 4000).ok());
    ASSERT_TRUE(index.Append(125, 8100).ok());
  }
  OffsetIndex loaded(OpenFile(), 100);
  ASSERT_TRUE(loaded.Load(10'000).ok());
  EXPECT_EQ(loaded.entries(), (std::vector<OffsetIndex::Entry>{{110, 4000}, {125, 8100}}));
}

TEST_F(OffsetIndexTest, LoadRejectsAPartialEntry) {
  WriteRaw({0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0});
  OffsetIndex index(OpenFile(), 0);
  Status st = index.Load(1 << 20);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("multiple"), std::string::npos) << st.message();
  EXPECT_EQ(index.size(), 0u);
}

TEST_F(OffsetIndexTest, LoadRejectsEntriesThatDoNotIncrease) {
  WriteRaw({0, 0, 0, 5, 0, 0, 0x10, 0, 0, 0, 0, 4, 0, 0, 0x20, 0});
  OffsetIndex index(OpenFile(), 0);
  Status st = index.Load(1 << 20);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("does not increase"), std::string::npos) << st.message();
}

TEST_F(OffsetIndexTest, LoadRejectsPositionsBeyondTheLog) {
  WriteRaw({0, 0, 0, 5, 0, 0, 0x10, 0});
  OffsetIndex index(OpenFile(), 0);
  Status st = index.Load(0x1000);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_TRUE(index.Load(0x1001).ok());
}

TEST_F(OffsetIndexTest, ReplaceRewritesTheFile) {
  OffsetIndex index(OpenFile(), 0);
  ASSERT_TRUE(index.Append(3, 300).ok());
  ASSERT_TRUE(index.Replace({{1, 100}, {2, 200}}).ok());
  OffsetIndex loaded(OpenFile(), 0);
  ASSERT_TRUE(loaded.Load(1000).ok());
  EXPECT_EQ(loaded.entries(), (std::vector<OffsetIndex::Entry>{{1, 100}, {2, 200}}));
}

TEST_F(OffsetIndexTest, AFailedAppendLeavesNoPartialEntryBehind) {
  eddy::testing::FaultInjectionFileSystem faulty;
  fs_ = &faulty;
  OffsetIndex index(OpenFile(), 0);
  ASSERT_TRUE(index.Append(1, 100).ok());
  faulty.FailAppends(eddy::testing::AppendFault::kDiskFullMidWrite);
  EXPECT_EQ(index.Append(2, 200).code(), StatusCode::kResourceExhausted);
  faulty.FailAppends(eddy::testing::AppendFault::kNone);
  EXPECT_EQ(index.entries(), (std::vector<OffsetIndex::Entry>{{1, 100}}));
  OffsetIndex loaded(OpenFile(), 0);
  EXPECT_TRUE(loaded.Load(1000).ok());
  EXPECT_EQ(loaded.size(), 1u);
}

}  // namespace
}  // namespace eddy::log
