#include "src/log/batch_scanner.h"

#include <algorithm>
#include <string>

#include "src/log/record_batch_format.h"

namespace eddy::log {

Result<ByteSpan> BatchScanner::Fetch(uint64_t at, size_t n) {
  if (at >= buf_start_ && at + n <= buf_start_ + buf_.size()) {
    return ByteSpan(buf_).subspan(at - buf_start_, n);
  }
  // Callers never ask past end_, so the read-ahead is bounded by the range.
  size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kReadAhead), end_ - at));
  buf_.resize(want);
  buf_start_ = at;
  ASSIGN_OR_RETURN(size_t got, file_.ReadAt(at, buf_));
  buf_.resize(got);
  if (got < n) {
    return Status::Corruption(file_.path() + ": expected " + std::to_string(n) +
                              " bytes at position " + std::to_string(at) + " but read " +
                              std::to_string(got));
  }
  return ByteSpan(buf_).subspan(0, n);
}

Result<std::optional<BatchScanner::Batch>> BatchScanner::Next(Check check, bool want_bytes) {
  if (pos_ >= end_) return std::optional<Batch>();
  const std::string where = " at position " + std::to_string(pos_) + " of " + file_.path();
  if (end_ - pos_ < kBatchHeaderSize) {
    return Status::Corruption("torn batch header" + where + ": only " +
                              std::to_string(end_ - pos_) + " bytes left");
  }
  ASSIGN_OR_RETURN(ByteSpan header_bytes, Fetch(pos_, kBatchHeaderSize));
  Result<BatchHeader> header = ParseBatchHeader(header_bytes);
  if (!header.ok()) {
    return Status::Corruption("bad batch header" + where + ": " + header.status().message());
  }
  const uint64_t total = header->total_size();
  if (total > end_ - pos_) {
    return Status::Corruption("torn batch" + where + ": it needs " + std::to_string(total) +
                              " bytes, " + std::to_string(end_ - pos_) + " are there");
  }
  Batch batch{*header, pos_, {}};
  if (check == Check::kCrc || want_bytes) {
    ASSIGN_OR_RETURN(batch.bytes, Fetch(pos_, static_cast<size_t>(total)));
    if (check == Check::kCrc) {
      Status valid = ValidateBatch(batch.bytes);
      if (!valid.ok()) return Status::Corruption("corrupt batch" + where + ": " + valid.message());
    }
  }
  pos_ += total;
  return std::optional<Batch>(batch);
}

}  // namespace eddy::log
