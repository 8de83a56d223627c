#pragma once
// The physical limit of durable ingest on a disk: append fixed-size chunks to a fresh
// file and fdatasync after each one, as a log that acknowledges only durable data would
// if it had nothing else to do. Run it in the directory the log lives in, so that it
// measures the same file system and device.
//
// Virtual disks often absorb a burst (a gigabyte or more, through a host cache) several
// times faster than they sustain; the result gives the rate over the whole run and over
// its second half, which is the sustained rate once the run outlasts the burst.

#include <cstdint>
#include <string>

#include "src/base/histogram.h"
#include "src/base/status.h"

namespace eddy::bench {

struct DiskBaselineOptions {
  /// Directory to write in; the benchmark file is created there and removed afterwards.
  std::string dir;
  size_t chunk_bytes = 1 << 20;
  /// Stop after this many bytes ...
  uint64_t max_bytes = uint64_t{16} << 30;
  /// ... or this many seconds, whichever comes first.
  double max_seconds = 5;
};

struct DiskBaselineResult {
  uint64_t bytes = 0;
  uint64_t syncs = 0;
  double seconds = 0;
  /// Bytes synced in the second half of the run, and how long that half took.
  uint64_t second_half_bytes = 0;
  double second_half_seconds = 0;
  /// Time of each write(2) + fdatasync(2) pair, in nanoseconds.
  Histogram sync_ns;
};

/// Appends chunks with an fdatasync after each one; fails on any I/O error.
Result<DiskBaselineResult> RunDiskBaseline(const DiskBaselineOptions& options);

}  // namespace eddy::bench
