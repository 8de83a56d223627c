// Google Benchmark kernels for CRC-32C (src/base/crc32c.h): every produced record batch
// is checksummed once by the broker, so its cost per byte bounds ingest.
//
//   build/bench/crc32c_bench --benchmark_min_time=0.2

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "src/base/crc32c.h"

namespace {

std::vector<uint8_t> RandomBytes(size_t n) {
  std::vector<uint8_t> data(n);
  std::mt19937_64 rng(1);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  return data;
}

// One buffer of state.range(0) bytes: a small record, a typical batch, a full 1 MB batch.
void BM_Crc32c(benchmark::State& state) {
  std::vector<uint8_t> data = RandomBytes(static_cast<size_t>(state.range(0)));
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = eddy::Crc32c(data, crc);
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(64)->Arg(100)->Arg(1024)->Arg(16 << 10)->Arg(1 << 20);

// A 1 MiB batch checksummed in 1 KiB pieces, continuing the CRC: what a streaming
// validator pays over one call for the whole batch.
void BM_Crc32cInPieces(benchmark::State& state) {
  constexpr size_t kTotal = 1 << 20;
  const auto piece = static_cast<size_t>(state.range(0));
  std::vector<uint8_t> data = RandomBytes(kTotal);
  for (auto _ : state) {
    uint32_t crc = 0;
    for (size_t off = 0; off < kTotal; off += piece) {
      crc = eddy::Crc32c(eddy::ByteSpan(data).subspan(off, piece), crc);
    }
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(kTotal));
}
BENCHMARK(BM_Crc32cInPieces)->Arg(1024)->Arg(64 << 10);

}  // namespace

BENCHMARK_MAIN();
