#include "src/engine/regular_join_operator.h"

#include <gtest/gtest.h>

#include "src/engine/join_test_util.h"

namespace eddy::engine {
namespace {

using testing::F64;
using testing::I64;
using testing::Line;
using testing::MakeBatch;
using testing::NullI64;
using testing::RecordingOutput;
using testing::Sorted;
using testing::Str;
using testing::TestRow;
using testing::Ts;

SchemaRef Auctions() {
  return MakeSchema({{"id", DataType::kInt64},
                     {"seller", DataType::kInt64},
                     {"date_time", DataType::kTimestamp},
                     {"expires", DataType::kTimestamp}});
}
SchemaRef Persons() { return MakeSchema({{"id", DataType::kInt64}, {"name", DataType::kString}}); }
SchemaRef Bids() {
  return MakeSchema({{"auction", DataType::kInt64},
                     {"price", DataType::kDouble},
                     {"date_time", DataType::kTimestamp}});
}

TestRow Auction(EventTimeMs t, int64_t id, int64_t seller, EventTimeMs expires) {
  return {t, {I64(id), I64(seller), Ts(t), Ts(expires)}};
}
TestRow Bid(EventTimeMs t, int64_t auction, double price) {
  return {t, {I64(auction), F64(price), Ts(t)}};
}
std::vector<Value> Cat(std::vector<Value> a, const std::vector<Value>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Nexmark q3's join: auction (left) with its seller (right), kept forever.
std::unique_ptr<RegularJoinOperator> SellerJoin() {
  RegularJoinOptions options;
  options.left_keys = {"seller"};
  options.right_keys = {"id"};
  auto op = RegularJoinOperator::Make(Auctions(), Persons(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

// Nexmark q4's join: auction (left) with its bids (right) made while it was open.
RegularJoinOptions BidJoinOptions() {
  RegularJoinOptions options;
  options.left_keys = {"id"};
  options.right_keys = {"auction"};
  options.condition = [](const RowRef& a, const RowRef& b) {
    return a.Timestamp(2) <= b.Timestamp(2) && b.Timestamp(2) <= a.Timestamp(3);
  };
  options.left_expiry = RowExpiry::AtColumn("expires");
  options.right_expiry = RowExpiry::AfterEventTime(0);
  return options;
}
std::unique_ptr<RegularJoinOperator> BidJoin() {
  auto op = RegularJoinOperator::Make(Auctions(), Bids(), BidJoinOptions());
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

TEST(RegularJoinTest, JoinsEqualKeysWhicheverSideComesFirstAndKeepsRowsForever) {
  auto op = SellerJoin();
  EXPECT_EQ(op->output_schema()->ToString(),
            "id:int64, seller:int64, date_time:timestamp, expires:timestamp, right_id:int64, "
            "name:string");
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Auctions(), {Auction(10, 100, 1, 99), Auction(11, 101, 2, 99)}), out)
          .ok());
  EXPECT_TRUE(out.batches.empty());
  ASSERT_TRUE(
      op->OnBatch(1, MakeBatch(Persons(), {{20, {I64(1), Str("ann")}}, {21, {I64(3), Str("cy")}}}),
                  out)
          .ok());
  ASSERT_TRUE(op->OnWatermark(kMaxWatermark, out).ok());
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Auctions(), {Auction(30, 102, 1, 99)}), out).ok());
  const SchemaRef schema = op->output_schema();
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>(
                {Line(schema, 20, Cat(Auction(10, 100, 1, 99).values, {I64(1), Str("ann")})),
                 Line(schema, 30, Cat(Auction(30, 102, 1, 99).values, {I64(1), Str("ann")}))}));
  EXPECT_EQ(op->state_rows(), 5u) << "nothing expires, even at the end of time";
  EXPECT_TRUE(out.late.empty());
}

TEST(RegularJoinTest, ResidualConditionFiltersPairs) {
  auto op = BidJoin();
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Bids(), {Bid(5, 1, 0.5)}), out).ok());  // before
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Auctions(), {Auction(10, 1, 7, 50)}), out).ok());
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Bids(), {Bid(10, 1, 1.0), Bid(50, 1, 2.0), Bid(51, 1, 3.0),
                                             Bid(20, 2, 4.0)}),
                          out)
                  .ok());
  const SchemaRef schema = op->output_schema();
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>(
                {Line(schema, 10, Cat(Auction(10, 1, 7, 50).values, Bid(10, 1, 1.0).values)),
                 Line(schema, 50, Cat(Auction(10, 1, 7, 50).values, Bid(50, 1, 2.0).values))}));
}

TEST(RegularJoinTest, RowsExpireAtTheirColumnOrAfterTheirEventTime) {
  auto op = BidJoin();
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Auctions(), {Auction(100, 1, 7, 200), Auction(110, 2, 7, 150)}), out)
          .ok());
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Bids(), {Bid(120, 1, 1), Bid(130, 3, 1)}), out).ok());
  EXPECT_EQ(op->left_state_rows(), 2u);
  EXPECT_EQ(op->right_state_rows(), 2u);
  ASSERT_TRUE(op->OnWatermark(119, out).ok());
  EXPECT_EQ(op->right_state_rows(), 2u);
  ASSERT_TRUE(op->OnWatermark(130, out).ok());
  EXPECT_EQ(op->right_state_rows(), 0u) << "bids expire at their event time";
  ASSERT_TRUE(op->OnWatermark(150, out).ok());
  EXPECT_EQ(op->left_state_rows(), 1u) << "auction 2 expired at 150";
  ASSERT_TRUE(op->OnWatermark(199, out).ok());
  EXPECT_EQ(op->left_state_rows(), 1u);
  ASSERT_TRUE(op->OnWatermark(200, out).ok());
  EXPECT_EQ(op->left_state_rows(), 0u);
  EXPECT_EQ(op->state_keys(), 0u);
  EXPECT_EQ(out.num_rows(), 1u);  // auction 1 with the bid at 120
}

TEST(RegularJoinTest, AnExpiredArrivalProbesButIsNotKeptAndIsLateIfItMatchesNothing) {
  auto op = BidJoin();
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Auctions(), {Auction(100, 1, 7, 500)}), out).ok());
  ASSERT_TRUE(op->OnWatermark(300, out).ok());
  // The bids are at or behind the watermark: they expire on arrival.
  ASSERT_TRUE(
      op->OnBatch(1, MakeBatch(Bids(), {Bid(250, 1, 1.0), Bid(260, 9, 2.0), Bid(300, 9, 3.0)}), out)
          .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>(
                            {Line(op->output_schema(), 250,
                                  Cat(Auction(100, 1, 7, 500).values, Bid(250, 1, 1.0).values))}));
  EXPECT_EQ(out.LateRows(), std::vector<std::string>({Line(Bids(), 260, Bid(260, 9, 2.0).values),
                                                      Line(Bids(), 300, Bid(300, 9, 3.0).values)}));
  EXPECT_EQ(op->right_state_rows(), 0u);
}

TEST(RegularJoinTest, NullKeysNeverMatchAndANullExpiryKeepsTheRow) {
  auto op = BidJoin();
  RecordingOutput out;
  Batch auctions =
      MakeBatch(Auctions(), {{10, {I64(1), I64(7), Ts(10), Ts(20)}},
                             {11, {I64(2), I64(7), Ts(11), Value::Null(DataType::kTimestamp)}},
                             {12, {NullI64(), I64(7), Ts(12), Ts(99)}}});
  ASSERT_TRUE(op->OnBatch(0, std::move(auctions), out).ok());
  EXPECT_EQ(op->left_state_rows(), 2u) << "the null-key row is dropped";
  ASSERT_TRUE(op->OnWatermark(1000, out).ok());
  EXPECT_EQ(op->left_state_rows(), 1u);
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Bids(), {{2000, {NullI64(), F64(1), Ts(2000)}}}), out).ok());
  EXPECT_TRUE(out.batches.empty());
}

TEST(RegularJoinTest, ChangelogInputIsAClearError) {
  auto op = SellerJoin();
  RecordingOutput out;
  Status status = op->OnBatch(
      1,
      MakeBatch(Persons(),
                {{1, {I64(1), Str("a")}}, {2, {I64(1), Str("a")}, ChangeKind::kUpdateBefore}}),
      out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("regular join: input 1 row 1 is a -U"), std::string::npos)
      << status.ToString();
  EXPECT_NE(status.message().find("append-only"), std::string::npos);
}

TEST(RegularJoinTest, ExpiryColumnMustExistAndHoldTimes) {
  RegularJoinOptions options = BidJoinOptions();
  options.left_expiry = RowExpiry::AtColumn("nope");
  EXPECT_FALSE(MakeRegularJoin(Auctions(), Bids(), options).ok());
  options.left_expiry = RowExpiry::Never();
  options.right_expiry = RowExpiry::AtColumn("price");
  Result<std::unique_ptr<Operator>> op = MakeRegularJoin(Auctions(), Bids(), options);
  ASSERT_FALSE(op.ok());
  EXPECT_NE(op.status().message().find("'price' is double"), std::string::npos)
      << op.status().ToString();
}

TEST(RegularJoinTest, CompactionFreesExpiredRowsAndKeepsTheLiveOnesMatching) {
  RegularJoinOptions options;
  options.left_keys = {"id"};
  options.right_keys = {"auction"};
  options.left_expiry = RowExpiry::AtColumn("expires");
  auto made = RegularJoinOperator::Make(Auctions(), Bids(), options);
  ASSERT_TRUE(made.ok());
  RegularJoinOperator& op = **made;
  RecordingOutput out;
  // 10,000 auctions of which every tenth lives long.
  for (int64_t batch = 0; batch < 100; ++batch) {
    std::vector<TestRow> rows;
    for (int64_t i = 0; i < 100; ++i) {
      const int64_t id = batch * 100 + i;
      rows.push_back(Auction(id, id, 0, id % 10 == 0 ? 1'000'000 : id + 1));
    }
    ASSERT_TRUE(op.OnBatch(0, MakeBatch(Auctions(), rows), out).ok());
  }
  EXPECT_EQ(op.arena_rows(), 10'000u);
  ASSERT_TRUE(op.OnWatermark(20'000, out).ok());
  EXPECT_EQ(op.left_state_rows(), 1000u);
  EXPECT_EQ(op.arena_rows(), 1000u) << "holes outnumbered live rows: compacted";
  std::vector<TestRow> bids;
  for (int64_t id = 0; id < 10'000; id += 5) bids.push_back(Bid(30'000, id, 1.0));
  ASSERT_TRUE(op.OnBatch(1, MakeBatch(Bids(), bids), out).ok());
  ASSERT_EQ(out.num_rows(), 1000u);
  const std::vector<std::string> rows = out.Rows();
  for (size_t i = 0; i < rows.size(); ++i) {
    const int64_t id = static_cast<int64_t>(i) * 10;
    EXPECT_EQ(rows[i],
              Line(op.output_schema(), 30'000,
                   Cat(Auction(id, id, 0, 1'000'000).values, Bid(30'000, id, 1.0).values)));
  }
}

// ---- randomized comparison with a nested-loop reference ----

SchemaRef RandomLeft() {
  return MakeSchema(
      {{"k", DataType::kInt64}, {"id", DataType::kInt64}, {"expires", DataType::kTimestamp}});
}
SchemaRef RandomRight() {
  return MakeSchema(
      {{"k", DataType::kInt64}, {"id", DataType::kInt64}, {"price", DataType::kDouble}});
}

class RegularJoinRandomTest : public ::testing::TestWithParam<bool> {};

// With expiries (param true) the join is q4's: an auction matches bids in
// [its event time, its expires]; it expires at `expires`, a bid at its event time. The
// expiries are safe, so the output must be the whole nested-loop result, and at the end
// no row is held. Without (false): a residual condition on the ids, rows kept forever.
TEST_P(RegularJoinRandomTest, OutputMatchesANestedLoopReference) {
  const bool with_expiry = GetParam();
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    const int64_t disorder = std::uniform_int_distribution<int64_t>(0, 200)(rng);
    std::vector<testing::RandomRow> rows =
        testing::RandomRows(rng, 500, 20, disorder, [](int input, int64_t seq, std::mt19937& r) {
          const int64_t k = std::uniform_int_distribution<int64_t>(0, 10)(r);
          Value key = k == 10 ? NullI64() : I64(k);
          if (input == 0) {
            // `expires` is filled in below, once the event time is known.
            return std::vector<Value>{key, I64(seq), Ts(0)};
          }
          return std::vector<Value>{key, I64(seq), F64(static_cast<double>(seq) / 2)};
        });
    for (testing::RandomRow& row : rows) {
      if (row.input == 0) {
        row.values[2] = Ts(row.t + std::uniform_int_distribution<int64_t>(0, 300)(rng));
      }
    }
    RegularJoinOptions options;
    options.left_keys = {"k"};
    options.right_keys = {"k"};
    std::function<bool(const testing::RandomRow&, const testing::RandomRow&)> matches;
    if (with_expiry) {
      options.condition = [](const RowRef& l, const RowRef& r) {
        return l.event_time() <= r.event_time() && r.event_time() <= l.Timestamp(2);
      };
      options.left_expiry = RowExpiry::AtColumn("expires");
      options.right_expiry = RowExpiry::AfterEventTime(0);
      matches = [](const testing::RandomRow& l, const testing::RandomRow& r) {
        return l.t <= r.t && r.t <= l.values[2].int64();
      };
    } else {
      options.condition = [](const RowRef& l, const RowRef& r) {
        return (l.Int64(1) + r.Int64(1)) % 3 != 0;
      };
      matches = [](const testing::RandomRow& l, const testing::RandomRow& r) {
        return (l.values[1].int64() + r.values[1].int64()) % 3 != 0;
      };
    }
    auto made = RegularJoinOperator::Make(RandomLeft(), RandomRight(), options);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    RegularJoinOperator& op = **made;
    RecordingOutput out;
    testing::DriveTwoInputs(op, rows, RandomLeft(), RandomRight(), disorder, rng, out);

    std::vector<std::string> expected;
    size_t non_null_rows = 0;
    for (const testing::RandomRow& l : rows) {
      if (!l.values[0].is_null()) ++non_null_rows;
      if (l.input != 0 || l.values[0].is_null()) continue;
      for (const testing::RandomRow& r : rows) {
        if (r.input != 1 || r.values[0] != l.values[0] || !matches(l, r)) continue;
        expected.push_back(Line(op.output_schema(), std::max(l.t, r.t), Cat(l.values, r.values)));
      }
    }
    ASSERT_GT(expected.size(), 0u) << "seed " << seed << ": the case tests nothing";
    EXPECT_EQ(out.SortedRows(), Sorted(expected)) << "seed " << seed;
    EXPECT_TRUE(out.late.empty()) << "seed " << seed;
    EXPECT_EQ(op.state_rows(), with_expiry ? 0u : non_null_rows) << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Expiry, RegularJoinRandomTest, ::testing::Bool());

}  // namespace
}  // namespace eddy::engine
