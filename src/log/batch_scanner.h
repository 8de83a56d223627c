#pragma once
// Walks the record batches stored in a segment file, for recovery, index rebuilds,
// producer-state rebuilds and timestamp searches. Reads ahead in large chunks so that
// small batches cost no syscall each, and skips the bodies of large batches unless it
// is asked to check them.

#include <cstdint>
#include <optional>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/log/record_batch.h"

namespace eddy::log {

/// Reads [start, end) of a file it does not own ("file" must outlive the scanner).
/// Not thread-safe; File::ReadAt makes it safe beside a concurrent appender as long as
/// "end" is at or below the bytes already appended.
class BatchScanner {
 public:
  enum class Check {
    kHeader,  // the header parses and the whole batch lies inside the range
    kCrc,     // ... and its CRC-32C matches (the whole batch is read)
  };

  struct Batch {
    BatchHeader header;
    uint64_t position = 0;
    /// The whole batch; only set under Check::kCrc (or when Next is asked for the bytes).
    ByteSpan bytes;
  };

  BatchScanner(const File& file, uint64_t start, uint64_t end)
      : file_(file), pos_(start), end_(end) {}

  /// The next batch, nullopt at the end of the range. A batch cut by the end of the
  /// range (a torn write) or failing "check" is a Corruption naming the file and the
  /// position; position() then stays at that batch, the end of the good data.
  Result<std::optional<Batch>> Next(Check check, bool want_bytes = false);

  /// Where the next batch starts (after an error: where the bad one starts).
  uint64_t position() const { return pos_; }

 private:
  /// Makes [at, at + n) available in buf_, reading ahead up to kReadAhead bytes.
  Result<ByteSpan> Fetch(uint64_t at, size_t n);

  static constexpr size_t kReadAhead = 256 * 1024;

  const File& file_;
  uint64_t pos_;
  const uint64_t end_;
  std::vector<uint8_t> buf_;
  uint64_t buf_start_ = 0;  // file position of buf_[0]
};

}  // namespace eddy::log
