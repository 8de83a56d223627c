#include "src/engine/aggregate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "src/engine/window_test_util.h"

namespace eddy::engine {
namespace {

using testing::D;
using testing::I;
using testing::MakeBatch;
using testing::Null;
using testing::S;
using testing::TestRow;

SchemaRef InputSchema() {
  return MakeSchema({{"k", DataType::kInt64},
                     {"price", DataType::kInt64},
                     {"rate", DataType::kDouble},
                     {"name", DataType::kString},
                     {"ok", DataType::kBool},
                     {"ts", DataType::kTimestamp}});
}

/// Adds (or retracts) every row of `batch` to one group and returns its results.
class OneGroup {
 public:
  OneGroup(const std::vector<AggregateSpec>& specs, AggregatorMode mode)
      : agg_(Aggregator::Make(*InputSchema(), specs, mode).value()), slots_(agg_.NewGroup()) {}

  void Add(const Batch& batch) {
    std::vector<uint32_t> rows(batch.num_rows());
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<AggSlot*> groups(rows.size(), slots_.data());
    agg_.Add(batch, rows, groups);
  }
  Status Retract(const Batch& batch) {
    std::vector<uint32_t> rows(batch.num_rows());
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<AggSlot*> groups(rows.size(), slots_.data());
    return agg_.Retract(batch, rows, groups);
  }
  std::vector<Value> Results() const {
    std::vector<Value> out;
    agg_.ResultValues(slots_.data(), out);
    return out;
  }
  /// The results through AppendResults, to check it agrees with ResultValues.
  std::vector<Value> AppendedResults() const {
    std::vector<Field> fields = agg_.output_fields();
    Batch b(MakeSchema(fields));
    agg_.AppendResults(slots_.data(), b, 0);
    b.CommitRow(0);
    return b.RowValues(0);
  }
  Aggregator& agg() { return agg_; }
  std::vector<AggSlot>& slots() { return slots_; }

 private:
  Aggregator agg_;
  std::vector<AggSlot> slots_;
};

Batch SampleRows() {
  // Arrival order is not event-time order; row 2 has nulls everywhere but k.
  return MakeBatch(InputSchema(),
                   {{30, {I(1), I(10), D(1.5), S("pear"), Value::Bool(true), I(300)}},
                    {10, {I(1), I(40), D(-2.0), S("apple"), Value::Bool(false), I(100)}},
                    {20, {I(1), Null(), Null(), Null(), Null(), Null()}},
                    {40, {I(1), I(25), D(0.5), S("zoo"), Value::Bool(true), I(50)}}});
}

std::vector<AggregateSpec> EveryBuiltIn() {
  return {Count("n"),
          CountOf("price", "n_price"),
          Sum("price", "sum_price"),
          Sum("rate", "sum_rate"),
          Min("price", "min_price"),
          Max("name", "max_name"),
          Min("rate", "min_rate"),
          Max("ok", "max_ok"),
          Avg("price", "avg_price"),
          Avg("rate", "avg_rate"),
          CountDistinct("ok", "distinct_ok"),
          FirstValue("name", "first_name"),
          LastValue("price", "last_price"),
          Min("ts", "min_ts")};
}

TEST(AggregatorTest, OutputTypesFollowTheInputAndCountsAreNotNullable) {
  auto agg = Aggregator::Make(*InputSchema(), EveryBuiltIn(), AggregatorMode::kAppendOnly);
  ASSERT_TRUE(agg.ok()) << agg.status().ToString();
  const std::vector<Field>& f = agg->output_fields();
  ASSERT_EQ(f.size(), 14u);
  EXPECT_EQ(f[0], (Field{"n", DataType::kInt64, false}));
  EXPECT_EQ(f[1], (Field{"n_price", DataType::kInt64, false}));
  EXPECT_EQ(f[2], (Field{"sum_price", DataType::kInt64, true}));
  EXPECT_EQ(f[3].type, DataType::kDouble);
  EXPECT_EQ(f[4].type, DataType::kInt64);
  EXPECT_EQ(f[5].type, DataType::kString);
  EXPECT_EQ(f[6].type, DataType::kDouble);
  EXPECT_EQ(f[7].type, DataType::kBool);
  EXPECT_EQ(f[8].type, DataType::kDouble);
  EXPECT_EQ(f[9].type, DataType::kDouble);
  EXPECT_EQ(f[10], (Field{"distinct_ok", DataType::kInt64, false}));
  EXPECT_EQ(f[11].type, DataType::kString);
  EXPECT_EQ(f[12].type, DataType::kInt64);
  EXPECT_EQ(f[13].type, DataType::kTimestamp);
}

TEST(AggregatorTest, BuiltInsSkipNullsAndPickFirstAndLastByEventTime) {
  for (AggregatorMode mode : {AggregatorMode::kAppendOnly, AggregatorMode::kRetractable}) {
    OneGroup g(EveryBuiltIn(), mode);
    g.Add(SampleRows());
    const std::vector<Value> expected = {I(4),
                                         I(3),
                                         I(75),
                                         D(0.0),
                                         I(10),
                                         S("zoo"),
                                         D(-2.0),
                                         Value::Bool(true),
                                         D(25.0),
                                         D(0.0),
                                         I(2),
                                         S("apple"),  // event time 10
                                         I(25),       // event time 40
                                         Value::Timestamp(50)};
    EXPECT_EQ(g.Results(), expected) << "mode " << static_cast<int>(mode);
    EXPECT_EQ(g.AppendedResults(), expected);
  }
}

TEST(AggregatorTest, AggregatesOverOnlyNullsAreNullButCountsAreZero) {
  OneGroup g(EveryBuiltIn(), AggregatorMode::kAppendOnly);
  g.Add(MakeBatch(InputSchema(), {{5, {I(1), Null(), Null(), Null(), Null(), Null()}}}));
  std::vector<Value> r = g.Results();
  EXPECT_EQ(r[0], I(1));  // count(*) counts the row
  EXPECT_EQ(r[1], I(0));
  EXPECT_EQ(r[10], I(0));
  for (size_t j : {2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13}) {
    EXPECT_TRUE(r[j].is_null()) << "aggregate " << j << " = " << r[j].ToString();
  }
  EXPECT_EQ(g.AppendedResults(), r);
}

TEST(AggregatorTest, FirstValueKeepsTheEarliestArrivalAmongEqualTimesAndLastTheLatest) {
  OneGroup g({FirstValue("price", "f"), LastValue("price", "l")}, AggregatorMode::kAppendOnly);
  g.Add(MakeBatch(InputSchema(), {{7, {I(1), I(1), D(0), S(""), Value::Bool(true), I(0)}},
                                  {7, {I(1), I(2), D(0), S(""), Value::Bool(true), I(0)}},
                                  {7, {I(1), I(3), D(0), S(""), Value::Bool(true), I(0)}}}));
  EXPECT_EQ(g.Results(), (std::vector<Value>{I(1), I(3)}));
}

TEST(AggregatorTest, RetractingTheMaxRevealsTheNextOneAndRetractingTheMinToo) {
  OneGroup g({Max("price", "max"), Min("price", "min"), Sum("price", "sum"), Avg("price", "avg"),
              CountOf("price", "n"), CountDistinct("price", "d")},
             AggregatorMode::kRetractable);
  auto row = [](int64_t price) {
    return TestRow{1, {I(1), I(price), D(0), S(""), Value::Bool(true), I(0)}};
  };
  g.Add(MakeBatch(InputSchema(), {row(5), row(9), row(9), row(2)}));
  EXPECT_EQ(g.Results(), (std::vector<Value>{I(9), I(2), I(25), D(6.25), I(4), I(3)}));
  ASSERT_TRUE(g.Retract(MakeBatch(InputSchema(), {row(9)})).ok());
  // One 9 is left.
  EXPECT_EQ(g.Results(), (std::vector<Value>{I(9), I(2), I(16), D(16.0 / 3), I(3), I(3)}));
  ASSERT_TRUE(g.Retract(MakeBatch(InputSchema(), {row(9), row(2)})).ok());
  EXPECT_EQ(g.Results(), (std::vector<Value>{I(5), I(5), I(5), D(5.0), I(1), I(1)}));
  ASSERT_TRUE(g.Retract(MakeBatch(InputSchema(), {row(5)})).ok());
  std::vector<Value> empty = g.Results();
  EXPECT_TRUE(empty[0].is_null());
  EXPECT_TRUE(empty[1].is_null());
  EXPECT_TRUE(empty[2].is_null());
  EXPECT_TRUE(empty[3].is_null());
  EXPECT_EQ(empty[4], I(0));
  EXPECT_EQ(empty[5], I(0));
  g.Add(MakeBatch(InputSchema(), {row(3)}));
  EXPECT_EQ(g.Results(), (std::vector<Value>{I(3), I(3), I(3), D(3.0), I(1), I(1)}));
}

TEST(AggregatorTest, RetractingAValueTheMultisetDoesNotHoldIsIgnored) {
  OneGroup g({Max("price", "max"), CountDistinct("price", "d")}, AggregatorMode::kRetractable);
  auto row = [](int64_t price) {
    return TestRow{1, {I(1), I(price), D(0), S(""), Value::Bool(true), I(0)}};
  };
  g.Add(MakeBatch(InputSchema(), {row(4)}));
  ASSERT_TRUE(g.Retract(MakeBatch(InputSchema(), {row(77)})).ok());
  EXPECT_EQ(g.Results(), (std::vector<Value>{I(4), I(1)}));
}

TEST(AggregatorTest, RetractableFirstValueFindsTheValueEvenUnderAnotherEventTime) {
  OneGroup g({FirstValue("name", "f"), LastValue("name", "l")}, AggregatorMode::kRetractable);
  auto row = [](EventTimeMs t, std::string name) {
    return TestRow{t, {I(1), I(0), D(0), S(std::move(name)), Value::Bool(true), I(0)}};
  };
  g.Add(MakeBatch(InputSchema(), {row(10, "a"), row(20, "b"), row(30, "c")}));
  EXPECT_EQ(g.Results(), (std::vector<Value>{S("a"), S("c")}));
  // The retraction of "a" comes with a later event time (as an upstream changelog does).
  ASSERT_TRUE(g.Retract(MakeBatch(InputSchema(), {row(99, "a"), row(30, "c")})).ok());
  EXPECT_EQ(g.Results(), (std::vector<Value>{S("b"), S("b")}));
}

TEST(AggregatorTest, DoubleSumReturnsToExactlyZeroWhenEveryValueIsRetracted) {
  OneGroup g({Sum("rate", "s")}, AggregatorMode::kRetractable);
  auto row = [](double rate) {
    return TestRow{1, {I(1), I(0), D(rate), S(""), Value::Bool(true), I(0)}};
  };
  g.Add(MakeBatch(InputSchema(), {row(0.1), row(0.2)}));
  ASSERT_TRUE(g.Retract(MakeBatch(InputSchema(), {row(0.1), row(0.2)})).ok());
  EXPECT_TRUE(g.Results()[0].is_null());
  g.Add(MakeBatch(InputSchema(), {row(0.7)}));
  EXPECT_EQ(g.Results()[0], D(0.7));
}

TEST(AggregatorTest, MergeCombinesTwoGroupsAsIfTheirRowsWereOne) {
  std::vector<AggregateSpec> specs = EveryBuiltIn();
  Batch rows = SampleRows();
  OneGroup whole(specs, AggregatorMode::kAppendOnly);
  whole.Add(rows);
  OneGroup left(specs, AggregatorMode::kAppendOnly);
  OneGroup right(specs, AggregatorMode::kAppendOnly);
  left.Add(rows.Select(std::vector<uint32_t>{0, 2}));
  right.Add(rows.Select(std::vector<uint32_t>{1, 3}));
  ASSERT_TRUE(left.agg().Merge(left.slots().data(), right.slots().data()).ok());
  EXPECT_EQ(left.Results(), whole.Results());
}

TEST(AggregatorTest, MakeRejectsBadSpecsWithTheirNames) {
  SchemaRef schema = InputSchema();
  const Schema& in = *schema;
  auto sum_string = Aggregator::Make(in, {Sum("name", "s")}, AggregatorMode::kAppendOnly);
  ASSERT_FALSE(sum_string.ok());
  EXPECT_NE(sum_string.status().message().find("name"), std::string::npos);
  EXPECT_FALSE(Aggregator::Make(in, {Max("nope", "m")}, AggregatorMode::kAppendOnly).ok());
  EXPECT_FALSE(
      Aggregator::Make(in, {Count("x"), Max("price", "x")}, AggregatorMode::kAppendOnly).ok());
  EXPECT_FALSE(Aggregator::Make(in, {Min("", "m")}, AggregatorMode::kAppendOnly).ok());
  EXPECT_FALSE(Aggregator::Make(in, {Count("")}, AggregatorMode::kAppendOnly).ok());
  EXPECT_FALSE(Aggregator::Make(in, {Sum("ts", "s")}, AggregatorMode::kAppendOnly).ok());
}

/// A user aggregate: the product of int64 inputs, as a double.
class ProductAccumulator final : public UserAccumulator {
 public:
  explicit ProductAccumulator(int* calls) : calls_(calls) {}
  void Add(const Value& v) override {
    ++*calls_;
    product_ *= static_cast<double>(v.int64());
    ++n_;
  }
  bool Retract(const Value& v) override {
    product_ /= static_cast<double>(v.int64());
    --n_;
    return true;
  }
  bool Merge(const UserAccumulator& other) override {
    const auto& o = static_cast<const ProductAccumulator&>(other);
    product_ *= o.product_;
    n_ += o.n_;
    return true;
  }
  Value Result() const override {
    return n_ == 0 ? Value::Null(DataType::kDouble) : Value::Double(product_);
  }

 private:
  int* calls_;
  double product_ = 1;
  int n_ = 0;
};

class Product final : public UserAggregateFunction {
 public:
  explicit Product(bool retract) : retract_(retract) {}
  std::string name() const override { return "product"; }
  Result<DataType> ResultType(DataType input) const override {
    if (input != DataType::kInt64) return Status::InvalidArgument("product takes int64");
    return DataType::kDouble;
  }
  std::unique_ptr<UserAccumulator> CreateAccumulator() const override {
    return std::make_unique<ProductAccumulator>(&calls);
  }
  bool supports_retract() const override { return retract_; }
  bool supports_merge() const override { return true; }

  mutable int calls = 0;

 private:
  bool retract_;
};

TEST(AggregatorTest, UserAggregateSeesEveryNonNullValueAndItsResultType) {
  auto fn = std::make_shared<Product>(/*retract=*/true);
  OneGroup g({UserAggregate(fn, "price", "p"), Count("n")}, AggregatorMode::kRetractable);
  EXPECT_EQ(g.agg().output_fields()[0].type, DataType::kDouble);
  g.Add(SampleRows());
  EXPECT_EQ(fn->calls, 3);  // the null is skipped
  EXPECT_EQ(g.Results(), (std::vector<Value>{D(10.0 * 40 * 25), I(4)}));
  ASSERT_TRUE(g.Retract(SampleRows().Select(std::vector<uint32_t>{1})).ok());
  EXPECT_EQ(g.Results(), (std::vector<Value>{D(250.0), I(3)}));
  EXPECT_TRUE(g.agg().supports_merge());
}

TEST(AggregatorTest, UserAggregateThatCannotRetractIsRejectedForChangelogs) {
  auto fn = std::make_shared<Product>(/*retract=*/false);
  EXPECT_FALSE(Aggregator::Make(*InputSchema(), {UserAggregate(fn, "price", "p")},
                                AggregatorMode::kRetractable)
                   .ok());
  EXPECT_TRUE(Aggregator::Make(*InputSchema(), {UserAggregate(fn, "price", "p")},
                               AggregatorMode::kAppendOnly)
                  .ok());
  // The function's own type check names the aggregate.
  auto bad = Aggregator::Make(*InputSchema(), {UserAggregate(fn, "name", "p")},
                              AggregatorMode::kAppendOnly);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("product takes int64"), std::string::npos);
}

}  // namespace
}  // namespace eddy::engine
