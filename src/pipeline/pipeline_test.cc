// The public API end to end: pipelines built with include/eddy, run by the engine over
// in-memory sources, checked against plain loops.

#include "include/eddy/pipeline.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "src/engine/memory_source.h"

namespace eddy {
namespace {

using namespace std::chrono_literals;
using engine::Col;
using engine::MemorySourceOptions;
using engine::MemoryTable;

WindowOptions LatenessOf(Milliseconds lateness) {
  WindowOptions options;
  options.allowed_lateness = lateness;
  return options;
}

WindowOptions EmitEvery(Milliseconds every) {
  WindowOptions options;
  options.emit_every = every;
  return options;
}

RunOptions BoundedRun() {
  RunOptions options;
  options.bounded = true;
  return options;
}

SchemaRef Clicks() {
  return MakeSchema({{"user", DataType::kInt64, false},
                     {"page", DataType::kString, false},
                     {"ms", DataType::kInt64, false}});
}

// `splits` splits of clicks with event times that wander up to `disorder_ms` backwards.
std::vector<std::vector<Batch>> RandomClicks(int splits, int rows, int64_t disorder_ms,
                                             uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<Batch>> out(splits);
  for (int s = 0; s < splits; ++s) {
    Batch b(Clicks());
    for (int i = 0; i < rows; ++i) {
      const int64_t t = i * 10 + static_cast<int64_t>(rng() % (disorder_ms + 1)) * -1 + 1000;
      b.column(0).AppendInt(rng() % 20);
      b.column(1).AppendString(rng() % 3 == 0 ? "/home" : "/cart");
      b.column(2).AppendInt(t);
      b.CommitRow(t);
      if (b.num_rows() == 64) {
        out[s].push_back(std::move(b));
        b = Batch(Clicks());
      }
    }
    if (!b.empty()) out[s].push_back(std::move(b));
  }
  return out;
}

std::map<std::pair<int64_t, int64_t>, int64_t> CountsPerUserAndSecond(
    const std::vector<std::vector<Batch>>& splits) {
  std::map<std::pair<int64_t, int64_t>, int64_t> counts;
  for (const auto& split : splits) {
    for (const Batch& b : split) {
      for (size_t r = 0; r < b.num_rows(); ++r) {
        const int64_t t = b.event_time(r);
        counts[{b.column(0).ints()[r], t - t % 1000}]++;
      }
    }
  }
  return counts;
}

TEST(PipelineTest, KeyedTumblingCountIsTheSameAtEveryParallelism) {
  auto splits = RandomClicks(4, 2000, /*disorder_ms=*/50, 3);
  const auto expected = CountsPerUserAndSecond(splits);
  for (int parallelism : {1, 2, 4}) {
    Pipeline p("clicks-per-second", parallelism);
    MemorySourceOptions so;
    so.splits = splits;
    so.max_out_of_orderness_ms = 50;
    auto table = std::make_shared<MemoryTable>();
    p.Source("clicks", Clicks(), engine::MakeMemorySource(Clicks(), so))
        .KeyBy({"user"})
        .Window(Tumbling(1s))
        .Aggregate({engine::Count("clicks")})
        .To("collect", engine::MakeMemorySink(table));
    RunOptions options;
    options.bounded = true;
    auto summary = p.Run(options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->events_in, 8000u);
    EXPECT_EQ(summary->late_events, 0u);
    std::map<std::pair<int64_t, int64_t>, int64_t> got;
    Batch all = table->Rows(engine::MakeSchema({{"user", DataType::kInt64},
                                                {"window_start", DataType::kTimestamp},
                                                {"window_end", DataType::kTimestamp},
                                                {"clicks", DataType::kInt64}}));
    for (size_t r = 0; r < all.num_rows(); ++r) {
      got[{all.column(0).ints()[r], all.column(1).ints()[r]}] = all.column(3).ints()[r];
    }
    EXPECT_EQ(got, expected) << "parallelism " << parallelism;
  }
}

TEST(PipelineTest, FilterAndSelectWithExpressions) {
  auto splits = RandomClicks(2, 500, 0, 9);
  Pipeline p("home-clicks", 2);
  MemorySourceOptions so;
  so.splits = splits;
  auto table = std::make_shared<MemoryTable>();
  p.Source("clicks", Clicks(), engine::MakeMemorySource(Clicks(), so))
      .Filter(Col("page") == "/home" && Col("user") % 2 == 0)
      .Select({{"user", Col("user")}, {"second", Col("ms") / 1000}})
      .To("collect", engine::MakeMemorySink(table));
  RunOptions options;
  options.bounded = true;
  ASSERT_TRUE(p.Run(options).ok());
  std::multiset<std::pair<int64_t, int64_t>> expected, got;
  for (const auto& split : splits) {
    for (const Batch& b : split) {
      for (size_t r = 0; r < b.num_rows(); ++r) {
        if (b.column(1).StringAt(r) == "/home" && b.column(0).ints()[r] % 2 == 0) {
          expected.insert({b.column(0).ints()[r], b.column(2).ints()[r] / 1000});
        }
      }
    }
  }
  Batch all = table->Rows(MakeSchema({{"user", DataType::kInt64}, {"second", DataType::kInt64}}));
  for (size_t r = 0; r < all.num_rows(); ++r) {
    got.insert({all.column(0).ints()[r], all.column(1).ints()[r]});
  }
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(got, expected);
}

TEST(PipelineTest, ABuildingMistakeIsReportedByRunNamingTheStep) {
  Pipeline p("typo", 1);
  MemorySourceOptions so;
  so.splits = RandomClicks(1, 10, 0, 1);
  auto table = std::make_shared<MemoryTable>();
  p.Source("clicks", Clicks(), engine::MakeMemorySource(Clicks(), so))
      .Filter(Col("prise") > 3)
      .KeyBy({"user"})
      .Window(Tumbling(1s))
      .Aggregate({engine::Count("n")})
      .To("collect", engine::MakeMemorySink(table));
  auto summary = p.Run(BoundedRun());
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("prise"), std::string::npos)
      << summary.status().ToString();
  EXPECT_NE(summary.status().message().find("filter"), std::string::npos);
}

TEST(PipelineTest, AllowedLatenessTurnsALateRowIntoAnUpdate) {
  // Split 0: t=100, then t=2500 (closes [0, 1000)), then a late t=200 within lateness.
  Batch b(Clicks());
  for (int64_t t : {100, 2500, 200}) {
    b.column(0).AppendInt(1);
    b.column(1).AppendString("/home");
    b.column(2).AppendInt(t);
    b.CommitRow(t);
  }
  std::vector<std::vector<Batch>> splits(1);
  // One row per poll so that the watermark moves between them.
  for (size_t r = 0; r < b.num_rows(); ++r) {
    splits[0].push_back(b.Select(std::vector<uint32_t>{static_cast<uint32_t>(r)}));
  }
  Pipeline p("late", 1);
  MemorySourceOptions so;
  so.splits = splits;
  auto table = std::make_shared<MemoryTable>();
  p.Source("clicks", Clicks(), engine::MakeMemorySource(Clicks(), so))
      .KeyBy({"user"})
      .Window(Tumbling(1s))
      .Aggregate({engine::Count("n")}, LatenessOf(5s))
      .To("collect", engine::MakeMemorySink(table));
  RunOptions options;
  options.bounded = true;
  options.max_batch_rows = 1;
  auto summary = p.Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  Batch all = table->Rows(MakeSchema({{"user", DataType::kInt64},
                                      {"window_start", DataType::kTimestamp},
                                      {"window_end", DataType::kTimestamp},
                                      {"n", DataType::kInt64}}));
  // [0,1000): +I n=1, then -U n=1 / +U n=2; [2000,3000): +I n=1.
  std::vector<std::tuple<ChangeKind, int64_t, int64_t>> got;
  for (size_t r = 0; r < all.num_rows(); ++r) {
    got.emplace_back(all.change(r), all.column(1).ints()[r], all.column(3).ints()[r]);
  }
  std::vector<std::tuple<ChangeKind, int64_t, int64_t>> expected = {
      {ChangeKind::kInsert, 0, 1},
      {ChangeKind::kUpdateBefore, 0, 1},
      {ChangeKind::kUpdateAfter, 0, 2},
      {ChangeKind::kInsert, 2000, 1}};
  EXPECT_EQ(got, expected) << all.ToString();
  EXPECT_EQ(summary->late_events, 0u);
}

TEST(PipelineTest, RowsPastAllowedLatenessAreCountedAndGoToTheLateDataSink) {
  std::vector<std::vector<Batch>> splits(1);
  for (int64_t t : {100, 2500, 200}) {
    Batch b(Clicks());
    b.column(0).AppendInt(1);
    b.column(1).AppendString("/home");
    b.column(2).AppendInt(t);
    b.CommitRow(t);
    splits[0].push_back(std::move(b));
  }
  Pipeline p("late", 1);
  MemorySourceOptions so;
  so.splits = splits;
  auto table = std::make_shared<MemoryTable>();
  auto late = std::make_shared<MemoryTable>();
  p.Source("clicks", Clicks(), engine::MakeMemorySource(Clicks(), so))
      .KeyBy({"user"})
      .Window(Tumbling(1s))
      .Aggregate({engine::Count("n")})
      .LateDataTo(engine::MakeMemorySink(late))
      .To("collect", engine::MakeMemorySink(table));
  RunOptions options;
  options.bounded = true;
  options.max_batch_rows = 1;
  auto summary = p.Run(options);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->late_events, 1u);
  EXPECT_EQ(table->num_rows(), 2u);
  // The late row itself, in the window step's input schema, reached the late-data sink.
  Batch late_rows = late->Rows(Clicks());
  ASSERT_EQ(late_rows.num_rows(), 1u);
  EXPECT_EQ(late_rows.column(2).ints()[0], 200);
}

TEST(PipelineTest, ProcessingTimeTriggerEmitsBeforeTheWindowCloses) {
  // An unbounded source whose window never closes: only the trigger emits.
  std::vector<std::vector<Batch>> splits(1);
  Batch b(Clicks());
  for (int i = 0; i < 5; ++i) {
    b.column(0).AppendInt(7);
    b.column(1).AppendString("/cart");
    b.column(2).AppendInt(100 + i);
    b.CommitRow(100 + i);
  }
  splits[0].push_back(std::move(b));
  Pipeline p("micro-batch", 1);
  MemorySourceOptions so;
  so.splits = splits;
  so.keep_open = true;
  auto table = std::make_shared<MemoryTable>();
  p.Source("clicks", Clicks(), engine::MakeMemorySource(Clicks(), so))
      .KeyBy({"user"})
      .Window(Tumbling(std::chrono::hours(1)))
      .Aggregate({engine::Count("n")}, EmitEvery(50ms))
      .To("collect", engine::MakeMemorySink(table));
  auto job = p.Start(RunOptions{});
  ASSERT_TRUE(job.ok());
  for (int i = 0; i < 300 && table->num_rows() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (*job)->Stop();
  ASSERT_TRUE((*job)->Wait().ok());
  Batch all = table->Rows(MakeSchema({{"user", DataType::kInt64},
                                      {"window_start", DataType::kTimestamp},
                                      {"window_end", DataType::kTimestamp},
                                      {"n", DataType::kInt64}}));
  ASSERT_GE(all.num_rows(), 1u);
  EXPECT_EQ(all.column(3).ints()[0], 5);
}

TEST(PipelineTest, UnionMergesStreamsAndTheirWatermarks) {
  auto a = RandomClicks(1, 300, 0, 11);
  auto b = RandomClicks(1, 300, 0, 12);
  Pipeline p("union", 2);
  MemorySourceOptions sa, sb;
  sa.splits = a;
  sb.splits = b;
  auto table = std::make_shared<MemoryTable>();
  Stream first = p.Source("a", Clicks(), engine::MakeMemorySource(Clicks(), sa));
  Stream second = p.Source("b", Clicks(), engine::MakeMemorySource(Clicks(), sb));
  first.Union(second)
      .KeyBy({"user"})
      .Window(Tumbling(1s))
      .Aggregate({engine::Count("clicks")})
      .To("collect", engine::MakeMemorySink(table));
  auto summary = p.Run(BoundedRun());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->late_events, 0u);
  auto both = a;
  both.push_back(b[0]);
  int64_t expected_total = 600, total = 0;
  Batch all = table->Rows(MakeSchema({{"user", DataType::kInt64},
                                      {"window_start", DataType::kTimestamp},
                                      {"window_end", DataType::kTimestamp},
                                      {"clicks", DataType::kInt64}}));
  for (size_t r = 0; r < all.num_rows(); ++r) total += all.column(3).ints()[r];
  EXPECT_EQ(total, expected_total);
  std::map<std::pair<int64_t, int64_t>, int64_t> got;
  for (size_t r = 0; r < all.num_rows(); ++r) {
    got[{all.column(0).ints()[r], all.column(1).ints()[r]}] += all.column(3).ints()[r];
  }
  EXPECT_EQ(got, CountsPerUserAndSecond(both));
}

}  // namespace
}  // namespace eddy
