// FilterOperator, ProjectOperator and the row-lambda operators (map, flat_map, filter by
// function), driven through the Operator interface with hand-made batches.

#include <gtest/gtest.h>

#include "src/engine/expression_test_util.h"
#include "src/engine/filter_operator.h"
#include "src/engine/map_operator.h"
#include "src/engine/project_operator.h"

namespace eddy::engine {
namespace {

SchemaRef BidSchema() {
  return MakeSchema({{"auction", DataType::kInt64},
                     {"price", DataType::kInt64},
                     {"bidder", DataType::kString},
                     {"date_time", DataType::kTimestamp, /*nullable=*/false}});
}

struct Bid {
  std::optional<int64_t> auction = std::nullopt;
  std::optional<int64_t> price = std::nullopt;
  std::optional<std::string> bidder = std::nullopt;
  int64_t date_time = 0;
  EventTimeMs event_time = 0;
  ChangeKind kind = ChangeKind::kInsert;
};

Batch Bids(const std::vector<Bid>& bids) {
  Batch batch(BidSchema());
  for (const Bid& b : bids) {
    std::vector<Value> values = {
        b.auction ? Value::Int64(*b.auction) : Value::Null(DataType::kInt64),
        b.price ? Value::Int64(*b.price) : Value::Null(DataType::kInt64),
        b.bidder ? Value::String(*b.bidder) : Value::Null(DataType::kString),
        Value::Timestamp(b.date_time)};
    batch.AppendValues(values, b.event_time, b.kind);
  }
  return batch;
}

// Every row of every emitted batch, with its event time and change kind.
struct OutRow {
  std::vector<Value> values;
  EventTimeMs event_time;
  ChangeKind kind;
  bool operator==(const OutRow&) const = default;
};

std::vector<OutRow> RowsOf(const RecordingOutput& out) {
  std::vector<OutRow> rows;
  for (const Batch& b : out.batches) {
    for (size_t r = 0; r < b.num_rows(); ++r) {
      rows.push_back({b.RowValues(r), b.event_time(r), b.change(r)});
    }
  }
  return rows;
}

void PrintTo(const OutRow& row, std::ostream* os) {
  *os << "[t=" << row.event_time << " " << ChangeKindName(row.kind) << "]";
  for (const Value& v : row.values) *os << " " << v.ToString();
}

std::unique_ptr<Operator> Must(Result<std::unique_ptr<Operator>> made) {
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

Value I(int64_t v) { return Value::Int64(v); }
Value S(std::string v) { return Value::String(std::move(v)); }
Value Ts(int64_t v) { return Value::Timestamp(v); }

const std::vector<Bid> kMixedBids = {
    {.auction = 246, .price = 10, .bidder = "ann", .date_time = 1, .event_time = 100},
    {.auction = 7, .price = 20, .bidder = "bob", .date_time = 2, .event_time = 90,
     .kind = ChangeKind::kUpdateBefore},
    {.auction = std::nullopt, .price = 30, .bidder = "cid", .date_time = 3, .event_time = 110},
    {.auction = 369, .price = 40, .bidder = std::nullopt, .date_time = 4, .event_time = 120,
     .kind = ChangeKind::kDelete},
    {.auction = 123, .price = std::nullopt, .bidder = "dan", .date_time = 5, .event_time = 80,
     .kind = ChangeKind::kUpdateAfter},
};

// ---------------------------------------------------------------- filter

TEST(FilterOperatorTest, KeepsTrueRowsWithTheirEventTimesAndChangeKinds) {
  auto op = Must(MakeFilter(BidSchema(), Col("auction") % 123 == 0));
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(*op->output_schema(), *BidSchema());
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(kMixedBids), out).ok());
  ASSERT_EQ(out.batches.size(), 1u);
  // Row 1 (7) is false and row 2 (null auction) is null: both dropped.
  std::vector<OutRow> expected;
  Batch input = Bids(kMixedBids);
  for (size_t r : {0, 3, 4}) {
    expected.push_back({input.RowValues(r), input.event_time(r), input.change(r)});
  }
  EXPECT_EQ(RowsOf(out), expected);
}

TEST(FilterOperatorTest, EmitsNothingForABatchWithNoTrueRow) {
  auto op = Must(MakeFilter(BidSchema(), Col("price") > 1000 || IsNull(Col("date_time"))));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(kMixedBids), out).ok());
  EXPECT_TRUE(out.batches.empty());
  ASSERT_TRUE(op->OnBatch(0, Batch(BidSchema()), out).ok());
  EXPECT_TRUE(out.batches.empty());
}

TEST(FilterOperatorTest, PassesABatchWhoseRowsAllMatchOnUnchanged) {
  auto op = Must(MakeFilter(BidSchema(), Col("date_time") >= TimestampLit(1)));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(kMixedBids), out).ok());
  ASSERT_EQ(out.batches.size(), 1u);
  EXPECT_EQ(out.batches[0].ToString(), Bids(kMixedBids).ToString());
}

TEST(FilterOperatorTest, AgreesWithAPlainLoopOverALargeBatch) {
  std::vector<Bid> bids;
  for (int64_t k = 0; k < 5000; ++k) {
    bids.push_back({.auction = (k * 7919) % 100'003,
                    .price = k % 11 == 0 ? std::nullopt : std::optional<int64_t>(k % 500),
                    .bidder = "b" + std::to_string(k % 13),
                    .date_time = k,
                    .event_time = k});
  }
  auto op = Must(MakeFilter(BidSchema(), Col("auction") % 123 == 0 || Col("price") * 2 > 990));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(bids), out).ok());
  std::vector<EventTimeMs> kept;
  for (const OutRow& r : RowsOf(out)) kept.push_back(r.event_time);
  std::vector<EventTimeMs> expected;
  for (const Bid& b : bids) {
    const bool by_auction = *b.auction % 123 == 0;
    const bool by_price = b.price && *b.price * 2 > 990;
    if (by_auction || by_price) expected.push_back(b.event_time);
  }
  EXPECT_EQ(kept, expected);
  EXPECT_FALSE(expected.empty());
}

TEST(FilterOperatorTest, RejectsAPredicateThatIsNotBoolOrDoesNotBind) {
  auto not_bool = MakeFilter(BidSchema(), Col("price") + 1);
  ASSERT_FALSE(not_bool.ok());
  EXPECT_EQ(not_bool.status().message(), "filter predicate must be bool, got int64: (price + 1)");
  auto missing = MakeFilter(BidSchema(), Col("prise") > 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no column 'prise'"), std::string::npos)
      << missing.status().ToString();
  auto mistyped = MakeFilter(BidSchema(), Col("bidder") > 1);
  ASSERT_FALSE(mistyped.ok());
  EXPECT_NE(mistyped.status().message().find("cannot apply '>' to string and int64"),
            std::string::npos)
      << mistyped.status().ToString();
}

TEST(FilterOperatorTest, FactoryMakesIndependentInstancesSharingOneBoundPredicate) {
  auto factory = FilterFactory(BidSchema(), Col("price") >= 20);
  ASSERT_TRUE(factory.ok()) << factory.status().ToString();
  auto a = Must((*factory)());
  auto b = Must((*factory)());
  ASSERT_NE(a.get(), b.get());
  RecordingOutput out_a, out_b;
  ASSERT_TRUE(a->OnBatch(0, Bids(kMixedBids), out_a).ok());
  ASSERT_TRUE(b->OnBatch(0, Bids({kMixedBids[0]}), out_b).ok());
  EXPECT_EQ(out_a.rows(), 3u);
  EXPECT_EQ(out_b.rows(), 0u);
  EXPECT_FALSE(FilterFactory(BidSchema(), Col("bidder")).ok());
}

// ---------------------------------------------------------------- project

TEST(ProjectOperatorTest, ComputesColumnsAndKeepsEventTimesAndChangeKinds) {
  auto op = Must(MakeProject(BidSchema(), {{"auction", Col("auction")},
                                           {"euros", Col("price") * 0.908},
                                           {"who", Upper(Coalesce(Col("bidder"), "?"))},
                                           {"late", Col("date_time") + 1000}}));
  ASSERT_NE(op, nullptr);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(kMixedBids), out).ok());
  ASSERT_EQ(out.batches.size(), 1u);
  std::vector<OutRow> got = RowsOf(out);
  ASSERT_EQ(got.size(), kMixedBids.size());
  for (size_t r = 0; r < kMixedBids.size(); ++r) {
    const Bid& b = kMixedBids[r];
    SCOPED_TRACE("row " + std::to_string(r));
    EXPECT_EQ(got[r].event_time, b.event_time);
    EXPECT_EQ(got[r].kind, b.kind);
    EXPECT_EQ(got[r].values[0], b.auction ? I(*b.auction) : Value::Null(DataType::kInt64));
    EXPECT_EQ(got[r].values[1], b.price ? Value::Double(static_cast<double>(*b.price) * 0.908)
                                        : Value::Null(DataType::kDouble));
    std::string who = b.bidder.value_or("?");
    for (char& c : who) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(got[r].values[2], S(who));
    EXPECT_EQ(got[r].values[3], Ts(b.date_time + 1000));
  }
}

TEST(ProjectOperatorTest, OutputSchemaComesFromTheBoundTypes) {
  auto op = Must(MakeProject(BidSchema(), {{"a", Col("auction")},
                                           {"t", Col("date_time")},
                                           {"half", Col("price") / 2.0},
                                           {"big", Col("price") > 100},
                                           {"one", Lit(1)},
                                           {"known", IsNull(Col("bidder"))}}));
  const Schema expected({{"a", DataType::kInt64, true},
                         {"t", DataType::kTimestamp, false},
                         {"half", DataType::kDouble, true},
                         {"big", DataType::kBool, true},
                         {"one", DataType::kInt64, false},
                         {"known", DataType::kBool, false}});
  EXPECT_EQ(*op->output_schema(), expected) << op->output_schema()->ToString();
}

TEST(ProjectOperatorTest, MovesPlainColumnsAndCopiesOnesUsedMoreThanOnce) {
  // "bidder" is used plainly twice and inside an expression: every use must see it.
  auto op = Must(MakeProject(BidSchema(), {{"b1", Col("bidder")},
                                           {"len", Length(Col("bidder"))},
                                           {"b2", Col("bidder")},
                                           {"p", Col("price")}}));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(kMixedBids), out).ok());
  std::vector<OutRow> got = RowsOf(out);
  ASSERT_EQ(got.size(), kMixedBids.size());
  for (size_t r = 0; r < kMixedBids.size(); ++r) {
    const Bid& b = kMixedBids[r];
    const Value bidder = b.bidder ? S(*b.bidder) : Value::Null(DataType::kString);
    EXPECT_EQ(got[r].values[0], bidder);
    EXPECT_EQ(got[r].values[1], b.bidder ? I(static_cast<int64_t>(b.bidder->size()))
                                         : Value::Null(DataType::kInt64));
    EXPECT_EQ(got[r].values[2], bidder);
    EXPECT_EQ(got[r].values[3], b.price ? I(*b.price) : Value::Null(DataType::kInt64));
  }
}

TEST(ProjectOperatorTest, KeepsInsertOnlyBatchesInsertOnly) {
  auto op = Must(MakeProject(BidSchema(), {{"p", Col("price") + 1}}));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids({kMixedBids[0], kMixedBids[2]}), out).ok());
  ASSERT_EQ(out.batches.size(), 1u);
  EXPECT_TRUE(out.batches[0].is_insert_only());
  EXPECT_EQ(out.batches[0].event_times(), (std::vector<EventTimeMs>{100, 110}));
}

TEST(ProjectOperatorTest, KeepsTheChangeKindOfEveryRowOfAChangelog) {
  std::vector<Bid> changelog = {kMixedBids[1], kMixedBids[3], kMixedBids[0], kMixedBids[4]};
  auto op = Must(MakeProject(BidSchema(), {{"p", Col("price")}, {"a", Col("auction") + 1}}));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(changelog), out).ok());
  std::vector<OutRow> got = RowsOf(out);
  ASSERT_EQ(got.size(), changelog.size());
  for (size_t r = 0; r < changelog.size(); ++r) {
    EXPECT_EQ(got[r].kind, changelog[r].kind) << "row " << r;
    EXPECT_EQ(got[r].event_time, changelog[r].event_time) << "row " << r;
  }
}

TEST(ProjectOperatorTest, RejectsDuplicateOrEmptyNamesAndBadExpressions) {
  auto dup = MakeProject(BidSchema(), {{"x", Col("price")}, {"x", Col("auction")}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "project: output column 'x' appears twice");
  auto unnamed = MakeProject(BidSchema(), {{"", Col("price")}});
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.status().message(), "project: output price has no name");
  auto bad = MakeProject(BidSchema(), {{"y", Col("bidder") * 2}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "project: output column 'y': cannot apply '*' to string and int64 in (bidder * 2)");
  EXPECT_FALSE(MakeProject(BidSchema(), {}).ok());
}

TEST(ProjectOperatorTest, FactoryInstancesShareThePlanButNotTheirWork) {
  auto factory = ProjectFactory(BidSchema(), {{"a", Col("auction")}, {"p2", Col("price") * 2}});
  ASSERT_TRUE(factory.ok());
  auto a = Must((*factory)());
  auto b = Must((*factory)());
  EXPECT_EQ(a->output_schema(), b->output_schema());
  RecordingOutput out_a, out_b;
  ASSERT_TRUE(a->OnBatch(0, Bids({kMixedBids[0]}), out_a).ok());
  ASSERT_TRUE(b->OnBatch(0, Bids({kMixedBids[1]}), out_b).ok());
  EXPECT_EQ(RowsOf(out_a)[0].values, (std::vector<Value>{I(246), I(20)}));
  EXPECT_EQ(RowsOf(out_b)[0].values, (std::vector<Value>{I(7), I(40)}));
}

// ---------------------------------------------------------------- map, flat_map, filter fn

SchemaRef LabelSchema() {
  return MakeSchema({{"auction", DataType::kInt64}, {"label", DataType::kString}});
}

TEST(MapOperatorTest, WritesOneRowPerInputRowWithItsEventTimeAndChangeKind) {
  auto op = Must(MakeMap(BidSchema(), LabelSchema(), [](const RowRef& in, RowWriter& out) {
    out.Copy(0, in, 0);
    if (!in.IsNull(2)) out.SetString(1, std::string(in.String(2)) + "!");
  }));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(kMixedBids), out).ok());
  ASSERT_EQ(out.batches.size(), 1u);
  std::vector<OutRow> expected;
  for (const Bid& b : kMixedBids) {
    expected.push_back({{b.auction ? I(*b.auction) : Value::Null(DataType::kInt64),
                         b.bidder ? S(*b.bidder + "!") : Value::Null(DataType::kString)},
                        b.event_time,
                        b.kind});
  }
  EXPECT_EQ(RowsOf(out), expected);
}

TEST(MapOperatorTest, FunctionMayCommitWithItsOwnEventTimeAndKind) {
  auto op = Must(MakeMap(BidSchema(), LabelSchema(), [](const RowRef& in, RowWriter& out) {
    out.SetInt64(0, in.Timestamp(3)).SetString(1, "x");
    out.Commit(in.Timestamp(3) * 10, ChangeKind::kUpdateAfter);
  }));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids({kMixedBids[0], kMixedBids[1]}), out).ok());
  EXPECT_EQ(RowsOf(out), (std::vector<OutRow>{{{I(1), S("x")}, 10, ChangeKind::kUpdateAfter},
                                               {{I(2), S("x")}, 20, ChangeKind::kUpdateAfter}}));
}

TEST(MapOperatorTest, FailsWhenTheFunctionCommitsTwoRows) {
  auto op = Must(MakeMap(BidSchema(), LabelSchema(), [](const RowRef& in, RowWriter& out) {
    out.Commit(in.event_time());
    out.Commit(in.event_time());
  }));
  RecordingOutput out;
  Status s = op->OnBatch(0, Bids(kMixedBids), out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("committed 2 rows"), std::string::npos) << s.ToString();
  EXPECT_TRUE(out.batches.empty());
  EXPECT_FALSE(MakeMap(BidSchema(), nullptr, [](const RowRef&, RowWriter&) {}).ok());
  EXPECT_FALSE(MakeMap(BidSchema(), LabelSchema(), nullptr).ok());
}

TEST(FlatMapOperatorTest, EmitsZeroOneOrThreeRowsPerInputRow) {
  // Price 10 → no row, 20 → one row, 30 → three rows (one per letter of "cid").
  auto op = Must(MakeFlatMap(BidSchema(), LabelSchema(),
                             [](const RowRef& in, FlatMapCollector& out) {
                               const int64_t price = in.IsNull(1) ? 0 : in.Int64(1);
                               const int64_t copies = price == 20 ? 1 : (price == 30 ? 3 : 0);
                               for (int64_t k = 0; k < copies; ++k) {
                                 out.SetInt64(0, k);
                                 if (!in.IsNull(2)) {
                                   out.SetString(1, in.String(2).substr(static_cast<size_t>(k), 1));
                                 }
                                 out.Emit();
                               }
                             }));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids({kMixedBids[0]}), out).ok());
  EXPECT_TRUE(out.batches.empty()) << "a batch with no output row emits nothing";
  ASSERT_TRUE(op->OnBatch(0, Bids({kMixedBids[0], kMixedBids[1], kMixedBids[2]}), out).ok());
  ASSERT_EQ(out.batches.size(), 1u);
  const ChangeKind ub = ChangeKind::kUpdateBefore;
  const ChangeKind ins = ChangeKind::kInsert;
  EXPECT_EQ(RowsOf(out), (std::vector<OutRow>{{{I(0), S("b")}, 90, ub},
                                               {{I(0), S("c")}, 110, ins},
                                               {{I(1), S("i")}, 110, ins},
                                               {{I(2), S("d")}, 110, ins}}));
}

TEST(FlatMapOperatorTest, RowsTakeTheInputEventTimeUnlessGivenTheirOwn) {
  auto op = Must(MakeFlatMap(BidSchema(), LabelSchema(),
                             [](const RowRef& in, FlatMapCollector& out) {
                               out.Copy(0, 0).SetString(1, "same");
                               out.Emit();
                               out.Copy(0, 0).SetString(1, "own");
                               out.Emit(in.event_time() + 5);
                               out.SetString(1, "retract");
                               out.Emit(in.event_time(), ChangeKind::kDelete);
                             }));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids({kMixedBids[3]}), out).ok());
  const Value a = I(369);
  const Value null_auction = Value::Null(DataType::kInt64);
  EXPECT_EQ(RowsOf(out),
            (std::vector<OutRow>{{{a, S("same")}, 120, ChangeKind::kDelete},
                                 {{a, S("own")}, 125, ChangeKind::kDelete},
                                 {{null_auction, S("retract")}, 120, ChangeKind::kDelete}}));
}

TEST(FlatMapOperatorTest, FailsWhenTheFunctionSetsARowItDoesNotEmit) {
  auto op = Must(MakeFlatMap(BidSchema(), LabelSchema(),
                             [](const RowRef&, FlatMapCollector& out) { out.SetInt64(0, 1); }));
  RecordingOutput out;
  Status s = op->OnBatch(0, Bids({kMixedBids[0]}), out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("did not Emit"), std::string::npos) << s.ToString();
}

TEST(FilterFnOperatorTest, KeepsTheRowsTheFunctionAccepts) {
  auto op = Must(MakeFilterFn(BidSchema(), [](const RowRef& in) {
    return !in.IsNull(2) && in.String(2).find('a') != std::string_view::npos;
  }));
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(0, Bids(kMixedBids), out).ok());
  Batch input = Bids(kMixedBids);
  std::vector<OutRow> expected;
  for (size_t r : {0, 4}) {
    expected.push_back({input.RowValues(r), input.event_time(r), input.change(r)});
  }
  EXPECT_EQ(RowsOf(out), expected);
  RecordingOutput none;
  auto reject = Must(MakeFilterFn(BidSchema(), [](const RowRef&) { return false; }));
  ASSERT_TRUE(reject->OnBatch(0, Bids(kMixedBids), none).ok());
  EXPECT_TRUE(none.batches.empty());
}

}  // namespace
}  // namespace eddy::engine
