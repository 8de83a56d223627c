#pragma once
// The sparse offset index of one segment (NNNN.index, layout in log_format.h): which
// file position holds the batch with a given base offset, for some batches (one per
// index.interval.bytes of log). A read looks up the closest entry at or below the
// offset it wants and scans batch headers forward from there.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/log/index_file.h"

namespace eddy::log {

/// Thread safety and failure behaviour: those of IndexFile (one writer; Lookup, last,
/// size and entries from any thread). Entries increase strictly in offset and position.
class OffsetIndex {
 public:
  struct Entry {
    int64_t offset = 0;     // absolute base offset of the batch
    uint64_t position = 0;  // its byte position in the segment's .log file
    bool operator==(const Entry&) const = default;
  };

  OffsetIndex(std::unique_ptr<File> file, int64_t base_offset) : file_(std::move(file), base_offset) {}

  /// Loads and checks the file (see IndexFile::Load); every position must lie inside a
  /// log of "log_size" bytes.
  Status Load(uint64_t log_size);

  /// Adds an entry at the end. Entries that would not increase are ignored.
  Status Append(int64_t offset, uint64_t position);

  /// Replaces the whole index (a rebuild after recovery).
  Status Replace(std::vector<Entry> entries);

  /// The entry with the largest offset <= "offset"; {base_offset, 0} when there is none.
  Entry Lookup(int64_t offset) const;

  std::optional<Entry> last() const;
  size_t size() const;
  std::vector<Entry> entries() const;

  Status Sync();
  const std::string& path() const;

 private:
  struct Layout;
  IndexFile<Entry, Layout> file_;
};

}  // namespace eddy::log
