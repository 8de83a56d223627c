#pragma once
// The sparse offset index of one segment (NNNN.index, layout in log_format.h): which
// file position holds the batch with a given base offset, for some batches (one per
// index.interval.bytes of log). A read looks up the closest entry at or below the
// offset it wants and scans batch headers forward from there.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"

namespace eddy::log {

/// Owns the index file and a copy of its entries in memory.
/// Thread safety: one writer (the partition's appender or recovery) calls Append,
/// Replace and Sync; Lookup, last and size may run concurrently with it.
/// Invariant: entries increase strictly in offset and in position. A failed file append
/// leaves the entry out of memory too; a failed Replace leaves a file that the next
/// Load finds damaged (and recovery rebuilds), never one that misleads.
class OffsetIndex {
 public:
  struct Entry {
    int64_t offset = 0;     // absolute base offset of the batch
    uint64_t position = 0;  // its byte position in the segment's .log file
    bool operator==(const Entry&) const = default;
  };

  OffsetIndex(std::unique_ptr<File> file, int64_t base_offset)
      : file_(std::move(file)), base_offset_(base_offset) {}

  /// Reads the file's entries into memory and checks their shape: whole entries,
  /// strictly increasing, positions inside a log of "log_size" bytes. On damage
  /// returns Corruption saying what is wrong (the caller rebuilds); memory then holds
  /// no entries.
  Status Load(uint64_t log_size);

  /// Adds an entry at the end. Entries that would not increase are ignored. A failed
  /// file append is cut back and reported; the entry is then left out.
  Status Append(int64_t offset, uint64_t position);

  /// Replaces the whole index, in memory and in the file (one write), with "entries"
  /// (a rebuild after recovery). Does nothing when they equal the current ones.
  Status Replace(std::vector<Entry> entries);

  /// The entry with the largest offset <= "offset"; {base_offset, 0} when there is none.
  Entry Lookup(int64_t offset) const;

  std::optional<Entry> last() const;
  size_t size() const;
  std::vector<Entry> entries() const;

  Status Sync() { return file_->Sync(); }
  const std::string& path() const { return file_->path(); }

 private:
  std::unique_ptr<File> file_;
  const int64_t base_offset_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_ (written only by the single writer)
};

}  // namespace eddy::log
