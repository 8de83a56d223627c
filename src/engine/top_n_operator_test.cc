#include "src/engine/top_n_operator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <random>

#include "src/engine/window_aggregate_operator.h"
#include "src/engine/window_assign_operator.h"
#include "src/engine/window_test_util.h"

namespace eddy::engine {
namespace {

using testing::I;
using testing::MakeBatch;
using testing::Null;
using testing::RecordingOutput;
using testing::RenderRows;
using testing::TestRow;
using Lines = std::vector<std::string>;

/// Bids already tagged with their window: (bidder, price, window_start, window_end).
SchemaRef WindowedBids() {
  return MakeSchema({{"bidder", DataType::kInt64},
                     {"price", DataType::kInt64},
                     {"window_start", DataType::kTimestamp},
                     {"window_end", DataType::kTimestamp}});
}

/// A bid in window [0, 10) (or [10, 20) when `second`).
TestRow Bid(EventTimeMs t, int64_t bidder, std::optional<int64_t> price, bool second = false) {
  const int64_t start = second ? 10 : 0;
  return TestRow{t, {I(bidder), price ? I(*price) : Null(), I(start), I(start + 10)}};
}

TopNOptions PerWindow(int n = 1, bool with_ties = true, bool descending = true) {
  TopNOptions o;
  o.partition_by = {"window_start", "window_end"};
  o.order_by = "price";
  o.n = n;
  o.with_ties = with_ties;
  o.descending = descending;
  return o;
}

class Harness {
 public:
  explicit Harness(TopNOptions options) {
    auto op = MakeTopN(WindowedBids(), std::move(options));
    EXPECT_TRUE(op.ok()) << op.status().ToString();
    op_ = std::move(op).value();
  }
  void Feed(const std::vector<TestRow>& rows) {
    ASSERT_TRUE(op_->OnBatch(0, MakeBatch(WindowedBids(), rows), out_).ok());
  }
  Lines Watermark(EventTimeMs w) {
    EXPECT_TRUE(op_->OnWatermark(w, out_).ok());
    Lines lines = RenderRows(out_.main);
    out_.main.clear();
    return lines;
  }
  Lines Late() {
    Lines lines = RenderRows(out_.late);
    out_.late.clear();
    return lines;
  }
  Operator& op() { return *op_; }

 private:
  std::unique_ptr<Operator> op_;
  RecordingOutput out_;
};

TEST(TopNTest, OutputSchemaIsTheInputSchemaAndBadOptionsAreRejected) {
  Harness h(PerWindow());
  EXPECT_EQ(*h.op().output_schema(), *WindowedBids());
  TopNOptions o = PerWindow();
  o.n = 0;
  EXPECT_FALSE(MakeTopN(WindowedBids(), o).ok());
  o = PerWindow();
  o.order_by = "nope";
  EXPECT_FALSE(MakeTopN(WindowedBids(), o).ok());
  o = PerWindow();
  o.window_end_column = "missing";
  EXPECT_FALSE(MakeTopN(WindowedBids(), o).ok());
  SchemaRef string_end =
      MakeSchema({{"price", DataType::kInt64}, {"window_end", DataType::kString}});
  o = PerWindow();
  o.partition_by = {"window_end"};
  EXPECT_FALSE(MakeTopN(string_end, o).ok());
}

TEST(TopNTest, KeepsEveryRowTiedForTheBestAndEmitsThemWhenTheWindowCloses) {
  Harness h(PerWindow());
  h.Feed({Bid(1, 1, 5), Bid(2, 2, 9), Bid(3, 3, 9), Bid(4, 4, 3), Bid(12, 5, 1, true)});
  EXPECT_EQ(h.Watermark(8), Lines{});
  EXPECT_EQ(h.Watermark(9), (Lines{"+I t=9 | 2, 9, 0, 10", "+I t=9 | 3, 9, 0, 10"}));
  EXPECT_EQ(h.Watermark(19), (Lines{"+I t=19 | 5, 1, 10, 20"}));
}

TEST(TopNTest, BetterRowDropsTheRowsTiedBeforeIt) {
  Harness h(PerWindow());
  h.Feed({Bid(1, 1, 9), Bid(2, 2, 9)});
  h.Feed({Bid(3, 3, 12), Bid(4, 4, 12), Bid(5, 5, 11)});
  EXPECT_EQ(h.Watermark(9), (Lines{"+I t=9 | 3, 12, 0, 10", "+I t=9 | 4, 12, 0, 10"}));
}

TEST(TopNTest, TopThreeWithoutTiesKeepsTheEarliestOfEqualRows) {
  Harness h(PerWindow(3, /*with_ties=*/false));
  h.Feed({Bid(1, 1, 5), Bid(2, 2, 7), Bid(3, 3, 7), Bid(4, 4, 7), Bid(5, 5, 1), Bid(6, 6, 8)});
  EXPECT_EQ(h.Watermark(9),
            (Lines{"+I t=9 | 6, 8, 0, 10", "+I t=9 | 2, 7, 0, 10", "+I t=9 | 3, 7, 0, 10"}));
}

TEST(TopNTest, TopTwoWithTiesKeepsEveryRowEqualToTheSecond) {
  Harness h(PerWindow(2, /*with_ties=*/true));
  h.Feed({Bid(1, 1, 5), Bid(2, 2, 7), Bid(3, 3, 7), Bid(4, 4, 7), Bid(5, 5, 1)});
  h.Feed({Bid(6, 6, 9)});                // 9, 7, 7, 7: the second is 7, so every 7 stays
  h.Feed({Bid(7, 7, 8), Bid(8, 8, 8)});  // 9, 8, 8: the 7s go
  EXPECT_EQ(h.Watermark(9),
            (Lines{"+I t=9 | 6, 9, 0, 10", "+I t=9 | 7, 8, 0, 10", "+I t=9 | 8, 8, 0, 10"}));
}

TEST(TopNTest, AscendingOrderKeepsTheSmallestAndNullsRankLast) {
  Harness h(PerWindow(1, true, /*descending=*/false));
  h.Feed({Bid(1, 1, std::nullopt), Bid(2, 2, 4), Bid(3, 3, 2), Bid(4, 4, 2)});
  EXPECT_EQ(h.Watermark(9), (Lines{"+I t=9 | 3, 2, 0, 10", "+I t=9 | 4, 2, 0, 10"}));
  Harness only_nulls(PerWindow());
  only_nulls.Feed({Bid(1, 1, std::nullopt), Bid(2, 2, std::nullopt)});
  EXPECT_EQ(only_nulls.Watermark(9), (Lines{"+I t=9 | 1, null, 0, 10", "+I t=9 | 2, null, 0, 10"}));
}

TEST(TopNTest, RowsForAnEmittedPartitionAreLate) {
  Harness h(PerWindow());
  h.Feed({Bid(1, 1, 5)});
  EXPECT_EQ(h.Watermark(9), (Lines{"+I t=9 | 1, 5, 0, 10"}));
  h.Feed({Bid(2, 2, 50), Bid(11, 3, 1, true)});
  EXPECT_EQ(h.Late(), (Lines{"+I t=2 | 2, 50, 0, 10"}));
  EXPECT_EQ(h.Watermark(kMaxWatermark), (Lines{"+I t=19 | 3, 1, 10, 20"}));
  RecordingOutput out;
  ASSERT_TRUE(h.op().OnEndOfInput(out).ok());
  EXPECT_TRUE(out.main.empty());
}

TEST(TopNTest, ChangelogInputIsRejected) {
  Harness h(PerWindow());
  RecordingOutput out;
  std::vector<TestRow> rows = {Bid(1, 1, 5)};
  rows[0].kind = ChangeKind::kUpdateAfter;
  EXPECT_FALSE(h.op().OnBatch(0, MakeBatch(WindowedBids(), rows), out).ok());
}

TEST(TopNTest, RandomRowsMatchASortOfEachPartition) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    const int n = std::uniform_int_distribution<int>(1, 4)(rng);
    const bool with_ties = seed % 2 == 0;
    const bool descending = seed % 3 != 0;
    SCOPED_TRACE("seed " + std::to_string(seed) + " n " + std::to_string(n) + " ties " +
                 std::to_string(with_ties) + " descending " + std::to_string(descending));
    Harness h(PerWindow(n, with_ties, descending));
    // Two partitions, many rows each (enough to compact), prices with many ties.
    std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> rows;  // window → (price, id)
    int64_t id = 0;
    for (int batch = 0; batch < 40; ++batch) {
      std::vector<TestRow> test_rows;
      const int count = std::uniform_int_distribution<int>(1, 50)(rng);
      for (int i = 0; i < count; ++i) {
        const bool second = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
        // A slow drift makes better rows keep coming, which drops kept rows.
        const int64_t price = std::uniform_int_distribution<int64_t>(0, 8)(rng) + batch / 4;
        test_rows.push_back(Bid(1, id, price, second));
        rows[second ? 10 : 0].emplace_back(price, id);
        ++id;
      }
      h.Feed(test_rows);
    }
    Lines want;
    for (auto& [start, list] : rows) {
      std::stable_sort(list.begin(), list.end(), [&](const auto& a, const auto& b) {
        return descending ? a.first > b.first : a.first < b.first;
      });
      size_t keep = std::min<size_t>(n, list.size());
      while (with_ties && keep < list.size() && list[keep].first == list[n - 1].first) ++keep;
      for (size_t i = 0; i < keep; ++i) {
        want.push_back("+I t=" + std::to_string(start + 9) + " | " +
                       std::to_string(list[i].second) + ", " + std::to_string(list[i].first) +
                       ", " + std::to_string(start) + ", " + std::to_string(start + 10));
      }
    }
    EXPECT_EQ(h.Watermark(kMaxWatermark), want);
  }
}

/// Nexmark-style bids: (auction, bidder, price).
SchemaRef Bids() {
  return MakeSchema(
      {{"auction", DataType::kInt64}, {"bidder", DataType::kInt64}, {"price", DataType::kInt64}});
}

struct GeneratedBid {
  EventTimeMs time;
  int64_t auction;
  int64_t bidder;
  int64_t price;
};

std::vector<GeneratedBid> RandomBids(uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::vector<GeneratedBid> bids;
  for (int i = 0; i < count; ++i) {
    bids.push_back({std::uniform_int_distribution<int64_t>(0, 100'000)(rng),
                    std::uniform_int_distribution<int64_t>(0, 30)(rng),
                    std::uniform_int_distribution<int64_t>(0, 1000)(rng),
                    std::uniform_int_distribution<int64_t>(1, 200)(rng)});
  }
  // Bounded disorder: sorted by time plus up to 2 s of jitter.
  std::vector<std::pair<int64_t, GeneratedBid>> keyed;
  for (const GeneratedBid& b : bids) {
    keyed.emplace_back(b.time + std::uniform_int_distribution<int64_t>(0, 2000)(rng), b);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  bids.clear();
  for (const auto& [arrival, b] : keyed) bids.push_back(b);
  return bids;
}

/// Runs `ops` in a chain over `bids` (batches of 100, watermark 2 s behind the max time)
/// and returns the last operator's output rows.
Lines RunChain(std::vector<std::unique_ptr<Operator>>& ops, const std::vector<GeneratedBid>& bids) {
  Lines lines;
  // Pushes `batches` through ops[from..] and collects the output of the last one.
  std::function<void(size_t, std::vector<Batch>)> push = [&](size_t from,
                                                             std::vector<Batch> batches) {
    if (from == ops.size()) {
      for (const Batch& b : batches) {
        for (std::string& l : RenderRows(b)) lines.push_back(std::move(l));
      }
      return;
    }
    RecordingOutput out;
    for (Batch& b : batches) ASSERT_TRUE(ops[from]->OnBatch(0, std::move(b), out).ok());
    EXPECT_TRUE(out.late.empty()) << "stage " << from << " dropped late rows";
    push(from + 1, std::move(out.main));
  };
  std::function<void(size_t, EventTimeMs)> watermark = [&](size_t from, EventTimeMs w) {
    if (from == ops.size()) return;
    RecordingOutput out;
    ASSERT_TRUE(ops[from]->OnWatermark(w, out).ok());
    push(from + 1, std::move(out.main));
    watermark(from + 1, w);
  };
  EventTimeMs max_time = kMinWatermark;
  for (size_t i = 0; i < bids.size(); i += 100) {
    Batch b(Bids());
    for (size_t j = i; j < std::min(bids.size(), i + 100); ++j) {
      b.AppendValues(std::vector<Value>{I(bids[j].auction), I(bids[j].bidder), I(bids[j].price)},
                     bids[j].time);
      max_time = std::max(max_time, bids[j].time);
    }
    std::vector<Batch> in;
    in.push_back(std::move(b));
    push(0, std::move(in));
    watermark(0, max_time - 2001);
  }
  watermark(0, kMaxWatermark);
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(TopNTest, NexmarkQ7HighestBidPerTumblingWindowMatchesAReferenceLoop) {
  const std::vector<GeneratedBid> bids = RandomBids(11, 5000);
  std::vector<std::unique_ptr<Operator>> ops;
  ops.push_back(MakeWindowAssign(Bids(), WindowSpec::Tumbling(10'000)).value());
  ops.push_back(MakeTopN(ops[0]->output_schema(), PerWindow()).value());
  const Lines got = RunChain(ops, bids);

  std::map<int64_t, int64_t> best;  // window start → max price
  for (const GeneratedBid& b : bids) {
    const int64_t start = b.time - b.time % 10'000;
    best[start] = std::max(best[start], b.price);
  }
  Lines want;
  for (const GeneratedBid& b : bids) {
    const int64_t start = b.time - b.time % 10'000;
    if (b.price != best[start]) continue;
    want.push_back("+I t=" + std::to_string(start + 9'999) + " | " + std::to_string(b.auction) +
                   ", " + std::to_string(b.bidder) + ", " + std::to_string(b.price) + ", " +
                   std::to_string(start) + ", " + std::to_string(start + 10'000));
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(TopNTest, NexmarkQ5HottestAuctionsPerHoppingWindowMatchAReferenceLoop) {
  const std::vector<GeneratedBid> bids = RandomBids(5, 4000);
  WindowAggregateOptions count;
  count.keys = {"auction"};
  count.window = WindowSpec::Hopping(10'000, 2'000);
  count.aggregates = {Count("num")};
  TopNOptions top = PerWindow();
  top.order_by = "num";
  std::vector<std::unique_ptr<Operator>> ops;
  ops.push_back(MakeWindowAggregate(Bids(), count).value());
  ops.push_back(MakeTopN(ops[0]->output_schema(), top).value());
  const Lines got = RunChain(ops, bids);

  std::map<int64_t, std::map<int64_t, int64_t>> counts;  // window start → auction → bids
  for (const GeneratedBid& b : bids) {
    for (int64_t start = b.time - b.time % 2'000; start > b.time - 10'000; start -= 2'000) {
      ++counts[start][b.auction];
    }
  }
  Lines want;
  for (const auto& [start, per_auction] : counts) {
    int64_t hottest = 0;
    for (const auto& [auction, n] : per_auction) hottest = std::max(hottest, n);
    for (const auto& [auction, n] : per_auction) {
      if (n != hottest) continue;
      want.push_back("+I t=" + std::to_string(start + 9'999) + " | " + std::to_string(auction) +
                     ", " + std::to_string(start) + ", " + std::to_string(start + 10'000) + ", " +
                     std::to_string(n));
    }
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace eddy::engine
