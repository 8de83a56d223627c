#include "src/base/file_system.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace eddy {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("eddy_fs_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(fs_->CreateDirs(dir_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  FileSystem* fs_ = FileSystem::Default();
  std::string dir_;
};

TEST_F(FileSystemTest, AppendReadTruncate) {
  auto file = fs_->Open(JoinPath(dir_, "a"), OpenMode::kCreateTruncate);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE((*file)->Append(AsBytes("hello world")).ok());
  ASSERT_TRUE((*file)->Sync().ok());
  EXPECT_EQ((*file)->Size(), 11u);
  std::vector<uint8_t> buf(5);
  auto n = (*file)->ReadAt(6, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(AsStringView(buf), "world");
  ASSERT_TRUE((*file)->Truncate(5).ok());
  ASSERT_TRUE((*file)->Append(AsBytes("!")).ok());
  auto all = fs_->ReadFile(JoinPath(dir_, "a"));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(AsStringView(*all), "hello!");
}

TEST_F(FileSystemTest, OpenMissingFileIsNotFound) {
  auto file = fs_->Open(JoinPath(dir_, "missing"), OpenMode::kReadOnly);
  EXPECT_TRUE(file.status().IsNotFound());
  EXPECT_NE(file.status().message().find("missing"), std::string::npos);
}

TEST_F(FileSystemTest, WriteFileAtomicallyReplacesContent) {
  std::string path = JoinPath(dir_, "meta");
  ASSERT_TRUE(fs_->WriteFileAtomically(path, AsBytes("one")).ok());
  ASSERT_TRUE(fs_->WriteFileAtomically(path, AsBytes("two")).ok());
  EXPECT_EQ(AsStringView(*fs_->ReadFile(path)), "two");
  EXPECT_FALSE(fs_->Exists(path + ".tmp"));
}

TEST_F(FileSystemTest, SecondLockOnSameFileFailsWithHolderPid) {
  std::string path = JoinPath(dir_, ".lock");
  auto first = fs_->Lock(path);
  ASSERT_TRUE(first.ok());
  // flock locks belong to the open file description, so a second open in the same
  // process conflicts just as another process would.
  auto second = fs_->Lock(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(std::to_string(::getpid())), std::string::npos);
  first->reset();
  EXPECT_TRUE(fs_->Lock(path).ok());
}

TEST_F(FileSystemTest, ListDirIsSorted) {
  for (const char* n : {"c", "a", "b"}) ASSERT_TRUE(fs_->Open(JoinPath(dir_, n), OpenMode::kCreateOrOpen).ok());
  auto names = fs_->ListDir(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace eddy
