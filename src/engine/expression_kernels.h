#pragma once
// The building blocks of the expression kernels (expression_evaluator.cc and
// expression_functions.cc): operand accessors chosen once per node, validity helpers and
// output allocation. Not part of the engine's interface.

#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "src/engine/expression_internal.h"

namespace eddy::engine::kernels {

// ---- operand accessors ----

template <typename T>
struct ColAt {
  const T* p;
  T operator()(size_t i) const { return p[i]; }
};
template <typename T>
struct ConstAt {
  T v;
  T operator()(size_t) const { return v; }
};
struct StrAt {
  const Column* c;
  std::string_view operator()(size_t i) const { return c->StringAt(i); }
};
struct ConstStr {
  std::string_view v;
  std::string_view operator()(size_t) const { return v; }
};

template <typename T>
const T* DataOf(const Column& c) {
  if constexpr (std::is_same_v<T, int64_t>) {
    return c.ints().data();
  } else if constexpr (std::is_same_v<T, double>) {
    return c.doubles().data();
  } else {
    return c.bools().data();
  }
}

template <typename T>
T ConstOf(const Value& v) {
  if (v.is_null()) return T{};
  if constexpr (std::is_same_v<T, int64_t>) {
    return v.int64();
  } else if constexpr (std::is_same_v<T, double>) {
    return v.dbl();
  } else {
    return v.boolean() ? 1 : 0;
  }
}

/// Calls fn with the accessor of `d`'s values as T (int64_t, double or uint8_t for bool).
template <typename T, typename Fn>
void WithValues(const Datum& d, Fn&& fn) {
  if (d.is_constant()) {
    fn(ConstAt<T>{ConstOf<T>(d.constant())});
  } else {
    fn(ColAt<T>{DataOf<T>(d.column())});
  }
}

template <typename Fn>
void WithStrings(const Datum& d, Fn&& fn) {
  if (d.is_constant()) {
    const Value& v = d.constant();
    fn(ConstStr{v.is_null() ? std::string_view() : std::string_view(v.str())});
  } else {
    fn(StrAt{&d.column()});
  }
}

/// Calls fn with the accessor of `d`'s validity (1 = valid).
template <typename Fn>
void WithValidity(const Datum& d, Fn&& fn) {
  if (d.is_constant()) {
    fn(ConstAt<uint8_t>{static_cast<uint8_t>(d.constant().is_null() ? 0 : 1)});
  } else if (d.column().has_nulls()) {
    fn(ColAt<uint8_t>{d.column().validity().data()});
  } else {
    fn(ConstAt<uint8_t>{1});
  }
}

// ---- nulls ----

/// Sets `valid` to the rows where every datum is non-null. Returns false, leaving `valid`
/// alone, when no datum has a null.
inline bool CombineValidity(std::span<const Datum* const> datums, size_t n,
                            std::vector<uint8_t>& valid) {
  bool any = false;
  for (const Datum* d : datums) {
    if (!d->may_have_nulls()) continue;
    if (d->is_constant()) {  // a null constant: every row is null
      valid.assign(n, 0);
      return true;
    }
    const uint8_t* v = d->column().validity().data();
    if (!any) {
      valid.assign(v, v + n);
      any = true;
    } else {
      for (size_t i = 0; i < n; ++i) valid[i] &= v[i];
    }
  }
  return any;
}

inline void ApplyNulls(Column& out, const std::vector<uint8_t>& valid) {
  for (size_t i = 0; i < valid.size(); ++i) {
    if (!valid[i]) out.SetNull(i);
  }
}

/// Sizes `out` to n values and returns its storage to write them into.
template <typename T>
T* Allocate(Column& out, size_t n) {
  if constexpr (std::is_same_v<T, int64_t>) {
    out.ints().resize(n);
    out.CommitAppended(n);
    return out.ints().data();
  } else if constexpr (std::is_same_v<T, double>) {
    out.doubles().resize(n);
    out.CommitAppended(n);
    return out.doubles().data();
  } else {
    out.bools().resize(n);
    out.CommitAppended(n);
    return out.bools().data();
  }
}

}  // namespace eddy::engine::kernels
