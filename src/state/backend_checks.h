#pragma once
// Argument checks and path handling both state backends share, so that they refuse the
// same inputs with the same messages.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/state/key_group.h"

namespace eddy::state {

/// Rejects an entry the snapshot formats cannot hold: a key group outside
/// [0, kKeyGroups), or a table name, key or value of 4 GiB or more (lengths are u32).
inline Status CheckEntry(std::string_view table, int key_group, std::string_view key,
                         std::string_view value = {}) {
  if (key_group < 0 || key_group >= kKeyGroups) {
    return Status::InvalidArgument("key group " + std::to_string(key_group) + " of table '" +
                                   std::string(table) + "' is outside [0, " +
                                   std::to_string(kKeyGroups) + ")");
  }
  constexpr size_t kMax = std::numeric_limits<uint32_t>::max();
  if (table.size() >= kMax || key.size() >= kMax || value.size() >= kMax) {
    return Status::InvalidArgument("state entry of table '" + std::string(table.substr(0, 64)) +
                                   "' is 4 GiB or larger");
  }
  return Status::OK();
}

inline Status CheckRange(KeyGroupRange range) {
  if (range.begin < 0 || range.end > kKeyGroups || range.begin > range.end) {
    return Status::InvalidArgument("key group range " + range.ToString() + " is not within [0, " +
                                   std::to_string(kKeyGroups) + ")");
  }
  return Status::OK();
}

/// `dir` without trailing slashes, so that DirName gives its parent.
inline std::string TrimTrailingSlashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace eddy::state
