#include "src/engine/job.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "src/engine/key_codec.h"
#include "src/engine/memory_source.h"

namespace eddy::engine {
namespace {

SchemaRef KeyValueSchema() {
  return MakeSchema({{"key", DataType::kInt64}, {"value", DataType::kInt64}});
}

// Counts rows per key and emits (key, count) at the end of input.
class CountAtEnd final : public Operator {
 public:
  SchemaRef output_schema() const override { return KeyValueSchema(); }
  Status OnBatch(int, Batch batch, Output&) override {
    for (size_t r = 0; r < batch.num_rows(); ++r) counts_[batch.column(0).ints()[r]]++;
    return Status::OK();
  }
  Status OnEndOfInput(Output& out) override {
    Batch b(KeyValueSchema());
    for (auto [k, n] : counts_) {
      b.column(0).AppendInt(k);
      b.column(1).AppendInt(n);
      b.CommitRow(0);
    }
    out.Emit(std::move(b));
    return Status::OK();
  }

 private:
  std::map<int64_t, int64_t> counts_;
};

// Counts rows per 10 ms tumbling window of event time and emits (window_start, count)
// when the watermark passes the window; rows behind the watermark go to EmitLate.
class WindowCount final : public Operator {
 public:
  SchemaRef output_schema() const override { return KeyValueSchema(); }
  Status OnBatch(int, Batch batch, Output& out) override {
    Batch late(batch.schema());
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const EventTimeMs t = batch.event_time(r);
      if (t <= watermark_) {
        late.AppendRow(batch, r);
        continue;
      }
      counts_[t - t % 10]++;
    }
    out.EmitLate(std::move(late));
    return Status::OK();
  }
  Status OnWatermark(EventTimeMs w, Output& out) override {
    watermark_ = w;
    Batch b(KeyValueSchema());
    while (!counts_.empty() && counts_.begin()->first + 9 <= w) {
      b.column(0).AppendInt(counts_.begin()->first);
      b.column(1).AppendInt(counts_.begin()->second);
      b.CommitRow(counts_.begin()->first + 9);
      counts_.erase(counts_.begin());
    }
    out.Emit(std::move(b));
    return Status::OK();
  }

 private:
  EventTimeMs watermark_ = kMinWatermark;
  std::map<int64_t, int64_t> counts_;
};

OperatorFactory Factory(std::function<std::unique_ptr<Operator>()> make) {
  return [make]() -> Result<std::unique_ptr<Operator>> { return make(); };
}

// Splits of rows (key, value) with increasing event times.
std::vector<std::vector<Batch>> RandomSplits(int splits, int rows_per_split, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<Batch>> out(splits);
  for (int s = 0; s < splits; ++s) {
    Batch b(KeyValueSchema());
    for (int i = 0; i < rows_per_split; ++i) {
      b.column(0).AppendInt(rng() % 50);
      b.column(1).AppendInt(i);
      b.CommitRow(i);
      if (b.num_rows() == 97) {
        out[s].push_back(std::move(b));
        b = Batch(KeyValueSchema());
      }
    }
    if (!b.empty()) out[s].push_back(std::move(b));
  }
  return out;
}

std::map<int64_t, int64_t> RunKeyedCount(int parallelism,
                                         const std::vector<std::vector<Batch>>& splits) {
  Dataflow df;
  MemorySourceOptions so;
  so.splits = splits;
  int src = df.AddSource("numbers", KeyValueSchema(), MakeMemorySource(KeyValueSchema(), so),
                         parallelism);
  int count = df.AddOperator("count", KeyValueSchema(),
                             Factory([] { return std::make_unique<CountAtEnd>(); }), parallelism);
  auto table = std::make_shared<MemoryTable>();
  int sink = df.AddSink("collect", MakeMemorySink(table), parallelism);
  df.Connect(src, count, 0, Partitioning::kHash, {0});
  df.Connect(count, sink, 0, Partitioning::kForward);
  JobOptions options;
  options.bounded = true;
  auto job = Job::Start(std::move(df), options);
  EXPECT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_TRUE((*job)->Wait().ok());
  Batch rows = table->Rows(KeyValueSchema());
  std::map<int64_t, int64_t> result;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    // Each key must be counted by exactly one instance.
    EXPECT_EQ(result.count(rows.column(0).ints()[r]), 0u);
    result[rows.column(0).ints()[r]] = rows.column(1).ints()[r];
  }
  return result;
}

TEST(JobTest, HashExchangeGivesTheSameResultAtParallelismOneTwoAndFour) {
  auto splits = RandomSplits(5, 3000, 7);
  std::map<int64_t, int64_t> expected;
  for (auto& split : splits) {
    for (auto& b : split) {
      for (size_t r = 0; r < b.num_rows(); ++r) expected[b.column(0).ints()[r]]++;
    }
  }
  EXPECT_EQ(RunKeyedCount(1, splits), expected);
  EXPECT_EQ(RunKeyedCount(2, splits), expected);
  EXPECT_EQ(RunKeyedCount(4, splits), expected);
}

TEST(JobTest, WatermarkIsTheMinimumOverInputsSoNoRowIsLate) {
  // Split 0 runs far ahead in event time within each poll; split 1 trails. With the
  // watermark merged as the minimum over the two source instances, no row is late.
  std::vector<std::vector<Batch>> splits(2);
  for (int s = 0; s < 2; ++s) {
    Batch b(KeyValueSchema());
    for (int i = 0; i < 20000; ++i) {
      b.column(0).AppendInt(s);
      b.column(1).AppendInt(i);
      b.CommitRow(s == 0 ? i * 10 : i);
      if (b.num_rows() == 100) {
        splits[s].push_back(std::move(b));
        b = Batch(KeyValueSchema());
      }
    }
  }
  Dataflow df;
  MemorySourceOptions so;
  so.splits = splits;
  int src = df.AddSource("rows", KeyValueSchema(), MakeMemorySource(KeyValueSchema(), so), 2);
  int win = df.AddOperator("window", KeyValueSchema(),
                           Factory([] { return std::make_unique<WindowCount>(); }), 1);
  auto table = std::make_shared<MemoryTable>();
  int sink = df.AddSink("collect", MakeMemorySink(table), 1);
  df.Connect(src, win, 0, Partitioning::kGather);
  df.Connect(win, sink, 0, Partitioning::kForward);
  JobOptions options;
  options.bounded = true;
  options.max_batch_rows = 100;
  auto job = Job::Start(std::move(df), options);
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE((*job)->Wait().ok());
  EXPECT_EQ((*job)->progress().late_events, 0u);
  EXPECT_EQ((*job)->progress().events_in, 40000u);
  int64_t total = 0;
  Batch rows = table->Rows(KeyValueSchema());
  for (size_t r = 0; r < rows.num_rows(); ++r) total += rows.column(1).ints()[r];
  EXPECT_EQ(total, 40000);
}

TEST(JobTest, AnIdleInputDoesNotStallWindows) {
  // One source has rows up to t=99 and ends; the other has none and stays open: only
  // its idleness lets the watermark pass the windows.
  std::vector<std::vector<Batch>> data(1);
  Batch b(KeyValueSchema());
  for (int i = 0; i < 100; ++i) {
    b.column(0).AppendInt(0);
    b.column(1).AppendInt(i);
    b.CommitRow(i);
  }
  data[0].push_back(std::move(b));
  Dataflow df;
  MemorySourceOptions with_data;
  with_data.splits = data;
  MemorySourceOptions quiet;
  quiet.splits.resize(1);
  quiet.keep_open = true;
  quiet.idle_timeout_ms = 200;
  int a = df.AddSource("data", KeyValueSchema(), MakeMemorySource(KeyValueSchema(), with_data), 1);
  int q = df.AddSource("quiet", KeyValueSchema(), MakeMemorySource(KeyValueSchema(), quiet), 1);
  int win = df.AddOperator("window", KeyValueSchema(),
                           Factory([] { return std::make_unique<WindowCount>(); }), 1);
  auto table = std::make_shared<MemoryTable>();
  int sink = df.AddSink("collect", MakeMemorySink(table), 1);
  df.Connect(a, win, 0, Partitioning::kForward);
  df.Connect(q, win, 0, Partitioning::kForward);
  df.Connect(win, sink, 0, Partitioning::kForward);
  auto job = Job::Start(std::move(df), JobOptions{});
  ASSERT_TRUE(job.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(table->num_rows(), 0u) << "windows fired before the quiet input went idle";
  for (int i = 0; i < 500 && table->num_rows() < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(table->num_rows(), 10u);
  (*job)->Stop();
  EXPECT_TRUE((*job)->Wait().ok());
}

// An endless source that counts what it produced.
class EndlessSource final : public Source {
 public:
  explicit EndlessSource(std::atomic<uint64_t>* produced) : produced_(produced) {}
  SchemaRef schema() const override { return KeyValueSchema(); }
  Status Open(const SourceContext&) override { return Status::OK(); }
  Result<SourceState> Poll(Batch& out, size_t max_rows, int) override {
    for (size_t i = 0; i < max_rows; ++i) {
      out.column(0).AppendInt(static_cast<int64_t>(next_ % 7));
      out.column(1).AppendInt(static_cast<int64_t>(next_));
      out.CommitRow(static_cast<int64_t>(next_++));
    }
    produced_->fetch_add(max_rows);
    return SourceState::kMore;
  }
  EventTimeMs watermark() const override { return static_cast<int64_t>(next_) - 1; }

 private:
  std::atomic<uint64_t>* produced_;
  uint64_t next_ = 0;
};

class SlowSink final : public Sink {
 public:
  explicit SlowSink(std::atomic<uint64_t>* consumed) : consumed_(consumed) {}
  Status Open(const SinkContext&) override { return Status::OK(); }
  Status Write(const Batch& batch) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    consumed_->fetch_add(batch.num_rows());
    return Status::OK();
  }
  Status Finish() override { return Status::OK(); }
  uint64_t rows_written() const override { return consumed_->load(); }

 private:
  std::atomic<uint64_t>* consumed_;
};

TEST(JobTest, ASlowSinkHoldsBackTheSourceInsteadOfFillingMemory) {
  std::atomic<uint64_t> produced{0}, consumed{0};
  Dataflow df;
  int src = df.AddSource(
      "endless", KeyValueSchema(),
      [&]() -> Result<std::unique_ptr<Source>> { return std::make_unique<EndlessSource>(&produced); },
      1);
  int sink = df.AddSink(
      "slow", [&]() -> Result<std::unique_ptr<Sink>> { return std::make_unique<SlowSink>(&consumed); },
      2);
  df.Connect(src, sink, 0, Partitioning::kHash, {0});
  JobOptions options;
  options.max_batch_rows = 1000;
  options.channel_capacity = 4;
  auto job = Job::Start(std::move(df), options);
  ASSERT_TRUE(job.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const uint64_t in_flight = produced.load() - consumed.load();
  (*job)->Stop();
  ASSERT_TRUE((*job)->Wait().ok());
  // Two sink channels of 4 batches plus the batch being split: at most ~10 batches.
  EXPECT_LE(in_flight, 10u * 1000u);
  EXPECT_GT(consumed.load(), 0u);
}

TEST(JobTest, AnOperatorErrorStopsTheJobAndNamesTheTask) {
  class Failing final : public Operator {
   public:
    SchemaRef output_schema() const override { return KeyValueSchema(); }
    Status OnBatch(int, Batch, Output&) override { return Status::InvalidArgument("bad row"); }
  };
  Dataflow df;
  MemorySourceOptions so;
  so.splits = RandomSplits(1, 100, 1);
  int src = df.AddSource("rows", KeyValueSchema(), MakeMemorySource(KeyValueSchema(), so), 1);
  int op = df.AddOperator("failing", KeyValueSchema(),
                          Factory([] { return std::make_unique<Failing>(); }), 1);
  auto table = std::make_shared<MemoryTable>();
  int sink = df.AddSink("collect", MakeMemorySink(table), 1);
  df.Connect(src, op, 0, Partitioning::kForward);
  df.Connect(op, sink, 0, Partitioning::kForward);
  JobOptions options;
  options.bounded = true;
  auto job = Job::Start(std::move(df), options);
  ASSERT_TRUE(job.ok());
  Status s = (*job)->Wait();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("failing"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("bad row"), std::string::npos);
}

TEST(JobTest, ValidateNamesAnUnconnectedInput) {
  Dataflow df;
  df.AddOperator("lonely", KeyValueSchema(), Factory([] { return std::make_unique<CountAtEnd>(); }),
                 1);
  Status s = df.Validate();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("lonely"), std::string::npos);
}

}  // namespace
}  // namespace eddy::engine
