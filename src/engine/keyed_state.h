#pragma once
// KeyedState<V>: the one interface through which operators keep per-key state.
//
// Every stateful operator (windows, joins, de-duplication, process functions) stores its
// state here, keyed by the encoded key (key_codec.h), so that checkpoints, state
// backends and redistribution by key group have one place to hook into. Today it is an
// in-memory hash map. Not thread-safe: each parallel instance owns its own.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace eddy::engine {

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

template <typename V>
class KeyedState {
 public:
  using Map = std::unordered_map<std::string, V, KeyHash, std::equal_to<>>;

  /// The state of `key`, default-constructed when absent.
  V& GetOrCreate(std::string_view key) {
    auto it = map_.find(key);
    if (it == map_.end()) it = map_.emplace(std::string(key), V{}).first;
    return it->second;
  }
  /// The state of `key`, or nullptr.
  V* Find(std::string_view key) {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  const V* Find(std::string_view key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  void Erase(std::string_view key) {
    auto it = map_.find(key);
    if (it != map_.end()) map_.erase(it);
  }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  void Clear() { map_.clear(); }

  /// Visits every (key, state); `fn(const std::string&, V&)`.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (auto& [key, value] : map_) fn(key, value);
  }
  /// Removes the entries for which `pred(const std::string&, V&)` is true.
  template <typename Pred>
  void EraseIf(Pred&& pred) {
    for (auto it = map_.begin(); it != map_.end();) {
      it = pred(it->first, it->second) ? map_.erase(it) : std::next(it);
    }
  }

 private:
  Map map_;
};

}  // namespace eddy::engine
