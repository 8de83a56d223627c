#include "src/base/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace eddy {

Histogram::Histogram() : counts_(std::make_unique<std::array<uint64_t, kBucketCount>>()) {
  counts_->fill(0);
}

Histogram::Histogram(const Histogram& other)
    : counts_(std::make_unique<std::array<uint64_t, kBucketCount>>(*other.counts_)),
      count_(other.count_),
      min_(other.min_),
      max_(other.max_),
      sum_(other.sum_) {}

Histogram& Histogram::operator=(const Histogram& other) {
  if (this != &other) {
    // A moved-from histogram has no table; give it one again.
    if (counts_ == nullptr) counts_ = std::make_unique<std::array<uint64_t, kBucketCount>>();
    *counts_ = *other.counts_;
    count_ = other.count_;
    min_ = other.min_;
    max_ = other.max_;
    sum_ = other.sum_;
  }
  return *this;
}

size_t Histogram::BucketIndex(uint64_t value) {
  if (value < kSubBucketCount) return static_cast<size_t>(value);
  // value lies in [2^e, 2^(e+1)) with e >= kSubBucketBits; keep its top kSubBucketBits + 1
  // bits: the leading 1 selects the octave, the next kSubBucketBits the linear sub-bucket.
  int e = 63 - std::countl_zero(value);
  int shift = e - kSubBucketBits;
  uint64_t sub = (value >> shift) - kSubBucketCount;
  return static_cast<size_t>(static_cast<uint64_t>(shift + 1) * kSubBucketCount + sub);
}

uint64_t Histogram::BucketLow(size_t index) {
  if (index < kSubBucketCount) return index;
  uint64_t octave = index / kSubBucketCount;  // >= 1
  uint64_t sub = index % kSubBucketCount;
  return (kSubBucketCount + sub) << (octave - 1);
}

uint64_t Histogram::BucketHigh(size_t index) {
  if (index < kSubBucketCount) return index;
  uint64_t octave = index / kSubBucketCount;
  return BucketLow(index) + ((uint64_t{1} << (octave - 1)) - 1);
}

void Histogram::Record(uint64_t value, uint64_t count) {
  if (count == 0) return;
  (*counts_)[BucketIndex(value)] += count;
  count_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value) * static_cast<double>(count);
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < kBucketCount; ++i) (*counts_)[i] += (*other.counts_)[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::Reset() {
  counts_->fill(0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

uint64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank (1-based) of the value asked for: the smallest r with r >= p% of count.
  // p * count first, so that round figures (99.9% of 1000) stay exact in binary.
  auto rank = static_cast<uint64_t>(std::ceil(p * static_cast<double>(count_) / 100.0));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += (*counts_)[i];
    if (seen >= rank) {
      uint64_t low = BucketLow(i);
      uint64_t mid = low + (BucketHigh(i) - low) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;  // unreachable: the counts add up to count_
}

}  // namespace eddy
