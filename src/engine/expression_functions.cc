// The kernels of casts, string functions and LIKE, and the timestamp text format.
// String work is a loop over rows (each row's bytes differ in length); rows that are null
// are skipped before any work is done.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "src/engine/expression_internal.h"
#include "src/engine/expression_kernels.h"

namespace eddy::engine {

using namespace kernels;  // NOLINT: the kernel building blocks, used throughout

// ---- timestamps as text ----

namespace {

constexpr int64_t kMsPerDay = 86'400'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Reads exactly `digits` decimal digits at `pos`.
bool ReadDigits(std::string_view s, size_t& pos, int digits, int64_t& out) {
  if (pos + digits > s.size()) return false;
  out = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += digits;
  return true;
}

// from_chars reads a '-' but not a '+': drops a leading '+' (not one before another sign).
// False when nothing is left to read.
bool StripPlus(std::string_view& s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) return false;
  }
  return !s.empty();
}

bool ParseInt64(std::string_view s, int64_t& out) {
  s = TrimSpaces(s);
  if (!StripPlus(s)) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double& out) {
  s = TrimSpaces(s);
  if (!StripPlus(s)) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseBool(std::string_view s, bool& out) {
  s = TrimSpaces(s);
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::string_view kTrue[] = {"true", "t", "yes", "y", "on", "1"};
  static constexpr std::string_view kFalse[] = {"false", "f", "no", "n", "off", "0"};
  for (std::string_view t : kTrue) {
    if (lower == t) return out = true, true;
  }
  for (std::string_view f : kFalse) {
    if (lower == f) return out = false, true;
  }
  return false;
}

}  // namespace

std::string FormatTimestamp(int64_t ms) {
  const int64_t days = FloorDiv(ms, kMsPerDay);
  const int64_t in_day = ms - days * kMsPerDay;
  int64_t y, m, d;
  CivilFromDays(days, y, m, d);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(in_day / 3'600'000),
                static_cast<long long>(in_day / 60'000 % 60),
                static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
  return buf;
}

bool ParseTimestamp(std::string_view text, int64_t& ms) {
  std::string_view s = TrimSpaces(text);
  if (ParseInt64(s, ms)) return true;  // epoch milliseconds
  size_t pos = 0;
  int64_t year, month, day;
  if (!ReadDigits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  int64_t hour = 0, minute = 0, second = 0, millis = 0, offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!ReadDigits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':' ||
        !ReadDigits(s, pos, 2, minute)) {
      return false;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, pos, 2, second)) return false;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        // Up to nanoseconds; digits past the millisecond are dropped.
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 3) millis = millis * 10 + (s[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0 || digits > 9) return false;
        for (int i = digits; i < 3; ++i) millis *= 10;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return false;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
      ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      const int64_t sign = s[pos++] == '-' ? -1 : 1;
      int64_t oh, om = 0;
      if (!ReadDigits(s, pos, 2, oh)) return false;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size() && !ReadDigits(s, pos, 2, om)) return false;
      if (oh > 23 || om > 59) return false;
      offset_minutes = sign * (oh * 60 + om);
    }
  }
  if (pos != s.size()) return false;
  ms = DaysFromCivil(year, month, day) * kMsPerDay + hour * 3'600'000 + minute * 60'000 +
       second * 1000 + millis - offset_minutes * 60'000;
  return true;
}

// ---- LIKE ----

namespace {

// True when `part` occurs in `s`. Short strings (most column values) are scanned inline:
// string_view::find pays a memchr and a memcmp call per candidate position.
inline bool ContainsBytes(std::string_view s, std::string_view part) {
  const size_t m = part.size();
  if (m == 0) return true;
  if (s.size() < m) return false;
  if (s.size() >= 64) return s.find(part) != std::string_view::npos;
  const char first = part[0];
  const size_t last = s.size() - m;
  for (size_t i = 0; i <= last; ++i) {
    if (s[i] != first) continue;
    size_t k = 1;
    while (k < m && s[i + k] == part[k]) ++k;
    if (k == m) return true;
  }
  return false;
}

}  // namespace

void LikePattern::Compile(std::string_view pattern) {
  bytes.clear();
  elements.clear();
  literal.clear();
  literal2.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      bytes.push_back(pattern[++i]);
      elements.push_back(Element::kByte);
    } else if (c == '%') {
      if (!elements.empty() && elements.back() == Element::kAnyRun) continue;  // %% is %
      bytes.push_back(0);
      elements.push_back(Element::kAnyRun);
    } else if (c == '_') {
      bytes.push_back(0);
      elements.push_back(Element::kAnyByte);
    } else {
      bytes.push_back(c);
      elements.push_back(Element::kByte);
    }
  }
  // Recognise the shapes that reduce to a comparison or a search.
  shape = Shape::kGeneral;
  if (std::count(elements.begin(), elements.end(), Element::kAnyByte) > 0) return;
  std::vector<size_t> runs;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (elements[i] == Element::kAnyRun) runs.push_back(i);
  }
  const size_t n = elements.size();
  if (runs.empty()) {
    shape = Shape::kExact;
    literal = bytes;
  } else if (runs.size() == 1 && runs[0] == n - 1) {
    shape = Shape::kPrefix;
    literal = bytes.substr(0, n - 1);
  } else if (runs.size() == 1 && runs[0] == 0) {
    shape = Shape::kSuffix;
    literal = bytes.substr(1);
  } else if (runs.size() == 1) {
    shape = Shape::kPrefixSuffix;
    literal = bytes.substr(0, runs[0]);
    literal2 = bytes.substr(runs[0] + 1);
  } else if (runs.size() == 2 && runs[0] == 0 && runs[1] == n - 1) {
    shape = Shape::kInfix;
    literal = bytes.substr(1, n - 2);
  }
}

bool LikePattern::Matches(std::string_view s) const {
  switch (shape) {
    case Shape::kExact: return s == literal;
    case Shape::kPrefix: return s.starts_with(literal);
    case Shape::kSuffix: return s.ends_with(literal);
    case Shape::kInfix: return ContainsBytes(s, literal);
    case Shape::kPrefixSuffix:
      return s.size() >= literal.size() + literal2.size() && s.starts_with(literal) &&
             s.ends_with(literal2);
    case Shape::kGeneral: break;
  }
  // Wildcard matching with backtracking to the last `%`: O(|s| * |pattern|) at worst.
  const size_t n = elements.size();
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < n && (elements[pi] == Element::kAnyByte ||
                   (elements[pi] == Element::kByte && bytes[pi] == s[si]))) {
      ++si;
      ++pi;
    } else if (pi < n && elements[pi] == Element::kAnyRun) {
      star_p = pi++;
      star_s = si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < n && elements[pi] == Element::kAnyRun) ++pi;
  return pi == n;
}

// ---- casts ----

namespace {

DataType TypeOf(const Datum& d) {
  return d.is_constant() ? d.constant().type() : d.column().type();
}

constexpr double kTwoTo63 = 9223372036854775808.0;

void AppendAsString(const Datum& in, DataType from, size_t row, Column& out, std::string& scratch) {
  char buf[64];
  switch (from) {
    case DataType::kInt64: {
      const int64_t v = in.is_constant() ? in.constant().int64() : in.column().ints()[row];
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      out.AppendString(std::string_view(buf, r.ptr - buf));
      return;
    }
    case DataType::kDouble: {
      const double v = in.is_constant() ? in.constant().dbl() : in.column().doubles()[row];
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      out.AppendString(std::string_view(buf, r.ptr - buf));
      return;
    }
    case DataType::kBool: {
      const bool v = in.is_constant() ? in.constant().boolean() : in.column().bools()[row] != 0;
      out.AppendString(v ? "true" : "false");
      return;
    }
    case DataType::kTimestamp: {
      const int64_t v = in.is_constant() ? in.constant().int64() : in.column().ints()[row];
      scratch = FormatTimestamp(v);
      out.AppendString(scratch);
      return;
    }
    case DataType::kString:
      out.AppendString(in.is_constant() ? std::string_view(in.constant().str())
                                        : in.column().StringAt(row));
      return;
  }
}

// Parses row `row` of a string into column `out` of type `to`; false when it does not parse.
bool ParseInto(std::string_view s, DataType to, Column& out) {
  switch (to) {
    case DataType::kInt64: {
      int64_t v;
      if (!ParseInt64(s, v)) return false;
      out.AppendInt(v);
      return true;
    }
    case DataType::kTimestamp: {
      int64_t v;
      if (!ParseTimestamp(s, v)) return false;
      out.AppendInt(v);
      return true;
    }
    case DataType::kDouble: {
      double v;
      if (!ParseDouble(s, v)) return false;
      out.AppendDouble(v);
      return true;
    }
    case DataType::kBool: {
      bool v;
      if (!ParseBool(s, v)) return false;
      out.AppendBool(v);
      return true;
    }
    case DataType::kString: out.AppendString(s); return true;
  }
  return false;
}

}  // namespace

Column EvalCast(DataType to, const Datum& in, size_t n) {
  const DataType from = TypeOf(in);
  Column out(to);
  std::vector<uint8_t> valid;
  const Datum* operands[] = {&in};
  bool has_nulls = CombineValidity(operands, n, valid);

  // Row-at-a-time casts: to and from strings.
  if (to == DataType::kString || from == DataType::kString) {
    out.Reserve(n);
    std::string scratch;
    for (size_t i = 0; i < n; ++i) {
      if (has_nulls && !valid[i]) {
        out.AppendNull();
      } else if (to == DataType::kString) {
        AppendAsString(in, from, i, out, scratch);
      } else {
        const std::string_view s =
            in.is_constant() ? std::string_view(in.constant().str()) : in.column().StringAt(i);
        if (!ParseInto(s, to, out)) out.AppendNull();
      }
    }
    return out;
  }

  // Numeric casts: one loop each; a value with no image (NaN, out of range) becomes null.
  std::vector<uint8_t> ok;
  bool may_fail = false;
  if (IsIntegerLike(from)) {
    WithValues<int64_t>(in, [&](auto g) {
      if (IsIntegerLike(to)) {
        int64_t* o = Allocate<int64_t>(out, n);
        for (size_t i = 0; i < n; ++i) o[i] = g(i);
      } else if (to == DataType::kDouble) {
        double* o = Allocate<double>(out, n);
        for (size_t i = 0; i < n; ++i) o[i] = static_cast<double>(g(i));
      } else {
        uint8_t* o = Allocate<uint8_t>(out, n);
        for (size_t i = 0; i < n; ++i) o[i] = g(i) != 0;
      }
    });
  } else if (from == DataType::kDouble) {
    ok.resize(n);
    may_fail = true;
    WithValues<double>(in, [&](auto g) {
      if (IsIntegerLike(to)) {
        int64_t* o = Allocate<int64_t>(out, n);
        for (size_t i = 0; i < n; ++i) {
          const double d = g(i);
          // NaN fails both comparisons.
          ok[i] = d >= -kTwoTo63 && d < kTwoTo63;
          o[i] = ok[i] ? static_cast<int64_t>(d) : 0;
        }
      } else if (to == DataType::kDouble) {
        double* o = Allocate<double>(out, n);
        for (size_t i = 0; i < n; ++i) {
          o[i] = g(i);
          ok[i] = 1;
        }
      } else {
        uint8_t* o = Allocate<uint8_t>(out, n);
        for (size_t i = 0; i < n; ++i) {
          const double d = g(i);
          ok[i] = !std::isnan(d);
          o[i] = d != 0;
        }
      }
    });
  } else {  // bool
    WithValues<uint8_t>(in, [&](auto g) {
      if (IsIntegerLike(to)) {
        int64_t* o = Allocate<int64_t>(out, n);
        for (size_t i = 0; i < n; ++i) o[i] = g(i) != 0 ? 1 : 0;
      } else if (to == DataType::kDouble) {
        double* o = Allocate<double>(out, n);
        for (size_t i = 0; i < n; ++i) o[i] = g(i) != 0 ? 1.0 : 0.0;
      } else {
        uint8_t* o = Allocate<uint8_t>(out, n);
        for (size_t i = 0; i < n; ++i) o[i] = g(i) != 0;
      }
    });
  }
  if (may_fail && std::find(ok.begin(), ok.end(), 0) != ok.end()) {
    if (has_nulls) {
      for (size_t i = 0; i < n; ++i) valid[i] &= ok[i];
    } else {
      valid = std::move(ok);
      has_nulls = true;
    }
  }
  if (has_nulls) ApplyNulls(out, valid);
  return out;
}

// ---- string functions ----

namespace {

std::string_view StringAtRow(const Datum& d, size_t row) {
  return d.is_constant() ? std::string_view(d.constant().str()) : d.column().StringAt(row);
}

int64_t Int64AtRow(const Datum& d, size_t row) {
  return d.is_constant() ? d.constant().int64() : d.column().ints()[row];
}

// The bytes of SQL substring(s FROM start FOR length), 1-based, clipped to the string.
std::string_view Substring(std::string_view s, int64_t start, bool has_length, int64_t length) {
  // Clamp first so that the arithmetic below cannot overflow.
  constexpr int64_t kLimit = int64_t{1} << 62;
  start = std::clamp(start, -kLimit, kLimit);
  length = std::clamp(length, int64_t{0}, kLimit);
  const int64_t size = static_cast<int64_t>(s.size());
  const int64_t begin = start - 1;
  const int64_t end = has_length ? begin + length : size;
  const int64_t b = std::clamp(begin, int64_t{0}, size);
  const int64_t e = std::clamp(end, b, size);
  return s.substr(static_cast<size_t>(b), static_cast<size_t>(e - b));
}

// A constant LIKE pattern over many strings: the pattern's shape is chosen once.
template <typename GS>
void MatchAll(const LikePattern& p, GS gs, uint8_t* o, size_t n) {
  const std::string_view lit = p.literal;
  const std::string_view lit2 = p.literal2;
  using Shape = LikePattern::Shape;
  switch (p.shape) {
    case Shape::kExact:
      for (size_t i = 0; i < n; ++i) o[i] = gs(i) == lit;
      return;
    case Shape::kPrefix:
      for (size_t i = 0; i < n; ++i) o[i] = gs(i).starts_with(lit);
      return;
    case Shape::kSuffix:
      for (size_t i = 0; i < n; ++i) o[i] = gs(i).ends_with(lit);
      return;
    case Shape::kInfix:
      for (size_t i = 0; i < n; ++i) o[i] = ContainsBytes(gs(i), lit);
      return;
    case Shape::kPrefixSuffix:
      for (size_t i = 0; i < n; ++i) {
        const std::string_view s = gs(i);
        o[i] = s.size() >= lit.size() + lit2.size() && s.starts_with(lit) && s.ends_with(lit2);
      }
      return;
    case Shape::kGeneral:
      for (size_t i = 0; i < n; ++i) o[i] = p.Matches(gs(i));
      return;
  }
}

}  // namespace

Column EvalStringFunction(const BoundNode& node, const std::vector<Datum>& args, size_t n) {
  Column out(node.type);
  std::vector<uint8_t> valid;
  std::vector<const Datum*> operands;
  for (const Datum& a : args) operands.push_back(&a);
  bool has_nulls = CombineValidity(operands, n, valid);
  auto is_null = [&](size_t i) { return has_nulls && !valid[i]; };

  if (node.type == DataType::kString) {
    out.Reserve(n);
    std::string scratch;
    for (size_t i = 0; i < n; ++i) {
      if (is_null(i)) {
        out.AppendNull();
        continue;
      }
      const std::string_view s = StringAtRow(args[0], i);
      switch (node.op) {
        case ExprOp::kLower:
        case ExprOp::kUpper: {
          scratch.assign(s);
          const bool lower = node.op == ExprOp::kLower;
          for (char& c : scratch) {
            if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
            if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
          }
          out.AppendString(scratch);
          break;
        }
        case ExprOp::kTrim: out.AppendString(TrimSpaces(s)); break;
        case ExprOp::kSubstr: {
          const bool has_length = args.size() == 3;
          const int64_t length = has_length ? Int64AtRow(args[2], i) : 0;
          if (length < 0) {
            out.AppendNull();
          } else {
            out.AppendString(Substring(s, Int64AtRow(args[1], i), has_length, length));
          }
          break;
        }
        case ExprOp::kConcat:
          scratch.assign(s);
          for (size_t k = 1; k < args.size(); ++k) scratch.append(StringAtRow(args[k], i));
          out.AppendString(scratch);
          break;
        default: out.AppendNull(); break;
      }
    }
    return out;
  }

  // Length and the predicates run over every row: a null row's storage is an empty
  // string, and its result is replaced by null below.
  if (node.op == ExprOp::kLength) {
    int64_t* o = Allocate<int64_t>(out, n);
    WithStrings(args[0], [&](auto gs) {
      for (size_t i = 0; i < n; ++i) o[i] = static_cast<int64_t>(gs(i).size());
    });
  } else if (node.op == ExprOp::kLike && node.like_constant) {
    uint8_t* o = Allocate<uint8_t>(out, n);
    WithStrings(args[0], [&](auto gs) { MatchAll(node.like, gs, o, n); });
  } else {
    uint8_t* o = Allocate<uint8_t>(out, n);
    WithStrings(args[0], [&](auto gs) {
      WithStrings(args[1], [&](auto gt) {
        switch (node.op) {
          case ExprOp::kStartsWith:
            for (size_t i = 0; i < n; ++i) o[i] = gs(i).starts_with(gt(i));
            break;
          case ExprOp::kEndsWith:
            for (size_t i = 0; i < n; ++i) o[i] = gs(i).ends_with(gt(i));
            break;
          case ExprOp::kContains:
            for (size_t i = 0; i < n; ++i) o[i] = ContainsBytes(gs(i), gt(i));
            break;
          case ExprOp::kLike: {
            LikePattern row_pattern;  // the pattern changes from row to row
            for (size_t i = 0; i < n; ++i) {
              row_pattern.Compile(gt(i));
              o[i] = row_pattern.Matches(gs(i));
            }
            break;
          }
          default: break;
        }
      });
    });
  }
  if (has_nulls) ApplyNulls(out, valid);
  return out;
}

}  // namespace eddy::engine
