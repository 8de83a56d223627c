// Checkpoints and recovery end to end, in process: a Nexmark query reads the log's
// topics unbounded with checkpoints every few milliseconds and exactly-once output to a
// topic; it is cancelled at random moments (what is not committed is dropped, as in a
// crash), restarted from its newest checkpoint — at another parallelism each time — and
// finally resumed as a bounded run. Its output topic must then hold exactly the records
// an uninterrupted bounded run writes: none lost, none twice. Also: the state backends,
// and falling back past a damaged checkpoint.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "src/checkpoint/checkpoint_store.h"
#include "src/log/log.h"
#include "src/log/record_batch.h"
#include "src/nexmark/nexmark_queries.h"
#include "src/nexmark/nexmark_query.h"
#include "src/nexmark/nexmark_topics.h"
#include "src/pipeline/log_pipeline_context.h"
#include "tests/util/temp_dir.h"

namespace eddy::nexmark {
namespace {

std::unique_ptr<log::Log> OpenLog(const std::string& dir) {
  log::LogOptions options;
  options.data_dir = dir;
  options.durability = *log::ParseDurability("never");
  auto log = log::Log::Open(options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(*log);
}

// Every record value of `topic`, sorted (output order across partitions is not fixed).
std::vector<std::string> TopicValues(log::Log& log, const std::string& topic) {
  std::vector<std::string> values;
  auto info = log.DescribeTopic(topic);
  if (!info.ok()) return values;
  for (int32_t p = 0; p < info->config.partitions; ++p) {
    auto partition = log.GetPartition(topic, PartitionId(p));
    EXPECT_TRUE(partition.ok());
    int64_t offset = (*partition)->log_start_offset().value();
    while (offset < (*partition)->high_watermark().value()) {
      auto read = (*partition)->Read(Offset(offset), log::ReadOptions{});
      EXPECT_TRUE(read.ok()) << read.status().ToString();
      log::BatchIterator batches{ByteSpan(read->bytes)};
      for (auto batch = batches.Next(); batch.ok() && !batch->empty(); batch = batches.Next()) {
        log::RecordReader reader;
        EXPECT_TRUE(reader.Reset(*batch).ok());
        log::Record record;
        while (reader.Next(&record)) {
          if (record.offset >= offset && record.value) {
            values.emplace_back(AsStringView(*record.value));
          }
        }
      }
      offset = read->next_offset.value();
    }
  }
  std::sort(values.begin(), values.end());
  return values;
}

struct QueryRun {
  std::unique_ptr<LogPipelineContext> context;
  std::unique_ptr<Pipeline> pipeline;
};

QueryRun Build(NexmarkQuery query, log::Log* log, bool bounded, int parallelism,
               const std::string& output, bool checkpointing) {
  QueryRun run;
  auto ctx = LogPipelineContext::Make(log, bounded, output, {});
  EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
  run.context = std::move(*ctx);
  run.context->SetCheckpointing(checkpointing);
  run.pipeline = std::make_unique<Pipeline>(std::string(QueryName(query)), parallelism);
  Status built = NexmarkQueryDefinition(query).build(*run.pipeline, *run.context);
  EXPECT_TRUE(built.ok()) << built.ToString();
  return run;
}

struct Param {
  NexmarkQuery query;
  state::BackendKind backend;
};

class RecoveryTest : public ::testing::TestWithParam<Param> {};

TEST_P(RecoveryTest, CancelledAndRestoredRunsWriteExactlyTheUninterruptedOutput) {
  const NexmarkQuery query = GetParam().query;
  eddy::testing::TempDir dir;
  auto log = OpenLog(dir.Sub("log"));
  GeneratorConfig config;
  config.seed = 11;
  config.num_events = 60'000;
  config.events_per_second = 1'000;
  ASSERT_TRUE(WriteNexmarkTopics(*log, config, 3).ok());

  // The reference: one uninterrupted bounded run.
  {
    QueryRun reference = Build(query, log.get(), /*bounded=*/true, 2, "topic:reference", false);
    RunOptions options;
    options.bounded = true;
    auto summary = reference.pipeline->Run(options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }
  const std::vector<std::string> expected = TopicValues(*log, "reference");
  ASSERT_GT(expected.size(), 10u) << "too few results for the test to mean anything";

  engine::CheckpointConfig checkpoints;
  checkpoints.dir = dir.Sub("checkpoints");
  checkpoints.work_dir = dir.Sub("state");
  checkpoints.interval_ms = 15;
  checkpoints.backend = GetParam().backend;
  checkpoints.keep = 2;
  checkpoint::CheckpointStore store(FileSystem::Default(), checkpoints.dir, checkpoints.keep);

  std::mt19937 rng(5);
  int restored = 0;
  const int parallelisms[] = {2, 3, 1, 2, 4, 2, 3, 1};
  for (int parallelism : parallelisms) {
    auto latest = store.LoadLatest();
    ASSERT_TRUE(latest.ok()) << latest.status().ToString();
    RunOptions options;
    options.checkpoint = checkpoints;
    if (latest->has_value()) {
      options.checkpoint.restore =
          std::make_shared<const checkpoint::LoadedCheckpoint>(std::move(**latest));
      ++restored;
    }
    QueryRun run = Build(query, log.get(), /*bounded=*/false, parallelism, "topic:out", true);
    auto job = run.pipeline->Start(options);
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    // Let each run complete a checkpoint (so that the runs make progress), then stop it
    // at a random moment, often in the middle of the next one.
    for (int i = 0; i < 400 && (*job)->progress().checkpoints == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 40));
    (*job)->Stop();  // a cancel: nothing uncommitted becomes visible, as in a crash
    ASSERT_TRUE((*job)->Wait().ok());
  }
  EXPECT_GE(restored, 7) << "the runs were too short to complete checkpoints";

  // Finish from the newest checkpoint as a bounded run, to the end of the input.
  auto latest = store.LoadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  RunOptions finish;
  finish.bounded = true;
  finish.checkpoint.restore =
      std::make_shared<const checkpoint::LoadedCheckpoint>(std::move(**latest));
  finish.checkpoint.backend = GetParam().backend;
  finish.checkpoint.work_dir = dir.Sub("state");
  QueryRun last = Build(query, log.get(), /*bounded=*/true, 2, "topic:out", false);
  auto summary = last.pipeline->Run(finish);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();

  const std::vector<std::string> actual = TopicValues(*log, "out");
  EXPECT_EQ(actual.size(), expected.size());
  EXPECT_TRUE(actual == expected) << "the output differs from the uninterrupted run's";
}

INSTANTIATE_TEST_SUITE_P(Queries, RecoveryTest,
                         ::testing::Values(Param{NexmarkQuery::kQ5, state::BackendKind::kMemory},
                                           Param{NexmarkQuery::kQ5, state::BackendKind::kRocksDb},
                                           Param{NexmarkQuery::kQ8, state::BackendKind::kMemory},
                                           Param{NexmarkQuery::kQ8, state::BackendKind::kRocksDb}),
                         [](const auto& info) {
                           return std::string(QueryName(info.param.query)) + "_" +
                                  std::string(state::BackendKindName(info.param.backend));
                         });

// Writes garbage into the newest checkpoint's state snapshot files.
void DamageState(const std::string& checkpoint_path) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(checkpoint_path)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name == checkpoint::kManifestFile || name.ends_with(".meta")) continue;
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(entry.file_size() / 2));
    f.write("garbage!", 8);
  }
}

TEST(RecoveryFallbackTest, ADamagedNewestCheckpointIsSkippedForThePreviousOne) {
  eddy::testing::TempDir dir;
  auto log = OpenLog(dir.Sub("log"));
  GeneratorConfig config;
  config.seed = 3;
  config.num_events = 30'000;
  config.events_per_second = 1'000;
  ASSERT_TRUE(WriteNexmarkTopics(*log, config, 3).ok());
  engine::CheckpointConfig checkpoints;
  checkpoints.dir = dir.Sub("checkpoints");
  checkpoints.interval_ms = 10;
  checkpoints.keep = 5;
  QueryRun run = Build(NexmarkQuery::kQ5, log.get(), false, 2, "topic:out", true);
  RunOptions options;
  options.checkpoint = checkpoints;
  auto job = run.pipeline->Start(options);
  ASSERT_TRUE(job.ok());
  for (int i = 0; i < 500 && (*job)->progress().checkpoints < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (*job)->Stop();
  ASSERT_TRUE((*job)->Wait().ok());
  checkpoint::CheckpointStore store(FileSystem::Default(), checkpoints.dir, checkpoints.keep);
  auto newest = store.LoadLatest();
  ASSERT_TRUE(newest.ok() && newest->has_value());
  const int64_t newest_id = (*newest)->manifest.id;

  // A damaged manifest: LoadLatest skips it.
  {
    std::fstream f(JoinPath(store.PathOf(newest_id), checkpoint::kManifestFile),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.write("XX", 2);
  }
  auto fallback = store.LoadLatest();
  ASSERT_TRUE(fallback.ok() && fallback->has_value());
  EXPECT_LT((*fallback)->manifest.id, newest_id);

  // Damaged state under an intact manifest: restoring fails with Corruption naming it.
  DamageState((*fallback)->path);
  QueryRun again = Build(NexmarkQuery::kQ5, log.get(), false, 2, "topic:out", true);
  RunOptions restore = options;
  restore.checkpoint.restore =
      std::make_shared<const checkpoint::LoadedCheckpoint>(std::move(**fallback));
  auto failed = again.pipeline->Start(restore);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsCorruption()) << failed.status().ToString();
}

}  // namespace
}  // namespace eddy::nexmark
