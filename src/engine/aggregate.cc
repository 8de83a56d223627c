#include "src/engine/aggregate.h"

#include <type_traits>
#include <unordered_set>

namespace eddy::engine {
namespace {

// ---- reading an input column and holding its values, per storage ----

template <AggStorage S>
struct Reader;

template <>
struct Reader<AggStorage::kInt> {
  explicit Reader(const Column& c) : p(c.ints().data()) {}
  int64_t operator()(size_t row) const { return p[row]; }
  const int64_t* p;
};

template <>
struct Reader<AggStorage::kBool> {
  explicit Reader(const Column& c) : p(c.bools().data()) {}
  int64_t operator()(size_t row) const { return p[row]; }
  const uint8_t* p;
};

template <>
struct Reader<AggStorage::kDouble> {
  explicit Reader(const Column& c) : p(c.doubles().data()) {}
  double operator()(size_t row) const { return p[row]; }
  const double* p;
};

template <>
struct Reader<AggStorage::kString> {
  explicit Reader(const Column& c) : c(&c) {}
  std::string_view operator()(size_t row) const { return c->StringAt(row); }
  const Column* c;
};

/// The value an AggSlot holds for storage S.
template <AggStorage S>
auto Held(const AggSlot& slot) {
  if constexpr (S == AggStorage::kDouble) {
    return slot.d;
  } else if constexpr (S == AggStorage::kString) {
    return std::string_view(slot.extra->s);
  } else {
    return slot.i;
  }
}

template <AggStorage S, typename V>
void Hold(AggSlot& slot, V v) {
  if constexpr (S == AggStorage::kDouble) {
    slot.d = v;
  } else if constexpr (S == AggStorage::kString) {
    slot.Extra().s.assign(v);
  } else {
    slot.i = v;
  }
}

/// A lookup key into an AggMultiset that does not allocate for strings.
struct CellView {
  EventTimeMs time = 0;
  int64_t i = 0;
  double d = 0;
  std::string_view s;
};

template <AggStorage S, typename V>
CellView ViewOf(V v, EventTimeMs time) {
  CellView view;
  view.time = time;
  if constexpr (S == AggStorage::kDouble) {
    view.d = v == 0 ? 0.0 : v;  // -0.0 and 0.0 are one value
  } else if constexpr (S == AggStorage::kString) {
    view.s = v;
  } else {
    view.i = v;
  }
  return view;
}

void MultisetAdd(AggSlot& slot, const CellView& view) {
  AggMultiset& set = slot.Extra().multiset;
  auto it = set.find(view);
  if (it != set.end()) {
    ++it->second;
    return;
  }
  AggCell cell{view.time, view.i, view.d, std::string(view.s)};
  set.emplace(std::move(cell), 1);
}

void EraseOne(AggMultiset& set, AggMultiset::iterator it) {
  if (--it->second <= 0) set.erase(it);
}

/// Removes one occurrence; when `any_time`, a cell with the same value but another event
/// time also matches (a retraction's event time need not be the one of its addition).
bool MultisetRemove(AggSlot& slot, const CellView& view, bool any_time) {
  if (!slot.extra) return false;
  AggMultiset& set = slot.extra->multiset;
  if (auto it = set.find(view); it != set.end()) {
    EraseOne(set, it);
    return true;
  }
  if (!any_time) return false;
  for (auto it = set.begin(); it != set.end(); ++it) {
    const AggCell& c = it->first;
    if (c.i == view.i && std::strong_order(c.d, view.d) == 0 && c.s == view.s) {
      EraseOne(set, it);
      return true;
    }
  }
  return false;
}

/// Calls fn(k, row) for each k whose row is non-null in `col` (every k when col is null,
/// which stands for count(*)). The null test is chosen once per call, not per row.
template <typename Fn>
inline void ForValid(const Column* col, std::span<const uint32_t> rows, Fn&& fn) {
  if (col != nullptr && col->has_nulls()) {
    const uint8_t* valid = col->validity().data();
    for (size_t k = 0; k < rows.size(); ++k) {
      if (valid[rows[k]]) fn(k, rows[k]);
    }
  } else {
    for (size_t k = 0; k < rows.size(); ++k) fn(k, rows[k]);
  }
}

/// Calls fn(std::integral_constant<AggStorage, S>) for the run-time storage.
template <typename Fn>
void WithStorage(AggStorage storage, Fn&& fn) {
  switch (storage) {
    case AggStorage::kInt:
      fn(std::integral_constant<AggStorage, AggStorage::kInt>{});
      return;
    case AggStorage::kBool:
      fn(std::integral_constant<AggStorage, AggStorage::kBool>{});
      return;
    case AggStorage::kDouble:
      fn(std::integral_constant<AggStorage, AggStorage::kDouble>{});
      return;
    case AggStorage::kString:
      fn(std::integral_constant<AggStorage, AggStorage::kString>{});
      return;
  }
}

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

AggStorage StorageOf(DataType type) {
  switch (type) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      return AggStorage::kInt;
    case DataType::kBool:
      return AggStorage::kBool;
    case DataType::kDouble:
      return AggStorage::kDouble;
    case DataType::kString:
      return AggStorage::kString;
  }
  return AggStorage::kInt;
}

/// A value of `type` from a cell or slot fields.
Value MakeValue(DataType type, int64_t i, double d, const std::string& s) {
  switch (type) {
    case DataType::kInt64:
      return Value::Int64(i);
    case DataType::kTimestamp:
      return Value::Timestamp(i);
    case DataType::kBool:
      return Value::Bool(i != 0);
    case DataType::kDouble:
      return Value::Double(d);
    case DataType::kString:
      return Value::String(s);
  }
  return Value::Null(type);
}

/// A user result of the declared type (int64 / timestamp interchange, an int widens to a
/// double); anything else becomes a null.
Value CoerceUserResult(Value v, DataType type) {
  if (v.is_null() || v.type() == type) return v.is_null() ? Value::Null(type) : v;
  if (IsIntegerLike(type) && IsIntegerLike(v.type())) {
    return type == DataType::kInt64 ? Value::Int64(v.int64()) : Value::Timestamp(v.int64());
  }
  if (type == DataType::kDouble && IsIntegerLike(v.type())) {
    return Value::Double(static_cast<double>(v.int64()));
  }
  return Value::Null(type);
}

}  // namespace

std::string_view AggregateKindName(AggregateKind kind) {
  switch (kind) {
    case AggregateKind::kCount:
      return "count";
    case AggregateKind::kSum:
      return "sum";
    case AggregateKind::kMin:
      return "min";
    case AggregateKind::kMax:
      return "max";
    case AggregateKind::kAvg:
      return "avg";
    case AggregateKind::kCountDistinct:
      return "count_distinct";
    case AggregateKind::kFirstValue:
      return "first_value";
    case AggregateKind::kLastValue:
      return "last_value";
    case AggregateKind::kUser:
      return "user";
  }
  return "?";
}

// ---- builders ----

AggregateSpec Count(std::string output) {
  return {AggregateKind::kCount, "", std::move(output), nullptr, {}};
}
AggregateSpec CountOf(std::string input, std::string output) {
  return {AggregateKind::kCount, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec Sum(std::string input, std::string output) {
  return {AggregateKind::kSum, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec Min(std::string input, std::string output) {
  return {AggregateKind::kMin, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec Max(std::string input, std::string output) {
  return {AggregateKind::kMax, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec Avg(std::string input, std::string output) {
  return {AggregateKind::kAvg, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec CountDistinct(std::string input, std::string output) {
  return {AggregateKind::kCountDistinct, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec FirstValue(std::string input, std::string output) {
  return {AggregateKind::kFirstValue, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec LastValue(std::string input, std::string output) {
  return {AggregateKind::kLastValue, std::move(input), std::move(output), nullptr, {}};
}
AggregateSpec UserAggregate(std::shared_ptr<const UserAggregateFunction> fn, std::string input,
                            std::string output, UserAccumulatorCodec codec) {
  return {AggregateKind::kUser, std::move(input), std::move(output), std::move(fn),
          std::move(codec)};
}

// ---- binding ----

Result<Aggregator> Aggregator::Make(const Schema& input, const std::vector<AggregateSpec>& specs,
                                    AggregatorMode mode) {
  Aggregator agg;
  std::unordered_set<std::string> names;
  for (const AggregateSpec& spec : specs) {
    const std::string what =
        std::string(AggregateKindName(spec.kind)) + "(" + spec.input + ") as '" + spec.output + "'";
    if (spec.output.empty()) {
      return Status::InvalidArgument("aggregate " + what + " has no output column name");
    }
    if (!names.insert(spec.output).second) {
      return Status::InvalidArgument("two aggregates are named '" + spec.output + "'");
    }
    Bound b{.kind = spec.kind,
            .column = -1,
            .input_type = DataType::kInt64,
            .storage = AggStorage::kInt,
            .output_type = DataType::kInt64,
            .use_multiset = false,
            .user = nullptr,
            .user_codec = {}};
    if (spec.input.empty()) {
      if (spec.kind != AggregateKind::kCount) {
        return Status::InvalidArgument("aggregate " + what + " needs an input column");
      }
    } else {
      ASSIGN_OR_RETURN(size_t index, input.IndexOf(spec.input));
      b.column = static_cast<int>(index);
      b.input_type = input.field(index).type;
      b.storage = StorageOf(b.input_type);
    }
    bool nullable = true;
    switch (spec.kind) {
      case AggregateKind::kCount:
      case AggregateKind::kCountDistinct:
        b.output_type = DataType::kInt64;
        b.use_multiset = spec.kind == AggregateKind::kCountDistinct;
        nullable = false;
        break;
      case AggregateKind::kSum:
      case AggregateKind::kAvg:
        if (b.input_type != DataType::kInt64 && b.input_type != DataType::kDouble) {
          return Status::InvalidArgument("aggregate " + what +
                                         " needs an int64 or double input, '" + spec.input +
                                         "' is " + std::string(DataTypeName(b.input_type)));
        }
        b.output_type = spec.kind == AggregateKind::kAvg ? DataType::kDouble : b.input_type;
        break;
      case AggregateKind::kMin:
      case AggregateKind::kMax:
      case AggregateKind::kFirstValue:
      case AggregateKind::kLastValue:
        b.output_type = b.input_type;
        b.use_multiset = mode == AggregatorMode::kRetractable;
        break;
      case AggregateKind::kUser: {
        if (spec.user == nullptr) {
          return Status::InvalidArgument("aggregate " + what + " has no user function");
        }
        if (mode == AggregatorMode::kRetractable && !spec.user->supports_retract()) {
          return Status::InvalidArgument("user aggregate '" + spec.user->name() + "' as '" +
                                         spec.output +
                                         "' cannot retract, which a group aggregate needs");
        }
        Result<DataType> type = spec.user->ResultType(b.input_type);
        if (!type.ok()) return type.status().WithContext("aggregate " + what);
        b.output_type = *type;
        b.user = spec.user;
        b.user_codec = spec.user_codec;
        break;
      }
    }
    agg.fields_.push_back(Field{spec.output, b.output_type, nullable});
    agg.bound_.push_back(std::move(b));
  }
  return agg;
}

bool Aggregator::supports_merge() const {
  for (const Bound& b : bound_) {
    if (b.kind == AggregateKind::kUser && !b.user->supports_merge()) return false;
  }
  return true;
}

std::vector<AggSlot> Aggregator::NewGroup() const {
  std::vector<AggSlot> slots(bound_.size());
  for (size_t j = 0; j < bound_.size(); ++j) {
    if (bound_[j].kind == AggregateKind::kUser) {
      slots[j].Extra().user = bound_[j].user->CreateAccumulator();
    }
  }
  return slots;
}

// ---- updates: one typed loop per aggregate and batch ----

void Aggregator::Add(const Batch& batch, std::span<const uint32_t> rows,
                     std::span<AggSlot* const> groups) const {
  const EventTimeMs* times = batch.event_times().data();
  for (size_t j = 0; j < bound_.size(); ++j) {
    const Bound& b = bound_[j];
    const Column* col = b.column >= 0 ? &batch.column(b.column) : nullptr;
    if (b.kind == AggregateKind::kCount) {
      ForValid(col, rows, [&](size_t k, size_t) { ++groups[k][j].count; });
      continue;
    }
    if (b.kind == AggregateKind::kUser) {
      ForValid(col, rows, [&](size_t k, size_t r) {
        AggSlot& s = groups[k][j];
        ++s.count;
        s.extra->user->Add(col->ValueAt(r));
      });
      continue;
    }
    WithStorage(b.storage, [&](auto storage) {
      constexpr AggStorage S = decltype(storage)::value;
      const Reader<S> read(*col);
      if (b.use_multiset) {
        const bool timed =
            b.kind == AggregateKind::kFirstValue || b.kind == AggregateKind::kLastValue;
        ForValid(col, rows, [&](size_t k, size_t r) {
          AggSlot& s = groups[k][j];
          ++s.count;
          MultisetAdd(s, ViewOf<S>(read(r), timed ? times[r] : 0));
        });
        return;
      }
      switch (b.kind) {
        case AggregateKind::kSum:
        case AggregateKind::kAvg:
          if constexpr (S == AggStorage::kInt) {
            ForValid(col, rows, [&](size_t k, size_t r) {
              AggSlot& s = groups[k][j];
              ++s.count;
              s.i = WrapAdd(s.i, read(r));
            });
          } else if constexpr (S == AggStorage::kDouble) {
            ForValid(col, rows, [&](size_t k, size_t r) {
              AggSlot& s = groups[k][j];
              ++s.count;
              s.d += read(r);
            });
          }
          break;
        case AggregateKind::kMin:
          ForValid(col, rows, [&](size_t k, size_t r) {
            AggSlot& s = groups[k][j];
            const auto v = read(r);
            if (s.count == 0 || v < Held<S>(s)) Hold<S>(s, v);
            ++s.count;
          });
          break;
        case AggregateKind::kMax:
          ForValid(col, rows, [&](size_t k, size_t r) {
            AggSlot& s = groups[k][j];
            const auto v = read(r);
            if (s.count == 0 || v > Held<S>(s)) Hold<S>(s, v);
            ++s.count;
          });
          break;
        case AggregateKind::kFirstValue:
          ForValid(col, rows, [&](size_t k, size_t r) {
            AggSlot& s = groups[k][j];
            if (s.count == 0 || times[r] < s.time) {
              Hold<S>(s, read(r));
              s.time = times[r];
            }
            ++s.count;
          });
          break;
        case AggregateKind::kLastValue:
          ForValid(col, rows, [&](size_t k, size_t r) {
            AggSlot& s = groups[k][j];
            if (s.count == 0 || times[r] >= s.time) {
              Hold<S>(s, read(r));
              s.time = times[r];
            }
            ++s.count;
          });
          break;
        default:
          break;
      }
    });
  }
}

Status Aggregator::Retract(const Batch& batch, std::span<const uint32_t> rows,
                           std::span<AggSlot* const> groups) const {
  const EventTimeMs* times = batch.event_times().data();
  for (size_t j = 0; j < bound_.size(); ++j) {
    const Bound& b = bound_[j];
    const Column* col = b.column >= 0 ? &batch.column(b.column) : nullptr;
    if (b.kind == AggregateKind::kCount) {
      ForValid(col, rows, [&](size_t k, size_t) { --groups[k][j].count; });
      continue;
    }
    if (b.kind == AggregateKind::kUser) {
      bool ok = true;
      ForValid(col, rows, [&](size_t k, size_t r) {
        AggSlot& s = groups[k][j];
        if (s.extra->user->Retract(col->ValueAt(r))) {
          --s.count;
        } else {
          ok = false;
        }
      });
      if (!ok) {
        return Status::FailedPrecondition("user aggregate '" + b.user->name() + "' as '" +
                                          fields_[j].name + "' cannot retract a value");
      }
      continue;
    }
    WithStorage(b.storage, [&](auto storage) {
      constexpr AggStorage S = decltype(storage)::value;
      const Reader<S> read(*col);
      if (b.use_multiset) {
        const bool timed =
            b.kind == AggregateKind::kFirstValue || b.kind == AggregateKind::kLastValue;
        ForValid(col, rows, [&](size_t k, size_t r) {
          AggSlot& s = groups[k][j];
          if (MultisetRemove(s, ViewOf<S>(read(r), timed ? times[r] : 0), timed)) --s.count;
        });
        return;
      }
      // Only sums and averages retract without a multiset (Make chose one for the rest).
      if constexpr (S == AggStorage::kInt) {
        ForValid(col, rows, [&](size_t k, size_t r) {
          AggSlot& s = groups[k][j];
          --s.count;
          s.i = s.count == 0 ? 0 : WrapSub(s.i, read(r));
        });
      } else if constexpr (S == AggStorage::kDouble) {
        ForValid(col, rows, [&](size_t k, size_t r) {
          AggSlot& s = groups[k][j];
          --s.count;
          // Reset at zero so that rounding left over from the removed values does not
          // linger in a group that fills up again.
          s.d = s.count == 0 ? 0.0 : s.d - read(r);
        });
      }
    });
  }
  return Status::OK();
}

Status Aggregator::Merge(AggSlot* into, AggSlot* from) const {
  for (size_t j = 0; j < bound_.size(); ++j) {
    const Bound& b = bound_[j];
    AggSlot& a = into[j];
    AggSlot& f = from[j];
    if (b.kind == AggregateKind::kUser) {
      if (!a.extra->user->Merge(*f.extra->user)) {
        return Status::FailedPrecondition("user aggregate '" + b.user->name() + "' as '" +
                                          fields_[j].name + "' cannot merge");
      }
      a.count += f.count;
      continue;
    }
    if (b.use_multiset) {
      if (f.extra) {
        if (!a.extra) {
          a.extra = std::move(f.extra);
        } else {
          for (auto& [cell, n] : f.extra->multiset) a.extra->multiset[cell] += n;
        }
      }
      a.count += f.count;
      continue;
    }
    if (f.count == 0) continue;
    const bool from_wins = [&] {
      if (a.count == 0) return true;
      switch (b.kind) {
        case AggregateKind::kMin:
        case AggregateKind::kMax: {
          bool less = false;
          WithStorage(b.storage, [&](auto storage) {
            constexpr AggStorage S = decltype(storage)::value;
            less =
                b.kind == AggregateKind::kMin ? Held<S>(f) < Held<S>(a) : Held<S>(f) > Held<S>(a);
          });
          return less;
        }
        case AggregateKind::kFirstValue:
          return f.time < a.time;
        case AggregateKind::kLastValue:
          return f.time >= a.time;
        default:
          return false;
      }
    }();
    switch (b.kind) {
      case AggregateKind::kSum:
      case AggregateKind::kAvg:
        a.i = WrapAdd(a.i, f.i);
        a.d += f.d;
        break;
      case AggregateKind::kMin:
      case AggregateKind::kMax:
      case AggregateKind::kFirstValue:
      case AggregateKind::kLastValue:
        if (from_wins) {
          a.i = f.i;
          a.d = f.d;
          if (f.extra) a.Extra().s = std::move(f.extra->s);
          a.time = f.time;
        }
        break;
      default:
        break;
    }
    a.count += f.count;
  }
  return Status::OK();
}

// ---- results ----

Value Aggregator::ResultOf(const Bound& b, const AggSlot& s) const {
  switch (b.kind) {
    case AggregateKind::kCount:
      return Value::Int64(s.count);
    case AggregateKind::kCountDistinct:
      return Value::Int64(s.extra ? static_cast<int64_t>(s.extra->multiset.size()) : 0);
    case AggregateKind::kUser:
      return CoerceUserResult(s.extra->user->Result(), b.output_type);
    default:
      break;
  }
  if (s.count <= 0) return Value::Null(b.output_type);
  switch (b.kind) {
    case AggregateKind::kSum:
      return b.storage == AggStorage::kInt ? Value::Int64(s.i) : Value::Double(s.d);
    case AggregateKind::kAvg: {
      const double sum = b.storage == AggStorage::kInt ? static_cast<double>(s.i) : s.d;
      return Value::Double(sum / static_cast<double>(s.count));
    }
    default:
      break;
  }
  if (b.use_multiset) {
    if (!s.extra || s.extra->multiset.empty()) return Value::Null(b.output_type);
    const bool smallest = b.kind == AggregateKind::kMin || b.kind == AggregateKind::kFirstValue;
    const AggMultiset& set = s.extra->multiset;
    const AggCell& c = smallest ? set.begin()->first : set.rbegin()->first;
    return MakeValue(b.output_type, c.i, c.d, c.s);
  }
  if (b.output_type == DataType::kString) return Value::String(s.extra->s);
  return MakeValue(b.output_type, s.i, s.d, std::string());
}

void Aggregator::AppendResults(const AggSlot* group, Batch& out, size_t first_column) const {
  for (size_t j = 0; j < bound_.size(); ++j) {
    const Bound& b = bound_[j];
    const AggSlot& s = group[j];
    Column& col = out.column(first_column + j);
    // The common, allocation-free cases; everything else goes through a Value.
    if (b.kind == AggregateKind::kCount) {
      col.AppendInt(s.count);
    } else if (!b.use_multiset && b.kind != AggregateKind::kUser && s.count > 0 &&
               b.output_type != DataType::kString && b.kind != AggregateKind::kAvg) {
      if (b.storage == AggStorage::kDouble) {
        col.AppendDouble(s.d);
      } else if (b.storage == AggStorage::kBool) {
        col.AppendBool(s.i != 0);
      } else {
        col.AppendInt(s.i);
      }
    } else {
      col.AppendValue(ResultOf(b, s));
    }
  }
}

void Aggregator::ResultValues(const AggSlot* group, std::vector<Value>& out) const {
  out.clear();
  out.reserve(bound_.size());
  for (size_t j = 0; j < bound_.size(); ++j) out.push_back(ResultOf(bound_[j], group[j]));
}

// ---- checkpoints ----
//
// A group is the number of aggregates, then per aggregate its slot: the count (varlong),
// then by kind
//   count:            nothing more;
//   user:             the codec's bytes, after their length (4 bytes);
//   multiset kinds:   the number of cells, then per cell its time (varlong), its value
//                     and its multiplicity (varlong);
//   the others:       the held value and the time (varlong).
// A value is written by storage: int and bool as a varlong, double as 8 bytes, string as
// an unsigned varint length then the bytes.

namespace {

void WriteHeld(AggStorage storage, int64_t i, double d, std::string_view s, ByteWriter& out) {
  switch (storage) {
    case AggStorage::kInt:
    case AggStorage::kBool:
      out.WriteVarlong(i);
      return;
    case AggStorage::kDouble:
      out.WriteF64(d);
      return;
    case AggStorage::kString:
      out.WriteUnsignedVarint(static_cast<uint32_t>(s.size()));
      out.WriteBytes(s);
      return;
  }
}

void ReadHeld(AggStorage storage, ByteReader& in, int64_t& i, double& d, std::string& s) {
  switch (storage) {
    case AggStorage::kInt:
    case AggStorage::kBool:
      i = in.ReadVarlong();
      return;
    case AggStorage::kDouble:
      d = in.ReadF64();
      return;
    case AggStorage::kString: {
      const uint32_t n = in.ReadUnsignedVarint();
      s.assign(AsStringView(in.ReadBytes(n)));
      return;
    }
  }
}

}  // namespace

Status Aggregator::CheckCheckpointable() const {
  for (size_t j = 0; j < bound_.size(); ++j) {
    const Bound& b = bound_[j];
    if (b.kind == AggregateKind::kUser && !b.user_codec.present()) {
      return Status::FailedPrecondition(
          "user aggregate '" + b.user->name() + "' as '" + fields_[j].name +
          "' has no UserAccumulatorCodec, so its state cannot be checkpointed");
    }
  }
  return Status::OK();
}

void Aggregator::EncodeGroup(const AggSlot* group, ByteWriter& out) const {
  out.WriteUnsignedVarint(static_cast<uint32_t>(bound_.size()));
  for (size_t j = 0; j < bound_.size(); ++j) {
    const Bound& b = bound_[j];
    const AggSlot& s = group[j];
    out.WriteVarlong(s.count);
    if (b.kind == AggregateKind::kCount) continue;
    if (b.kind == AggregateKind::kUser) {
      const size_t length_at = out.size();
      out.WriteI32(0);
      b.user_codec.encode(*s.extra->user, out);
      out.PatchI32(length_at, static_cast<int32_t>(out.size() - length_at - 4));
      continue;
    }
    if (b.use_multiset) {
      if (!s.extra) {
        out.WriteUnsignedVarint(0);
        continue;
      }
      out.WriteUnsignedVarint(static_cast<uint32_t>(s.extra->multiset.size()));
      for (const auto& [cell, n] : s.extra->multiset) {
        out.WriteVarlong(cell.time);
        WriteHeld(b.storage, cell.i, cell.d, cell.s, out);
        out.WriteVarlong(n);
      }
      continue;
    }
    WriteHeld(b.storage, s.i, s.d, s.extra ? std::string_view(s.extra->s) : std::string_view(),
              out);
    out.WriteVarlong(s.time);
  }
}

Result<std::vector<AggSlot>> Aggregator::DecodeGroup(ByteReader& in) const {
  const uint32_t n = in.ReadUnsignedVarint();
  if (in.ok() && n != bound_.size()) {
    return Status::Corruption("aggregate state holds " + std::to_string(n) +
                              " aggregates, the operator has " + std::to_string(bound_.size()));
  }
  std::vector<AggSlot> group(bound_.size());
  for (size_t j = 0; j < bound_.size() && in.ok(); ++j) {
    const Bound& b = bound_[j];
    AggSlot& s = group[j];
    s.count = in.ReadVarlong();
    if (b.kind == AggregateKind::kCount) continue;
    if (b.kind == AggregateKind::kUser) {
      if (!b.user_codec.present()) {
        return Status::FailedPrecondition("user aggregate '" + b.user->name() + "' as '" +
                                          fields_[j].name +
                                          "' has no UserAccumulatorCodec to restore its state");
      }
      const int32_t length = in.ReadI32();
      if (!in.ok()) break;
      if (length < 0) {
        in.Fail("negative accumulator length");
        break;
      }
      ByteReader bytes(in.ReadBytes(static_cast<size_t>(length)));
      if (!in.ok()) break;
      Result<std::unique_ptr<UserAccumulator>> acc = b.user_codec.decode(bytes);
      if (!acc.ok()) {
        return acc.status().WithContext("user aggregate '" + b.user->name() + "' as '" +
                                        fields_[j].name + "'");
      }
      if (*acc == nullptr) {
        return Status::Corruption("user aggregate '" + b.user->name() + "' as '" + fields_[j].name +
                                  "': its codec decoded no accumulator");
      }
      s.Extra().user = std::move(acc).value();
      continue;
    }
    if (b.use_multiset) {
      const uint32_t cells = in.ReadUnsignedVarint();
      for (uint32_t c = 0; c < cells && in.ok(); ++c) {
        AggCell cell;
        cell.time = in.ReadVarlong();
        ReadHeld(b.storage, in, cell.i, cell.d, cell.s);
        const int64_t multiplicity = in.ReadVarlong();
        if (!in.ok()) break;
        if (multiplicity <= 0) {
          in.Fail("multiset cell with multiplicity " + std::to_string(multiplicity));
          break;
        }
        s.Extra().multiset.emplace(std::move(cell), multiplicity);
      }
      continue;
    }
    std::string held;
    ReadHeld(b.storage, in, s.i, s.d, held);
    s.time = in.ReadVarlong();
    if (b.storage == AggStorage::kString && s.count > 0) s.Extra().s = std::move(held);
  }
  if (!in.ok()) {
    return Status::Corruption("malformed aggregate state: " + in.status().message());
  }
  return group;
}

}  // namespace eddy::engine
