#pragma once
// The sparse time index of one segment (NNNN.timeindex, layout in log_format.h):
// entries (timestamp, offset) saying that every record at or below that offset has a
// timestamp <= timestamp. OffsetForTimestamp uses it to skip the part of a segment
// that is certainly older than the time it looks for.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/log/index_file.h"

namespace eddy::log {

/// Thread safety and failure behaviour: those of IndexFile (one writer; LookupBefore,
/// last and entries from any thread). Entries increase strictly in timestamp and offset.
class TimeIndex {
 public:
  struct Entry {
    int64_t timestamp = 0;
    int64_t offset = 0;  // absolute
    bool operator==(const Entry&) const = default;
  };

  TimeIndex(std::unique_ptr<File> file, int64_t base_offset) : file_(std::move(file), base_offset) {}

  /// Loads and checks the file (see IndexFile::Load); every offset must be below
  /// "end_offset".
  Status Load(int64_t end_offset);

  /// Adds (timestamp, offset) if it increases both fields past the last entry;
  /// otherwise does nothing.
  Status MaybeAppend(int64_t timestamp, int64_t offset);

  /// Replaces every entry, in memory and in the file (a rebuild).
  Status Replace(std::vector<Entry> entries);

  /// The entry with the largest timestamp strictly below "timestamp", if any: every
  /// record at or below its offset is older than "timestamp".
  std::optional<Entry> LookupBefore(int64_t timestamp) const;

  std::optional<Entry> last() const;
  std::vector<Entry> entries() const;

  Status Sync();
  const std::string& path() const;

 private:
  struct Layout;
  IndexFile<Entry, Layout> file_;
};

}  // namespace eddy::log
