#pragma once
// Key groups: a key hashes to one of kKeyGroups fixed ranges, and each parallel instance
// owns a contiguous range of them (as in Flink). State is addressed by key group so that
// it moves between instances when the parallelism changes. The engine's hash exchange
// (src/engine/key_codec.h) uses the same assignment.

#include <string>

namespace eddy::state {

inline constexpr int kKeyGroups = 128;

/// The parallel instance that owns `key_group` among `parallelism` instances.
inline int InstanceOfKeyGroup(int key_group, int parallelism) {
  return key_group * parallelism / kKeyGroups;
}

/// The key groups [begin, end) of one instance.
struct KeyGroupRange {
  int begin = 0;
  int end = kKeyGroups;

  bool Contains(int key_group) const { return key_group >= begin && key_group < end; }
  bool empty() const { return begin >= end; }
  std::string ToString() const {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
  }
  /// All key groups.
  static KeyGroupRange All() { return KeyGroupRange{0, kKeyGroups}; }
  /// The range InstanceOfKeyGroup gives `instance` of `parallelism`.
  static KeyGroupRange OfInstance(int instance, int parallelism) {
    // The smallest g with g * parallelism / kKeyGroups >= i is ceil(i * kKeyGroups / p).
    auto first = [&](int i) { return (i * kKeyGroups + parallelism - 1) / parallelism; };
    return KeyGroupRange{first(instance), first(instance + 1)};
  }
};

}  // namespace eddy::state
