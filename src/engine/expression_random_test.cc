// Random expressions over random batches (random nulls included), evaluated by the
// columnar evaluator and by a row-at-a-time reference interpreter written here from the
// SQL rules, independently of the engine's kernels. Every row must agree.

#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <random>

#include "src/engine/expression.h"
#include "src/engine/expression_test_util.h"

namespace eddy::engine {
namespace {

using Int128 = __int128;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

SchemaRef RandomSchema() {
  return MakeSchema({{"i", DataType::kInt64},
                     {"j", DataType::kInt64},
                     {"d", DataType::kDouble},
                     {"e", DataType::kDouble},
                     {"b", DataType::kBool},
                     {"c", DataType::kBool},
                     {"s", DataType::kString},
                     {"t", DataType::kString},
                     {"ts", DataType::kTimestamp},
                     {"u", DataType::kTimestamp}});
}

// ---------------------------------------------------------------- the reference

bool IsNumber(DataType t) { return t == DataType::kInt64 || t == DataType::kDouble; }

double AsDouble(const Value& v) {
  return v.type() == DataType::kDouble ? v.dbl() : static_cast<double>(v.int64());
}

int64_t Wrap(Int128 v) { return static_cast<int64_t>(static_cast<uint64_t>(v)); }

// The type a list of values meets in: their type, or double for a mix of int64 / double.
DataType CommonOf(const std::vector<Value>& values) {
  DataType t = values[0].type();
  for (const Value& v : values) {
    if (v.type() != t) t = DataType::kDouble;
  }
  return t;
}

Value Convert(const Value& v, DataType to) {
  if (v.type() == to) return v;
  if (v.is_null()) return Value::Null(to);
  return Value::Double(AsDouble(v));  // only int64 → double is implicit
}

// -1, 0, 1 by unsigned bytes, then length.
int CompareBytes(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// a <op> b for non-null values of comparable types.
bool CompareValues(ExprOp op, const Value& a, const Value& b) {
  int c;
  if (a.type() == DataType::kString) {
    c = CompareBytes(a.str(), b.str());
  } else if (a.type() == DataType::kBool) {
    c = static_cast<int>(a.boolean()) - static_cast<int>(b.boolean());
  } else if (a.type() == DataType::kDouble || b.type() == DataType::kDouble) {
    const double x = AsDouble(a), y = AsDouble(b);
    switch (op) {  // NaN: every comparison but <> is false
      case ExprOp::kEqual: return x == y;
      case ExprOp::kNotEqual: return x != y;
      case ExprOp::kLess: return x < y;
      case ExprOp::kLessEqual: return x <= y;
      case ExprOp::kGreater: return x > y;
      default: return x >= y;
    }
  } else {
    c = a.int64() < b.int64() ? -1 : (a.int64() > b.int64() ? 1 : 0);
  }
  switch (op) {
    case ExprOp::kEqual: return c == 0;
    case ExprOp::kNotEqual: return c != 0;
    case ExprOp::kLess: return c < 0;
    case ExprOp::kLessEqual: return c <= 0;
    case ExprOp::kGreater: return c > 0;
    default: return c >= 0;
  }
}

std::optional<bool> Truth(const Value& v) {
  if (v.is_null()) return std::nullopt;
  return v.boolean();
}

Value FromTruth(std::optional<bool> t) {
  return t ? Value::Bool(*t) : Value::Null(DataType::kBool);
}

std::string TrimmedOf(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// SQL LIKE by recursion over the pattern.
bool RefLike(const char* s, const char* p) {
  if (*p == 0) return *s == 0;
  if (*p == '\\' && p[1] != 0) return *s == p[1] && RefLike(s + 1, p + 2);
  if (*p == '%') {
    for (const char* k = s;; ++k) {
      if (RefLike(k, p + 1)) return true;
      if (*k == 0) return false;
    }
  }
  if (*s == 0) return false;
  if (*p == '_') return RefLike(s + 1, p + 1);
  return *s == *p && RefLike(s + 1, p + 1);
}

Value RefCast(const Value& v, DataType to) {
  if (v.is_null()) return Value::Null(to);
  const DataType from = v.type();
  if (from == to) return v;
  if (to == DataType::kString) {
    if (from == DataType::kBool) return Value::String(v.boolean() ? "true" : "false");
    return Value::String(std::to_string(v.int64()));  // int64 only (see the generator)
  }
  if (from == DataType::kString) {
    const std::string s = TrimmedOf(v.str());
    if (to == DataType::kBool) {
      std::string l;
      for (char ch : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      for (const char* w : {"true", "t", "yes", "y", "on", "1"}) {
        if (l == w) return Value::Bool(true);
      }
      for (const char* w : {"false", "f", "no", "n", "off", "0"}) {
        if (l == w) return Value::Bool(false);
      }
      return Value::Null(to);
    }
    if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return Value::Null(to);
    errno = 0;
    char* end = nullptr;
    if (to == DataType::kDouble) {
      const double d = std::strtod(s.c_str(), &end);
      if (errno != 0 || *end != 0) return Value::Null(to);
      return Value::Double(d);
    }
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || *end != 0) return Value::Null(to);
    return to == DataType::kInt64 ? Value::Int64(n) : Value::Timestamp(n);
  }
  if (from == DataType::kDouble) {
    const double d = v.dbl();
    if (to == DataType::kBool) return std::isnan(d) ? Value::Null(to) : Value::Bool(d != 0);
    const double limit = std::ldexp(1.0, 63);
    if (!(d >= -limit && d < limit)) return Value::Null(to);
    const int64_t n = static_cast<int64_t>(std::trunc(d));
    return to == DataType::kInt64 ? Value::Int64(n) : Value::Timestamp(n);
  }
  const int64_t n = from == DataType::kBool ? (v.boolean() ? 1 : 0) : v.int64();
  switch (to) {
    case DataType::kInt64: return Value::Int64(n);
    case DataType::kTimestamp: return Value::Timestamp(n);
    case DataType::kDouble: return Value::Double(static_cast<double>(n));
    case DataType::kBool: return Value::Bool(n != 0);
    case DataType::kString: break;
  }
  return Value::Null(to);
}

DataType ArithmeticType(ExprOp op, DataType a, DataType b) {
  if (a == DataType::kInt64 && b == DataType::kInt64) return DataType::kInt64;
  if (IsNumber(a) && IsNumber(b)) return DataType::kDouble;
  if (op == ExprOp::kSubtract && a == DataType::kTimestamp && b == DataType::kTimestamp) {
    return DataType::kInt64;
  }
  return DataType::kTimestamp;
}

Value Ref(const Expr& expr, const Batch& batch, size_t row) {
  const ExprNode& n = expr.node();
  std::vector<Value> a;
  auto arg = [&](size_t k) { return Ref(n.args[k], batch, row); };
  switch (n.op) {
    case ExprOp::kColumn:
      return batch.column(*batch.schema()->FindIndex(n.column)).ValueAt(row);
    case ExprOp::kLiteral: return n.literal;
    case ExprOp::kAdd:
    case ExprOp::kSubtract:
    case ExprOp::kMultiply:
    case ExprOp::kDivide:
    case ExprOp::kModulo: {
      const Value x = arg(0), y = arg(1);
      const DataType type = ArithmeticType(n.op, x.type(), y.type());
      if (x.is_null() || y.is_null()) return Value::Null(type);
      if (type == DataType::kDouble) {
        const double p = AsDouble(x), q = AsDouble(y);
        switch (n.op) {
          case ExprOp::kAdd: return Value::Double(p + q);
          case ExprOp::kSubtract: return Value::Double(p - q);
          case ExprOp::kMultiply: return Value::Double(p * q);
          case ExprOp::kDivide: return q == 0 ? Value::Null(type) : Value::Double(p / q);
          default: return q == 0 ? Value::Null(type) : Value::Double(std::fmod(p, q));
        }
      }
      const Int128 p = x.int64(), q = y.int64();
      Int128 r = 0;
      switch (n.op) {
        case ExprOp::kAdd: r = p + q; break;
        case ExprOp::kSubtract: r = p - q; break;
        case ExprOp::kMultiply: r = p * q; break;
        case ExprOp::kDivide:
          if (q == 0) return Value::Null(type);
          r = p / q;
          break;
        default:
          if (q == 0) return Value::Null(type);
          r = p % q;
          break;
      }
      return type == DataType::kInt64 ? Value::Int64(Wrap(r)) : Value::Timestamp(Wrap(r));
    }
    case ExprOp::kNegate: {
      const Value x = arg(0);
      if (x.is_null()) return x;
      if (x.type() == DataType::kDouble) return Value::Double(-x.dbl());
      return Value::Int64(Wrap(-Int128(x.int64())));
    }
    case ExprOp::kEqual:
    case ExprOp::kNotEqual:
    case ExprOp::kLess:
    case ExprOp::kLessEqual:
    case ExprOp::kGreater:
    case ExprOp::kGreaterEqual: {
      const Value x = arg(0), y = arg(1);
      if (x.is_null() || y.is_null()) return Value::Null(DataType::kBool);
      return Value::Bool(CompareValues(n.op, x, y));
    }
    case ExprOp::kAnd: {
      const std::optional<bool> x = Truth(arg(0)), y = Truth(arg(1));
      if (x == false || y == false) return Value::Bool(false);
      if (x == true && y == true) return Value::Bool(true);
      return FromTruth(std::nullopt);
    }
    case ExprOp::kOr: {
      const std::optional<bool> x = Truth(arg(0)), y = Truth(arg(1));
      if (x == true || y == true) return Value::Bool(true);
      if (x == false && y == false) return Value::Bool(false);
      return FromTruth(std::nullopt);
    }
    case ExprOp::kNot: {
      const std::optional<bool> x = Truth(arg(0));
      return x ? Value::Bool(!*x) : FromTruth(std::nullopt);
    }
    case ExprOp::kIsNull: return Value::Bool(arg(0).is_null());
    case ExprOp::kIsNotNull: return Value::Bool(!arg(0).is_null());
    case ExprOp::kIn: {
      const Value x = arg(0);
      if (x.is_null()) return Value::Null(DataType::kBool);
      bool saw_null = false;
      for (size_t k = 1; k < n.args.size(); ++k) {
        const Value y = arg(k);
        if (y.is_null()) {
          saw_null = true;
        } else if (CompareValues(ExprOp::kEqual, x, y)) {
          return Value::Bool(true);
        }
      }
      return saw_null ? Value::Null(DataType::kBool) : Value::Bool(false);
    }
    case ExprOp::kCoalesce: {
      for (size_t k = 0; k < n.args.size(); ++k) a.push_back(arg(k));
      const DataType type = CommonOf(a);
      for (const Value& v : a) {
        if (!v.is_null()) return Convert(v, type);
      }
      return Value::Null(type);
    }
    case ExprOp::kCase: {
      const size_t pairs = (n.args.size() - (n.case_has_else ? 1 : 0)) / 2;
      std::vector<Value> results;
      for (size_t k = 0; k < pairs; ++k) results.push_back(arg(2 * k + 1));
      if (n.case_has_else) results.push_back(arg(n.args.size() - 1));
      const DataType type = CommonOf(results);
      for (size_t k = 0; k < pairs; ++k) {
        if (Truth(arg(2 * k)) == true) return Convert(results[k], type);
      }
      return n.case_has_else ? Convert(results.back(), type) : Value::Null(type);
    }
    case ExprOp::kCast: return RefCast(arg(0), n.cast_to);
    default: break;
  }
  // String functions: null in, null out.
  for (size_t k = 0; k < n.args.size(); ++k) a.push_back(arg(k));
  DataType type = DataType::kString;
  if (n.op == ExprOp::kLength) type = DataType::kInt64;
  if (n.op == ExprOp::kStartsWith || n.op == ExprOp::kEndsWith || n.op == ExprOp::kContains ||
      n.op == ExprOp::kLike) {
    type = DataType::kBool;
  }
  for (const Value& v : a) {
    if (v.is_null()) return Value::Null(type);
  }
  switch (n.op) {
    case ExprOp::kLower:
    case ExprOp::kUpper: {
      std::string s = a[0].str();
      for (char& ch : s) {
        if (ch >= 'A' && ch <= 'Z' && n.op == ExprOp::kLower) ch = static_cast<char>(ch + 32);
        if (ch >= 'a' && ch <= 'z' && n.op == ExprOp::kUpper) ch = static_cast<char>(ch - 32);
      }
      return Value::String(s);
    }
    case ExprOp::kTrim: return Value::String(TrimmedOf(a[0].str()));
    case ExprOp::kLength: return Value::Int64(static_cast<int64_t>(a[0].str().size()));
    case ExprOp::kSubstr: {
      const std::string& s = a[0].str();
      const Int128 start = a[1].int64();
      if (a.size() == 3 && a[2].int64() < 0) return Value::Null(type);
      std::string out;
      for (size_t pos = 1; pos <= s.size(); ++pos) {
        const bool after = Int128(pos) >= start;
        const bool before = a.size() < 3 || Int128(pos) < start + Int128(a[2].int64());
        if (after && before) out += s[pos - 1];
      }
      return Value::String(out);
    }
    case ExprOp::kConcat: {
      std::string out;
      for (const Value& v : a) out += RefCast(v, DataType::kString).str();
      return Value::String(out);
    }
    case ExprOp::kStartsWith: return Value::Bool(a[0].str().rfind(a[1].str(), 0) == 0);
    case ExprOp::kEndsWith: {
      const std::string &s = a[0].str(), &x = a[1].str();
      return Value::Bool(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
    }
    case ExprOp::kContains: return Value::Bool(a[0].str().find(a[1].str()) != std::string::npos);
    case ExprOp::kLike: return Value::Bool(RefLike(a[0].str().c_str(), a[1].str().c_str()));
    default: break;
  }
  ADD_FAILURE() << "reference has no rule for " << expr.ToString();
  return Value::Null(type);
}

bool SameValue(const Value& x, const Value& y) {
  if (x.type() != y.type() || x.is_null() != y.is_null()) return false;
  if (x.is_null()) return true;
  if (x.type() == DataType::kDouble) {
    if (std::isnan(x.dbl()) && std::isnan(y.dbl())) return true;
    return x.dbl() == y.dbl();
  }
  return x == y;
}

// ---------------------------------------------------------------- random expressions

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  int64_t RandomInt() {
    static const int64_t kSpecial[] = {0, 1, -1, 2, 3, 7, -7, 123, kMax, kMin};
    if (Chance(0.4)) return kSpecial[Pick(10)];
    return std::uniform_int_distribution<int64_t>(-1000, 1000)(rng_);
  }
  int64_t SmallInt() { return std::uniform_int_distribution<int64_t>(-3, 8)(rng_); }
  double RandomDouble() {
    static const double kSpecial[] = {0.0, -0.0, 0.5, -2.25, 1e300, 3.0,
                                      std::numeric_limits<double>::quiet_NaN()};
    if (Chance(0.3)) return kSpecial[Pick(Chance(0.1) ? 7 : 6)];
    return std::uniform_real_distribution<double>(-100, 100)(rng_);
  }
  std::string RandomString() {
    static const char* kPool[] = {"",      "a",    "B",     " 12 ", "-7",
                                  "x%y",   "abc",  "Hello", "hello", "ab_c",
                                  "true",  "No",   "4.5",   "+3",    "1e3",
                                  "  ",    "aXbXc", "9223372036854775808", "zz\\",
                                  "\xc3\xa9t\xc3\xa9"};
    return kPool[Pick(20)];
  }
  std::string RandomPattern() {
    static const char* kPool[] = {"%",   "a%",  "%c",  "%b%", "a_c", "_",   "",     "%X%",
                                  "x\\%y", "ab\\_c", "%l%o", "h%", "%%",  "__%", "%a%b%c%"};
    return kPool[Pick(15)];
  }
  int64_t RandomTimestamp() {
    return std::uniform_int_distribution<int64_t>(-1'000'000'000'000, 2'000'000'000'000)(rng_);
  }

  Value RandomValue(DataType t) {
    switch (t) {
      case DataType::kInt64: return Value::Int64(RandomInt());
      case DataType::kDouble: return Value::Double(RandomDouble());
      case DataType::kBool: return Value::Bool(Chance(0.5));
      case DataType::kString: return Value::String(RandomString());
      case DataType::kTimestamp: return Value::Timestamp(RandomTimestamp());
    }
    return Value::Null(t);
  }

  Batch RandomBatch(const SchemaRef& schema) {
    Batch batch(schema);
    const size_t rows = Chance(0.1) ? Pick(3) : 1 + Pick(60);
    // Each column has its own null rate, often zero (the kernels' no-null paths).
    std::vector<double> null_rate;
    for (size_t c = 0; c < schema->num_fields(); ++c) {
      null_rate.push_back(Chance(0.4) ? 0.0 : 0.3);
    }
    for (size_t r = 0; r < rows; ++r) {
      std::vector<Value> values;
      for (size_t c = 0; c < schema->num_fields(); ++c) {
        const DataType t = schema->field(c).type;
        values.push_back(Chance(null_rate[c]) ? Value::Null(t) : RandomValue(t));
      }
      batch.AppendValues(values, static_cast<EventTimeMs>(r));
    }
    return batch;
  }

  Expr Leaf(DataType t) {
    if (Chance(0.65)) {
      switch (t) {
        case DataType::kInt64: return Col(Chance(0.5) ? "i" : "j");
        case DataType::kDouble: return Col(Chance(0.5) ? "d" : "e");
        case DataType::kBool: return Col(Chance(0.5) ? "b" : "c");
        case DataType::kString: return Col(Chance(0.5) ? "s" : "t");
        case DataType::kTimestamp: return Col(Chance(0.5) ? "ts" : "u");
      }
    }
    return Lit(Chance(0.1) ? Value::Null(t) : RandomValue(t));
  }

  DataType AnyType() { return static_cast<DataType>(Pick(5)); }
  DataType NumberType() { return Chance(0.5) ? DataType::kInt64 : DataType::kDouble; }

  Expr Gen(DataType t, int depth) {
    if (depth <= 0 || Chance(0.2)) return Leaf(t);
    const int d = depth - 1;
    switch (t) {
      case DataType::kInt64: return GenInt(d);
      case DataType::kDouble: return GenDouble(d);
      case DataType::kBool: return GenBool(d);
      case DataType::kString: return GenString(d);
      case DataType::kTimestamp: return GenTimestamp(d);
    }
    return Leaf(t);
  }

  Expr Arithmetic(const Expr& a, const Expr& b) {
    switch (Pick(5)) {
      case 0: return a + b;
      case 1: return a - b;
      case 2: return a * b;
      case 3: return a / b;
      default: return a % b;
    }
  }

  Expr CaseOf(DataType t, int d, DataType other) {
    CaseBuilder c = Case().When(Gen(DataType::kBool, d), Gen(t, d));
    if (Chance(0.5)) c = c.When(Gen(DataType::kBool, d), Gen(other, d));
    return Chance(0.6) ? c.Else(Gen(Chance(0.5) ? t : other, d)) : c.End();
  }

  Expr GenInt(int d) {
    switch (Pick(8)) {
      case 0:
      case 1: return Arithmetic(Gen(DataType::kInt64, d), Gen(DataType::kInt64, d));
      case 2: return -Gen(DataType::kInt64, d);
      case 3: return Length(Gen(DataType::kString, d));
      case 4: {
        static const DataType kFrom[] = {DataType::kDouble, DataType::kString, DataType::kBool,
                                         DataType::kTimestamp};
        return Cast(Gen(kFrom[Pick(4)], d), DataType::kInt64);
      }
      case 5: return CaseOf(DataType::kInt64, d, DataType::kInt64);
      case 6: return Coalesce(Gen(DataType::kInt64, d), Gen(DataType::kInt64, d));
      default: return Gen(DataType::kTimestamp, d) - Gen(DataType::kTimestamp, d);
    }
  }

  Expr GenDouble(int d) {
    switch (Pick(6)) {
      case 0:
      case 1:
        if (Chance(0.5)) return Arithmetic(Gen(DataType::kDouble, d), Gen(NumberType(), d));
        return Arithmetic(Gen(DataType::kInt64, d), Gen(DataType::kDouble, d));
      case 2: return -Gen(DataType::kDouble, d);
      case 3: {
        static const DataType kFrom[] = {DataType::kInt64, DataType::kString, DataType::kBool};
        return Cast(Gen(kFrom[Pick(3)], d), DataType::kDouble);
      }
      case 4: return CaseOf(DataType::kDouble, d, NumberType());
      default: return Coalesce(Gen(NumberType(), d), Gen(DataType::kDouble, d));
    }
  }

  Expr Comparison(const Expr& a, const Expr& b) {
    switch (Pick(6)) {
      case 0: return a == b;
      case 1: return a != b;
      case 2: return a < b;
      case 3: return a <= b;
      case 4: return a > b;
      default: return a >= b;
    }
  }

  Expr GenBool(int d) {
    switch (Pick(9)) {
      case 0:
      case 1: {
        switch (Pick(5)) {
          case 0: return Comparison(Gen(NumberType(), d), Gen(NumberType(), d));
          case 1: return Comparison(Gen(DataType::kString, d), Gen(DataType::kString, d));
          case 2: return Comparison(Gen(DataType::kBool, d), Gen(DataType::kBool, d));
          case 3: return Comparison(Gen(DataType::kTimestamp, d), Gen(DataType::kTimestamp, d));
          default: return Comparison(Gen(DataType::kInt64, d), Gen(DataType::kInt64, d));
        }
      }
      case 2:
        return Chance(0.5) ? Gen(DataType::kBool, d) && Gen(DataType::kBool, d)
                           : Gen(DataType::kBool, d) || Gen(DataType::kBool, d);
      case 3: return !Gen(DataType::kBool, d);
      case 4: {
        Expr x = Gen(AnyType(), d);
        return Chance(0.5) ? IsNull(x) : IsNotNull(x);
      }
      case 5: {
        // A literal list (short or long, maybe holding a null) or a list of expressions.
        const DataType t = Chance(0.7) ? DataType::kInt64 : DataType::kString;
        std::vector<Expr> list;
        const int size = 1 + Pick(Chance(0.3) ? 14 : 4);
        for (int k = 0; k < size; ++k) {
          if (t == DataType::kInt64 && Chance(0.2)) {
            list.push_back(Gen(DataType::kInt64, d));
          } else {
            list.push_back(Lit(Chance(0.05) ? Value::Null(t)
                                            : (t == DataType::kInt64 ? Value::Int64(SmallInt())
                                                                     : RandomValue(t))));
          }
        }
        return In(Gen(t, d), std::move(list));
      }
      case 6: {
        Expr s = Gen(DataType::kString, d);
        Expr x = Chance(0.6) ? Lit(RandomString()) : Gen(DataType::kString, d);
        switch (Pick(3)) {
          case 0: return StartsWith(s, x);
          case 1: return EndsWith(s, x);
          default: return Contains(s, x);
        }
      }
      case 7:
        return Like(Gen(DataType::kString, d),
                    Chance(0.8) ? Lit(RandomPattern()) : Gen(DataType::kString, d));
      default: {
        static const DataType kFrom[] = {DataType::kInt64, DataType::kString, DataType::kDouble};
        return Cast(Gen(kFrom[Pick(3)], d), DataType::kBool);
      }
    }
  }

  // A string argument for Concat / Cast to string: no doubles or timestamps, whose text
  // forms are checked by their own tests.
  Expr Printable(int d) {
    static const DataType kTypes[] = {DataType::kInt64, DataType::kBool, DataType::kString};
    return Gen(kTypes[Pick(3)], d);
  }

  Expr GenString(int d) {
    switch (Pick(7)) {
      case 0: return Lower(Gen(DataType::kString, d));
      case 1: return Upper(Gen(DataType::kString, d));
      case 2: return Trim(Gen(DataType::kString, d));
      case 3: {
        Expr start = Chance(0.7) ? Lit(SmallInt()) : Gen(DataType::kInt64, d);
        if (Chance(0.3)) return Substr(Gen(DataType::kString, d), start);
        Expr len = Chance(0.7) ? Lit(SmallInt()) : Gen(DataType::kInt64, d);
        return Substr(Gen(DataType::kString, d), start, len);
      }
      case 4: {
        std::vector<Expr> parts;
        for (int k = 0, n = 1 + Pick(3); k < n; ++k) parts.push_back(Printable(d));
        return Concat(parts);
      }
      case 5:
        if (Chance(0.5)) return Cast(Printable(d), DataType::kString);
        return CaseOf(DataType::kString, d, DataType::kString);
      default: return Coalesce(Gen(DataType::kString, d), Gen(DataType::kString, d));
    }
  }

  Expr GenTimestamp(int d) {
    switch (Pick(4)) {
      case 0: return Gen(DataType::kTimestamp, d) + Gen(DataType::kInt64, d);
      case 1: return Gen(DataType::kInt64, d) + Gen(DataType::kTimestamp, d);
      case 2: return Gen(DataType::kTimestamp, d) - Gen(DataType::kInt64, d);
      default: return Cast(Gen(DataType::kInt64, d), DataType::kTimestamp);
    }
  }

 private:
  std::mt19937_64 rng_;
};

void CheckAgainstReference(const Expr& e, const Batch& batch, const BoundExpr& bound) {
  auto column = Evaluate(bound, batch);
  ASSERT_TRUE(column.ok()) << e.ToString() << ": " << column.status().ToString();
  ASSERT_EQ(column->size(), batch.num_rows());
  ASSERT_EQ(column->type(), bound.type());
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    const Value want = Ref(e, batch, r);
    const Value got = column->ValueAt(r);
    ASSERT_TRUE(SameValue(got, want))
        << e.ToString() << "\nrow " << r << ": got " << got.ToString() << ":"
        << DataTypeName(got.type()) << ", want " << want.ToString() << ":"
        << DataTypeName(want.type()) << "\nbatch:\n"
        << batch.ToString();
    if (!bound.nullable()) {
      ASSERT_FALSE(got.is_null()) << e.ToString() << " was bound as never null";
    }
  }
  if (bound.type() == DataType::kBool) {
    std::vector<uint8_t> keep;
    auto kept = EvaluatePredicate(bound, batch, keep);
    ASSERT_TRUE(kept.ok());
    size_t count = 0;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const Value want = Ref(e, batch, r);
      const bool pass = !want.is_null() && want.boolean();
      ASSERT_EQ(keep[r], pass ? 1 : 0) << e.ToString() << " row " << r;
      count += pass;
    }
    ASSERT_EQ(*kept, count);
  }
}

TEST(ExpressionRandomTest, EvaluateAgreesWithARowByRowReferenceOnRandomBatches) {
  const SchemaRef schema = RandomSchema();
  Generator gen(20240501);
  int checked = 0;
  for (int k = 0; k < 1500; ++k) {
    const DataType type = gen.AnyType();
    const Expr e = gen.Gen(type, 1 + gen.Pick(4));
    auto bound = Bind(e, *schema);
    ASSERT_TRUE(bound.ok()) << e.ToString() << ": " << bound.status().ToString();
    for (int b = 0; b < 4; ++b) {
      Batch batch = gen.RandomBatch(schema);
      ASSERT_NO_FATAL_FAILURE(CheckAgainstReference(e, batch, *bound));
      checked += static_cast<int>(batch.num_rows());
    }
  }
  EXPECT_GT(checked, 100'000);
}

TEST(ExpressionRandomTest, FilterPredicatesAgreeWithTheReferenceOnFullBatches) {
  const SchemaRef schema = RandomSchema();
  Generator gen(99);
  for (int k = 0; k < 100; ++k) {
    const Expr e = gen.Gen(DataType::kBool, 3);
    auto bound = Bind(e, *schema);
    ASSERT_TRUE(bound.ok()) << e.ToString() << ": " << bound.status().ToString();
    Batch batch(schema);
    for (int part = 0; part < 20; ++part) {
      Batch more = gen.RandomBatch(schema);
      batch.AppendRange(more, 0, more.num_rows());
    }
    ASSERT_NO_FATAL_FAILURE(CheckAgainstReference(e, batch, *bound));
  }
}

}  // namespace
}  // namespace eddy::engine
