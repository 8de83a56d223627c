#pragma once
// What the two sparse indexes of a segment (offset_index.h, time_index.h) share: a file
// of fixed-size entries, appended one at a time and rebuilt whole, mirrored in memory,
// with entries that must strictly increase. Entry is a plain struct with operator==; a
// Layout says how it is stored (the index's .cc defines it, so that callers see only the
// index's own header):
//
//   struct Layout {
//     static constexpr size_t kEntrySize;
//     static void Encode(int64_t base_offset, const Entry&, uint8_t* out);
//     static Entry Decode(int64_t base_offset, const uint8_t* in);
//     static bool Increases(const Entry& before, const Entry& after);
//     static std::string Describe(const Entry&);  // for error messages
//   };

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"

namespace eddy::log {

/// Owns the index file and a copy of its entries in memory.
/// Thread safety: one writer (the partition's appender or recovery) calls Load,
/// AppendIfIncreasing, Replace and Sync; the readers (Find, last, entries) may run
/// concurrently with it. Invariant: entries strictly increase (Layout::Increases). A
/// failed file append leaves the entry out of memory too; a failed Replace leaves a file
/// the next Load finds damaged (and recovery rebuilds), never one that misleads.
template <typename Entry, typename Layout>
class IndexFile {
 public:
  IndexFile(std::unique_ptr<File> file, int64_t base_offset)
      : file_(std::move(file)), base_offset_(base_offset) {}

  /// Reads the file's entries into memory and checks their shape: whole entries,
  /// strictly increasing, each accepted by "check" (which describes what is wrong with
  /// an entry, or returns nullopt). On damage returns Corruption naming the file and the
  /// entry (the caller rebuilds); memory then holds no entries.
  Status Load(const std::function<std::optional<std::string>(const Entry&)>& check) {
    auto fail = [&](const std::string& what) {
      std::lock_guard lock(mu_);
      entries_.clear();
      return Status::Corruption(file_->path() + ": " + what);
    };
    const uint64_t file_size = file_->Size();
    if (file_size % Layout::kEntrySize != 0) {
      return fail("size " + std::to_string(file_size) + " is not a multiple of " +
                  std::to_string(Layout::kEntrySize));
    }
    std::vector<uint8_t> bytes(file_size);
    ASSIGN_OR_RETURN(size_t n, file_->ReadAt(0, bytes));
    if (n != bytes.size()) return fail("short read of " + std::to_string(n) + " bytes");
    std::vector<Entry> loaded;
    loaded.reserve(file_size / Layout::kEntrySize);
    for (size_t at = 0; at < bytes.size(); at += Layout::kEntrySize) {
      Entry e = Layout::Decode(base_offset_, &bytes[at]);
      const std::string which = "entry " + std::to_string(loaded.size()) + " (" + Layout::Describe(e) + ")";
      if (!loaded.empty() && !Layout::Increases(loaded.back(), e)) return fail(which + " does not increase");
      if (std::optional<std::string> wrong = check(e)) return fail(which + " " + *wrong);
      loaded.push_back(e);
    }
    std::lock_guard lock(mu_);
    entries_ = std::move(loaded);
    return Status::OK();
  }

  /// Adds "e" at the end if it increases past the last entry; otherwise does nothing.
  /// A failed file append is cut back (so the file stays whole entries) and reported.
  Status AppendIfIncreasing(const Entry& e) {
    {
      std::lock_guard lock(mu_);
      if (!entries_.empty() && !Layout::Increases(entries_.back(), e)) return Status::OK();
    }
    uint8_t bytes[Layout::kEntrySize];
    Layout::Encode(base_offset_, e, bytes);
    const uint64_t size_before = file_->Size();
    if (Status st = file_->Append(bytes); !st.ok()) {
      (void)file_->Truncate(size_before);
      return st;
    }
    std::lock_guard lock(mu_);
    entries_.push_back(e);
    return Status::OK();
  }

  /// Replaces every entry, in memory and in the file (one write): a rebuild. Does
  /// nothing when they equal the current ones.
  Status Replace(std::vector<Entry> entries) {
    {
      std::lock_guard lock(mu_);
      if (entries == entries_ && file_->Size() == entries.size() * Layout::kEntrySize) {
        return Status::OK();
      }
    }
    std::vector<uint8_t> bytes(entries.size() * Layout::kEntrySize);
    for (size_t i = 0; i < entries.size(); ++i) {
      Layout::Encode(base_offset_, entries[i], &bytes[i * Layout::kEntrySize]);
    }
    {
      // Readers see either the old or the new entries; both describe the same batches.
      std::lock_guard lock(mu_);
      entries_ = std::move(entries);
    }
    RETURN_IF_ERROR(file_->Truncate(0));
    return file_->Append(bytes);
  }

  /// The last entry for which "below" holds, in a list where it holds for a prefix.
  template <typename Below>
  std::optional<Entry> FindLast(Below below) const {
    std::lock_guard lock(mu_);
    auto it = std::partition_point(entries_.begin(), entries_.end(), below);
    if (it == entries_.begin()) return std::nullopt;
    return *std::prev(it);
  }

  std::optional<Entry> last() const {
    std::lock_guard lock(mu_);
    if (entries_.empty()) return std::nullopt;
    return entries_.back();
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }
  std::vector<Entry> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }

  int64_t base_offset() const { return base_offset_; }
  Status Sync() { return file_->Sync(); }
  const std::string& path() const { return file_->path(); }

 private:
  std::unique_ptr<File> file_;
  const int64_t base_offset_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_ (written only by the single writer)
};

}  // namespace eddy::log
