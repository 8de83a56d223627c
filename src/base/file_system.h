#pragma once
// The file operations eddy's storage needs, behind an interface so that tests can
// inject faults (tests/util/fault_injection_file_system.h drops unsynced data to
// simulate a crash, and fails writes as a full disk would).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"

namespace eddy {

/// An open file that is appended at its end and read anywhere.
/// Thread safety: ReadAt may run concurrently with anything, including Append
/// (it reads only bytes already appended); Append and Truncate are called by one
/// writer at a time. Sync may run alongside Append (a flush thread syncing while
/// producers append) and makes durable at least every byte appended before it began.
class File {
 public:
  virtual ~File() = default;
  /// Appends all of "data" at the end of the file (not durable until Sync).
  virtual Status Append(ByteSpan data) = 0;
  /// Reads up to out.size() bytes at "offset"; returns how many were read (fewer at the end).
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) const = 0;
  /// Makes every appended byte durable (fdatasync).
  virtual Status Sync() = 0;
  /// Cuts the file to "size" bytes; later appends go there.
  virtual Status Truncate(uint64_t size) = 0;
  /// Bytes in the file, including appended but unsynced ones.
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

/// Held while a directory is locked; unlocks on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

enum class OpenMode {
  kReadOnly,        // the file must exist
  kReadWrite,       // the file must exist
  kCreateOrOpen,    // read-write, created if missing
  kCreateTruncate,  // read-write, emptied or created
};

/// Thread-safe.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) = 0;
  virtual Status CreateDirs(const std::string& path) = 0;
  /// Names (not paths) of the entries of a directory, sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status RemoveAll(const std::string& path) = 0;
  /// Atomically replaces "to" with "from" (rename(2)).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  /// Makes creations, renames and removals in a directory durable.
  virtual Status SyncDir(const std::string& path) = 0;
  /// Takes an exclusive advisory lock on "path" (created if missing); fails with
  /// FailedPrecondition naming the holder's pid if another process holds it.
  virtual Result<std::unique_ptr<FileLock>> Lock(const std::string& path) = 0;

  /// The process-wide POSIX file system; never destroyed.
  static FileSystem* Default();

  /// Writes "data" to "path" atomically and durably (temp file, sync, rename, sync dir).
  Status WriteFileAtomically(const std::string& path, ByteSpan data);
  /// Reads a whole file.
  Result<std::vector<uint8_t>> ReadFile(const std::string& path);
};

/// Joins two path parts with one '/'.
std::string JoinPath(const std::string& a, const std::string& b);
/// The directory part of a path ("." if none).
std::string DirName(const std::string& path);

}  // namespace eddy
