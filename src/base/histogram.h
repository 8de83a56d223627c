#pragma once
// A latency histogram in the manner of HdrHistogram: log-linear buckets give every
// recorded value a fixed relative precision (better than 1%) over the whole range of
// uint64_t, so one histogram holds nanosecond latencies from a few ns to hours without
// configuration, and recording is an index computation and an increment.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace eddy {

/// Counts non-negative integer values (nanoseconds, by convention) in log-linear
/// buckets and answers percentiles, min, max and mean.
///
/// Layout: values below 2^kSubBucketBits (128) each have their own bucket (exact);
/// every power-of-two range [2^e, 2^(e+1)) above is split into 2^kSubBucketBits equal
/// buckets. A bucket's width is therefore at most value / 128: Percentile() is within
/// 1/256 of the true value (it answers the bucket midpoint), Min() and Max() are exact.
///
/// Memory: a fixed table of ~7,300 counters (~57 KiB) allocated by the constructor;
/// Record() never allocates. Not thread-safe: one thread records; merge per-thread
/// histograms with Merge() to combine them.
class Histogram {
 public:
  /// Bits of linear resolution inside each power of two: 2^7 = 128 buckets per octave.
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBucketCount = uint64_t{1} << kSubBucketBits;
  /// Buckets needed to cover all of uint64_t.
  static constexpr size_t kBucketCount = (64 - kSubBucketBits + 1) * kSubBucketCount;

  Histogram();
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram& other);
  Histogram(Histogram&&) noexcept = default;
  Histogram& operator=(Histogram&&) noexcept = default;

  /// Counts "value" once (or "count" times).
  void Record(uint64_t value) { Record(value, 1); }
  void Record(uint64_t value, uint64_t count);

  /// Adds every value counted by "other" to this histogram.
  void Merge(const Histogram& other);

  /// Forgets every recorded value.
  void Reset();

  /// The value at percentile "p" (0..100; clamped): the smallest recorded value v such
  /// that at least p% of the values are <= v, to the bucket's precision (the bucket
  /// midpoint, clamped to [Min(), Max()]). Percentile(0) is Min(), Percentile(100) is
  /// Max(). 0 when empty.
  uint64_t Percentile(double p) const;

  uint64_t Count() const { return count_; }
  /// Exact smallest and largest recorded values; 0 when empty.
  uint64_t Min() const { return count_ == 0 ? 0 : min_; }
  uint64_t Max() const { return max_; }
  /// Exact arithmetic mean (as a double); 0 when empty.
  double Mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }

  /// The bucket a value falls in, and the range [BucketLow, BucketHigh] it covers.
  /// Exposed for tests and for callers that export the distribution.
  static size_t BucketIndex(uint64_t value);
  static uint64_t BucketLow(size_t index);
  static uint64_t BucketHigh(size_t index);

 private:
  // Heap-allocated so that a Histogram is cheap to move and safe to keep on a stack.
  std::unique_ptr<std::array<uint64_t, kBucketCount>> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  // A double: a uint64_t sum of nanosecond latencies could overflow after ~10^7 values
  // of minutes each; the mean needs only ~15 significant digits.
  double sum_ = 0;
};

}  // namespace eddy
