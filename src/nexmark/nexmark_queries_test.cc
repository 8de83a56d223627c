// Every Nexmark query, run by the engine, against the plain reference loops of
// nexmark_reference.cc: from the generator at parallelism 1, 2 and 4, from the log's
// topics (JSON decoding) bounded, and from the topics unbounded while they are being
// written (then drained) — all must give the same final results.

#include "src/nexmark/nexmark_queries.h"

#include <gtest/gtest.h>

#include <thread>

#include "src/engine/memory_source.h"
#include "src/log/log.h"
#include "src/nexmark/nexmark_query.h"
#include "src/nexmark/nexmark_reference.h"
#include "src/nexmark/nexmark_topics.h"
#include "src/pipeline/log_pipeline_context.h"
#include "tests/util/temp_dir.h"

namespace eddy::nexmark {
namespace {

GeneratorConfig SmallConfig() {
  GeneratorConfig config;
  config.seed = 7;
  config.num_events = 40'000;
  // 1,000 events per second of event time: 40 s, so several 10 s windows, sessions and
  // auction lifetimes.
  config.events_per_second = 1'000;
  return config;
}

std::vector<std::string> GeneratorSettings(const GeneratorConfig& c) {
  return {"source=generator", "events=" + std::to_string(c.num_events),
          "seed=" + std::to_string(c.seed), "rate=" + std::to_string(c.events_per_second)};
}

// Builds the query's pipeline with its output in memory.
struct QueryRun {
  std::unique_ptr<LogPipelineContext> context;
  std::unique_ptr<Pipeline> pipeline;
  std::shared_ptr<engine::MemoryTable> table = std::make_shared<engine::MemoryTable>();
};

QueryRun Build(NexmarkQuery query, log::Log* log, bool bounded, int parallelism,
          const std::vector<std::string>& settings) {
  QueryRun run;
  auto ctx = LogPipelineContext::Make(log, bounded, "", settings);
  EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
  run.context = std::move(*ctx);
  run.context->SetMemoryOutput(run.table);
  run.pipeline = std::make_unique<Pipeline>(std::string(QueryName(query)), parallelism);
  Status built = NexmarkQueryDefinition(query).build(*run.pipeline, *run.context);
  EXPECT_TRUE(built.ok()) << built.ToString();
  return run;
}

Status CheckAgainstReference(const QueryResult& expected, const QueryRun& run) {
  engine::Batch rows = run.table->Rows(run.pipeline->status().ok() ? expected.schema : nullptr);
  auto table = ApplyChangelog(rows);
  if (!table.ok()) return table.status();
  return CompareResults(expected, std::move(*table));
}

Status RunBounded(NexmarkQuery query, log::Log* log, int parallelism,
                  const std::vector<std::string>& settings, const QueryResult& expected) {
  QueryRun run = Build(query, log, /*bounded=*/true, parallelism, settings);
  RunOptions options;
  options.bounded = true;
  ASSIGN_OR_RETURN(RunSummary summary, run.pipeline->Run(options));
  if (summary.late_events != 0) {
    return Status::Internal(std::to_string(summary.late_events) + " late events");
  }
  return CheckAgainstReference(expected, run);
}

class NexmarkQueryTest : public ::testing::TestWithParam<NexmarkQuery> {
 protected:
  static void SetUpTestSuite() {
    config_ = new GeneratorConfig(SmallConfig());
    events_ = new NexmarkEvents(GenerateEvents(*config_));
  }
  static void TearDownTestSuite() {
    delete events_;
    delete config_;
  }
  QueryResult Expected() const { return ReferenceResult(GetParam(), *events_); }

  static GeneratorConfig* config_;
  static NexmarkEvents* events_;
};

GeneratorConfig* NexmarkQueryTest::config_ = nullptr;
NexmarkEvents* NexmarkQueryTest::events_ = nullptr;

std::unique_ptr<log::Log> OpenLog(const std::string& dir) {
  log::LogOptions options;
  options.data_dir = dir;
  options.durability = *log::ParseDurability("never");
  auto log = log::Log::Open(options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(*log);
}

TEST_P(NexmarkQueryTest, GeneratorRunsMatchTheReferenceAtParallelismOneTwoAndFour) {
  const QueryResult expected = Expected();
  ASSERT_FALSE(expected.rows.empty()) << "the reference has no rows: the test would prove nothing";
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  for (int parallelism : {1, 2, 4}) {
    Status s = RunBounded(GetParam(), log.get(), parallelism, GeneratorSettings(*config_), expected);
    EXPECT_TRUE(s.ok()) << "parallelism " << parallelism << ": " << s.ToString();
  }
}

TEST_P(NexmarkQueryTest, BoundedRunOverTheTopicsMatchesTheReference) {
  const QueryResult expected = Expected();
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  ASSERT_TRUE(WriteNexmarkTopics(*log, *config_, 3).ok());
  Status s = RunBounded(GetParam(), log.get(), 2, {}, expected);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_P(NexmarkQueryTest, UnboundedRunWhileTopicsAreWrittenEndsWithTheSameResults) {
  const QueryResult expected = Expected();
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  // The topics exist (empty) before the pipeline starts; the events arrive while it runs.
  GeneratorConfig none = *config_;
  none.num_events = 0;
  ASSERT_TRUE(WriteNexmarkTopics(*log, none, 3).ok());
  QueryRun run = Build(GetParam(), log.get(), /*bounded=*/false, 2, {});
  auto job = run.pipeline->Start(RunOptions{});
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  ASSERT_TRUE(WriteNexmarkTopics(*log, *config_, 3).ok());
  const Generator generator(*config_);
  uint64_t inputs = 0;
  for (NexmarkStream s : QueryInputs(GetParam())) {
    inputs += static_cast<uint64_t>(generator.CountBelow(s, config_->num_events));
  }
  for (int i = 0; i < 3000 && (*job)->progress().events_in < inputs; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ((*job)->progress().events_in, inputs);
  (*job)->Drain();
  ASSERT_TRUE((*job)->Wait().ok());
  EXPECT_EQ((*job)->progress().late_events, 0u);
  Status s = CheckAgainstReference(expected, run);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(AllQueries, NexmarkQueryTest,
                         ::testing::Values(NexmarkQuery::kQ0, NexmarkQuery::kQ1, NexmarkQuery::kQ2,
                                           NexmarkQuery::kQ3, NexmarkQuery::kQ4, NexmarkQuery::kQ5,
                                           NexmarkQuery::kQ7, NexmarkQuery::kQ8,
                                           NexmarkQuery::kQ11),
                         [](const auto& info) { return std::string(QueryName(info.param)); });

}  // namespace
}  // namespace eddy::nexmark
