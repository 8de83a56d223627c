// The checkpoint runtime: barriers from every source, alignment at a two-input operator
// fed by several senders, and savepoints. A checkpoint is consistent when the state it
// holds reflects exactly the input before the positions it records — checked here by
// an operator that counts its input rows into keyed state.

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "src/checkpoint/checkpoint_store.h"
#include "src/engine/job.h"
#include "src/engine/key_codec.h"
#include "src/engine/keyed_state.h"
#include "src/engine/memory_source.h"
#include "src/state/state_backend.h"
#include "tests/util/temp_dir.h"

namespace eddy::engine {
namespace {

SchemaRef KeyValueSchema() {
  return MakeSchema({{"key", DataType::kInt64}, {"value", DataType::kInt64}});
}

// Emits rows (key = i % 13, value = i) of one split per instance, 40 per poll after a
// pause, for ever; its position is the next i. Sources with different pauses see the
// barrier request at different moments, so barriers reach the counter far apart.
class CountingSource final : public Source {
 public:
  CountingSource(std::string name, std::chrono::microseconds pause)
      : name_(std::move(name)), pause_(pause) {}
  SchemaRef schema() const override { return KeyValueSchema(); }
  Status Open(const SourceContext& context) override {
    instance_ = context.instance;
    return Status::OK();
  }
  Result<SourceState> Poll(Batch& out, size_t, int) override {
    std::this_thread::sleep_for(pause_);
    for (int k = 0; k < 40; ++k, ++next_) {
      out.column(0).AppendInt(next_ % 13);
      out.column(1).AppendInt(next_);
      out.CommitRow(next_);
    }
    return SourceState::kMore;
  }
  EventTimeMs watermark() const override { return next_ - 1; }
  bool checkpointable() const override { return true; }
  Result<std::vector<checkpoint::SplitPosition>> SnapshotPositions() override {
    return std::vector<checkpoint::SplitPosition>{{Split(), std::to_string(next_)}};
  }
  Status RestorePositions(const std::vector<checkpoint::SplitPosition>& positions) override {
    for (const auto& p : positions) {
      if (p.split == Split()) next_ = std::stoll(p.state);
    }
    return Status::OK();
  }

 private:
  std::string Split() const { return name_ + "/" + std::to_string(instance_); }
  std::string name_;
  std::chrono::microseconds pause_;
  int instance_ = 0;
  int64_t next_ = 0;
};

// Counts the rows of each input per key, in keyed state.
class TwoInputCounter final : public Operator {
 public:
  SchemaRef output_schema() const override { return KeyValueSchema(); }
  Status OnBatch(int input, Batch batch, Output&) override {
    const size_t key_column = 0;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      key_.clear();
      AppendKey(batch, std::span(&key_column, 1), r, key_);
      counts_.GetOrCreate(key_)[input]++;
    }
    return Status::OK();
  }
  Status SnapshotState(StateWriter& writer) override {
    return counts_.SnapshotTo(writer, "counts",
                              [](const std::array<int64_t, 2>& c, ByteWriter& out) {
                                out.WriteI64(c[0]);
                                out.WriteI64(c[1]);
                              });
  }

 private:
  KeyedState<std::array<int64_t, 2>> counts_;
  std::string key_;
};

Dataflow TwoSourcesIntoACounter() {
  Dataflow df;
  auto source = [](std::string name, std::chrono::microseconds pause) -> SourceFactory {
    return [name, pause]() -> Result<std::unique_ptr<Source>> {
      return std::unique_ptr<Source>(std::make_unique<CountingSource>(name, pause));
    };
  };
  int a = df.AddSource("a", KeyValueSchema(), source("a", std::chrono::microseconds(300)), 2);
  int b = df.AddSource("b", KeyValueSchema(), source("b", std::chrono::microseconds(5000)), 1);
  int count = df.AddOperator(
      "count", KeyValueSchema(),
      []() -> Result<std::unique_ptr<Operator>> {
        return std::unique_ptr<Operator>(std::make_unique<TwoInputCounter>());
      },
      2, /*num_inputs=*/2);
  int sink = df.AddSink("discard", MakeDiscardSink(), 2);
  df.Connect(a, count, 0, Partitioning::kHash, {0});
  df.Connect(b, count, 1, Partitioning::kHash, {0});
  df.Connect(count, sink, 0, Partitioning::kForward);
  return df;
}

// Rows per input the counters' state holds in checkpoint `loaded`, and rows per source
// its positions say were read.
void CheckConsistent(const checkpoint::LoadedCheckpoint& loaded) {
  int64_t positions[2] = {0, 0};
  std::vector<std::string> counter_dirs;
  for (size_t i = 0; i < loaded.tasks.size(); ++i) {
    const checkpoint::TaskSnapshot& t = loaded.tasks[i];
    for (const auto& p : t.positions) {
      positions[p.split[0] == 'a' ? 0 : 1] += std::stoll(p.state);
    }
    if (t.task.find("count") != std::string::npos) counter_dirs.push_back(loaded.StateDir(i));
  }
  ASSERT_EQ(counter_dirs.size(), 2u);
  auto backend = state::OpenStateBackend(state::StateBackendOptions{});
  ASSERT_TRUE(backend.ok());
  ASSERT_TRUE((*backend)->Restore(counter_dirs, state::KeyGroupRange::All()).ok());
  int64_t counted[2] = {0, 0};
  ASSERT_TRUE((*backend)
                  ->ForEach("o0/counts",
                            [&](int, std::string_view, std::string_view value) {
                              ByteReader in(AsBytes(value));
                              counted[0] += in.ReadI64();
                              counted[1] += in.ReadI64();
                              return Status::OK();
                            })
                  .ok());
  EXPECT_GT(positions[0], 0);
  EXPECT_EQ(counted[0], positions[0]) << "checkpoint " << loaded.manifest.id << ", input a";
  EXPECT_EQ(counted[1], positions[1]) << "checkpoint " << loaded.manifest.id << ", input b";
}

TEST(CheckpointRuntimeTest, AlignedCheckpointsHoldExactlyTheInputBeforeTheirPositions) {
  eddy::testing::TempDir dir;
  JobOptions options;
  options.checkpoint.dir = dir.Sub("checkpoints");
  options.checkpoint.interval_ms = 20;
  options.checkpoint.keep = 100;
  options.checkpoint.pipeline = "counter";
  auto job = Job::Start(TwoSourcesIntoACounter(), options);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  for (int i = 0; i < 1000 && (*job)->progress().checkpoints < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const JobProgress progress = (*job)->progress();
  ASSERT_GE(progress.checkpoints, 8u);
  ASSERT_TRUE(progress.last_checkpoint.has_value());
  (*job)->Stop();
  ASSERT_TRUE((*job)->Wait().ok());

  checkpoint::CheckpointStore store(FileSystem::Default(), options.checkpoint.dir, 100);
  auto ids = store.ListIds();
  ASSERT_TRUE(ids.ok());
  int checked = 0;
  for (int64_t id : *ids) {
    auto loaded = checkpoint::LoadCheckpoint(FileSystem::Default(), store.PathOf(id));
    if (!loaded.ok()) continue;           // the one in flight at Stop
    EXPECT_EQ(loaded->tasks.size(), 5u);  // a: 2, b: 1, count -> discard: 2
    CheckConsistent(*loaded);
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST(CheckpointRuntimeTest, SavepointGoesToItsOwnDirectoryAndIsMarkedSo) {
  eddy::testing::TempDir dir;
  JobOptions options;
  options.checkpoint.dir = dir.Sub("checkpoints");
  options.checkpoint.interval_ms = 0;  // savepoints only
  options.checkpoint.pipeline = "counter";
  auto job = Job::Start(TwoSourcesIntoACounter(), options);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto taken = (*job)->TriggerSavepoint(dir.Sub("sp1"));
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->kind, checkpoint::CheckpointKind::kSavepoint);
  auto again = (*job)->TriggerSavepoint(dir.Sub("sp1"));
  EXPECT_FALSE(again.ok()) << "a savepoint must not overwrite another";
  (*job)->Stop();
  ASSERT_TRUE((*job)->Wait().ok());
  auto loaded = checkpoint::LoadCheckpoint(FileSystem::Default(), dir.Sub("sp1"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->manifest.kind, checkpoint::CheckpointKind::kSavepoint);
  CheckConsistent(*loaded);
  // Savepoints are not checkpoints: the checkpoint directory holds none.
  checkpoint::CheckpointStore store(FileSystem::Default(), options.checkpoint.dir, 3);
  auto latest = store.LoadLatest();
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
}

TEST(CheckpointRuntimeTest, AJobWithAnUncheckpointableSourceRunsWithoutCheckpoints) {
  eddy::testing::TempDir dir;
  Dataflow df;
  MemorySourceOptions so;
  so.keep_open = true;
  int src = df.AddSource("memory", KeyValueSchema(), MakeMemorySource(KeyValueSchema(), so), 1);
  int sink = df.AddSink("discard", MakeDiscardSink(), 1);
  df.Connect(src, sink, 0, Partitioning::kForward);
  JobOptions options;
  options.checkpoint.dir = dir.Sub("checkpoints");
  options.checkpoint.interval_ms = 10;
  auto job = Job::Start(std::move(df), options);
  ASSERT_TRUE(job.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE((*job)->finished());
  EXPECT_EQ((*job)->progress().checkpoints, 0u);
  (*job)->Stop();
  EXPECT_TRUE((*job)->Wait().ok());
  EXPECT_FALSE(std::filesystem::exists(options.checkpoint.dir));
}

}  // namespace
}  // namespace eddy::engine
