#include "src/engine/lookup_join_operator.h"

#include <gtest/gtest.h>

#include <map>

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

SchemaRef Orders() {
  return MakeSchema({{"order", DataType::kInt64}, {"currency", DataType::kString}});
}
SchemaRef Rates() {
  return MakeSchema({{"currency", DataType::kString}, {"rate", DataType::kDouble}});
}

std::unique_ptr<LookupJoinOperator> Join(bool left_outer) {
  LookupJoinOptions options;
  options.stream_keys = {"currency"};
  options.table_keys = {"currency"};
  options.left_outer = left_outer;
  auto op = LookupJoinOperator::Make(Orders(), Rates(), options);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

std::string Joined(const LookupJoinOperator& op, EventTimeMs t, int64_t order,
                   const std::string& currency, std::optional<double> rate,
                   ChangeKind kind = ChangeKind::kInsert) {
  if (!rate) {
    return Line(
        op.output_schema(), t,
        {I64(order), Str(currency), Value::Null(DataType::kString), Value::Null(DataType::kDouble)},
        kind);
  }
  return Line(op.output_schema(), t, {I64(order), Str(currency), Str(currency), F64(*rate)}, kind);
}

TEST(LookupJoinTest, StreamRowsSeeTheTableAsItIsWhenTheyArrive) {
  auto op = Join(false);
  EXPECT_EQ(op->output_schema()->ToString(),
            "order:int64, currency:string, right_currency:string, rate:double");
  RecordingOutput out;
  ASSERT_TRUE(
      op->OnBatch(1, MakeBatch(Rates(), {{5, {Str("EUR"), F64(1.1)}}, {6, {Str("GBP"), F64(1.3)}}}),
                  out)
          .ok());
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Orders(), {{10, {I64(1), Str("EUR")}},
                                               {3, {I64(2), Str("USD")}},
                                               {4, {I64(3), Str("GBP")}}}),
                          out)
                  .ok());
  ASSERT_TRUE(
      op->OnBatch(1,
                  MakeBatch(Rates(), {{20, {Str("EUR"), F64(1.2)}, ChangeKind::kUpdateAfter},
                                      {21, {Str("USD"), F64(1.0)}}}),
                  out)
          .ok());
  EXPECT_EQ(out.num_rows(), 2u) << "a table change does not revisit earlier stream rows";
  ASSERT_TRUE(
      op->OnBatch(0, MakeBatch(Orders(), {{30, {I64(4), Str("EUR")}}, {31, {I64(5), Str("USD")}}}),
                  out)
          .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>(
                            {Joined(*op, 10, 1, "EUR", 1.1), Joined(*op, 6, 3, "GBP", 1.3),
                             Joined(*op, 30, 4, "EUR", 1.2), Joined(*op, 31, 5, "USD", 1.0)}))
      << "the event time is the later of the two rows'";
  EXPECT_EQ(op->state_rows(), 3u);
}

TEST(LookupJoinTest, DeletesAndRetractionsRemoveTheKey) {
  auto op = Join(false);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Rates(), {{1, {Str("EUR"), F64(1.1)}},
                                              {1, {Str("GBP"), F64(1.3)}},
                                              {1, {Str("CHF"), F64(0.9)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(
      op->OnBatch(1,
                  MakeBatch(Rates(), {{2, {Str("EUR"), F64(1.1)}, ChangeKind::kDelete},
                                      {2, {Str("GBP"), F64(1.3)}, ChangeKind::kUpdateBefore},
                                      {2, {Str("JPY"), F64(0.1)}, ChangeKind::kDelete}}),
                  out)
          .ok());
  EXPECT_EQ(op->state_rows(), 1u);
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Orders(), {{10, {I64(1), Str("EUR")}},
                                               {10, {I64(2), Str("GBP")}},
                                               {10, {I64(3), Str("CHF")}}}),
                          out)
                  .ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Joined(*op, 10, 3, "CHF", 0.9)}));
}

TEST(LookupJoinTest, LeftOuterEmitsNullTableColumnsForMissingKeys) {
  auto op = Join(true);
  EXPECT_TRUE(op->output_schema()->field(3).nullable);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(1,
                          MakeBatch(Rates(), {{1, {Str("EUR"), F64(1.1)}},
                                              {1, {Value::Null(DataType::kString), F64(7)}}}),
                          out)
                  .ok());
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Orders(), {{10, {I64(1), Str("EUR")}},
                                               {11, {I64(2), Str("USD")}},
                                               {12, {I64(3), Value::Null(DataType::kString)}}}),
                          out)
                  .ok());
  const SchemaRef schema = op->output_schema();
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>(
                {Joined(*op, 10, 1, "EUR", 1.1), Joined(*op, 11, 2, "USD", std::nullopt),
                 Line(schema, 12,
                      {I64(3), Value::Null(DataType::kString), Value::Null(DataType::kString),
                       Value::Null(DataType::kDouble)})}))
      << "a null key matches nothing, not even a null table key";
}

TEST(LookupJoinTest, StreamChangeKindsPassThrough) {
  auto op = Join(false);
  RecordingOutput out;
  ASSERT_TRUE(op->OnBatch(1, MakeBatch(Rates(), {{1, {Str("EUR"), F64(1.1)}}}), out).ok());
  ASSERT_TRUE(op->OnBatch(0,
                          MakeBatch(Orders(), {{10, {I64(1), Str("EUR")}},
                                               {10, {I64(1), Str("EUR")}, ChangeKind::kDelete}}),
                          out)
                  .ok());
  EXPECT_EQ(out.Rows(),
            std::vector<std::string>({Joined(*op, 10, 1, "EUR", 1.1),
                                      Joined(*op, 10, 1, "EUR", 1.1, ChangeKind::kDelete)}));
}

TEST(LookupJoinTest, ReplacedTableRowsDoNotPileUp) {
  auto op = Join(false);
  RecordingOutput out;
  for (int round = 0; round < 100; ++round) {
    std::vector<testing::TestRow> rows;
    for (int k = 0; k < 50; ++k) {
      rows.push_back({round, {Str("c" + std::to_string(k)), F64(round * 100 + k)}});
    }
    ASSERT_TRUE(op->OnBatch(1, MakeBatch(Rates(), rows), out).ok());
  }
  EXPECT_EQ(op->state_rows(), 50u);
  EXPECT_LE(op->arena_rows(), 50u + 2 * JoinRowStore::kMinDeadRowsToCompact);
  ASSERT_TRUE(op->OnBatch(0, MakeBatch(Orders(), {{1000, {I64(1), Str("c7")}}}), out).ok());
  EXPECT_EQ(out.Rows(), std::vector<std::string>({Joined(*op, 1000, 1, "c7", 9907)}));
}

TEST(LookupJoinTest, MakeRejectsMismatchedKeys) {
  LookupJoinOptions options;
  options.stream_keys = {"order"};
  options.table_keys = {"currency"};
  EXPECT_FALSE(MakeLookupJoin(Orders(), Rates(), options).ok());
  options.stream_keys = {"currency"};
  EXPECT_TRUE(MakeLookupJoin(Orders(), Rates(), options).ok());
}

// Random interleavings of table changes and stream rows against a reference that, for
// each stream row, scans every table change that came before it.
TEST(LookupJoinTest, RandomChangesMatchAScanOfTheTableHistory) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    std::mt19937 rng(seed);
    const bool outer = seed % 2 == 0;
    auto op = Join(outer);
    RecordingOutput out;
    struct Change {
      size_t seq;
      std::string key;
      double rate;
      ChangeKind kind;
      EventTimeMs t;
    };
    std::vector<Change> history;
    std::vector<std::string> expected;
    size_t seq = 0;
    for (int step = 0; step < 200; ++step) {
      const int input = std::uniform_int_distribution<int>(0, 1)(rng);
      const int n = std::uniform_int_distribution<int>(1, 6)(rng);
      if (input == 1) {
        Batch batch(Rates());
        for (int i = 0; i < n; ++i) {
          const std::string key =
              "c" + std::to_string(std::uniform_int_distribution<int>(0, 7)(rng));
          const int kind_pick = std::uniform_int_distribution<int>(0, 9)(rng);
          const ChangeKind kind = kind_pick < 5   ? ChangeKind::kInsert
                                  : kind_pick < 7 ? ChangeKind::kUpdateAfter
                                  : kind_pick < 8 ? ChangeKind::kUpdateBefore
                                                  : ChangeKind::kDelete;
          const double rate = static_cast<double>(seq);
          const EventTimeMs t = std::uniform_int_distribution<int64_t>(0, 1000)(rng);
          batch.AppendValues(std::vector<Value>{Str(key), F64(rate)}, t, kind);
          history.push_back({seq++, key, rate, kind, t});
        }
        ASSERT_TRUE(op->OnBatch(1, std::move(batch), out).ok());
      } else {
        Batch batch(Orders());
        for (int i = 0; i < n; ++i) {
          const std::string key =
              "c" + std::to_string(std::uniform_int_distribution<int>(0, 9)(rng));
          const EventTimeMs t = std::uniform_int_distribution<int64_t>(0, 1000)(rng);
          const auto order = static_cast<int64_t>(seq++);
          batch.AppendValues(std::vector<Value>{I64(order), Str(key)}, t);
          const Change* latest = nullptr;
          for (const Change& c : history) {
            if (c.key == key) latest = &c;
          }
          if (latest != nullptr && IsAddition(latest->kind)) {
            expected.push_back(Joined(*op, std::max(t, latest->t), order, key, latest->rate));
          } else if (outer) {
            expected.push_back(Joined(*op, t, order, key, std::nullopt));
          }
        }
        ASSERT_TRUE(op->OnBatch(0, std::move(batch), out).ok());
      }
    }
    ASSERT_GT(expected.size(), 0u);
    EXPECT_EQ(out.Rows(), expected) << "seed " << seed;
  }
}

}  // namespace
}  // namespace eddy::engine
