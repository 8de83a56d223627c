#include "src/engine/expression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <limits>
#include <optional>
#include <random>

#include "src/engine/expression_internal.h"
#include "src/engine/expression_test_util.h"

namespace eddy::engine {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

SchemaRef TestSchema() {
  return MakeSchema({{"i", DataType::kInt64},
                     {"j", DataType::kInt64},
                     {"d", DataType::kDouble},
                     {"b", DataType::kBool},
                     {"c", DataType::kBool},
                     {"s", DataType::kString},
                     {"t", DataType::kString},
                     {"ts", DataType::kTimestamp},
                     {"nn", DataType::kInt64, /*nullable=*/false}});
}

// One row of TestSchema; unset cells are null.
struct Row {
  std::optional<int64_t> i = std::nullopt, j = std::nullopt;
  std::optional<double> d = std::nullopt;
  std::optional<bool> b = std::nullopt, c = std::nullopt;
  std::optional<std::string> s = std::nullopt, t = std::nullopt;
  std::optional<int64_t> ts = std::nullopt;
  int64_t nn = 0;
};

template <typename T>
Value Opt(const std::optional<T>& v, DataType type, Value (*make)(T)) {
  return v ? make(*v) : Value::Null(type);
}

Batch MakeBatch(const std::vector<Row>& rows) {
  Batch batch(TestSchema());
  EventTimeMs t = 1000;
  for (const Row& r : rows) {
    std::vector<Value> values = {
        Opt<int64_t>(r.i, DataType::kInt64, &Value::Int64),
        Opt<int64_t>(r.j, DataType::kInt64, &Value::Int64),
        Opt<double>(r.d, DataType::kDouble, &Value::Double),
        Opt<bool>(r.b, DataType::kBool, &Value::Bool),
        Opt<bool>(r.c, DataType::kBool, &Value::Bool),
        r.s ? Value::String(*r.s) : Value::Null(DataType::kString),
        r.t ? Value::String(*r.t) : Value::Null(DataType::kString),
        Opt<int64_t>(r.ts, DataType::kTimestamp, &Value::Timestamp),
        Value::Int64(r.nn),
    };
    batch.AppendValues(values, t++);
  }
  return batch;
}

// Binds and evaluates `e` over `batch`; the values of the result, row by row.
std::vector<Value> Eval(const Expr& e, const Batch& batch) {
  auto bound = Bind(e, *batch.schema());
  if (!bound.ok()) {
    ADD_FAILURE() << e.ToString() << ": " << bound.status().ToString();
    return {};
  }
  auto column = Evaluate(*bound, batch);
  if (!column.ok()) {
    ADD_FAILURE() << e.ToString() << ": " << column.status().ToString();
    return {};
  }
  EXPECT_EQ(column->type(), bound->type()) << e.ToString();
  EXPECT_EQ(column->size(), batch.num_rows()) << e.ToString();
  std::vector<Value> out;
  for (size_t r = 0; r < column->size(); ++r) out.push_back(column->ValueAt(r));
  return out;
}

// The value of an expression over a one-row batch (for constant expressions).
Value EvalOne(const Expr& e) {
  std::vector<Value> v = Eval(e, MakeBatch({Row{}}));
  return v.empty() ? Value::Null(DataType::kInt64) : v[0];
}

std::string BindError(const Expr& e) {
  auto bound = Bind(e, *TestSchema());
  if (bound.ok()) return "bound fine to " + std::string(DataTypeName(bound->type()));
  return bound.status().message();
}

DataType TypeOf(const Expr& e) {
  auto bound = Bind(e, *TestSchema());
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return bound.ok() ? bound->type() : DataType::kInt64;
}

Value I(int64_t v) { return Value::Int64(v); }
Value D(double v) { return Value::Double(v); }
Value B(bool v) { return Value::Bool(v); }
Value S(std::string v) { return Value::String(std::move(v)); }
Value Null(DataType t) { return Value::Null(t); }
const Value kNullBool = Value::Null(DataType::kBool);
const Value kNullInt = Value::Null(DataType::kInt64);
const Value kNullString = Value::Null(DataType::kString);

// ---------------------------------------------------------------- building and printing

TEST(ExpressionTest, ToStringReadsLikeSql) {
  EXPECT_EQ((Col("auction") % 123 == 0).ToString(), "((auction % 123) = 0)");
  EXPECT_EQ((Col("a") + 1 > Col("b")).ToString(), "((a + 1) > b)");
  EXPECT_EQ((!(Col("x") && Col("y")) || IsNull(Col("z"))).ToString(),
            "((NOT (x AND y)) OR (z IS NULL))");
  EXPECT_EQ(Like(Lower(Col("name")), "it's%").ToString(), "(lower(name) LIKE 'it''s%')");
  EXPECT_EQ(In(Col("k"), {1, 2.5, "x"}).ToString(), "(k IN (1, 2.5, 'x'))");
  EXPECT_EQ(Case().When(Col("p") > 10, "big").Else(NullOf(DataType::kString)).ToString(),
            "CASE WHEN (p > 10) THEN 'big' ELSE NULL::string END");
  EXPECT_EQ(Expr(Case().When(Col("p"), 1)).ToString(), "CASE WHEN p THEN 1 END");
  EXPECT_EQ(Cast(Col("s"), DataType::kDouble).ToString(), "CAST(s AS double)");
  EXPECT_EQ(Coalesce(Col("a"), 0, TimestampLit(5)).ToString(), "coalesce(a, 0, TIMESTAMP 5)");
  EXPECT_EQ(Substr(Col("s"), 2, 3).ToString(), "substr(s, 2, 3)");
  EXPECT_EQ((-Col("x")).ToString(), "(-x)");
  EXPECT_EQ(Expr().ToString(), "<empty expression>");
}

TEST(ExpressionTest, PlainLiteralsConvertOnEitherSide) {
  Batch batch = MakeBatch({{.i = 10, .d = 2.0, .s = "x"}});
  EXPECT_EQ(Eval(1 + Col("i"), batch)[0], I(11));
  EXPECT_EQ(Eval(Col("i") - 1, batch)[0], I(9));
  EXPECT_EQ(Eval(Col("d") * 0.5, batch)[0], D(1.0));
  EXPECT_EQ(Eval(100 / Col("i"), batch)[0], I(10));
  EXPECT_EQ(Eval("x" == Col("s"), batch)[0], B(true));
  EXPECT_EQ(Eval(Col("s") != std::string("y"), batch)[0], B(true));
  EXPECT_EQ(Eval(Col("i") > 9L && true, batch)[0], B(true));
  EXPECT_EQ(Eval(Lit(3u) * Col("i"), batch)[0], I(30));
  EXPECT_EQ(Eval(Col("d") < 2.5f, batch)[0], B(true));
}

// ---------------------------------------------------------------- binding errors

TEST(ExpressionTest, BindNamesAMissingColumnAndListsTheSchema) {
  std::string error = BindError(Col("prise") * 2);
  EXPECT_NE(error.find("no column 'prise' in schema (i:int64, j:int64, d:double"),
            std::string::npos)
      << error;
}

TEST(ExpressionTest, BindNamesTheOperatorAndTypesOfAMismatch) {
  EXPECT_EQ(BindError(Col("s") + 1), "cannot apply '+' to string and int64 in (s + 1)");
  EXPECT_EQ(BindError(Col("s") == Col("i")), "cannot apply '=' to string and int64 in (s = i)");
  EXPECT_EQ(BindError(Col("i") && Col("b")), "cannot apply 'AND' to int64 and bool in (i AND b)");
  EXPECT_EQ(BindError(!Col("s")), "cannot apply 'NOT' to string in (NOT s)");
  EXPECT_EQ(BindError(-Col("b")), "cannot apply '-' to bool in (-b)");
  EXPECT_EQ(BindError(Col("ts") * 2), "cannot apply '*' to timestamp and int64 in (ts * 2)");
  EXPECT_EQ(BindError(Col("i") - Col("ts")),
            "cannot apply '-' to int64 and timestamp in (i - ts)");
  EXPECT_EQ(BindError(Col("b") + Col("b")), "cannot apply '+' to bool and bool in (b + b)");
  EXPECT_EQ(BindError(In(Col("s"), {1, 2})), "cannot apply 'IN' to string and int64 in "
                                             "(s IN (1, 2))");
  std::string ts_error = BindError(Col("ts") > 1000);
  EXPECT_NE(ts_error.find("cannot apply '>' to timestamp and int64"), std::string::npos);
  EXPECT_NE(ts_error.find("TimestampLit"), std::string::npos) << ts_error;
}

TEST(ExpressionTest, BindChecksFunctionArgumentsCaseAndCoalesce) {
  EXPECT_EQ(BindError(Lower(Col("i"))), "lower expects string for argument 1, got int64 in "
                                        "lower(i)");
  EXPECT_EQ(BindError(Substr(Col("s"), "x")),
            "substr expects int64 for argument 2, got string in substr(s, 'x')");
  EXPECT_EQ(BindError(Like(Col("s"), 5)),
            "LIKE expects string for argument 2, got int64 in (s LIKE 5)");
  EXPECT_EQ(BindError(Case().When(Col("i"), 1).Else(2)),
            "CASE WHEN condition 1 must be bool, got int64 in CASE WHEN i THEN 1 ELSE 2 END");
  EXPECT_EQ(BindError(Case().When(Col("b"), 1).Else("x")),
            "CASE results have incompatible types int64 and string in CASE WHEN b THEN 1 ELSE "
            "'x' END");
  EXPECT_EQ(BindError(Coalesce(Col("s"), Col("ts"))),
            "coalesce arguments have incompatible types string and timestamp in coalesce(s, ts)");
  EXPECT_EQ(BindError(Coalesce(std::vector<Expr>{})),
            "coalesce needs at least one argument in coalesce()");
  EXPECT_EQ(BindError(Expr()), "empty expression");
  // An error deep inside names the innermost operator at fault.
  EXPECT_EQ(BindError(Col("i") + 1 > Lower(Col("s")) * 2),
            "cannot apply '*' to string and int64 in (lower(s) * 2)");
}

// ---------------------------------------------------------------- arithmetic

TEST(ExpressionTest, ArithmeticResultTypesFollowSqlRules) {
  EXPECT_EQ(TypeOf(Col("i") + Col("j")), DataType::kInt64);
  EXPECT_EQ(TypeOf(Col("i") / Col("j")), DataType::kInt64);
  EXPECT_EQ(TypeOf(Col("i") * Col("d")), DataType::kDouble);
  EXPECT_EQ(TypeOf(Col("d") % Col("i")), DataType::kDouble);
  EXPECT_EQ(TypeOf(Col("ts") + 5), DataType::kTimestamp);
  EXPECT_EQ(TypeOf(5 + Col("ts")), DataType::kTimestamp);
  EXPECT_EQ(TypeOf(Col("ts") - 5), DataType::kTimestamp);
  EXPECT_EQ(TypeOf(Col("ts") - Col("ts")), DataType::kInt64);
  EXPECT_EQ(TypeOf(-Col("d")), DataType::kDouble);
  EXPECT_EQ(TypeOf(Col("i") < Col("d")), DataType::kBool);
}

TEST(ExpressionTest, IntegerDivisionTruncatesTowardZero) {
  Batch batch = MakeBatch({{.i = 7, .j = 2}, {.i = -7, .j = 2}, {.i = 7, .j = -3},
                           {.i = -7, .j = 3}, {.i = 0, .j = 5}});
  std::vector<Value> q = Eval(Col("i") / Col("j"), batch);
  std::vector<Value> m = Eval(Col("i") % Col("j"), batch);
  EXPECT_EQ(q, (std::vector<Value>{I(3), I(-3), I(-2), I(-2), I(0)}));
  EXPECT_EQ(m, (std::vector<Value>{I(1), I(-1), I(1), I(-1), I(0)}));
  // Against a literal divisor (its own kernel).
  EXPECT_EQ(Eval(Col("i") / 2, batch), (std::vector<Value>{I(3), I(-3), I(3), I(-3), I(0)}));
  EXPECT_EQ(Eval(Col("i") % 3, batch), (std::vector<Value>{I(1), I(-1), I(1), I(-1), I(0)}));
}

TEST(ExpressionTest, DivisionAndModuloByZeroGiveNull) {
  Batch batch = MakeBatch({{.i = 7, .j = 0, .d = 0.0}, {.i = 8, .j = 2, .d = 2.0},
                           {.i = 9, .j = std::nullopt, .d = 4.0}});
  EXPECT_EQ(Eval(Col("i") / Col("j"), batch), (std::vector<Value>{kNullInt, I(4), kNullInt}));
  EXPECT_EQ(Eval(Col("i") % Col("j"), batch), (std::vector<Value>{kNullInt, I(0), kNullInt}));
  const Value null_d = Null(DataType::kDouble);
  EXPECT_EQ(Eval(Col("i") / Col("d"), batch), (std::vector<Value>{null_d, D(4), D(2.25)}));
  EXPECT_EQ(Eval(Col("d") % Col("d"), batch), (std::vector<Value>{null_d, D(0), D(0)}));
  // A literal zero divisor makes the whole expression a null constant, at bind time.
  auto bound = Bind(Col("i") / 0, *TestSchema());
  ASSERT_TRUE(bound.ok());
  EXPECT_TRUE(bound->is_constant());
  EXPECT_EQ(bound->constant(), kNullInt);
  EXPECT_EQ(Eval(Col("i") % 0, batch), (std::vector<Value>{kNullInt, kNullInt, kNullInt}));
  EXPECT_EQ(Eval(Col("d") / 0.0, batch), (std::vector<Value>{null_d, null_d, null_d}));
}

TEST(ExpressionTest, IntegerOverflowWrapsAround) {
  Batch batch = MakeBatch({{.i = kMax, .j = -1}, {.i = kMin, .j = -1}});
  EXPECT_EQ(Eval(Col("i") + 1, batch), (std::vector<Value>{I(kMin), I(kMin + 1)}));
  EXPECT_EQ(Eval(Col("i") * 2, batch), (std::vector<Value>{I(-2), I(0)}));
  EXPECT_EQ(Eval(-Col("i"), batch), (std::vector<Value>{I(-kMax), I(kMin)}));
  // kMin / -1 does not fit: it wraps like the other operators instead of trapping.
  EXPECT_EQ(Eval(Col("i") / Col("j"), batch), (std::vector<Value>{I(-kMax), I(kMin)}));
  EXPECT_EQ(Eval(Col("i") / -1, batch), (std::vector<Value>{I(-kMax), I(kMin)}));
  EXPECT_EQ(Eval(Col("i") % Col("j"), batch), (std::vector<Value>{I(0), I(0)}));
  EXPECT_EQ(Eval(Col("i") % -1, batch), (std::vector<Value>{I(0), I(0)}));
}

TEST(ExpressionTest, MixedIntegerAndDoubleArithmeticComputesInDouble) {
  std::vector<Row> rows;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> ints(-1000, 1000);
  std::uniform_real_distribution<double> reals(-50, 50);
  for (int k = 0; k < 50; ++k) rows.push_back({.i = ints(rng), .d = reals(rng)});
  Batch batch = MakeBatch(rows);
  std::vector<Value> sum = Eval(Col("i") + Col("d"), batch);
  std::vector<Value> diff = Eval(Col("d") - Col("i"), batch);
  std::vector<Value> prod = Eval(Col("i") * 0.908, batch);
  std::vector<Value> quot = Eval(Col("i") / Col("d"), batch);
  std::vector<Value> half = Eval(Col("i") / 2.0, batch);
  std::vector<Value> lt = Eval(Col("i") < Col("d"), batch);
  std::vector<Value> eq = Eval(Col("i") == 3.0, batch);
  for (size_t r = 0; r < rows.size(); ++r) {
    const double i = static_cast<double>(*rows[r].i);
    const double d = *rows[r].d;
    EXPECT_EQ(sum[r], D(i + d));
    EXPECT_EQ(diff[r], D(d - i));
    EXPECT_EQ(prod[r], D(i * 0.908));
    EXPECT_EQ(quot[r], D(i / d));
    EXPECT_EQ(half[r], D(i / 2.0));
    EXPECT_EQ(lt[r], B(i < d));
    EXPECT_EQ(eq[r], B(i == 3.0));
  }
}

TEST(ExpressionTest, TimestampArithmeticStaysInMilliseconds) {
  Batch batch = MakeBatch({{.i = 250, .ts = 10'000}});
  EXPECT_EQ(Eval(Col("ts") + Col("i"), batch)[0], Value::Timestamp(10'250));
  EXPECT_EQ(Eval(Col("ts") - 1000, batch)[0], Value::Timestamp(9'000));
  EXPECT_EQ(Eval(Col("ts") - TimestampLit(4'000), batch)[0], I(6'000));
  EXPECT_EQ(Eval(Col("ts") >= TimestampLit(10'000), batch)[0], B(true));
  EXPECT_EQ(Eval(Col("ts") < TimestampLit(10'000), batch)[0], B(false));
}

TEST(ExpressionTest, NullOperandsMakeArithmeticAndComparisonsNull) {
  Batch batch = MakeBatch({{.i = 1, .j = std::nullopt, .d = std::nullopt, .s = "a"},
                           {.i = std::nullopt, .j = 2, .d = 1.5, .s = std::nullopt}});
  EXPECT_EQ(Eval(Col("i") + Col("j"), batch), (std::vector<Value>{kNullInt, kNullInt}));
  EXPECT_EQ(Eval(Col("i") * Col("d"), batch),
            (std::vector<Value>{Null(DataType::kDouble), Null(DataType::kDouble)}));
  EXPECT_EQ(Eval(Col("i") < Col("j"), batch), (std::vector<Value>{kNullBool, kNullBool}));
  EXPECT_EQ(Eval(Col("s") == "a", batch), (std::vector<Value>{B(true), kNullBool}));
  EXPECT_EQ(Eval(Col("i") + NullOf(DataType::kInt64), batch),
            (std::vector<Value>{kNullInt, kNullInt}));
  EXPECT_EQ(Eval(-Col("i"), batch), (std::vector<Value>{I(-1), kNullInt}));
}

// ---------------------------------------------------------------- comparisons

TEST(ExpressionTest, StringsCompareBytewise) {
  Batch batch = MakeBatch({{.s = "a", .t = "b"},
                           {.s = "B", .t = "a"},
                           {.s = "ab", .t = "abc"},
                           {.s = "\xff", .t = "a"},
                           {.s = "", .t = ""}});
  EXPECT_EQ(Eval(Col("s") < Col("t"), batch),
            (std::vector<Value>{B(true), B(true), B(true), B(false), B(false)}));
  EXPECT_EQ(Eval(Col("s") >= Col("t"), batch),
            (std::vector<Value>{B(false), B(false), B(false), B(true), B(true)}));
  EXPECT_EQ(Eval(Col("s") == Col("t"), batch),
            (std::vector<Value>{B(false), B(false), B(false), B(false), B(true)}));
  EXPECT_EQ(Eval(Col("s") <= "ab", batch),
            (std::vector<Value>{B(true), B(true), B(true), B(false), B(true)}));
  EXPECT_EQ(Eval("ab" > Col("s"), batch),
            (std::vector<Value>{B(true), B(true), B(false), B(false), B(true)}));
}

TEST(ExpressionTest, BoolsCompareWithFalseBeforeTrue) {
  Batch batch =
      MakeBatch({{.b = false, .c = true}, {.b = true, .c = true}, {.b = true, .c = false}});
  EXPECT_EQ(Eval(Col("b") < Col("c"), batch), (std::vector<Value>{B(true), B(false), B(false)}));
  EXPECT_EQ(Eval(Col("b") != Col("c"), batch), (std::vector<Value>{B(true), B(false), B(true)}));
  EXPECT_EQ(Eval(Col("b") == true, batch), (std::vector<Value>{B(false), B(true), B(true)}));
}

TEST(ExpressionTest, EveryComparisonOperatorAgreesWithCpp) {
  std::vector<Row> rows;
  for (int64_t a = -2; a <= 2; ++a) {
    for (int64_t b = -2; b <= 2; ++b) rows.push_back({.i = a, .j = b, .d = b * 0.5});
  }
  Batch batch = MakeBatch(rows);
  struct Operator {
    ExprOp op;
    std::function<Expr(Expr, Expr)> make;
    std::function<bool(double, double)> cmp;
  };
  std::vector<Operator> cases = {
      {ExprOp::kEqual, [](Expr a, Expr b) { return a == b; }, std::equal_to<double>()},
      {ExprOp::kNotEqual, [](Expr a, Expr b) { return a != b; }, std::not_equal_to<double>()},
      {ExprOp::kLess, [](Expr a, Expr b) { return a < b; }, std::less<double>()},
      {ExprOp::kLessEqual, [](Expr a, Expr b) { return a <= b; }, std::less_equal<double>()},
      {ExprOp::kGreater, [](Expr a, Expr b) { return a > b; }, std::greater<double>()},
      {ExprOp::kGreaterEqual, [](Expr a, Expr b) { return a >= b; },
       std::greater_equal<double>()},
  };
  for (const Operator& c : cases) {
    std::vector<Value> ij = Eval(c.make(Col("i"), Col("j")), batch);
    std::vector<Value> id = Eval(c.make(Col("i"), Col("d")), batch);
    std::vector<Value> i1 = Eval(c.make(Col("i"), 1), batch);
    std::vector<Value> one_j = Eval(c.make(1, Col("j")), batch);
    for (size_t r = 0; r < rows.size(); ++r) {
      const double i = static_cast<double>(*rows[r].i);
      const double j = static_cast<double>(*rows[r].j);
      SCOPED_TRACE(std::string(ExprOpName(c.op)) + " row " + std::to_string(r));
      EXPECT_EQ(ij[r], B(c.cmp(i, j)));
      EXPECT_EQ(id[r], B(c.cmp(i, *rows[r].d)));
      EXPECT_EQ(i1[r], B(c.cmp(i, 1)));
      EXPECT_EQ(one_j[r], B(c.cmp(1, j)));
    }
  }
}

// ---------------------------------------------------------------- three-valued logic

TEST(ExpressionTest, AndOrNotFollowSqlThreeValuedLogic) {
  // Every pair of (true, false, null), and the SQL truth tables written out by hand.
  const std::optional<bool> T = true, F = false, N = std::nullopt;
  struct Line {
    std::optional<bool> a, b, and_, or_;
  };
  const std::vector<Line> table = {
      {T, T, T, T}, {T, F, F, T}, {T, N, N, T},  //
      {F, T, F, T}, {F, F, F, F}, {F, N, F, N},  //
      {N, T, N, T}, {N, F, F, N}, {N, N, N, N},
  };
  std::vector<Row> rows;
  for (const Line& l : table) rows.push_back({.b = l.a, .c = l.b});
  Batch batch = MakeBatch(rows);
  auto as_value = [](std::optional<bool> v) { return v ? B(*v) : kNullBool; };
  std::vector<Value> and_ = Eval(Col("b") && Col("c"), batch);
  std::vector<Value> or_ = Eval(Col("b") || Col("c"), batch);
  std::vector<Value> not_ = Eval(!Col("b"), batch);
  for (size_t r = 0; r < table.size(); ++r) {
    SCOPED_TRACE("row " + std::to_string(r));
    EXPECT_EQ(and_[r], as_value(table[r].and_));
    EXPECT_EQ(or_[r], as_value(table[r].or_));
    const std::optional<bool> a = table[r].a;
    EXPECT_EQ(not_[r], as_value(a ? std::optional<bool>(!*a) : N));
  }
  // With a constant on one side (the kernel reads it without a column).
  const Expr null_bool = NullOf(DataType::kBool);
  std::vector<Value> and_null = Eval(Col("b") && null_bool, batch);
  std::vector<Value> or_null = Eval(null_bool || Col("b"), batch);
  std::vector<Value> and_true = Eval(Col("b") && true, batch);
  std::vector<Value> or_false = Eval(false || Col("b"), batch);
  for (size_t r = 0; r < table.size(); ++r) {
    const std::optional<bool> a = table[r].a;
    EXPECT_EQ(and_null[r], as_value(a == F ? F : N));
    EXPECT_EQ(or_null[r], as_value(a == T ? T : N));
    EXPECT_EQ(and_true[r], as_value(a));
    EXPECT_EQ(or_false[r], as_value(a));
  }
}

TEST(ExpressionTest, AndOrOfNullFreeColumnsAreCombinedBytewise) {
  Batch batch = MakeBatch({{.b = true, .c = true}, {.b = true, .c = false},
                           {.b = false, .c = true}, {.b = false, .c = false}});
  EXPECT_EQ(Eval(Col("b") && Col("c"), batch),
            (std::vector<Value>{B(true), B(false), B(false), B(false)}));
  EXPECT_EQ(Eval(Col("b") || Col("c"), batch),
            (std::vector<Value>{B(true), B(true), B(true), B(false)}));
}

TEST(ExpressionTest, IsNullAndIsNotNullAreNeverNull) {
  Batch batch = MakeBatch({{.i = 1, .s = std::nullopt}, {.i = std::nullopt, .s = "x"}});
  EXPECT_EQ(Eval(IsNull(Col("i")), batch), (std::vector<Value>{B(false), B(true)}));
  EXPECT_EQ(Eval(IsNotNull(Col("i")), batch), (std::vector<Value>{B(true), B(false)}));
  EXPECT_EQ(Eval(IsNull(Col("s")), batch), (std::vector<Value>{B(true), B(false)}));
  EXPECT_EQ(Eval(IsNull(Col("i") + Col("j")), batch), (std::vector<Value>{B(true), B(true)}));
  EXPECT_EQ(Eval(IsNull(Col("nn")), batch), (std::vector<Value>{B(false), B(false)}));
  auto bound = Bind(IsNull(Col("i")), *TestSchema());
  ASSERT_TRUE(bound.ok());
  EXPECT_FALSE(bound->nullable());
}

// ---------------------------------------------------------------- IN, COALESCE, CASE

TEST(ExpressionTest, InMatchesItsListAndIsNullOnlyWhenUnknown) {
  Batch batch = MakeBatch({{.i = 1}, {.i = 5}, {.i = std::nullopt}, {.i = 3}});
  EXPECT_EQ(Eval(In(Col("i"), {1, 2, 3}), batch),
            (std::vector<Value>{B(true), B(false), kNullBool, B(true)}));
  // A null in the list: no match is unknown, a match is still true.
  EXPECT_EQ(Eval(In(Col("i"), {1, NullOf(DataType::kInt64)}), batch),
            (std::vector<Value>{B(true), kNullBool, kNullBool, kNullBool}));
  // Mixed int64 and double compare as doubles.
  EXPECT_EQ(Eval(In(Col("i"), {2.5, 5.0}), batch),
            (std::vector<Value>{B(false), B(true), kNullBool, B(false)}));
  // A long list (sorted lookup) gives the same answers as a short one.
  std::vector<Expr> many;
  for (int64_t v = 3; v < 300; v += 2) many.push_back(Lit(v));
  EXPECT_EQ(Eval(In(Col("i"), many), batch),
            (std::vector<Value>{B(false), B(true), kNullBool, B(true)}));
}

TEST(ExpressionTest, InWithExpressionsInTheListIsAnOrOfEqualities) {
  Batch batch = MakeBatch({{.i = 1, .j = 1}, {.i = 2, .j = 5}, {.i = 7, .j = std::nullopt},
                           {.i = 6, .j = 5}});
  EXPECT_EQ(Eval(In(Col("i"), {Col("j"), Col("j") + 1}), batch),
            (std::vector<Value>{B(true), B(false), kNullBool, B(true)}));
}

TEST(ExpressionTest, InWorksOnStringsBoolsAndTimestamps) {
  Batch batch = MakeBatch({{.b = true, .s = "x", .ts = 5}, {.b = false, .s = "zz", .ts = 6}});
  EXPECT_EQ(Eval(In(Col("s"), {"a", "x"}), batch), (std::vector<Value>{B(true), B(false)}));
  std::vector<Expr> words;
  for (int k = 0; k < 20; ++k) words.push_back(Lit(std::string(k % 5 + 1, 'a' + k)));
  words.push_back("zz");
  EXPECT_EQ(Eval(In(Col("s"), words), batch), (std::vector<Value>{B(false), B(true)}));
  EXPECT_EQ(Eval(In(Col("b"), {false}), batch), (std::vector<Value>{B(false), B(true)}));
  EXPECT_EQ(Eval(In(Col("ts"), {TimestampLit(6)}), batch),
            (std::vector<Value>{B(false), B(true)}));
}

TEST(ExpressionTest, CoalesceTakesTheFirstNonNullArgument) {
  Batch batch = MakeBatch({{.i = 1, .j = 2}, {.i = std::nullopt, .j = 2},
                           {.i = std::nullopt, .j = std::nullopt}});
  EXPECT_EQ(Eval(Coalesce(Col("i"), Col("j")), batch), (std::vector<Value>{I(1), I(2), kNullInt}));
  EXPECT_EQ(Eval(Coalesce(Col("i"), Col("j"), -1), batch), (std::vector<Value>{I(1), I(2), I(-1)}));
  EXPECT_EQ(Eval(Coalesce(Col("i"), 0.5), batch), (std::vector<Value>{D(1), D(0.5), D(0.5)}));
  EXPECT_EQ(Eval(Coalesce(NullOf(DataType::kString), Col("s"), "none"), batch),
            (std::vector<Value>{S("none"), S("none"), S("none")}));
  auto bound = Bind(Coalesce(Col("i"), 0), *TestSchema());
  ASSERT_TRUE(bound.ok());
  EXPECT_FALSE(bound->nullable());
}

TEST(ExpressionTest, CaseTakesTheFirstTrueBranchAndSkipsNullConditions) {
  Batch batch = MakeBatch({{.i = 150}, {.i = 50}, {.i = -5}, {.i = std::nullopt}});
  Expr with_else = Case().When(Col("i") > 100, "high").When(Col("i") > 0, "low").Else("none");
  EXPECT_EQ(Eval(with_else, batch),
            (std::vector<Value>{S("high"), S("low"), S("none"), S("none")}));
  Expr without_else = Case().When(Col("i") > 100, Col("i") * 2).When(Col("i") > 0, Col("i"));
  EXPECT_EQ(Eval(without_else, batch), (std::vector<Value>{I(300), I(50), kNullInt, kNullInt}));
  // Results of int64 and double meet in double.
  Expr mixed = Case().When(Col("i") > 100, 1).Else(0.5);
  EXPECT_EQ(Eval(mixed, batch), (std::vector<Value>{D(1), D(0.5), D(0.5), D(0.5)}));
  // A branch value may itself be null.
  Expr null_branch = Case().When(Col("i") > 100, NullOf(DataType::kInt64)).Else(Col("i"));
  EXPECT_EQ(Eval(null_branch, batch), (std::vector<Value>{kNullInt, I(50), I(-5), kNullInt}));
  // Bool results.
  Expr bools = Case().When(IsNull(Col("i")), true).Else(Col("i") > 0);
  EXPECT_EQ(Eval(bools, batch), (std::vector<Value>{B(true), B(true), B(false), B(true)}));
}

// ---------------------------------------------------------------- strings

TEST(ExpressionTest, LowerUpperTrimAndLengthWorkOnBytes) {
  Batch batch = MakeBatch({{.s = "  Hello World\t"}, {.s = "\xc3\x89t\xc3\xa9"}, {.s = ""},
                           {.s = std::nullopt}});
  EXPECT_EQ(Eval(Lower(Col("s")), batch),
            (std::vector<Value>{S("  hello world\t"), S("\xc3\x89t\xc3\xa9"), S(""), kNullString}));
  EXPECT_EQ(Eval(Upper(Col("s")), batch),
            (std::vector<Value>{S("  HELLO WORLD\t"), S("\xc3\x89T\xc3\xa9"), S(""), kNullString}));
  EXPECT_EQ(Eval(Trim(Col("s")), batch),
            (std::vector<Value>{S("Hello World"), S("\xc3\x89t\xc3\xa9"), S(""), kNullString}));
  EXPECT_EQ(Eval(Length(Col("s")), batch), (std::vector<Value>{I(14), I(5), I(0), kNullInt}));
}

TEST(ExpressionTest, SubstrFollowsSqlPositions) {
  Batch batch = MakeBatch({{.s = "hello"}});
  auto sub = [&](Expr e) { return Eval(e, batch)[0]; };
  EXPECT_EQ(sub(Substr(Col("s"), 2, 3)), S("ell"));
  EXPECT_EQ(sub(Substr(Col("s"), 1, 5)), S("hello"));
  EXPECT_EQ(sub(Substr(Col("s"), 4, 10)), S("lo"));
  EXPECT_EQ(sub(Substr(Col("s"), 0, 2)), S("h"));  // positions 0 and 1; only 1 exists
  EXPECT_EQ(sub(Substr(Col("s"), -3, 5)), S("h"));
  EXPECT_EQ(sub(Substr(Col("s"), 6, 1)), S(""));
  EXPECT_EQ(sub(Substr(Col("s"), 3)), S("llo"));
  EXPECT_EQ(sub(Substr(Col("s"), -10)), S("hello"));
  EXPECT_EQ(sub(Substr(Col("s"), 2, 0)), S(""));
  EXPECT_EQ(sub(Substr(Col("s"), 2, -1)), kNullString);
  EXPECT_EQ(sub(Substr(Col("s"), kMax, kMax)), S(""));
  EXPECT_EQ(sub(Substr(Col("s"), kMin, kMax)), S(""));
  EXPECT_EQ(sub(Substr(Col("s"), 2, NullOf(DataType::kInt64))), kNullString);
}

TEST(ExpressionTest, ConcatCastsNonStringsAndIsNullWhenAnArgumentIs) {
  Batch batch = MakeBatch({{.i = 42, .b = true, .s = "id-", .ts = 0},
                           {.i = std::nullopt, .b = false, .s = "x", .ts = 1}});
  EXPECT_EQ(Eval(Concat(Col("s"), Col("i")), batch), (std::vector<Value>{S("id-42"), kNullString}));
  EXPECT_EQ(Eval(Concat(Col("s"), ":", Col("b")), batch),
            (std::vector<Value>{S("id-:true"), S("x:false")}));
  EXPECT_EQ(Eval(Concat("t=", Col("ts")), batch),
            (std::vector<Value>{S("t=1970-01-01 00:00:00.000"), S("t=1970-01-01 00:00:00.001")}));
  EXPECT_EQ(EvalOne(Concat("a", 1, 2.5, "b")), S("a12.5b"));
}

TEST(ExpressionTest, StartsWithEndsWithAndContainsTakeColumnsOrLiterals) {
  Batch batch = MakeBatch({{.s = "foobar", .t = "foo"}, {.s = "barfoo", .t = "bar"},
                           {.s = "", .t = ""}, {.s = "x", .t = std::nullopt}});
  EXPECT_EQ(Eval(StartsWith(Col("s"), "foo"), batch),
            (std::vector<Value>{B(true), B(false), B(false), B(false)}));
  EXPECT_EQ(Eval(EndsWith(Col("s"), "foo"), batch),
            (std::vector<Value>{B(false), B(true), B(false), B(false)}));
  EXPECT_EQ(Eval(Contains(Col("s"), "oba"), batch),
            (std::vector<Value>{B(true), B(false), B(false), B(false)}));
  EXPECT_EQ(Eval(StartsWith(Col("s"), Col("t")), batch),
            (std::vector<Value>{B(true), B(true), B(true), kNullBool}));
  EXPECT_EQ(Eval(EndsWith(Col("s"), Col("t")), batch),
            (std::vector<Value>{B(false), B(false), B(true), kNullBool}));
  EXPECT_EQ(Eval(Contains(Col("s"), Col("t")), batch),
            (std::vector<Value>{B(true), B(true), B(true), kNullBool}));
}

TEST(ExpressionTest, LikeMatchesPercentUnderscoreAndEscapes) {
  struct Example {
    std::string s, pattern;
    bool match;
  };
  const std::vector<Example> cases = {
      {"hello", "hello", true},     {"hello", "hell", false},     {"hello", "h%", true},
      {"hello", "%o", true},        {"hello", "%ll%", true},      {"hello", "%x%", false},
      {"hello", "h%o", true},       {"ho", "h%o", true},          {"h", "h%o", false},
      {"hello", "h_llo", true},     {"hello", "h_lo", false},     {"hello", "_____", true},
      {"hello", "______", false},   {"hello", "%", true},         {"", "%", true},
      {"", "", true},               {"a", "", false},             {"", "_", false},
      {"abcabc", "%b_a%", true},    {"abcab", "a%c%b", true},     {"abcab", "a%c%c", false},
      {"mississippi", "m%iss%ppi", true}, {"mississippi", "%s_s%", true},
      {"100%", "100\\%", true},     {"1000", "100\\%", false},    {"a_b", "a\\_b", true},
      {"axb", "a\\_b", false},      {"a\\b", "a\\\\b", true},     {"hello", "h%%o", true},
      {"héllo", "h__llo", true},    {"héllo", "h_llo", false},
  };
  for (const Example& c : cases) {
    SCOPED_TRACE("'" + c.s + "' LIKE '" + c.pattern + "'");
    Batch batch = MakeBatch({{.s = c.s, .t = c.pattern}});
    EXPECT_EQ(Eval(Like(Col("s"), c.pattern), batch)[0], B(c.match));  // compiled once
    EXPECT_EQ(Eval(Like(Col("s"), Col("t")), batch)[0], B(c.match));   // per row
  }
  Batch nulls = MakeBatch({{.s = std::nullopt, .t = "%"}, {.s = "a", .t = std::nullopt}});
  EXPECT_EQ(Eval(Like(Col("s"), Col("t")), nulls), (std::vector<Value>{kNullBool, kNullBool}));
}

// ---------------------------------------------------------------- casts

TEST(ExpressionTest, CastsStringsToNumbersAndAFailureIsNull) {
  Batch batch = MakeBatch({{.s = "42"}, {.s = " -7 "}, {.s = "+3"}, {.s = "4.5"}, {.s = "abc"},
                           {.s = ""}, {.s = "9223372036854775808"}, {.s = "1e3"},
                           {.s = std::nullopt}});
  EXPECT_EQ(Eval(Cast(Col("s"), DataType::kInt64), batch),
            (std::vector<Value>{I(42), I(-7), I(3), kNullInt, kNullInt, kNullInt, kNullInt,
                                kNullInt, kNullInt}));
  const Value nd = Null(DataType::kDouble);
  EXPECT_EQ(Eval(Cast(Col("s"), DataType::kDouble), batch),
            (std::vector<Value>{D(42), D(-7), D(3), D(4.5), nd, nd, D(9223372036854775808.0),
                                D(1000), nd}));
  auto bound = Bind(Cast(Col("s"), DataType::kInt64), *TestSchema());
  ASSERT_TRUE(bound.ok());
  EXPECT_TRUE(bound->nullable());
}

TEST(ExpressionTest, CastsStringsToBools) {
  Batch batch = MakeBatch({{.s = "true"}, {.s = "FALSE"}, {.s = " Yes "}, {.s = "0"},
                           {.s = "on"}, {.s = "maybe"}});
  EXPECT_EQ(Eval(Cast(Col("s"), DataType::kBool), batch),
            (std::vector<Value>{B(true), B(false), B(true), B(false), B(true), kNullBool}));
}

TEST(ExpressionTest, CastsNumbersAndBoolsToStrings) {
  EXPECT_EQ(EvalOne(Cast(Lit(42), DataType::kString)), S("42"));
  EXPECT_EQ(EvalOne(Cast(Lit(kMin), DataType::kString)), S("-9223372036854775808"));
  EXPECT_EQ(EvalOne(Cast(Lit(-1.5), DataType::kString)), S("-1.5"));
  EXPECT_EQ(EvalOne(Cast(Lit(true), DataType::kString)), S("true"));
  EXPECT_EQ(EvalOne(Cast(TimestampLit(1'714'564'800'250), DataType::kString)),
            S("2024-05-01 12:00:00.250"));
  EXPECT_EQ(EvalOne(Cast(TimestampLit(-1), DataType::kString)), S("1969-12-31 23:59:59.999"));
  // Doubles print the shortest text that reads back as the same double.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> reals(-1e6, 1e6);
  std::vector<Row> rows;
  for (int k = 0; k < 100; ++k) rows.push_back({.d = reals(rng)});
  rows.push_back({.d = 0.1});
  rows.push_back({.d = 1e300});
  Batch batch = MakeBatch(rows);
  std::vector<Value> text = Eval(Cast(Col("d"), DataType::kString), batch);
  for (size_t r = 0; r < rows.size(); ++r) {
    ASSERT_FALSE(text[r].is_null());
    EXPECT_EQ(std::strtod(text[r].str().c_str(), nullptr), *rows[r].d) << text[r].str();
  }
  EXPECT_EQ(text[100], S("0.1"));
}

TEST(ExpressionTest, CastsDoubleToIntegerTruncateAndUnrepresentableIsNull) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Batch batch = MakeBatch({{.d = 2.9}, {.d = -2.9}, {.d = nan}, {.d = 1e30}, {.d = -1e30},
                           {.d = -9223372036854775808.0}, {.d = std::nullopt}});
  EXPECT_EQ(Eval(Cast(Col("d"), DataType::kInt64), batch),
            (std::vector<Value>{I(2), I(-2), kNullInt, kNullInt, kNullInt, I(kMin), kNullInt}));
  EXPECT_EQ(Eval(Cast(Col("d"), DataType::kTimestamp), batch)[0], Value::Timestamp(2));
  EXPECT_EQ(Eval(Cast(Col("d"), DataType::kBool), batch),
            (std::vector<Value>{B(true), B(true), kNullBool, B(true), B(true), B(true),
                                kNullBool}));
}

TEST(ExpressionTest, CastsBetweenIntegersTimestampsBoolsAndDoubles) {
  Batch batch = MakeBatch({{.i = 0, .b = true, .ts = 1500}, {.i = -3, .b = false, .ts = -1}});
  EXPECT_EQ(Eval(Cast(Col("i"), DataType::kTimestamp), batch),
            (std::vector<Value>{Value::Timestamp(0), Value::Timestamp(-3)}));
  EXPECT_EQ(Eval(Cast(Col("ts"), DataType::kInt64), batch), (std::vector<Value>{I(1500), I(-1)}));
  EXPECT_EQ(Eval(Cast(Col("i"), DataType::kBool), batch), (std::vector<Value>{B(false), B(true)}));
  EXPECT_EQ(Eval(Cast(Col("b"), DataType::kInt64), batch), (std::vector<Value>{I(1), I(0)}));
  EXPECT_EQ(Eval(Cast(Col("b"), DataType::kDouble), batch), (std::vector<Value>{D(1), D(0)}));
  EXPECT_EQ(Eval(Cast(Col("i"), DataType::kDouble), batch), (std::vector<Value>{D(0), D(-3)}));
  EXPECT_EQ(Eval(Cast(Col("ts"), DataType::kDouble), batch),
            (std::vector<Value>{D(1500), D(-1)}));
  EXPECT_EQ(Eval(Cast(Col("i"), DataType::kInt64), batch), (std::vector<Value>{I(0), I(-3)}));
}

// The epoch milliseconds of a UTC date and time, by the C library.
int64_t TimegmMs(int year, int month, int day, int hour, int minute, int second, int ms) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

TEST(ExpressionTest, CastsStringsToTimestampsFromIso8601OrEpochMilliseconds) {
  struct Example {
    std::string text;
    std::optional<int64_t> ms;
  };
  const std::vector<Example> cases = {
      {"2024-05-01", TimegmMs(2024, 5, 1, 0, 0, 0, 0)},
      {"2024-05-01 12:34:56", TimegmMs(2024, 5, 1, 12, 34, 56, 0)},
      {"2024-05-01T12:34:56.789Z", TimegmMs(2024, 5, 1, 12, 34, 56, 789)},
      {"2024-05-01T12:34:56.7", TimegmMs(2024, 5, 1, 12, 34, 56, 700)},
      {"2024-05-01T12:34:56.123456789", TimegmMs(2024, 5, 1, 12, 34, 56, 123)},
      {"2024-05-01T12:34", TimegmMs(2024, 5, 1, 12, 34, 0, 0)},
      {"2024-05-01T12:34:56+02:00", TimegmMs(2024, 5, 1, 10, 34, 56, 0)},
      {"2024-05-01T12:34:56-0130", TimegmMs(2024, 5, 1, 14, 4, 56, 0)},
      {" 1969-12-31 23:59:59.999 ", -1},
      {"2000-02-29", TimegmMs(2000, 2, 29, 0, 0, 0, 0)},
      {"1714564800250", 1714564800250},
      {"-5", -5},
      {"1900-02-29", std::nullopt},
      {"2023-02-29", std::nullopt},
      {"2024-13-01", std::nullopt},
      {"2024-05-01 24:00:00", std::nullopt},
      {"2024-05-01T12", std::nullopt},
      {"2024-5-1", std::nullopt},
      {"yesterday", std::nullopt},
      {"", std::nullopt},
  };
  for (const Example& c : cases) {
    SCOPED_TRACE("'" + c.text + "'");
    Value got = EvalOne(Cast(Lit(c.text), DataType::kTimestamp));
    EXPECT_EQ(got, c.ms ? Value::Timestamp(*c.ms) : Null(DataType::kTimestamp));
  }
}

TEST(ExpressionTest, TimestampsFormatLikeTheCLibraryAndReadBack) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> ms(-4'000'000'000'000, 8'000'000'000'000);
  for (int k = 0; k < 2000; ++k) {
    const int64_t t = k == 0 ? 0 : ms(rng);
    const std::string text = FormatTimestamp(t);
    // The C library's rendering of the same instant.
    std::time_t secs = static_cast<std::time_t>((t - (((t % 1000) + 1000) % 1000)) / 1000);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&secs, &tm), nullptr);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    char expected[80];
    const int millis = static_cast<int>(((t % 1000) + 1000) % 1000);
    std::snprintf(expected, sizeof expected, "%s.%03d", buf, millis);
    ASSERT_EQ(text, expected) << t;
    int64_t back = 0;
    ASSERT_TRUE(ParseTimestamp(text, back)) << text;
    ASSERT_EQ(back, t) << text;
  }
}

// ---------------------------------------------------------------- binding results

TEST(ExpressionTest, LiteralOnlySubtreesFoldAtBindTime) {
  auto folded = Bind(Lit(2) * 3 + 1, *TestSchema());
  ASSERT_TRUE(folded.ok());
  EXPECT_TRUE(folded->is_constant());
  EXPECT_EQ(folded->constant(), I(7));

  auto partly = Bind(Col("i") + Lit(2) * 3, *TestSchema());
  ASSERT_TRUE(partly.ok());
  ASSERT_EQ(partly->root().children.size(), 2u);
  EXPECT_TRUE(partly->root().children[1].is_constant());
  EXPECT_EQ(partly->root().children[1].constant, I(6));

  auto strings = Bind(Upper(Concat("a", "b")) == "AB", *TestSchema());
  ASSERT_TRUE(strings.ok());
  EXPECT_TRUE(strings->is_constant());
  EXPECT_EQ(strings->constant(), B(true));

  auto case_folded = Bind(Case().When(Lit(1) > 2, "no").Else("yes"), *TestSchema());
  ASSERT_TRUE(case_folded.ok());
  EXPECT_EQ(case_folded->constant(), S("yes"));

  // A null operand of a strict operator folds the whole operator to null.
  auto null_folded = Bind(Lower(Col("s")) == NullOf(DataType::kString), *TestSchema());
  ASSERT_TRUE(null_folded.ok());
  EXPECT_TRUE(null_folded->is_constant());
  EXPECT_EQ(null_folded->constant(), kNullBool);

  // A constant is broadcast to every row when evaluated.
  Batch batch = MakeBatch({{}, {}, {}});
  EXPECT_EQ(Eval(Lit(2) * 3 + 1, batch), (std::vector<Value>{I(7), I(7), I(7)}));
  EXPECT_EQ(Eval(Lit("x"), batch), (std::vector<Value>{S("x"), S("x"), S("x")}));
  EXPECT_EQ(Eval(NullOf(DataType::kDouble), batch),
            (std::vector<Value>(3, Null(DataType::kDouble))));
}

TEST(ExpressionTest, BoundExpressionsKnowTheirNullability) {
  auto nullable = [](const Expr& e) {
    auto bound = Bind(e, *TestSchema());
    EXPECT_TRUE(bound.ok()) << bound.status().ToString();
    return bound.ok() && bound->nullable();
  };
  EXPECT_FALSE(nullable(Col("nn") + 1));
  EXPECT_TRUE(nullable(Col("i") + 1));
  EXPECT_TRUE(nullable(Col("nn") / Col("nn")));  // division by zero
  EXPECT_FALSE(nullable(Col("nn") / 2));
  EXPECT_FALSE(nullable(Lit(1)));
  EXPECT_TRUE(nullable(Case().When(Col("nn") > 0, 1)));
  EXPECT_FALSE(nullable(Case().When(Col("nn") > 0, 1).Else(2)));
  EXPECT_TRUE(nullable(Cast(Col("d"), DataType::kInt64)));
  EXPECT_FALSE(nullable(Cast(Col("nn"), DataType::kString)));
}

TEST(ExpressionTest, PlainColumnBindsToItsIndex) {
  auto bound = Bind(Col("s"), *TestSchema());
  ASSERT_TRUE(bound.ok());
  EXPECT_TRUE(bound->is_column());
  EXPECT_EQ(bound->column_index(), 5u);
  EXPECT_EQ(bound->type(), DataType::kString);
  EXPECT_EQ(bound->ToString(), "s");
}

TEST(ExpressionTest, EvaluateRejectsABatchOfAnotherShape) {
  auto bound = Bind(Col("d") * 2, *TestSchema());
  ASSERT_TRUE(bound.ok());
  Batch other(MakeSchema({{"x", DataType::kInt64}, {"y", DataType::kString},
                          {"d", DataType::kInt64}}));
  other.AppendValues(std::vector<Value>{I(1), S("a"), I(2)}, 0);
  auto result = Evaluate(*bound, other);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("(d * 2)"), std::string::npos)
      << result.status().ToString();
}

TEST(ExpressionTest, EvaluatePredicateTreatsNullAsFalse) {
  Batch batch = MakeBatch({{.i = 1}, {.i = std::nullopt}, {.i = 2}, {.i = 3}});
  auto bound = Bind(Col("i") % 2 == 1, *TestSchema());
  ASSERT_TRUE(bound.ok());
  std::vector<uint8_t> keep;
  auto kept = EvaluatePredicate(*bound, batch, keep);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, 2u);
  EXPECT_EQ(keep, (std::vector<uint8_t>{1, 0, 0, 1}));
  auto not_bool = Bind(Col("i") + 1, *TestSchema());
  ASSERT_TRUE(not_bool.ok());
  EXPECT_FALSE(EvaluatePredicate(*not_bool, batch, keep).ok());
}

TEST(ExpressionTest, ModuloFilterOverAFullBatchMatchesAPlainLoop) {
  std::vector<Row> rows;
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int64_t> auctions(1000, 100000);
  for (int k = 0; k < 1024; ++k) rows.push_back({.i = auctions(rng)});
  Batch batch = MakeBatch(rows);
  auto bound = Bind(Col("i") % 123 == 0, *TestSchema());
  ASSERT_TRUE(bound.ok());
  std::vector<uint8_t> keep;
  auto kept = EvaluatePredicate(*bound, batch, keep);
  ASSERT_TRUE(kept.ok());
  size_t expected = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const bool want = *rows[r].i % 123 == 0;
    expected += want;
    ASSERT_EQ(keep[r], want ? 1 : 0) << r;
  }
  EXPECT_EQ(*kept, expected);
}

}  // namespace
}  // namespace eddy::engine
