// Evaluate: runs a bound expression over a batch, one node at a time, each node one or a
// few tight loops over the column vectors.
//
// How the loops stay simple: an operand is read through an accessor that is either a
// column (p[i]) or a constant (v), chosen once per node by a template, so a comparison
// against a literal never materialises the literal. Values are computed for every row,
// nulls included (their storage holds a placeholder), and nulls are applied afterwards
// from the operands' validity bytes; when no operand has a null that step is skipped.
// The accessors and validity helpers are in expression_kernels.h; casts and string
// functions in expression_functions.cc.

#include <algorithm>
#include <cmath>
#include <functional>
#include <span>

#include "src/engine/expression_internal.h"
#include "src/engine/expression_kernels.h"

namespace eddy::engine {

using namespace kernels;  // NOLINT: the kernel building blocks, used throughout

namespace {

// ---- arithmetic ----

// Wrapping int64 arithmetic (signed overflow is undefined behaviour in C++).
inline int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
// INT64_MIN / -1 overflows; it wraps to INT64_MIN like the other operators.
inline int64_t SafeDiv(int64_t a, int64_t b) { return b == -1 ? WrapSub(0, a) : a / b; }
inline int64_t SafeMod(int64_t a, int64_t b) { return b == -1 ? 0 : a % b; }

template <typename T, typename GA, typename GB, typename Fn>
void Loop2(T* out, size_t n, GA ga, GB gb, Fn fn) {
  for (size_t i = 0; i < n; ++i) out[i] = fn(ga(i), gb(i));
}

// Division or modulo whose divisor may be zero in some rows: those rows become null.
template <typename T, typename GA, typename GB, typename Fn>
void DivideLoop(T* out, size_t n, GA ga, GB gb, Fn fn, std::vector<uint8_t>& nonzero) {
  nonzero.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const T b = gb(i);
    nonzero[i] = b != 0;
    out[i] = b != 0 ? fn(ga(i), b) : T{};
  }
}

Column IntArithmetic(ExprOp op, DataType type, const Datum& a, const Datum& b, size_t n,
                     std::vector<uint8_t>& zero_valid, bool& has_zero) {
  Column out(type);
  int64_t* o = Allocate<int64_t>(out, n);
  WithValues<int64_t>(a, [&](auto ga) {
    WithValues<int64_t>(b, [&](auto gb) {
      switch (op) {
        case ExprOp::kAdd: Loop2(o, n, ga, gb, WrapAdd); break;
        case ExprOp::kSubtract: Loop2(o, n, ga, gb, WrapSub); break;
        case ExprOp::kMultiply: Loop2(o, n, ga, gb, WrapMul); break;
        case ExprOp::kDivide:
        case ExprOp::kModulo: {
          const bool div = op == ExprOp::kDivide;
          if (b.is_constant()) {
            // The binder folded a zero divisor to null: only -1 needs care here.
            const int64_t d = ConstOf<int64_t>(b.constant());
            if (d == -1) {
              for (size_t i = 0; i < n; ++i) o[i] = div ? WrapSub(0, ga(i)) : 0;
            } else if (div) {
              for (size_t i = 0; i < n; ++i) o[i] = ga(i) / d;
            } else {
              for (size_t i = 0; i < n; ++i) o[i] = ga(i) % d;
            }
          } else {
            if (div) {
              DivideLoop(o, n, ga, gb, SafeDiv, zero_valid);
            } else {
              DivideLoop(o, n, ga, gb, SafeMod, zero_valid);
            }
            has_zero = true;
          }
          break;
        }
        default: break;
      }
    });
  });
  return out;
}

template <typename A, typename B>
void DoubleArithmetic(ExprOp op, const Datum& a, const Datum& b, double* o, size_t n,
                      std::vector<uint8_t>& zero_valid, bool& has_zero) {
  WithValues<A>(a, [&](auto ga) {
    WithValues<B>(b, [&](auto gb) {
      auto fa = [ga](size_t i) { return static_cast<double>(ga(i)); };
      auto fb = [gb](size_t i) { return static_cast<double>(gb(i)); };
      switch (op) {
        case ExprOp::kAdd: Loop2(o, n, fa, fb, std::plus<double>()); break;
        case ExprOp::kSubtract: Loop2(o, n, fa, fb, std::minus<double>()); break;
        case ExprOp::kMultiply: Loop2(o, n, fa, fb, std::multiplies<double>()); break;
        case ExprOp::kDivide:
          if (b.is_constant()) {
            Loop2(o, n, fa, fb, std::divides<double>());  // non-zero: the binder folded zero
          } else {
            DivideLoop(o, n, fa, fb, std::divides<double>(), zero_valid);
            has_zero = true;
          }
          break;
        case ExprOp::kModulo: {
          auto mod = [](double x, double y) { return std::fmod(x, y); };
          if (b.is_constant()) {
            Loop2(o, n, fa, fb, mod);
          } else {
            DivideLoop(o, n, fa, fb, mod, zero_valid);
            has_zero = true;
          }
          break;
        }
        default: break;
      }
    });
  });
}

Column EvalArithmetic(const BoundNode& node, const Datum& a, const Datum& b, size_t n) {
  std::vector<uint8_t> zero_valid;
  bool has_zero = false;
  Column out(node.type);
  if (IsIntegerLike(node.type)) {
    out = IntArithmetic(node.op, node.type, a, b, n, zero_valid, has_zero);
  } else {
    double* o = Allocate<double>(out, n);
    const bool ai = IsIntegerLike(node.children[0].type);
    const bool bi = IsIntegerLike(node.children[1].type);
    if (ai && bi) {
      DoubleArithmetic<int64_t, int64_t>(node.op, a, b, o, n, zero_valid, has_zero);
    } else if (ai) {
      DoubleArithmetic<int64_t, double>(node.op, a, b, o, n, zero_valid, has_zero);
    } else if (bi) {
      DoubleArithmetic<double, int64_t>(node.op, a, b, o, n, zero_valid, has_zero);
    } else {
      DoubleArithmetic<double, double>(node.op, a, b, o, n, zero_valid, has_zero);
    }
  }
  std::vector<uint8_t> valid;
  const Datum* operands[] = {&a, &b};
  bool has_nulls = CombineValidity(operands, n, valid);
  if (has_zero && std::find(zero_valid.begin(), zero_valid.end(), 0) != zero_valid.end()) {
    if (has_nulls) {
      for (size_t i = 0; i < n; ++i) valid[i] &= zero_valid[i];
    } else {
      valid = std::move(zero_valid);
      has_nulls = true;
    }
  }
  if (has_nulls) ApplyNulls(out, valid);
  return out;
}

Column EvalNegate(const BoundNode& node, const Datum& a, size_t n) {
  Column out(node.type);
  if (node.type == DataType::kDouble) {
    double* o = Allocate<double>(out, n);
    WithValues<double>(a, [&](auto ga) {
      for (size_t i = 0; i < n; ++i) o[i] = -ga(i);
    });
  } else {
    int64_t* o = Allocate<int64_t>(out, n);
    WithValues<int64_t>(a, [&](auto ga) {
      for (size_t i = 0; i < n; ++i) o[i] = WrapSub(0, ga(i));
    });
  }
  std::vector<uint8_t> valid;
  const Datum* operands[] = {&a};
  if (CombineValidity(operands, n, valid)) ApplyNulls(out, valid);
  return out;
}

// ---- comparisons ----

template <typename Fn>
void WithComparison(ExprOp op, Fn&& fn) {
  switch (op) {
    case ExprOp::kEqual: fn(std::equal_to<>()); break;
    case ExprOp::kNotEqual: fn(std::not_equal_to<>()); break;
    case ExprOp::kLess: fn(std::less<>()); break;
    case ExprOp::kLessEqual: fn(std::less_equal<>()); break;
    case ExprOp::kGreater: fn(std::greater<>()); break;
    case ExprOp::kGreaterEqual: fn(std::greater_equal<>()); break;
    default: break;
  }
}

template <typename A, typename B>
void CompareValues(ExprOp op, const Datum& a, const Datum& b, uint8_t* o, size_t n) {
  WithValues<A>(a, [&](auto ga) {
    WithValues<B>(b, [&](auto gb) {
      WithComparison(op, [&](auto cmp) {
        for (size_t i = 0; i < n; ++i) o[i] = cmp(ga(i), gb(i)) ? 1 : 0;
      });
    });
  });
}

Column EvalComparison(const BoundNode& node, const Datum& a, const Datum& b, size_t n) {
  Column out(DataType::kBool);
  uint8_t* o = Allocate<uint8_t>(out, n);
  const DataType ta = node.children[0].type;
  const DataType tb = node.children[1].type;
  if (ta == DataType::kString) {
    WithStrings(a, [&](auto ga) {
      WithStrings(b, [&](auto gb) {
        WithComparison(node.op, [&](auto cmp) {
          for (size_t i = 0; i < n; ++i) o[i] = cmp(ga(i), gb(i)) ? 1 : 0;
        });
      });
    });
  } else if (ta == DataType::kBool) {
    CompareValues<uint8_t, uint8_t>(node.op, a, b, o, n);
  } else if (ta == DataType::kDouble) {
    if (tb == DataType::kDouble) {
      CompareValues<double, double>(node.op, a, b, o, n);
    } else {
      CompareValues<double, int64_t>(node.op, a, b, o, n);
    }
  } else if (tb == DataType::kDouble) {
    CompareValues<int64_t, double>(node.op, a, b, o, n);
  } else {
    CompareValues<int64_t, int64_t>(node.op, a, b, o, n);
  }
  std::vector<uint8_t> valid;
  const Datum* operands[] = {&a, &b};
  if (CombineValidity(operands, n, valid)) ApplyNulls(out, valid);
  return out;
}

// ---- logic (three-valued) ----

Column EvalLogic(ExprOp op, const Datum& a, const Datum& b, size_t n) {
  Column out(DataType::kBool);
  uint8_t* o = Allocate<uint8_t>(out, n);
  if (!a.may_have_nulls() && !b.may_have_nulls()) {
    WithValues<uint8_t>(a, [&](auto ga) {
      WithValues<uint8_t>(b, [&](auto gb) {
        if (op == ExprOp::kAnd) {
          for (size_t i = 0; i < n; ++i) o[i] = ga(i) & gb(i);
        } else {
          for (size_t i = 0; i < n; ++i) o[i] = ga(i) | gb(i);
        }
      });
    });
    return out;
  }
  std::vector<uint8_t> valid(n);
  uint8_t* v = valid.data();
  WithValues<uint8_t>(a, [&](auto ga) {
    WithValues<uint8_t>(b, [&](auto gb) {
      WithValidity(a, [&](auto va) {
        WithValidity(b, [&](auto vb) {
          for (size_t i = 0; i < n; ++i) {
            const uint8_t at = va(i) & ga(i), af = va(i) & (ga(i) ^ 1);
            const uint8_t bt = vb(i) & gb(i), bf = vb(i) & (gb(i) ^ 1);
            if (op == ExprOp::kAnd) {
              // false wins over null; true needs both.
              o[i] = at & bt;
              v[i] = af | bf | (at & bt);
            } else {
              // true wins over null; false needs both.
              o[i] = at | bt;
              v[i] = at | bt | (af & bf);
            }
          }
        });
      });
    });
  });
  ApplyNulls(out, valid);
  return out;
}

Column EvalNot(const Datum& a, size_t n) {
  Column out(DataType::kBool);
  uint8_t* o = Allocate<uint8_t>(out, n);
  WithValues<uint8_t>(a, [&](auto ga) {
    for (size_t i = 0; i < n; ++i) o[i] = ga(i) ^ 1;
  });
  std::vector<uint8_t> valid;
  const Datum* operands[] = {&a};
  if (CombineValidity(operands, n, valid)) ApplyNulls(out, valid);
  return out;
}

Column EvalIsNull(bool want_null, const Datum& a, size_t n) {
  Column out(DataType::kBool);
  uint8_t* o = Allocate<uint8_t>(out, n);
  WithValidity(a, [&](auto va) {
    for (size_t i = 0; i < n; ++i) o[i] = want_null ? va(i) ^ 1 : va(i);
  });
  return out;
}

// ---- IN over a constant list ----

template <typename T, typename GA>
void LookupAll(GA ga, const std::vector<T>& set, uint8_t* o, size_t n) {
  if (set.size() <= 8) {
    for (size_t i = 0; i < n; ++i) {
      const auto x = ga(i);
      uint8_t found = 0;
      for (const T& s : set) found |= (s == x) ? 1 : 0;
      o[i] = found;
    }
  } else {
    for (size_t i = 0; i < n; ++i) o[i] = std::binary_search(set.begin(), set.end(), ga(i));
  }
}

Column EvalIn(const BoundNode& node, const Datum& a, size_t n) {
  const InSet& set = node.in_set;
  Column out(DataType::kBool);
  uint8_t* o = Allocate<uint8_t>(out, n);
  switch (node.children[0].type) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      WithValues<int64_t>(a, [&](auto ga) { LookupAll(ga, set.ints, o, n); });
      break;
    case DataType::kDouble:
      WithValues<double>(a, [&](auto ga) { LookupAll(ga, set.doubles, o, n); });
      break;
    case DataType::kBool:
      WithValues<uint8_t>(a, [&](auto ga) {
        for (size_t i = 0; i < n; ++i) o[i] = ga(i) ? set.has_true : set.has_false;
      });
      break;
    case DataType::kString:
      WithStrings(a, [&](auto ga) {
        if (set.strings.size() <= 8) {
          for (size_t i = 0; i < n; ++i) {
            const std::string_view x = ga(i);
            o[i] = std::find(set.strings.begin(), set.strings.end(), x) != set.strings.end();
          }
        } else {
          for (size_t i = 0; i < n; ++i) {
            o[i] = std::binary_search(set.strings.begin(), set.strings.end(), ga(i),
                                      [](std::string_view x, std::string_view y) { return x < y; });
          }
        }
      });
      break;
  }
  std::vector<uint8_t> valid;
  const Datum* operands[] = {&a};
  bool has_nulls = CombineValidity(operands, n, valid);
  if (set.has_null) {
    // No match against a list holding a null is unknown, not false.
    if (!has_nulls) valid.assign(n, 1);
    for (size_t i = 0; i < n; ++i) valid[i] &= o[i];
    has_nulls = true;
  }
  if (has_nulls) ApplyNulls(out, valid);
  return out;
}

// ---- CASE and COALESCE: pick a branch per row, then gather ----

constexpr uint16_t kNoBranch = 0xFFFF;

/// out[i] = branches[pick[i]] at row i, or null where pick[i] == kNoBranch.
Column Gather(DataType type, const std::vector<const Datum*>& branches,
              const std::vector<uint16_t>& pick, size_t n) {
  Column out(type);
  static const uint8_t kValid = 1;
  static const uint8_t kInvalid = 0;
  // Validity of each branch: a pointer with a stride (0 for a constant answer).
  std::vector<const uint8_t*> vptr(branches.size());
  std::vector<size_t> vstride(branches.size());
  bool any_null = false;
  for (size_t k = 0; k < branches.size(); ++k) {
    const Datum& d = *branches[k];
    if (d.is_constant()) {
      vptr[k] = d.constant().is_null() ? &kInvalid : &kValid;
      vstride[k] = 0;
    } else if (d.column().has_nulls()) {
      vptr[k] = d.column().validity().data();
      vstride[k] = 1;
    } else {
      vptr[k] = &kValid;
      vstride[k] = 0;
    }
  }
  std::vector<uint8_t> valid(n);
  for (size_t i = 0; i < n; ++i) {
    const uint16_t p = pick[i];
    valid[i] = p == kNoBranch ? 0 : vptr[p][i * vstride[p]];
    any_null |= valid[i] == 0;
  }

  if (type == DataType::kString) {
    out.Reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (!valid[i]) {
        out.AppendNull();
        continue;
      }
      const Datum& d = *branches[pick[i]];
      out.AppendString(d.is_constant() ? std::string_view(d.constant().str())
                                       : d.column().StringAt(i));
    }
    return out;
  }

  auto gather = [&](auto* o, auto zero) {
    using T = decltype(zero);
    std::vector<T> constants(branches.size());
    std::vector<const T*> ptr(branches.size());
    std::vector<size_t> stride(branches.size());
    for (size_t k = 0; k < branches.size(); ++k) {
      const Datum& d = *branches[k];
      if (d.is_constant()) {
        constants[k] = ConstOf<T>(d.constant());
        ptr[k] = &constants[k];
        stride[k] = 0;
      } else {
        ptr[k] = DataOf<T>(d.column());
        stride[k] = 1;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const uint16_t p = pick[i];
      o[i] = p == kNoBranch ? T{} : ptr[p][i * stride[p]];
    }
  };
  switch (type) {
    case DataType::kInt64:
    case DataType::kTimestamp: gather(Allocate<int64_t>(out, n), int64_t{0}); break;
    case DataType::kDouble: gather(Allocate<double>(out, n), 0.0); break;
    case DataType::kBool: gather(Allocate<uint8_t>(out, n), uint8_t{0}); break;
    case DataType::kString: break;
  }
  if (any_null) ApplyNulls(out, valid);
  return out;
}

Column EvalCase(const BoundNode& node, const std::vector<Datum>& args, size_t n) {
  const size_t pairs = (args.size() - (node.case_has_else ? 1 : 0)) / 2;
  std::vector<uint16_t> pick(n, kNoBranch);
  std::vector<const Datum*> values;
  for (size_t k = 0; k < pairs; ++k) {
    const Datum& cond = args[2 * k];
    values.push_back(&args[2 * k + 1]);
    const uint16_t branch = static_cast<uint16_t>(k);
    // A row takes the first branch whose condition is true (not false, not null).
    WithValues<uint8_t>(cond, [&](auto gc) {
      WithValidity(cond, [&](auto vc) {
        for (size_t i = 0; i < n; ++i) {
          if (pick[i] == kNoBranch && (gc(i) & vc(i))) pick[i] = branch;
        }
      });
    });
  }
  if (node.case_has_else) {
    values.push_back(&args.back());
    const uint16_t branch = static_cast<uint16_t>(pairs);
    for (size_t i = 0; i < n; ++i) {
      if (pick[i] == kNoBranch) pick[i] = branch;
    }
  }
  return Gather(node.type, values, pick, n);
}

Column EvalCoalesce(const BoundNode& node, const std::vector<Datum>& args, size_t n) {
  std::vector<uint16_t> pick(n, kNoBranch);
  std::vector<const Datum*> values;
  for (size_t k = 0; k < args.size(); ++k) {
    const Datum& d = args[k];
    values.push_back(&d);
    const uint16_t branch = static_cast<uint16_t>(k);
    WithValidity(d, [&](auto vd) {
      for (size_t i = 0; i < n; ++i) {
        if (pick[i] == kNoBranch && vd(i)) pick[i] = branch;
      }
    });
    if (!d.may_have_nulls()) break;  // every row has a value by now
  }
  return Gather(node.type, values, pick, n);
}

}  // namespace

Column BroadcastConstant(const Value& value, DataType type, size_t n) {
  Column out(type);
  out.Reserve(n);
  if (value.is_null()) {
    for (size_t i = 0; i < n; ++i) out.AppendNull();
    return out;
  }
  switch (type) {
    case DataType::kInt64:
    case DataType::kTimestamp: std::fill_n(Allocate<int64_t>(out, n), n, value.int64()); break;
    case DataType::kDouble: std::fill_n(Allocate<double>(out, n), n, value.dbl()); break;
    case DataType::kBool:
      std::fill_n(Allocate<uint8_t>(out, n), n, value.boolean() ? 1 : 0);
      break;
    case DataType::kString:
      for (size_t i = 0; i < n; ++i) out.AppendString(value.str());
      break;
  }
  return out;
}

Datum EvalNode(const BoundNode& node, const Batch& batch, size_t n) {
  switch (node.op) {
    case ExprOp::kColumn: return Datum::Borrowed(batch.column(node.column));
    case ExprOp::kLiteral: return Datum::Constant(node.constant);
    default: break;
  }
  std::vector<Datum> args;
  args.reserve(node.children.size());
  for (const BoundNode& child : node.children) args.push_back(EvalNode(child, batch, n));

  switch (node.op) {
    case ExprOp::kAdd:
    case ExprOp::kSubtract:
    case ExprOp::kMultiply:
    case ExprOp::kDivide:
    case ExprOp::kModulo: return Datum::Owned(EvalArithmetic(node, args[0], args[1], n));
    case ExprOp::kNegate: return Datum::Owned(EvalNegate(node, args[0], n));
    case ExprOp::kEqual:
    case ExprOp::kNotEqual:
    case ExprOp::kLess:
    case ExprOp::kLessEqual:
    case ExprOp::kGreater:
    case ExprOp::kGreaterEqual: return Datum::Owned(EvalComparison(node, args[0], args[1], n));
    case ExprOp::kAnd:
    case ExprOp::kOr: return Datum::Owned(EvalLogic(node.op, args[0], args[1], n));
    case ExprOp::kNot: return Datum::Owned(EvalNot(args[0], n));
    case ExprOp::kIsNull:
    case ExprOp::kIsNotNull:
      return Datum::Owned(EvalIsNull(node.op == ExprOp::kIsNull, args[0], n));
    case ExprOp::kIn: return Datum::Owned(EvalIn(node, args[0], n));
    case ExprOp::kCase: return Datum::Owned(EvalCase(node, args, n));
    case ExprOp::kCoalesce: return Datum::Owned(EvalCoalesce(node, args, n));
    case ExprOp::kCast: return Datum::Owned(EvalCast(node.type, args[0], n));
    case ExprOp::kLower:
    case ExprOp::kUpper:
    case ExprOp::kLength:
    case ExprOp::kSubstr:
    case ExprOp::kConcat:
    case ExprOp::kStartsWith:
    case ExprOp::kEndsWith:
    case ExprOp::kContains:
    case ExprOp::kLike:
    case ExprOp::kTrim: return Datum::Owned(EvalStringFunction(node, args, n));
    case ExprOp::kColumn:
    case ExprOp::kLiteral: break;
  }
  return Datum::Constant(node.constant);  // unreachable: every op is handled above
}

namespace {

Status CheckBatch(const BoundExpr& expr, const Batch& batch) {
  for (const ColumnUse& use : expr.root().uses) {
    if (use.index >= batch.num_columns() || batch.column(use.index).type() != use.type) {
      return Status::InvalidArgument(
          "expression " + expr.ToString() + " was bound to column " + std::to_string(use.index) +
          " of type " + std::string(DataTypeName(use.type)) + ", but the batch has " +
          (use.index >= batch.num_columns()
               ? std::to_string(batch.num_columns()) + " columns"
               : "type " + std::string(DataTypeName(batch.column(use.index).type())) + " there"));
    }
  }
  return Status::OK();
}

}  // namespace

Result<Column> Evaluate(const BoundExpr& expr, const Batch& batch) {
  RETURN_IF_ERROR(CheckBatch(expr, batch));
  const size_t n = batch.num_rows();
  Datum d = EvalNode(expr.root(), batch, n);
  if (d.is_constant()) return BroadcastConstant(d.constant(), expr.type(), n);
  return d.TakeColumn();
}

Result<size_t> EvaluatePredicate(const BoundExpr& predicate, const Batch& batch,
                                 std::vector<uint8_t>& keep) {
  if (predicate.type() != DataType::kBool) {
    return Status::InvalidArgument("predicate " + predicate.ToString() + " is " +
                                   std::string(DataTypeName(predicate.type())) + ", not bool");
  }
  RETURN_IF_ERROR(CheckBatch(predicate, batch));
  const size_t n = batch.num_rows();
  Datum d = EvalNode(predicate.root(), batch, n);
  if (d.is_constant()) {
    const bool all = !d.constant().is_null() && d.constant().boolean();
    keep.assign(n, all ? 1 : 0);
    return all ? n : 0;
  }
  const Column& c = d.column();
  keep.resize(n);
  uint8_t* k = keep.data();
  const uint8_t* b = c.bools().data();
  if (c.has_nulls()) {
    const uint8_t* v = c.validity().data();
    for (size_t i = 0; i < n; ++i) k[i] = (b[i] != 0) & v[i];
  } else {
    for (size_t i = 0; i < n; ++i) k[i] = b[i] != 0;
  }
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) kept += k[i];
  return kept;
}

}  // namespace eddy::engine
