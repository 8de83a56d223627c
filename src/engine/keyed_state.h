#pragma once
// KeyedState<V>: the one interface through which operators keep per-key state.
//
// Every stateful operator (windows, joins, de-duplication, process functions) stores its
// state here, keyed by the encoded grouping key (key_codec.h). The live state is an
// in-memory hash map; checkpoints copy it into the task's state backend
// (operator_state.h, src/state) incrementally: after the first snapshot, every mutable
// access (GetOrCreate, non-const Find, ForEach, EraseIf) marks the entry changed, once
// per snapshot interval, and SnapshotTo writes only the changed and erased entries.
// Until the first snapshot nothing is tracked, so a job without checkpoints pays nothing.
//
// Not thread-safe: each parallel instance owns its own.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/engine/operator_state.h"

namespace eddy::engine {

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

template <typename V>
class KeyedState {
 public:
  /// The state of `key`, default-constructed when absent.
  V& GetOrCreate(std::string_view key) {
    auto it = map_.find(key);
    if (it == map_.end()) it = map_.emplace(std::string(key), Slot{}).first;
    Touch(it->first, it->second);
    return it->second.value;
  }
  /// The state of `key`, or nullptr.
  V* Find(std::string_view key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    Touch(it->first, it->second);
    return &it->second.value;
  }
  const V* Find(std::string_view key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second.value;
  }
  void Erase(std::string_view key) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    NoteErased(it->first, it->second);
    map_.erase(it);
  }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  void Clear() {
    for (auto& [key, slot] : map_) NoteErased(key, slot);
    map_.clear();
  }

  /// Visits every (key, state); `fn(const std::string&, V&)`. Marks every entry changed
  /// (use ForEachReadOnly where nothing is modified).
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (auto& [key, slot] : map_) {
      Touch(key, slot);
      fn(key, slot.value);
    }
  }
  /// Visits every (key, state); `fn(const std::string&, const V&)`.
  template <typename Fn>
  void ForEachReadOnly(Fn&& fn) const {
    for (const auto& [key, slot] : map_) fn(key, slot.value);
  }
  /// Removes the entries for which `pred(const std::string&, V&)` is true.
  template <typename Pred>
  void EraseIf(Pred&& pred) {
    for (auto it = map_.begin(); it != map_.end();) {
      if (pred(it->first, it->second.value)) {
        NoteErased(it->first, it->second);
        it = map_.erase(it);
      } else {
        Touch(it->first, it->second);
        it = std::next(it);
      }
    }
  }

  /// Checkpoint: writes to `table` the entries changed since the previous call (all of
  /// them the first time) and deletes the erased ones. `encode(const V&, ByteWriter&)`.
  template <typename Encode>
  Status SnapshotTo(StateWriter& writer, std::string_view table, Encode&& encode) {
    ByteWriter bytes;
    auto put = [&](const std::string& key, Slot& slot) -> Status {
      bytes.Clear();
      encode(slot.value, bytes);
      slot.persisted = true;
      slot.interval = kWritten;
      return writer.Put(table, KeyGroupOfKey(key), key, AsStringView(ByteSpan(bytes.buffer())));
    };
    if (!tracking_) {
      for (auto& [key, slot] : map_) RETURN_IF_ERROR(put(key, slot));
    } else {
      for (const std::string& key : erased_) {
        if (map_.find(key) == map_.end()) {
          RETURN_IF_ERROR(writer.Delete(table, KeyGroupOfKey(key), key));
        }
      }
      for (const std::string& key : changed_) {
        auto it = map_.find(key);
        // kWritten: listed twice (erased and created again within the interval).
        if (it == map_.end() || it->second.interval == kWritten) continue;
        RETURN_IF_ERROR(put(key, it->second));
      }
    }
    StartInterval();
    return Status::OK();
  }

  /// Recovery: replaces the contents with the entries of `table`.
  /// `decode(std::string_view key, ByteReader&) -> Result<V>`.
  template <typename Decode>
  Status RestoreFrom(StateReader& reader, std::string_view table, Decode&& decode) {
    map_.clear();
    RETURN_IF_ERROR(
        reader.ForEach(table, [&](int, std::string_view key, std::string_view value) -> Status {
          ByteReader in(AsBytes(value));
          Result<V> decoded = decode(key, in);
          if (!decoded.ok()) {
            return decoded.status().WithContext("state table '" + std::string(table) + "'");
          }
          map_.emplace(std::string(key), Slot{std::move(decoded).value(), 0, true});
          return Status::OK();
        }));
    // The backend holds exactly this state now: track changes from here.
    StartInterval();
    return Status::OK();
  }

 private:
  struct Slot {
    V value{};
    uint64_t interval = 0;   // the snapshot interval in which it was last marked changed
    bool persisted = false;  // the backend holds a version of it (so erasing must delete)
  };
  // Slot::interval of an entry SnapshotTo has just written.
  static constexpr uint64_t kWritten = UINT64_MAX;
  using Map = std::unordered_map<std::string, Slot, KeyHash, std::equal_to<>>;

  void Touch(const std::string& key, Slot& slot) {
    if (tracking_ && slot.interval != interval_) {
      slot.interval = interval_;
      changed_.push_back(key);
    }
  }
  // An entry the backend never saw needs no delete: keys that come and go between two
  // checkpoints (a window's short-lived keys) cost the backend nothing.
  void NoteErased(const std::string& key, const Slot& slot) {
    if (tracking_ && slot.persisted) erased_.push_back(key);
  }
  void StartInterval() {
    tracking_ = true;
    ++interval_;
    changed_.clear();
    erased_.clear();
  }

  Map map_;
  bool tracking_ = false;
  uint64_t interval_ = 1;
  std::vector<std::string> changed_;
  std::vector<std::string> erased_;
};

}  // namespace eddy::engine
