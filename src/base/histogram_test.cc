#include "src/base/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace eddy {
namespace {

// The reference answer: the value of rank ceil(p% of n) in the sorted values.
uint64_t ReferencePercentile(const std::vector<uint64_t>& sorted, double p) {
  auto rank = static_cast<uint64_t>(std::ceil(p * static_cast<double>(sorted.size()) / 100.0));
  rank = std::clamp<uint64_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// Records "values" and checks every interesting percentile against the sorted reference,
// within the promised relative precision (1/256), and the exact count, min, max, mean.
void ExpectMatchesReference(std::vector<uint64_t> values) {
  Histogram h;
  double sum = 0;
  for (uint64_t v : values) {
    h.Record(v);
    sum += static_cast<double>(v);
  }
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.Count(), values.size());
  EXPECT_EQ(h.Min(), values.front());
  EXPECT_EQ(h.Max(), values.back());
  EXPECT_NEAR(h.Mean(), sum / static_cast<double>(values.size()), h.Mean() * 1e-9);
  for (double p : {0.0, 0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    uint64_t want = ReferencePercentile(values, p);
    uint64_t got = h.Percentile(p);
    double error = std::abs(static_cast<double>(got) - static_cast<double>(want));
    EXPECT_LE(error, static_cast<double>(want) / 256.0)
        << "p" << p << ": histogram says " << got << ", sorted values say " << want;
  }
}

TEST(HistogramTest, EmptyHistogramAnswersZero) {
  Histogram h;
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.Min(), 0u);
  EXPECT_EQ(h.Max(), 0u);
  EXPECT_EQ(h.Mean(), 0.0);
  EXPECT_EQ(h.Percentile(50), 0u);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 0; v < 128; ++v) h.Record(v);
  for (int p = 1; p <= 100; ++p) {
    // Rank ceil(p * 128 / 100), values 0..127 each once.
    auto rank = static_cast<uint64_t>(std::ceil(p * 128.0 / 100.0));
    EXPECT_EQ(h.Percentile(p), rank - 1) << "p" << p;
  }
}

TEST(HistogramTest, BucketsTileTheWholeRangeWithBoundedWidth) {
  // Every bucket starts right after the previous one ends, and is no wider than 1/128
  // of its smallest value, up to the last bucket that ends at UINT64_MAX.
  EXPECT_EQ(Histogram::BucketLow(0), 0u);
  for (size_t i = 1; i < Histogram::kBucketCount; ++i) {
    ASSERT_EQ(Histogram::BucketLow(i), Histogram::BucketHigh(i - 1) + 1) << "bucket " << i;
    uint64_t width = Histogram::BucketHigh(i) - Histogram::BucketLow(i) + 1;
    ASSERT_LE(width, std::max<uint64_t>(1, Histogram::BucketLow(i) / 128)) << "bucket " << i;
  }
  EXPECT_EQ(Histogram::BucketHigh(Histogram::kBucketCount - 1), UINT64_MAX);
}

TEST(HistogramTest, EveryValueFallsInTheBucketThatCoversIt) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> probes = {0,
                                  1,
                                  127,
                                  128,
                                  129,
                                  255,
                                  256,
                                  257,
                                  1000,
                                  4095,
                                  4096,
                                  UINT64_MAX,
                                  UINT64_MAX - 1,
                                  uint64_t{1} << 63};
  for (int i = 0; i < 100000; ++i) probes.push_back(rng() >> (rng() % 64));
  for (uint64_t v : probes) {
    size_t index = Histogram::BucketIndex(v);
    ASSERT_LT(index, Histogram::kBucketCount) << v;
    EXPECT_LE(Histogram::BucketLow(index), v) << v;
    EXPECT_GE(Histogram::BucketHigh(index), v) << v;
  }
}

TEST(HistogramTest, PercentilesMatchSortedValuesForUniformData) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint64_t> dist(0, 5'000'000);
  std::vector<uint64_t> values(200'000);
  for (auto& v : values) v = dist(rng);
  ExpectMatchesReference(values);
}

TEST(HistogramTest, PercentilesMatchSortedValuesFromNanosecondsToMinutes) {
  // Log-uniform latencies from 1 ns to 10 minutes: every octave is exercised.
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> exponent(0.0, std::log(600e9));
  std::vector<uint64_t> values(200'000);
  for (auto& v : values) v = static_cast<uint64_t>(std::exp(exponent(rng)));
  ExpectMatchesReference(values);
}

TEST(HistogramTest, PercentilesMatchSortedValuesForALongTail) {
  // Mostly ~50 us, with a heavy tail: the shape of produce latencies.
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(std::log(50'000.0), 1.2);
  std::vector<uint64_t> values(300'001);
  for (auto& v : values) v = static_cast<uint64_t>(dist(rng));
  ExpectMatchesReference(values);
}

TEST(HistogramTest, PercentilesMatchForFewValues) {
  ExpectMatchesReference({42});
  ExpectMatchesReference({1'000'000, 3});
  ExpectMatchesReference({5'000, 5'000, 5'000, 9'999'999'999});
}

TEST(HistogramTest, RecordWithCountEqualsRepeatedRecord) {
  Histogram once;
  Histogram repeated;
  once.Record(123'456, 1000);
  for (int i = 0; i < 1000; ++i) repeated.Record(123'456);
  EXPECT_EQ(once.Count(), repeated.Count());
  EXPECT_EQ(once.Percentile(50), repeated.Percentile(50));
  EXPECT_DOUBLE_EQ(once.Mean(), repeated.Mean());
  once.Record(7, 0);
  EXPECT_EQ(once.Count(), 1000u);
  EXPECT_EQ(once.Min(), 123'456u);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(4);
  std::lognormal_distribution<double> fast(std::log(10'000.0), 0.5);
  std::lognormal_distribution<double> slow(std::log(2'000'000.0), 0.8);
  Histogram a;
  Histogram b;
  Histogram all;
  std::vector<uint64_t> values;
  for (int i = 0; i < 50'000; ++i) {
    uint64_t x = static_cast<uint64_t>(fast(rng));
    uint64_t y = static_cast<uint64_t>(slow(rng));
    a.Record(x);
    b.Record(y);
    all.Record(x);
    all.Record(y);
    values.push_back(x);
    values.push_back(y);
  }
  a.Merge(b);
  EXPECT_EQ(a.Count(), all.Count());
  EXPECT_EQ(a.Min(), all.Min());
  EXPECT_EQ(a.Max(), all.Max());
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(a.Percentile(p), all.Percentile(p)) << "p" << p;
    uint64_t want = ReferencePercentile(values, p);
    EXPECT_LE(std::abs(static_cast<double>(a.Percentile(p)) - static_cast<double>(want)),
              static_cast<double>(want) / 256.0)
        << "p" << p;
  }
  Histogram empty;
  a.Merge(empty);
  EXPECT_EQ(a.Count(), all.Count());
  EXPECT_EQ(a.Min(), all.Min());
}

TEST(HistogramTest, ResetForgetsEverything) {
  Histogram h;
  h.Record(5);
  h.Record(500'000);
  h.Reset();
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.Max(), 0u);
  h.Record(77);
  EXPECT_EQ(h.Min(), 77u);
  EXPECT_EQ(h.Percentile(50), 77u);
}

TEST(HistogramTest, CopiesAreIndependent) {
  Histogram h;
  h.Record(1000);
  Histogram copy = h;
  copy.Record(9'000'000);
  EXPECT_EQ(h.Count(), 1u);
  EXPECT_EQ(h.Max(), 1000u);
  EXPECT_EQ(copy.Count(), 2u);
  Histogram moved = std::move(copy);
  EXPECT_EQ(moved.Max(), 9'000'000u);
  copy = h;  // a moved-from histogram can be assigned again
  EXPECT_EQ(copy.Count(), 1u);
}

}  // namespace
}  // namespace eddy
