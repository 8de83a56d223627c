// The reference results on tiny hand-made inputs whose answers are worked out by hand
// in the comments: the engine is judged against these functions, so they are checked
// against arithmetic, not against themselves.

#include "src/nexmark/nexmark_reference.h"

#include <gtest/gtest.h>

#include "src/engine/batch.h"

namespace eddy::nexmark {
namespace {

using engine::Value;

// Times are offsets from T, a multiple of every window size.
constexpr int64_t T = 1'700'000'000'000;

Person P(int64_t id, std::string name, std::string city, std::string state, int64_t t) {
  return Person{id,
                std::move(name),
                "e@x.com",
                "0000 0000 0000 0000",
                std::move(city),
                std::move(state),
                T + t,
                ""};
}
Auction A(int64_t id, int64_t seller, int64_t category, int64_t t, int64_t expires) {
  return Auction{id, "item", "desc", 1, 2, T + t, T + expires, seller, category, ""};
}
Bid B(int64_t auction, int64_t bidder, int64_t price, int64_t t, std::string extra = "") {
  return Bid{auction, bidder, price, "Google", "https://u", T + t, std::move(extra)};
}

Value I(int64_t v) { return Value::Int64(v); }
Value Ts(int64_t offset) { return Value::Timestamp(T + offset); }
Value S(const char* v) { return Value::String(v); }
Value D(double v) { return Value::Double(v); }

std::vector<std::string> ColumnNames(NexmarkQuery q) {
  const engine::SchemaRef schema = ResultSchema(q);
  std::vector<std::string> names;
  for (const auto& f : schema->fields()) names.push_back(f.name);
  return names;
}

TEST(NexmarkReferenceTest, ResultColumnsAreTheQueriesOutputs) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ0),
            (V{"auction", "bidder", "price", "channel", "url", "date_time", "extra"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ1),
            (V{"auction", "bidder", "price", "date_time", "extra"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ2), (V{"auction", "price"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ3), (V{"name", "city", "state", "id"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ4), (V{"category", "avg_price"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ5), (V{"auction", "num", "window_start", "window_end"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ7),
            (V{"auction", "price", "bidder", "date_time", "extra", "window_start", "window_end"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ8), (V{"id", "name", "window_start"}));
  EXPECT_EQ(ColumnNames(NexmarkQuery::kQ11),
            (V{"bidder", "bid_count", "window_start", "window_end"}));
  EXPECT_EQ(ResultSchema(NexmarkQuery::kQ1)->field(2).type, engine::DataType::kDouble);
  EXPECT_EQ(ResultSchema(NexmarkQuery::kQ5)->field(2).type, engine::DataType::kTimestamp);
}

TEST(NexmarkReferenceTest, Q0PassesEveryBidThroughInCanonicalOrder) {
  NexmarkEvents e;
  e.bids = {B(2, 7, 10, 5, "x"), B(1, 9, 3, 6, "y")};
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ0, e);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], (Row{I(1), I(9), I(3), S("Google"), S("https://u"), Ts(6), S("y")}));
  EXPECT_EQ(r.rows[1], (Row{I(2), I(7), I(10), S("Google"), S("https://u"), Ts(5), S("x")}));
}

TEST(NexmarkReferenceTest, Q1ConvertsPricesToEuros) {
  NexmarkEvents e;
  e.bids = {B(1, 2, 100, 0, "a"), B(1, 3, 1, 1, "b")};
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ1, e);
  ASSERT_EQ(r.rows.size(), 2u);
  // 100 * 0.908 = 90.8, 1 * 0.908 = 0.908.
  EXPECT_EQ(r.rows[0], (Row{I(1), I(2), D(100 * 0.908), Ts(0), S("a")}));
  EXPECT_NEAR(r.rows[0][2].dbl(), 90.8, 1e-12);
  EXPECT_EQ(r.rows[1], (Row{I(1), I(3), D(0.908), Ts(1), S("b")}));
}

TEST(NexmarkReferenceTest, Q2KeepsAuctionsThatAreMultiplesOf123) {
  NexmarkEvents e;
  e.bids = {B(123, 1, 5, 0), B(124, 1, 6, 0), B(246, 1, 7, 0), B(0, 1, 8, 0), B(1000, 1, 9, 0)};
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ2, e);
  EXPECT_EQ(r.rows, (std::vector<Row>{{I(0), I(8)}, {I(123), I(5)}, {I(246), I(7)}}));
}

TEST(NexmarkReferenceTest, Q3JoinsCategory10AuctionsWithSellersInORIDCA) {
  NexmarkEvents e;
  e.persons = {P(1, "Zed", "Bend", "OR", 0), P(2, "Wanda", "Seattle", "WA", 0),
               P(3, "Carl", "Los Angeles", "CA", 0), P(4, "Ida", "Boise", "ID", 0)};
  e.auctions = {
      A(10, 1, 10, 1, 5),   // OR, category 10: yes
      A(11, 2, 10, 1, 5),   // WA: no
      A(12, 3, 11, 1, 5),   // category 11: no
      A(13, 3, 10, 1, 5),   // CA: yes
      A(14, 99, 10, 1, 5),  // unknown seller: no
      A(15, 4, 10, 1, 5),   // ID: yes
      A(16, 1, 10, 1, 5),   // OR again: a second row for Zed
  };
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ3, e);
  EXPECT_EQ(r.rows, (std::vector<Row>{{S("Carl"), S("Los Angeles"), S("CA"), I(13)},
                                      {S("Ida"), S("Boise"), S("ID"), I(15)},
                                      {S("Zed"), S("Bend"), S("OR"), I(10)},
                                      {S("Zed"), S("Bend"), S("OR"), I(16)}}));
}

TEST(NexmarkReferenceTest, Q4AveragesTheWinningBidsOfEachCategory) {
  NexmarkEvents e;
  e.auctions = {
      A(1, 0, 1, 1000, 2000),  // category 1, open [1000, 2000]
      A(2, 0, 1, 1000, 5000),  // category 1
      A(3, 0, 2, 0, 10),       // category 2, its only bid comes too late
      A(4, 0, 3, 0, 100),      // category 3
  };
  e.bids = {
      B(1, 0, 500, 999),                  // before auction 1 opened: ignored
      B(1, 0, 10, 1000),                  // at the opening: counts
      B(1, 0, 30, 2000),                  // at the expiry: counts -> auction 1 final 30
      B(1, 0, 100, 2001),                 // after the expiry: ignored
      B(2, 0, 50, 3000),                  // auction 2 final 50
      B(3, 0, 7, 20),                     // auction 3 closed: category 2 has no final
      B(4, 0, 5, 1),      B(4, 0, 6, 2),  // auction 4 final 6
      B(9, 0, 1000, 1),                   // unknown auction: ignored
  };
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ4, e);
  // Category 1: (30 + 50) / 2 = 40; category 3: 6.
  EXPECT_EQ(r.rows, (std::vector<Row>{{I(1), D(40.0)}, {I(3), D(6.0)}}));
}

TEST(NexmarkReferenceTest, Q5FindsTheAuctionsWithTheMostBidsPerHoppingWindowWithTies) {
  NexmarkEvents e;
  e.bids = {B(1, 0, 1, 1000), B(1, 0, 1, 3000), B(2, 0, 1, 3000), B(2, 0, 1, 11000),
            B(3, 0, 1, 12500)};
  // Windows [s, s + 10000) for s a multiple of 2000, relative to T:
  //   s=-8000 holds 1@1000                       -> auction 1 with 1
  //   s=-6000..0 hold 1@1000, 1@3000, 2@3000     -> auction 1 with 2
  //   s=2000 holds 1@3000, 2@3000, 2@11000       -> auction 2 with 2
  //   s=4000..10000 hold 2@11000, 3@12500        -> a tie: auctions 2 and 3 with 1
  //     (s=4000, 6000, 8000, 10000; 12500 < s + 10000 for each, 11000 >= s)
  //   s=12000 holds 3@12500                      -> auction 3 with 1
  std::vector<Row> want = {{I(1), I(1), Ts(-8000), Ts(2000)}};
  for (int64_t s = -6000; s <= 0; s += 2000) want.push_back({I(1), I(2), Ts(s), Ts(s + 10000)});
  want.push_back({I(2), I(2), Ts(2000), Ts(12000)});
  for (int64_t s = 4000; s <= 10000; s += 2000) {
    want.push_back({I(2), I(1), Ts(s), Ts(s + 10000)});
    want.push_back({I(3), I(1), Ts(s), Ts(s + 10000)});
  }
  want.push_back({I(3), I(1), Ts(12000), Ts(22000)});
  SortRows(want);
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ5, e);
  EXPECT_EQ(r.rows, want);
  EXPECT_EQ(r.rows.size(), 1u + 4u + 1u + 8u + 1u);
}

TEST(NexmarkReferenceTest, Q7EmitsEveryBidAtItsWindowsTopPrice) {
  NexmarkEvents e;
  e.bids = {
      B(1, 11, 5, 1000, "a"),  B(2, 12, 9, 2000, "b"),
      B(3, 13, 9, 9999, "c"),                            // window 0: 9 twice
      B(4, 14, 1, 15000, "d"),                           // window 10000: 1
      B(5, 15, 3, 20000, "e"), B(6, 16, 4, 29999, "f"),  // window 20000: 4
      B(7, 17, 4, 30000, "g"),                           // window 30000: 4
  };
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ7, e);
  EXPECT_EQ(r.rows,
            (std::vector<Row>{{I(2), I(9), I(12), Ts(2000), S("b"), Ts(0), Ts(10000)},
                              {I(3), I(9), I(13), Ts(9999), S("c"), Ts(0), Ts(10000)},
                              {I(4), I(1), I(14), Ts(15000), S("d"), Ts(10000), Ts(20000)},
                              {I(6), I(4), I(16), Ts(29999), S("f"), Ts(20000), Ts(30000)},
                              {I(7), I(4), I(17), Ts(30000), S("g"), Ts(30000), Ts(40000)}}));
}

TEST(NexmarkReferenceTest, Q8FindsPersonsWhoOpenAnAuctionInTheWindowTheyRegistered) {
  NexmarkEvents e;
  e.persons = {P(1, "Ann", "Bend", "OR", 1000), P(2, "Bob", "Kent", "WA", 5000),
               P(3, "Cy", "Kent", "WA", 12000), P(4, "Di", "Kent", "WA", 9999)};
  e.auctions = {
      A(100, 1, 10, 9999, 20000),   // Ann, window 0 as her registration: yes
      A(101, 1, 10, 10000, 20000),  // Ann again in window 10000: she registered in 0
      A(102, 2, 10, 10001, 20000),  // Bob registered in window 0, sells in 10000: no
      A(103, 3, 10, 19999, 30000),  // Cy, both in window 10000: yes
      A(104, 3, 10, 12000, 30000),  // Cy twice: still one row
      A(105, 4, 10, 10000, 30000),  // Di registered at 9999 (window 0), sells at 10000: no
  };
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ8, e);
  EXPECT_EQ(r.rows, (std::vector<Row>{{I(1), S("Ann"), Ts(0)}, {I(3), S("Cy"), Ts(10000)}}));
}

TEST(NexmarkReferenceTest, Q11SplitsABiddersBidsIntoSessionsAtGapsOfTenSeconds) {
  NexmarkEvents e;
  // Bidder 1's bids out of order: 0, 5000, 14999 (9999 after 5000: same session),
  // 24999 (exactly 10000 after 14999: a new session), 30000.
  e.bids = {B(1, 1, 1, 14999), B(1, 1, 1, 0),    B(1, 2, 1, 7),
            B(1, 1, 1, 30000), B(1, 1, 1, 5000), B(1, 1, 1, 24999)};
  const QueryResult r = ReferenceResult(NexmarkQuery::kQ11, e);
  EXPECT_EQ(r.rows, (std::vector<Row>{{I(1), I(2), Ts(24999), Ts(40000)},
                                      {I(1), I(3), Ts(0), Ts(24999)},
                                      {I(2), I(1), Ts(7), Ts(10007)}}));
}

TEST(NexmarkReferenceTest, WindowStartIsAlignedToTheEpoch) {
  EXPECT_EQ(WindowStart(0, 10000), 0);
  EXPECT_EQ(WindowStart(9999, 10000), 0);
  EXPECT_EQ(WindowStart(10000, 10000), 10000);
  EXPECT_EQ(WindowStart(-1, 10000), -10000);
  EXPECT_EQ(WindowStart(-10000, 10000), -10000);
}

TEST(NexmarkReferenceTest, CompareResultsToleratesRoundingOfDoublesOnly) {
  QueryResult expected{ResultSchema(NexmarkQuery::kQ4), {{I(1), D(40.0)}, {I(3), D(6.0)}}};
  EXPECT_TRUE(CompareResults(expected, {{I(3), D(6.0 * (1 + 1e-12))}, {I(1), D(40.0)}}).ok());
  Status off = CompareResults(expected, {{I(1), D(40.5)}, {I(3), D(6.0)}});
  EXPECT_FALSE(off.ok());
  EXPECT_NE(off.message().find("40.5"), std::string::npos) << off.ToString();
  EXPECT_FALSE(CompareResults(expected, {{I(1), D(40.0)}}).ok());
  EXPECT_FALSE(CompareResults(expected, {{I(1), D(40.0)}, {I(3), D(6.0)}, {I(4), D(1.0)}}).ok());
  EXPECT_FALSE(CompareResults(expected, {{I(2), D(40.0)}, {I(3), D(6.0)}}).ok());
}

TEST(NexmarkReferenceTest, ApplyChangelogKeepsTheFinalRows) {
  engine::Batch batch(ResultSchema(NexmarkQuery::kQ4));
  using engine::ChangeKind;
  batch.AppendValues(Row{I(1), D(10.0)}, 0, ChangeKind::kInsert);
  batch.AppendValues(Row{I(2), D(5.0)}, 0, ChangeKind::kInsert);
  batch.AppendValues(Row{I(1), D(10.0)}, 0, ChangeKind::kUpdateBefore);
  batch.AppendValues(Row{I(1), D(20.0)}, 0, ChangeKind::kUpdateAfter);
  batch.AppendValues(Row{I(2), D(5.0)}, 0, ChangeKind::kDelete);
  auto rows = ApplyChangelog(batch);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (std::vector<Row>{{I(1), D(20.0)}}));

  engine::Batch bad(ResultSchema(NexmarkQuery::kQ4));
  bad.AppendValues(Row{I(1), D(10.0)}, 0, ChangeKind::kInsert);
  bad.AppendValues(Row{I(1), D(11.0)}, 0, ChangeKind::kDelete);
  EXPECT_FALSE(ApplyChangelog(bad).ok());
}

TEST(NexmarkReferenceTest, GeneratedRunsGiveNonTrivialResults) {
  GeneratorConfig config;
  config.num_events = 100'000;
  const NexmarkEvents events = GenerateEvents(config);
  for (NexmarkQuery q : kAllQueries) {
    const QueryResult r = ReferenceResult(q, events);
    EXPECT_FALSE(r.rows.empty()) << QueryName(q);
    for (const Row& row : r.rows) ASSERT_EQ(row.size(), r.schema->num_fields()) << QueryName(q);
  }
  EXPECT_EQ(ReferenceResult(NexmarkQuery::kQ0, events).rows.size(), events.bids.size());
  // 100000 events at 10000/s span 10 s: q7 has one row or more per 10 s window.
  const QueryResult q7 = ReferenceResult(NexmarkQuery::kQ7, events);
  EXPECT_GE(q7.rows.size(), 1u);
  const QueryResult q4 = ReferenceResult(NexmarkQuery::kQ4, events);
  EXPECT_LE(q4.rows.size(), 5u);
}

TEST(NexmarkReferenceTest, ParseQueryAcceptsTheUsualSpellings) {
  EXPECT_EQ(*ParseQuery("q5"), NexmarkQuery::kQ5);
  EXPECT_EQ(*ParseQuery("Q11"), NexmarkQuery::kQ11);
  EXPECT_EQ(*ParseQuery("7"), NexmarkQuery::kQ7);
  EXPECT_EQ(*ParseQuery("nexmark-q0"), NexmarkQuery::kQ0);
  auto bad = ParseQuery("q6");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("q11"), std::string::npos);
}

}  // namespace
}  // namespace eddy::nexmark
