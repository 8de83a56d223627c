#include "src/engine/group_aggregate_operator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "src/engine/window_test_util.h"

namespace eddy::engine {
namespace {

using testing::ChangelogTable;
using testing::I;
using testing::MakeBatch;
using testing::Null;
using testing::RecordingOutput;
using testing::RenderRows;
using testing::TestRow;
using Lines = std::vector<std::string>;

constexpr ChangeKind kIns = ChangeKind::kInsert;
constexpr ChangeKind kDel = ChangeKind::kDelete;
constexpr ChangeKind kBefore = ChangeKind::kUpdateBefore;
constexpr ChangeKind kAfter = ChangeKind::kUpdateAfter;

SchemaRef Prices() {
  return MakeSchema({{"auction", DataType::kInt64}, {"price", DataType::kInt64}});
}

class Harness {
 public:
  Harness(GroupAggregateOptions options, SchemaRef input = Prices()) : input_(input) {
    auto op = MakeGroupAggregate(std::move(input), std::move(options));
    EXPECT_TRUE(op.ok()) << op.status().ToString();
    op_ = std::move(op).value();
  }
  /// Feeds (time, auction, price, kind) rows as one batch and returns what came out.
  Lines Feed(const std::vector<TestRow>& rows) {
    EXPECT_TRUE(op_->OnBatch(0, MakeBatch(input_, rows), out_).ok());
    Lines lines = RenderRows(out_.main);
    table_.Apply(out_.main);
    out_.main.clear();
    return lines;
  }
  Lines Table() const { return table_.Rows(); }
  Operator& op() { return *op_; }

 private:
  SchemaRef input_;
  std::unique_ptr<Operator> op_;
  RecordingOutput out_;
  ChangelogTable table_;
};

TestRow P(EventTimeMs t, int64_t auction, int64_t price, ChangeKind kind = kIns) {
  return TestRow{t, {I(auction), I(price)}, kind};
}

TEST(GroupAggregateTest, OutputSchemaIsKeysThenAggregates) {
  GroupAggregateOptions o{{"auction"}, {Max("price", "final"), Count("n")}};
  Harness h(o);
  EXPECT_EQ(h.op().output_schema()->ToString(), "auction:int64, final:int64, n:int64 not null");
  EXPECT_FALSE(MakeGroupAggregate(Prices(), {{"nope"}, {Count("n")}}).ok());
  EXPECT_FALSE(MakeGroupAggregate(Prices(), {{"auction"}, {Count("auction")}}).ok());
}

TEST(GroupAggregateTest, FirstResultIsAnInsertAndLaterChangesAreUpdates) {
  Harness h({{"auction"}, {Max("price", "final"), Count("n")}});
  EXPECT_EQ(h.Feed({P(10, 1, 5), P(20, 1, 9), P(5, 2, 3)}),
            (Lines{"+I t=20 | 1, 9, 2", "+I t=5 | 2, 3, 1"}));
  // The event time stays the largest seen for the group.
  EXPECT_EQ(h.Feed({P(15, 1, 7)}), (Lines{"-U t=20 | 1, 9, 2", "+U t=20 | 1, 9, 3"}));
  EXPECT_EQ(h.Table(), (Lines{"1, 9, 3", "2, 3, 1"}));
}

TEST(GroupAggregateTest, GroupWhoseResultDidNotChangeEmitsNothing) {
  Harness h({{"auction"}, {Max("price", "final")}});
  h.Feed({P(1, 1, 10)});
  EXPECT_EQ(h.Feed({P(2, 1, 4), P(3, 1, 10)}), Lines{});
}

TEST(GroupAggregateTest, RetractingTheMaxOrTheMinRevealsTheNextValue) {
  Harness h({{"auction"}, {Max("price", "hi"), Min("price", "lo"), Sum("price", "s")}});
  EXPECT_EQ(h.Feed({P(1, 1, 5), P(2, 1, 9), P(3, 1, 2)}), (Lines{"+I t=3 | 1, 9, 2, 16"}));
  EXPECT_EQ(h.Feed({P(4, 1, 9, kDel)}), (Lines{"-U t=4 | 1, 9, 2, 16", "+U t=4 | 1, 5, 2, 7"}));
  EXPECT_EQ(h.Feed({P(5, 1, 2, kBefore), P(5, 1, 4, kAfter)}),
            (Lines{"-U t=5 | 1, 5, 2, 7", "+U t=5 | 1, 5, 4, 9"}));
  EXPECT_EQ(h.Table(), (Lines{"1, 5, 4, 9"}));
}

TEST(GroupAggregateTest, GroupThatBecomesEmptyIsDeletedAndCanComeBack) {
  Harness h({{"auction"}, {Count("n"), Max("price", "hi")}});
  h.Feed({P(1, 1, 5), P(2, 2, 6)});
  EXPECT_EQ(h.Feed({P(3, 1, 5, kDel)}), (Lines{"-D t=3 | 1, 1, 5"}));
  EXPECT_EQ(h.Table(), (Lines{"2, 1, 6"}));
  EXPECT_EQ(h.Feed({P(4, 1, 8)}), (Lines{"+I t=4 | 1, 1, 8"}));
}

TEST(GroupAggregateTest, GroupCreatedAndEmptiedInOneBatchEmitsNothing) {
  Harness h({{"auction"}, {Count("n")}});
  // The retraction comes first in the batch: additions are applied before retractions.
  EXPECT_EQ(h.Feed({P(1, 1, 5, kDel), P(1, 1, 5)}), Lines{});
  EXPECT_EQ(h.Feed({P(2, 1, 5)}), (Lines{"+I t=2 | 1, 1"}));
}

TEST(GroupAggregateTest, NullKeysFormTheirOwnGroupAndNullValuesAreSkipped) {
  Harness h({{"auction"}, {Count("n"), CountOf("price", "n_price"), Avg("price", "avg")}});
  EXPECT_EQ(h.Feed({{1, {Null(), I(4)}}, {2, {Null(), Null()}}, {3, {I(1), Null()}}}),
            (Lines{"+I t=2 | null, 2, 1, 4", "+I t=3 | 1, 1, 0, null"}));
}

TEST(GroupAggregateTest, NexmarkQ4AverageOfWinningBidsPerCategoryOverAChangelog) {
  // Stage 1: per auction (and its category) the highest bid. Stage 2: per category, the
  // average of the stage-1 results — a changelog, whose updates stage 2 retracts.
  SchemaRef bids = MakeSchema(
      {{"auction", DataType::kInt64}, {"category", DataType::kInt64}, {"price", DataType::kInt64}});
  auto stage1 = MakeGroupAggregate(bids, {{"auction", "category"}, {Max("price", "final")}});
  ASSERT_TRUE(stage1.ok());
  auto stage2 =
      MakeGroupAggregate((*stage1)->output_schema(), {{"category"}, {Avg("final", "avg_final")}});
  ASSERT_TRUE(stage2.ok()) << stage2.status().ToString();
  EXPECT_EQ((*stage2)->output_schema()->ToString(), "category:int64, avg_final:double");

  std::mt19937 rng(4);
  std::map<int64_t, int64_t> final_price;  // auction → max price
  std::map<int64_t, int64_t> category_of;
  RecordingOutput between;
  RecordingOutput out;
  EventTimeMs t = 0;
  for (int batch = 0; batch < 200; ++batch) {
    Batch b(bids);
    const int n = std::uniform_int_distribution<int>(1, 30)(rng);
    for (int i = 0; i < n; ++i) {
      const int64_t auction = std::uniform_int_distribution<int64_t>(0, 40)(rng);
      const int64_t category = auction % 5;
      const int64_t price = std::uniform_int_distribution<int64_t>(1, 1000)(rng);
      category_of[auction] = category;
      final_price[auction] = std::max(final_price[auction], price);
      b.AppendValues(std::vector<Value>{I(auction), I(category), I(price)}, ++t);
    }
    ASSERT_TRUE((*stage1)->OnBatch(0, std::move(b), between).ok());
    for (Batch& mid : between.main) ASSERT_TRUE((*stage2)->OnBatch(0, std::move(mid), out).ok());
    between.main.clear();
  }
  std::map<int64_t, std::pair<int64_t, int64_t>> sum_count;
  for (const auto& [auction, price] : final_price) {
    sum_count[category_of[auction]].first += price;
    sum_count[category_of[auction]].second += 1;
  }
  Lines want;
  for (const auto& [category, sc] : sum_count) {
    want.push_back(std::to_string(category) + ", " +
                   Value::Double(static_cast<double>(sc.first) / sc.second).ToString());
  }
  ChangelogTable table;
  table.Apply(out.main);
  Lines got = table.Rows();
  ASSERT_EQ(got.size(), want.size());
  // Averages go through additions and retractions of doubles: compare numerically.
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = std::stod(got[i].substr(got[i].find(", ") + 2));
    const double w = std::stod(want[i].substr(want[i].find(", ") + 2));
    EXPECT_EQ(got[i].substr(0, got[i].find(',')), want[i].substr(0, want[i].find(',')));
    EXPECT_NEAR(g, w, 1e-9 * w);
  }
}

TEST(GroupAggregateTest, RandomChangelogMatchesAggregatesOfTheFinalTable) {
  SchemaRef schema = MakeSchema({{"key", DataType::kInt64}, {"v", DataType::kInt64}});
  GroupAggregateOptions o{{"key"},
                          {Count("n"), Sum("v", "s"), Min("v", "lo"), Max("v", "hi"),
                           CountDistinct("v", "d"), CountOf("v", "nv")}};
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto op = MakeGroupAggregate(schema, o).value();
    RecordingOutput out;
    // The live table: (key, v) rows; v may be null.
    std::vector<std::pair<int64_t, std::optional<int64_t>>> live;
    auto value_of = [](std::optional<int64_t> v) { return v ? I(*v) : Null(); };
    EventTimeMs t = 0;
    for (int batch = 0; batch < 300; ++batch) {
      std::vector<TestRow> rows;
      const int n = std::uniform_int_distribution<int>(1, 20)(rng);
      for (int i = 0; i < n; ++i) {
        const int what = std::uniform_int_distribution<int>(0, 9)(rng);
        if (what < 5 || live.empty()) {
          std::optional<int64_t> v;
          if (std::uniform_int_distribution<int>(0, 7)(rng) != 0) {
            v = std::uniform_int_distribution<int64_t>(-20, 20)(rng);
          }
          const int64_t key = std::uniform_int_distribution<int64_t>(0, 5)(rng);
          live.emplace_back(key, v);
          rows.push_back({++t, {I(key), value_of(v)}, kIns});
          continue;
        }
        const size_t victim = std::uniform_int_distribution<size_t>(0, live.size() - 1)(rng);
        auto [key, v] = live[victim];
        if (what < 8) {
          live.erase(live.begin() + static_cast<ptrdiff_t>(victim));
          rows.push_back({++t, {I(key), value_of(v)}, kDel});
        } else {
          // An update: -U the old row, +U a new value under the same key.
          std::optional<int64_t> nv = std::uniform_int_distribution<int64_t>(-20, 20)(rng);
          live[victim].second = nv;
          rows.push_back({++t, {I(key), value_of(v)}, kBefore});
          rows.push_back({t, {I(key), value_of(nv)}, kAfter});
        }
      }
      ASSERT_TRUE(op->OnBatch(0, MakeBatch(schema, rows), out).ok());
    }
    std::map<int64_t, std::vector<std::optional<int64_t>>> groups;
    for (const auto& [key, v] : live) groups[key].push_back(v);
    Lines want;
    for (const auto& [key, values] : groups) {
      std::set<int64_t> distinct;
      int64_t sum = 0, lo = 0, hi = 0, nv = 0;
      for (const auto& v : values) {
        if (!v) continue;
        lo = nv == 0 ? *v : std::min(lo, *v);
        hi = nv == 0 ? *v : std::max(hi, *v);
        sum += *v;
        distinct.insert(*v);
        ++nv;
      }
      std::string line = std::to_string(key) + ", " + std::to_string(values.size()) + ", ";
      line += nv == 0 ? "null, null, null"
                      : std::to_string(sum) + ", " + std::to_string(lo) + ", " + std::to_string(hi);
      line += ", " + std::to_string(distinct.size()) + ", " + std::to_string(nv);
      want.push_back(line);
    }
    std::sort(want.begin(), want.end());
    ChangelogTable table;
    table.Apply(out.main);
    EXPECT_EQ(table.Rows(), want);
  }
}

}  // namespace
}  // namespace eddy::engine
