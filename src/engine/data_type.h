#pragma once
// The column types of the engine and the event-time unit.

#include <cstdint>
#include <limits>
#include <string_view>

namespace eddy::engine {

/// A column's type. kTimestamp holds epoch milliseconds in an int64.
enum class DataType : uint8_t { kInt64, kDouble, kBool, kString, kTimestamp };

std::string_view DataTypeName(DataType type);

/// True for the types whose values live in the int64 vector of a Column.
constexpr bool IsIntegerLike(DataType type) {
  return type == DataType::kInt64 || type == DataType::kTimestamp;
}

/// Event time in milliseconds since the Unix epoch. A plain int64 rather than a strong
/// type: it is a column of every batch and is compared and subtracted on hot paths.
using EventTimeMs = int64_t;
/// A watermark before every event ("nothing seen yet").
inline constexpr EventTimeMs kMinWatermark = std::numeric_limits<int64_t>::min();
/// The watermark of an input that has ended: every window may fire.
inline constexpr EventTimeMs kMaxWatermark = std::numeric_limits<int64_t>::max();

}  // namespace eddy::engine
