#pragma once
// The sparse time index of one segment (NNNN.timeindex, layout in log_format.h):
// entries (timestamp, offset) saying that every record at or below that offset has a
// timestamp <= timestamp. OffsetForTimestamp uses it to skip the part of a segment
// that is certainly older than the time it looks for.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"

namespace eddy::log {

/// Owns the time index file and a copy of its entries in memory.
/// Thread safety: as OffsetIndex (one writer; Lookup and last from any thread).
/// Invariant: entries increase strictly in timestamp and in offset.
class TimeIndex {
 public:
  struct Entry {
    int64_t timestamp = 0;
    int64_t offset = 0;  // absolute
    bool operator==(const Entry&) const = default;
  };

  TimeIndex(std::unique_ptr<File> file, int64_t base_offset)
      : file_(std::move(file)), base_offset_(base_offset) {}

  /// Reads and checks the file (whole entries, strictly increasing, offsets below
  /// "end_offset"); Corruption describes damage, and memory then holds no entries.
  Status Load(int64_t end_offset);

  /// Adds (timestamp, offset) if it increases both fields past the last entry;
  /// otherwise does nothing. A failed file append is cut back and reported.
  Status MaybeAppend(int64_t timestamp, int64_t offset);

  /// Replaces every entry, in memory and in the file (a rebuild).
  Status Replace(std::vector<Entry> entries);

  /// The entry with the largest timestamp strictly below "timestamp", if any: every
  /// record at or below its offset is older than "timestamp".
  std::optional<Entry> LookupBefore(int64_t timestamp) const;

  std::optional<Entry> last() const;
  std::vector<Entry> entries() const;

  Status Sync() { return file_->Sync(); }
  const std::string& path() const { return file_->path(); }

 private:
  std::unique_ptr<File> file_;
  const int64_t base_offset_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
};

}  // namespace eddy::log
