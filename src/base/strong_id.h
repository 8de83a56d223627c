#pragma once
// Strong types for domain numbers, so that an offset is never passed where a
// partition id is expected. StrongId<Tag, T> wraps T with comparison and hashing;
// arithmetic is spelled out through value().

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace eddy {

template <typename Tag, typename T>
class StrongId {
 public:
  using ValueType = T;
  constexpr StrongId() = default;
  constexpr explicit StrongId(T value) : value_(value) {}
  constexpr T value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  friend std::ostream& operator<<(std::ostream& os, StrongId id) { return os << id.value_; }

 private:
  T value_{};
};

/// Position of a record in a partition: dense, starting at 0, never reused.
using Offset = StrongId<struct OffsetTag, int64_t>;
using PartitionId = StrongId<struct PartitionIdTag, int32_t>;
using ProducerId = StrongId<struct ProducerIdTag, int64_t>;
using ProducerEpoch = StrongId<struct ProducerEpochTag, int16_t>;

}  // namespace eddy

template <typename Tag, typename T>
struct std::hash<eddy::StrongId<Tag, T>> {
  size_t operator()(eddy::StrongId<Tag, T> id) const noexcept { return std::hash<T>{}(id.value()); }
};
