#include "src/log/transaction_index.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "src/base/bytes.h"
#include "src/log/log_format.h"

namespace eddy::log {

void EncodeTxnIndexEntry(const TxnIndexEntry& entry, uint8_t* out) {
  StoreI16(out, kTxnIndexVersion);
  StoreI64(out + 2, entry.producer_id);
  StoreI64(out + 10, entry.first_offset);
  StoreI64(out + 18, entry.last_offset);
  StoreI64(out + 26, entry.last_stable_offset);
}

TxnIndexEntry DecodeTxnIndexEntry(const uint8_t* in) {
  return TxnIndexEntry{LoadI64(in + 2), LoadI64(in + 10), LoadI64(in + 18), LoadI64(in + 26)};
}

std::string TransactionIndex::PathOf(int64_t segment_base) const {
  return JoinPath(dir_, SegmentFileName(segment_base, kTxnIndexFileSuffix));
}

Status TransactionIndex::Load(const std::vector<std::pair<int64_t, int64_t>>& segments,
                              std::string* problem) {
  std::lock_guard lock(mu_);
  segments_.clear();
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  std::map<int64_t, int64_t> ends(segments.begin(), segments.end());
  std::vector<int64_t> bases;
  for (const std::string& name : names) {
    std::optional<int64_t> base = ParseSegmentFileName(name, kTxnIndexFileSuffix);
    if (!base) continue;
    if (ends.contains(*base)) {
      bases.push_back(*base);
      continue;
    }
    const std::string path = JoinPath(dir_, name);
    spdlog::info("removing {}: its segment is gone", path);
    RETURN_IF_ERROR(fs_->Remove(path));
  }
  std::sort(bases.begin(), bases.end());
  for (const int64_t base : bases) {
    const std::string path = PathOf(base);
    auto end = ends.find(base);
    // Entries of the last segment may name markers past its end: the crash that cut the
    // log cut them too, and TruncateFrom drops them before the log is scanned.
    const bool last = std::next(end) == ends.end();
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_->Open(path, OpenMode::kReadWrite));
    const uint64_t size = file->Size();
    const uint64_t whole = size - size % kTxnIndexEntrySize;
    std::vector<uint8_t> bytes(whole);
    ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, bytes));
    if (n != whole) {
      *problem = path + ": short read of " + std::to_string(n) + " bytes";
      segments_.clear();
      return Status::OK();
    }
    SegmentEntries loaded;
    for (uint64_t pos = 0; pos < whole; pos += kTxnIndexEntrySize) {
      const int16_t version = LoadI16(bytes.data() + pos);
      const TxnIndexEntry e = DecodeTxnIndexEntry(bytes.data() + pos);
      std::string bad;
      if (version != kTxnIndexVersion) {
        bad = "version " + std::to_string(version);
      } else if (e.last_offset < base || (!last && e.last_offset >= end->second)) {
        bad = "marker offset " + std::to_string(e.last_offset) + " outside the segment [" +
              std::to_string(base) + ", " + std::to_string(end->second) + ")";
      } else if (e.first_offset < 0 || e.first_offset > e.last_offset) {
        bad = "first offset " + std::to_string(e.first_offset) + " after its marker " +
              std::to_string(e.last_offset);
      } else if (!loaded.entries.empty() && e.last_offset <= loaded.entries.back().last_offset) {
        bad = "marker offset " + std::to_string(e.last_offset) + " does not increase";
      }
      if (!bad.empty()) {
        *problem = path + ": entry " + std::to_string(pos / kTxnIndexEntrySize) + " has " + bad;
        segments_.clear();
        return Status::OK();
      }
      loaded.entries.push_back(e);
    }
    if (whole != size) {
      // The tail of an append a crash cut short: the entries after the newest producer
      // snapshot are rebuilt from the log anyway.
      spdlog::info("{}: cutting a torn entry ({} bytes)", path, size - whole);
      RETURN_IF_ERROR(file->Truncate(whole));
      loaded.dirty = true;
    }
    loaded.file = std::move(file);
    segments_.emplace(base, std::move(loaded));
  }
  return Status::OK();
}

Status TransactionIndex::TruncateFrom(int64_t offset) {
  std::lock_guard lock(mu_);
  for (auto& [base, segment] : segments_) {
    auto cut =
        std::lower_bound(segment.entries.begin(), segment.entries.end(), offset,
                         [](const TxnIndexEntry& e, int64_t o) { return e.last_offset < o; });
    if (cut == segment.entries.end()) continue;
    segment.entries.erase(cut, segment.entries.end());
    RETURN_IF_ERROR(segment.file->Truncate(segment.entries.size() * kTxnIndexEntrySize));
    segment.dirty = true;
  }
  return Status::OK();
}

Status TransactionIndex::Clear() {
  std::lock_guard lock(mu_);
  segments_.clear();
  // Every file, also those Load found damaged and did not keep.
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  for (const std::string& name : names) {
    if (ParseSegmentFileName(name, kTxnIndexFileSuffix)) {
      RETURN_IF_ERROR(fs_->Remove(JoinPath(dir_, name)));
    }
  }
  return Status::OK();
}

Status TransactionIndex::Append(int64_t segment_base, const TxnIndexEntry& entry) {
  uint8_t bytes[kTxnIndexEntrySize];
  EncodeTxnIndexEntry(entry, bytes);
  std::lock_guard lock(mu_);
  SegmentEntries& segment = segments_[segment_base];
  if (segment.file == nullptr) {
    Result<std::unique_ptr<File>> file = fs_->Open(PathOf(segment_base), OpenMode::kCreateOrOpen);
    if (!file.ok()) {
      // Keep the entry in memory regardless: readers of this process stay correct, and
      // the caller makes sure recovery rebuilds it.
      segment.entries.push_back(entry);
      return file.status();
    }
    segment.file = std::move(file).value();
  }
  segment.entries.push_back(entry);
  segment.dirty = true;
  return segment.file->Append(ByteSpan(bytes, sizeof(bytes)));
}

Status TransactionIndex::SyncAll() {
  std::lock_guard lock(mu_);
  for (auto& [base, segment] : segments_) {
    if (!segment.dirty) continue;
    if (segment.file == nullptr) {
      return Status::IOError(PathOf(base) + " could not be created");
    }
    RETURN_IF_ERROR(segment.file->Sync());
    segment.dirty = false;
  }
  return Status::OK();
}

void TransactionIndex::RemoveSegment(int64_t segment_base) {
  std::lock_guard lock(mu_);
  auto it = segments_.find(segment_base);
  if (it == segments_.end()) return;
  const bool had_file = it->second.file != nullptr;
  segments_.erase(it);
  if (!had_file) return;
  if (Status removed = fs_->Remove(PathOf(segment_base)); !removed.ok() && !removed.IsNotFound()) {
    spdlog::warn("{} not removed: {}", PathOf(segment_base), removed.ToString());
  }
}

std::vector<AbortedTransaction> TransactionIndex::Collect(int64_t from, int64_t to) const {
  std::vector<AbortedTransaction> out;
  std::lock_guard lock(mu_);
  if (segments_.empty()) return out;
  // Markers at or after "from" are in the segment holding "from" or in later ones.
  auto it = segments_.upper_bound(from);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    const std::vector<TxnIndexEntry>& entries = it->second.entries;
    auto e = std::lower_bound(entries.begin(), entries.end(), from,
                              [](const TxnIndexEntry& x, int64_t o) { return x.last_offset < o; });
    for (; e != entries.end(); ++e) {
      if (e->first_offset < to) {
        out.push_back(
            {ProducerId(e->producer_id), Offset(e->first_offset), Offset(e->last_offset)});
      }
      if (e->last_stable_offset >= to) return out;
    }
  }
  return out;
}

size_t TransactionIndex::size() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [base, segment] : segments_) n += segment.entries.size();
  return n;
}

}  // namespace eddy::log
