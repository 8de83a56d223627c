#include "bench/disk_baseline.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
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

}  // namespace

Result<DiskBaselineResult> RunDiskBaseline(const DiskBaselineOptions& options) {
  if (options.chunk_bytes == 0) return Status::InvalidArgument("chunk size must be > 0");
  std::string path = JoinPath(options.dir, "disk-baseline-" + std::to_string(::getpid()) + ".tmp");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  ScratchFile file(fd, path);

  // Random bytes: a file system or device that compresses gets no help.
  std::vector<uint8_t> chunk(options.chunk_bytes);
  std::mt19937_64 rng(7);
  for (auto& b : chunk) b = static_cast<uint8_t>(rng());

  DiskBaselineResult result;
  // When each chunk finished syncing, to split the run in halves afterwards.
  std::vector<int64_t> synced_at;
  const int64_t start = NowNs();
  const auto deadline = start + static_cast<int64_t>(options.max_seconds * 1e9);
  int64_t now = start;
  while (result.bytes < options.max_bytes && now < deadline) {
    int64_t before = now;
    RETURN_IF_ERROR(WriteAll(file.fd(), chunk.data(), chunk.size(), file.path()));
    if (::fdatasync(file.fd()) != 0) return Status::FromErrno(errno, "fdatasync " + file.path());
    now = NowNs();
    result.sync_ns.Record(static_cast<uint64_t>(now - before));
    result.bytes += chunk.size();
    ++result.syncs;
    synced_at.push_back(now);
  }
  result.seconds = static_cast<double>(now - start) / 1e9;

  // The second half starts at the first chunk begun after the midpoint.
  const int64_t midpoint = start + (now - start) / 2;
  int64_t half_start = now;
  for (size_t i = 0; i < synced_at.size(); ++i) {
    if (synced_at[i] >= midpoint) {
      half_start = i == 0 ? start : synced_at[i - 1];
      result.second_half_bytes = (synced_at.size() - i) * chunk.size();
      break;
    }
  }
  result.second_half_seconds = static_cast<double>(now - half_start) / 1e9;
  return result;
}

}  // namespace eddy::bench
