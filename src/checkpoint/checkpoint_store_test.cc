#include "src/checkpoint/checkpoint_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/util/temp_dir.h"

namespace eddy::checkpoint {
namespace {

TaskSnapshot MakeTask(int64_t id, int task, int instance) {
  TaskSnapshot s;
  s.checkpoint_id = id;
  s.task_index = task;
  s.instance = instance;
  s.parallelism = 2;
  s.task = "bids -> window " + std::to_string(task);
  s.watermark = 1000 * id;
  s.positions = {{"bids/" + std::to_string(instance), "offset " + std::to_string(id)}};
  s.has_sink = task == 1;
  s.prepared_commit = s.has_sink ? std::string("staged\0bytes", 12) : "";
  s.state_bytes = 77;
  return s;
}

// Writes a complete checkpoint with two tasks of two instances each.
void WriteCheckpoint(CheckpointStore& store, int64_t id) {
  ASSERT_TRUE(store.Begin(id).ok());
  Manifest m;
  m.id = id;
  m.pipeline = "nexmark-q5";
  m.backend = "memory";
  m.created_ms = 123;
  for (int task = 0; task < 2; ++task) {
    for (int instance = 0; instance < 2; ++instance) {
      Manifest::Task entry;
      ASSERT_TRUE(store.WriteTaskMeta(store.PathOf(id), MakeTask(id, task, instance), entry).ok());
      m.tasks.push_back(entry);
    }
  }
  ASSERT_TRUE(store.Complete(store.PathOf(id), m).ok());
}

void FlipByte(const std::string& path, long at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c;
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x40));
}

TEST(TaskSnapshotTest, RoundTripsAndDetectsDamage) {
  TaskSnapshot s = MakeTask(7, 1, 1);
  std::vector<uint8_t> bytes = s.Serialize();
  Result<TaskSnapshot> back = TaskSnapshot::Parse(ByteSpan(bytes), "x.meta");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->task, s.task);
  EXPECT_EQ(back->positions, s.positions);
  EXPECT_EQ(back->prepared_commit, s.prepared_commit);
  EXPECT_EQ(back->watermark, 7000);
  for (size_t at : {size_t{0}, size_t{12}, bytes.size() / 2, bytes.size() - 1}) {
    std::vector<uint8_t> damaged = bytes;
    damaged[at] ^= 1;
    Result<TaskSnapshot> bad = TaskSnapshot::Parse(ByteSpan(damaged), "x.meta");
    ASSERT_FALSE(bad.ok()) << "byte " << at;
    EXPECT_NE(bad.status().ToString().find("x.meta"), std::string::npos);
  }
  bytes.resize(bytes.size() - 3);
  EXPECT_FALSE(TaskSnapshot::Parse(ByteSpan(bytes), "x.meta").ok());
}

TEST(CheckpointStoreTest, LoadsTheLatestCompleteCheckpoint) {
  eddy::testing::TempDir dir;
  CheckpointStore store(FileSystem::Default(), dir.path(), 3);
  WriteCheckpoint(store, 1);
  WriteCheckpoint(store, 2);
  ASSERT_TRUE(store.Begin(3).ok());  // in progress: no manifest
  auto latest = store.LoadLatest();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->manifest.id, 2);
  EXPECT_EQ((*latest)->manifest.pipeline, "nexmark-q5");
  ASSERT_EQ((*latest)->tasks.size(), 4u);
  EXPECT_EQ((*latest)->tasks[3].task, "bids -> window 1");
  EXPECT_EQ((*latest)->tasks[3].prepared_commit.size(), 12u);
  EXPECT_EQ(*store.NextId(), 4);
}

TEST(CheckpointStoreTest, FallsBackPastADamagedManifestOrMeta) {
  eddy::testing::TempDir dir;
  CheckpointStore store(FileSystem::Default(), dir.path(), 5);
  WriteCheckpoint(store, 1);
  WriteCheckpoint(store, 2);
  WriteCheckpoint(store, 3);
  FlipByte(JoinPath(store.PathOf(3), kManifestFile), 30);
  FlipByte(JoinPath(store.PathOf(2), MetaFileName(1, 0)), 20);
  auto latest = store.LoadLatest();
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->manifest.id, 1);
  auto direct = LoadCheckpoint(FileSystem::Default(), store.PathOf(2));
  ASSERT_FALSE(direct.ok());
  EXPECT_NE(direct.status().ToString().find("1-0.meta"), std::string::npos)
      << direct.status().ToString();
  // Nothing usable below 1.
  auto none = store.LoadLatest(1);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(CheckpointStoreTest, TruncatedManifestIsNotComplete) {
  eddy::testing::TempDir dir;
  CheckpointStore store(FileSystem::Default(), dir.path(), 5);
  WriteCheckpoint(store, 1);
  const std::string manifest = JoinPath(store.PathOf(1), kManifestFile);
  auto text = FileSystem::Default()->ReadFile(manifest);
  ASSERT_TRUE(text.ok());
  text->resize(text->size() / 2);
  std::ofstream(manifest, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(text->data()), static_cast<long>(text->size()));
  auto loaded = LoadCheckpoint(FileSystem::Default(), store.PathOf(1));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().ToString().find("MANIFEST"), std::string::npos);
}

TEST(CheckpointStoreTest, PruneKeepsTheNewestCompleteOnes) {
  eddy::testing::TempDir dir;
  CheckpointStore store(FileSystem::Default(), dir.path(), 2);
  for (int64_t id = 1; id <= 4; ++id) WriteCheckpoint(store, id);
  ASSERT_TRUE(store.Begin(5).ok());  // in progress, kept
  ASSERT_TRUE(store.Prune().ok());
  auto ids = store.ListIds();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int64_t>{5, 4, 3}));
}

TEST(ManifestTest, KeepsTaskNamesWithSpaces) {
  Manifest m;
  m.id = 9;
  m.kind = CheckpointKind::kSavepoint;
  m.tasks.push_back({3, 1, 4, "persons -> window join (left semi)", 10, 20, 30});
  auto back = Manifest::Parse(m.Serialize(), "M");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->kind, CheckpointKind::kSavepoint);
  EXPECT_EQ(back->tasks[0].name, "persons -> window join (left semi)");
  EXPECT_EQ(back->tasks[0].parallelism, 4);
}

}  // namespace
}  // namespace eddy::checkpoint
