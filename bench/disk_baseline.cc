#include "bench/disk_baseline.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <random>
#include <vector>

#include "src/base/file_system.h"

namespace eddy::bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Closes the file and removes it, whatever happened.
class ScratchFile {
 public:
  ScratchFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~ScratchFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

Status WriteAll(int fd, const uint8_t* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

// Reads the page-cache figures of DiskBaselineResult from /proc/vmstat; leaves them at -1
// where it cannot (not Linux, /proc not mounted): they explain a result, they are not it.
void ReadDirtyPages(DiskBaselineResult* result) {
  std::ifstream vmstat("/proc/vmstat");
  const int64_t page_bytes = ::sysconf(_SC_PAGESIZE);
  int64_t dirty = -1, writeback = -1, background = -1, threshold = -1;
  std::string key;
  int64_t pages = 0;
  while (vmstat >> key >> pages) {
    if (key == "nr_dirty") dirty = pages;
    if (key == "nr_writeback") writeback = pages;
    if (key == "nr_dirty_background_threshold") background = pages;
    if (key == "nr_dirty_threshold") threshold = pages;
  }
  if (dirty >= 0 && writeback >= 0) result->dirty_bytes_at_end = (dirty + writeback) * page_bytes;
  if (background >= 0) result->dirty_background_threshold_bytes = background * page_bytes;
  if (threshold >= 0) result->dirty_threshold_bytes = threshold * page_bytes;
}

}  // namespace

Result<DiskBaselineResult> RunDiskBaseline(const DiskBaselineOptions& options) {
  if (options.chunk_bytes == 0) return Status::InvalidArgument("chunk size must be > 0");
  std::string path = JoinPath(options.dir, "disk-baseline-" + std::to_string(::getpid()) + ".tmp");
  // A new inode, never a leftover of a run that died: its pages could be in the cache
  // already, and every byte must be new file data.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "unlink " + path);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  ScratchFile file(fd, path);

  // Random bytes: a file system or device that compresses gets no help.
  std::vector<uint8_t> chunk(options.chunk_bytes);
  std::mt19937_64 rng(7);
  for (auto& b : chunk) b = static_cast<uint8_t>(rng());

  DiskBaselineResult result;
  const bool sync_each = options.sync == SyncMode::kEachChunk;
  // When each chunk was written (and synced), to split the run in halves afterwards.
  std::vector<int64_t> done_at;
  const int64_t start = NowNs();
  const auto deadline = start + static_cast<int64_t>(options.max_seconds * 1e9);
  int64_t now = start;
  while (result.bytes < options.max_bytes && now < deadline) {
    int64_t before = now;
    RETURN_IF_ERROR(WriteAll(file.fd(), chunk.data(), chunk.size(), file.path()));
    if (sync_each && ::fdatasync(file.fd()) != 0) {
      return Status::FromErrno(errno, "fdatasync " + file.path());
    }
    now = NowNs();
    result.chunk_ns.Record(static_cast<uint64_t>(now - before));
    result.bytes += chunk.size();
    ++result.chunks;
    done_at.push_back(now);
  }
  result.seconds = static_cast<double>(now - start) / 1e9;
  ReadDirtyPages(&result);

  // Appends only: the file must hold every byte written, once.
  struct stat st;
  if (::fstat(file.fd(), &st) != 0) return Status::FromErrno(errno, "fstat " + file.path());
  if (static_cast<uint64_t>(st.st_size) != result.bytes) {
    return Status::Internal(file.path() + " holds " + std::to_string(st.st_size) + " bytes after " +
                            std::to_string(result.bytes) + " were appended");
  }

  // The second half starts at the first chunk begun after the midpoint.
  const int64_t midpoint = start + (now - start) / 2;
  int64_t half_start = now;
  for (size_t i = 0; i < done_at.size(); ++i) {
    if (done_at[i] >= midpoint) {
      half_start = i == 0 ? start : done_at[i - 1];
      result.second_half_bytes = (done_at.size() - i) * chunk.size();
      break;
    }
  }
  result.second_half_seconds = static_cast<double>(now - half_start) / 1e9;
  return result;
}

}  // namespace eddy::bench
