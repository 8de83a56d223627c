#include "src/log/offset_index.h"

#include <algorithm>
#include <limits>

#include "src/base/bytes.h"
#include "src/log/log_format.h"

namespace eddy::log {
namespace {

void EncodeEntry(int64_t base_offset, const OffsetIndex::Entry& e, uint8_t* out) {
  StoreI32(out, static_cast<int32_t>(static_cast<uint32_t>(e.offset - base_offset)));
  StoreI32(out + 4, static_cast<int32_t>(static_cast<uint32_t>(e.position)));
}

}  // namespace

Status OffsetIndex::Load(uint64_t log_size) {
  std::vector<Entry> loaded;
  uint64_t file_size = file_->Size();
  if (file_size % kOffsetIndexEntrySize != 0) {
    std::lock_guard lock(mu_);
    entries_.clear();
    return Status::Corruption(file_->path() + ": size " + std::to_string(file_size) +
                              " is not a multiple of " + std::to_string(kOffsetIndexEntrySize));
  }
  std::vector<uint8_t> bytes(file_size);
  ASSIGN_OR_RETURN(size_t n, file_->ReadAt(0, bytes));
  if (n != bytes.size()) {
    return Status::Corruption(file_->path() + ": short read of " + std::to_string(n) + " bytes");
  }
  loaded.reserve(file_size / kOffsetIndexEntrySize);
  Status damage;
  for (size_t at = 0; at < bytes.size(); at += kOffsetIndexEntrySize) {
    Entry e{base_offset_ + static_cast<uint32_t>(LoadI32(&bytes[at])),
            static_cast<uint32_t>(LoadI32(&bytes[at + 4]))};
    if (!loaded.empty() &&
        (e.offset <= loaded.back().offset || e.position <= loaded.back().position)) {
      damage = Status::Corruption(file_->path() + ": entry " + std::to_string(loaded.size()) +
                                  " (offset " + std::to_string(e.offset) + ", position " +
                                  std::to_string(e.position) + ") does not increase");
      break;
    }
    if (e.position >= log_size) {
      damage = Status::Corruption(file_->path() + ": entry " + std::to_string(loaded.size()) +
                                  " points at position " + std::to_string(e.position) +
                                  " beyond the log's " + std::to_string(log_size) + " bytes");
      break;
    }
    loaded.push_back(e);
  }
  std::lock_guard lock(mu_);
  if (!damage.ok()) {
    entries_.clear();
    return damage;
  }
  entries_ = std::move(loaded);
  return Status::OK();
}

Status OffsetIndex::Append(int64_t offset, uint64_t position) {
  {
    std::lock_guard lock(mu_);
    if (!entries_.empty() &&
        (offset <= entries_.back().offset || position <= entries_.back().position)) {
      return Status::OK();
    }
  }
  uint8_t bytes[kOffsetIndexEntrySize];
  EncodeEntry(base_offset_, Entry{offset, position}, bytes);
  uint64_t size_before = file_->Size();
  Status st = file_->Append(bytes);
  if (!st.ok()) {
    // Keep the file made of whole entries so that the next open does not see damage.
    (void)file_->Truncate(size_before);
    return st;
  }
  std::lock_guard lock(mu_);
  entries_.push_back(Entry{offset, position});
  return Status::OK();
}

Status OffsetIndex::Replace(std::vector<Entry> entries) {
  {
    std::lock_guard lock(mu_);
    if (entries == entries_ && file_->Size() == entries.size() * kOffsetIndexEntrySize) {
      return Status::OK();
    }
  }
  std::vector<uint8_t> bytes(entries.size() * kOffsetIndexEntrySize);
  for (size_t i = 0; i < entries.size(); ++i) {
    EncodeEntry(base_offset_, entries[i], &bytes[i * kOffsetIndexEntrySize]);
  }
  {
    // Readers see either the old or the new entries; both describe the same batches.
    std::lock_guard lock(mu_);
    entries_ = std::move(entries);
  }
  RETURN_IF_ERROR(file_->Truncate(0));
  return file_->Append(bytes);
}

OffsetIndex::Entry OffsetIndex::Lookup(int64_t offset) const {
  std::lock_guard lock(mu_);
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](int64_t o, const Entry& e) { return o < e.offset; });
  if (it == entries_.begin()) return Entry{base_offset_, 0};
  return *std::prev(it);
}

std::optional<OffsetIndex::Entry> OffsetIndex::last() const {
  std::lock_guard lock(mu_);
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

size_t OffsetIndex::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::vector<OffsetIndex::Entry> OffsetIndex::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

}  // namespace eddy::log
