#include "src/log/time_index.h"

#include <algorithm>

#include "src/base/bytes.h"
#include "src/log/log_format.h"

namespace eddy::log {
namespace {

void EncodeEntry(int64_t base_offset, const TimeIndex::Entry& e, uint8_t* out) {
  StoreI64(out, e.timestamp);
  StoreI32(out + 8, static_cast<int32_t>(static_cast<uint32_t>(e.offset - base_offset)));
}

}  // namespace

Status TimeIndex::Load(int64_t end_offset) {
  uint64_t file_size = file_->Size();
  auto fail = [&](Status damage) {
    std::lock_guard lock(mu_);
    entries_.clear();
    return damage;
  };
  if (file_size % kTimeIndexEntrySize != 0) {
    return fail(Status::Corruption(file_->path() + ": size " + std::to_string(file_size) +
                                   " is not a multiple of " + std::to_string(kTimeIndexEntrySize)));
  }
  std::vector<uint8_t> bytes(file_size);
  ASSIGN_OR_RETURN(size_t n, file_->ReadAt(0, bytes));
  if (n != bytes.size()) {
    return fail(
        Status::Corruption(file_->path() + ": short read of " + std::to_string(n) + " bytes"));
  }
  std::vector<Entry> loaded;
  loaded.reserve(file_size / kTimeIndexEntrySize);
  for (size_t at = 0; at < bytes.size(); at += kTimeIndexEntrySize) {
    Entry e{LoadI64(&bytes[at]), base_offset_ + static_cast<uint32_t>(LoadI32(&bytes[at + 8]))};
    if (!loaded.empty() &&
        (e.timestamp <= loaded.back().timestamp || e.offset <= loaded.back().offset)) {
      return fail(Status::Corruption(file_->path() + ": entry " + std::to_string(loaded.size()) +
                                     " (timestamp " + std::to_string(e.timestamp) + ", offset " +
                                     std::to_string(e.offset) + ") does not increase"));
    }
    if (e.offset >= end_offset) {
      return fail(Status::Corruption(file_->path() + ": entry " + std::to_string(loaded.size()) +
                                     " names offset " + std::to_string(e.offset) +
                                     " past the segment's end " + std::to_string(end_offset)));
    }
    loaded.push_back(e);
  }
  std::lock_guard lock(mu_);
  entries_ = std::move(loaded);
  return Status::OK();
}

Status TimeIndex::MaybeAppend(int64_t timestamp, int64_t offset) {
  {
    std::lock_guard lock(mu_);
    if (!entries_.empty() &&
        (timestamp <= entries_.back().timestamp || offset <= entries_.back().offset)) {
      return Status::OK();
    }
  }
  uint8_t bytes[kTimeIndexEntrySize];
  EncodeEntry(base_offset_, Entry{timestamp, offset}, bytes);
  uint64_t size_before = file_->Size();
  Status st = file_->Append(bytes);
  if (!st.ok()) {
    (void)file_->Truncate(size_before);
    return st;
  }
  std::lock_guard lock(mu_);
  entries_.push_back(Entry{timestamp, offset});
  return Status::OK();
}

Status TimeIndex::Replace(std::vector<Entry> entries) {
  {
    std::lock_guard lock(mu_);
    if (entries == entries_ && file_->Size() == entries.size() * kTimeIndexEntrySize) {
      return Status::OK();
    }
  }
  std::vector<uint8_t> bytes(entries.size() * kTimeIndexEntrySize);
  for (size_t i = 0; i < entries.size(); ++i) {
    EncodeEntry(base_offset_, entries[i], &bytes[i * kTimeIndexEntrySize]);
  }
  {
    std::lock_guard lock(mu_);
    entries_ = std::move(entries);
  }
  RETURN_IF_ERROR(file_->Truncate(0));
  return file_->Append(bytes);
}

std::optional<TimeIndex::Entry> TimeIndex::LookupBefore(int64_t timestamp) const {
  std::lock_guard lock(mu_);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp,
                             [](const Entry& e, int64_t t) { return e.timestamp < t; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

std::optional<TimeIndex::Entry> TimeIndex::last() const {
  std::lock_guard lock(mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::vector<TimeIndex::Entry> TimeIndex::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

}  // namespace eddy::log
