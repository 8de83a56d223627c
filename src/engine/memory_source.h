#pragma once
// MemorySource and MemorySink: a pipeline over data held in memory — the bounded
// "from elements" source and the collecting sink of tests, examples and embedding code.

#include <memory>
#include <mutex>
#include <vector>

#include "src/engine/sink.h"
#include "src/engine/source.h"
#include "src/engine/watermark_tracker.h"

namespace eddy::engine {

struct MemorySourceOptions {
  /// The splits: split i is read by instance i % parallelism, batch by batch.
  std::vector<std::vector<Batch>> splits;
  int64_t max_out_of_orderness_ms = 0;
  int64_t idle_timeout_ms = 0;
  /// Unbounded runs: after the data, stay open (kMore) instead of ending.
  bool keep_open = false;
};

/// A factory for the instances of one memory source; every instance shares the data.
SourceFactory MakeMemorySource(SchemaRef schema, MemorySourceOptions options);

/// What a MemorySink collected: every batch each instance received, in order.
class MemoryTable {
 public:
  void Append(const Batch& batch);
  /// All rows so far as one batch (instances' batches in arrival order).
  Batch Rows(SchemaRef schema) const;
  size_t num_rows() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Batch> batches_;  // GUARDED_BY(mutex_)
  size_t rows_ = 0;             // GUARDED_BY(mutex_)
};

/// A factory for sink instances that all append to `table`.
SinkFactory MakeMemorySink(std::shared_ptr<MemoryTable> table);

/// A sink that only counts the rows it receives (benchmarks, `--output none`).
SinkFactory MakeDiscardSink();

}  // namespace eddy::engine
