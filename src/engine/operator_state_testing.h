#pragma once
// For tests: an in-memory StateWriter/StateReader, standing in for the task's state
// backend. Restore into another parallelism by reading through a key-group filter.

#include <map>
#include <string>
#include <tuple>

#include "src/engine/operator_state.h"
#include "src/state/key_group.h"

namespace eddy::engine::testing {

class MemoryOperatorState final : public StateWriter, public StateReader {
 public:
  /// Reads see only the entries of `range` (as instance i of p does after a rescale).
  void SetReadRange(state::KeyGroupRange range) { range_ = range; }

  Status Put(std::string_view table, int key_group, std::string_view key,
             std::string_view value) override {
    tables_[std::string(table)][{key_group, std::string(key)}] = std::string(value);
    ++puts_;
    return Status::OK();
  }
  Status Delete(std::string_view table, int key_group, std::string_view key) override {
    tables_[std::string(table)].erase({key_group, std::string(key)});
    ++deletes_;
    return Status::OK();
  }
  Status ForEach(std::string_view table, const Visitor& visit) override {
    auto it = tables_.find(std::string(table));
    if (it == tables_.end()) return Status::OK();
    for (const auto& [where, value] : it->second) {
      if (!range_.Contains(where.first)) continue;
      RETURN_IF_ERROR(visit(where.first, where.second, value));
    }
    return Status::OK();
  }

  /// Entries over all tables.
  size_t size() const {
    size_t n = 0;
    for (const auto& [name, table] : tables_) n += table.size();
    return n;
  }
  /// Puts and deletes received so far (to check that snapshots are incremental).
  size_t puts() const { return puts_; }
  size_t deletes() const { return deletes_; }

 private:
  std::map<std::string, std::map<std::pair<int, std::string>, std::string>> tables_;
  state::KeyGroupRange range_ = state::KeyGroupRange::All();
  size_t puts_ = 0;
  size_t deletes_ = 0;
};

}  // namespace eddy::engine::testing
