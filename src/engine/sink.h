#pragma once
// Sink: where a pipeline's results go (a log topic, a file).
//
// The runtime creates one Sink per parallel instance and calls each from one thread; a
// sink whose instances share a resource (one file) synchronises inside. Rows may carry
// change kinds (batch.h): a sink either applies the changelog (bounded file output
// writes the final table) or encodes it (an "op" field per row).

#include <functional>
#include <memory>

#include "src/base/status.h"
#include "src/engine/batch.h"

namespace eddy::engine {

struct SinkContext {
  int instance = 0;
  int parallelism = 1;
  bool bounded = false;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Open(const SinkContext& context) = 0;
  virtual Status Write(const Batch& batch) = 0;
  /// The input ended (bounded run) or the pipeline stops: write what is held, flush.
  virtual Status Finish() = 0;
  /// Rows written so far (after applying a changelog, the rows of the final table).
  virtual uint64_t rows_written() const = 0;
};

/// Makes the sink of one parallel instance.
using SinkFactory = std::function<Result<std::unique_ptr<Sink>>()>;

}  // namespace eddy::engine
