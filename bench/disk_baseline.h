#pragma once
// The physical limits of ingest on a disk, measured the way a log writes: append
// fixed-size chunks of random bytes to a fresh file.
//
// - SyncMode::kEachChunk: fdatasync after each chunk, as a log that acknowledges only
//   durable data would if it had nothing else to do. This is the disk's durable-write
//   bandwidth.
// - SyncMode::kNone: no sync at all, so every byte only has to reach the page cache.
//   This is the ceiling of any log that writes through the page cache, whatever its
//   fsync policy. On a virtual machine it is not the speed of memcpy: a page the guest has
//   never touched (or has handed back to the host) faults in the host on first use, while
//   a page just freed by a deleted file is reused at memory speed; the run is long enough
//   to get past such freed pages, and its second half shows the ceiling for new pages.
//
// Every chunk is appended at the end of a file created empty for the run, so every byte
// written is new file data in pages the file did not have; the run checks at the end that
// the file holds exactly the bytes written. Run it in the directory the log lives in, so
// that it measures the same file system and device.
//
// Virtual disks often absorb a burst (a gigabyte or more, through a host cache) several
// times faster than they sustain; the result gives the rate over the whole run and over
// its second half, which is the sustained rate once the run outlasts the burst.
//
// Thread-compatible: one call runs one measurement on the calling thread.

#include <cstdint>
#include <string>

#include "src/base/histogram.h"
#include "src/base/status.h"

namespace eddy::bench {

enum class SyncMode {
  /// fdatasync(2) after every chunk.
  kEachChunk,
  /// Never sync: measures buffered writes into the page cache.
  kNone,
};

struct DiskBaselineOptions {
  /// Directory to write in; the benchmark file is created there and removed afterwards.
  std::string dir;
  size_t chunk_bytes = 1 << 20;
  SyncMode sync = SyncMode::kEachChunk;
  /// Stop after this many bytes ...
  uint64_t max_bytes = uint64_t{16} << 30;
  /// ... or this many seconds, whichever comes first.
  double max_seconds = 5;
};

struct DiskBaselineResult {
  uint64_t bytes = 0;
  /// Chunks written (and synced, with SyncMode::kEachChunk).
  uint64_t chunks = 0;
  double seconds = 0;
  /// Bytes written in the second half of the run, and how long that half took.
  uint64_t second_half_bytes = 0;
  double second_half_seconds = 0;
  /// Time of each write(2), plus its fdatasync(2) with SyncMode::kEachChunk, in ns.
  Histogram chunk_ns;
  /// The machine's dirty page cache when the last chunk was written (/proc/vmstat
  /// nr_dirty + nr_writeback), and the kernel's dirty thresholds then: writers are
  /// throttled to the writeback rate once dirty memory passes halfway between the
  /// background threshold and the threshold. All -1 where /proc/vmstat cannot be read.
  int64_t dirty_bytes_at_end = -1;
  int64_t dirty_background_threshold_bytes = -1;
  int64_t dirty_threshold_bytes = -1;
};

/// Appends chunks to a fresh file, syncing as `options.sync` says; fails on any I/O error
/// or when the file does not end up holding exactly the bytes written.
Result<DiskBaselineResult> RunDiskBaseline(const DiskBaselineOptions& options);

}  // namespace eddy::bench
