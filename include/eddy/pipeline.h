#pragma once
// eddy's public C++ API: a pipeline is a graph of streams.
//
//   eddy::Pipeline p("hot-auctions");
//   eddy::Stream bids = p.Source("bids", env.Topic("nexmark-bid", BidSchema()));
//   bids.KeyBy({"auction"})
//       .Window(eddy::Hopping(10s, 2s))
//       .Aggregate({eddy::Count("num")})
//       .KeyBy({"window_start", "window_end"})
//       .TopN({.order_by = "num", .n = 1})
//       .To("out", env.Output());
//   auto summary = p.Run({.bounded = true});
//
// Building never throws: the first mistake (an unknown column, a type error) is kept by
// the pipeline, later steps are skipped, and Start/Run return it, naming the step.
// Streams are cheap handles into their pipeline; the pipeline must outlive them.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/base/status.h"
#include "src/engine/aggregate.h"
#include "src/engine/dataflow.h"
#include "src/engine/deduplicate_operator.h"
#include "src/engine/expression.h"
#include "src/engine/filter_operator.h"
#include "src/engine/interval_join_operator.h"
#include "src/engine/job.h"
#include "src/engine/keyed_process_operator.h"
#include "src/engine/lookup_join_operator.h"
#include "src/engine/map_operator.h"
#include "src/engine/project_operator.h"
#include "src/engine/regular_join_operator.h"
#include "src/engine/row.h"
#include "src/engine/top_n_operator.h"
#include "src/engine/window_aggregate_operator.h"
#include "src/engine/window_join_operator.h"
#include "src/engine/window_spec.h"

namespace eddy {

// The data model and expression vocabulary, under the eddy namespace.
using engine::Batch;
using engine::ChangeKind;
using engine::DataType;
using engine::EventTimeMs;
using engine::Expr;
using engine::Field;
using engine::MakeSchema;
using engine::NamedExpr;
using engine::RowRef;
using engine::RowWriter;
using engine::SchemaRef;
using engine::SinkFactory;
using engine::SourceFactory;
using engine::Value;
using engine::WindowSpec;
using engine::AggregateSpec;
using engine::JoinType;
using engine::KeyedProcessFunction;
using engine::KeyedContext;
using engine::TimeDomain;
using engine::TopNOptions;

using Milliseconds = std::chrono::milliseconds;

inline WindowSpec Tumbling(Milliseconds size) { return WindowSpec::Tumbling(size.count()); }
inline WindowSpec Hopping(Milliseconds size, Milliseconds slide) {
  return WindowSpec::Hopping(size.count(), slide.count());
}
inline WindowSpec Session(Milliseconds gap) { return WindowSpec::Session(gap.count()); }

class Pipeline;
class KeyedStream;
class WindowedStream;

/// A stream of rows with a schema; every method adds a step and returns its output.
class Stream {
 public:
  const SchemaRef& schema() const { return schema_; }

  /// Rows for which `predicate` is true.
  Stream Filter(Expr predicate) const;
  /// Rows for which `keep` returns true (the row-at-a-time escape hatch).
  Stream Filter(std::function<bool(const RowRef&)> keep) const;
  /// Computed columns, in order.
  Stream Select(std::vector<NamedExpr> columns) const;
  /// Columns by name, in order.
  Stream Select(std::vector<std::string> columns) const;
  /// One output row per input row, written by `fn`.
  Stream Map(SchemaRef output, std::function<void(const RowRef&, RowWriter&)> fn) const;
  /// Zero or more output rows per input row.
  Stream FlatMap(SchemaRef output, engine::FlatMapFunction fn) const;
  /// This stream's rows and `other`'s (same schema).
  Stream Union(const Stream& other) const;
  /// Adds window_start and window_end columns (a hopping window repeats the row).
  Stream AssignWindows(WindowSpec window) const;
  /// Rows partitioned by the values of `keys`, for keyed steps.
  KeyedStream KeyBy(std::vector<std::string> keys) const;
  /// A step written by the user: `make` builds one operator per parallel instance.
  Stream Apply(std::string name, engine::OperatorFactory make) const;
  /// Sends the rows to a sink.
  void To(std::string name, SinkFactory sink) const;
  /// Sends the rows that came too late for the step that made this stream (a window past
  /// its allowed lateness, a join's expired state) to `sink`, in the step's input schema,
  /// besides counting them. Returns this stream.
  Stream LateDataTo(SinkFactory sink) const;

 private:
  friend class Pipeline;
  friend class KeyedStream;
  friend class WindowedStream;
  Stream(Pipeline* pipeline, int node, SchemaRef schema)
      : pipeline_(pipeline), node_(node), schema_(std::move(schema)) {}

  Pipeline* pipeline_ = nullptr;
  int node_ = -1;
  SchemaRef schema_;
};

/// A stream partitioned by key: equal keys meet in the same parallel instance.
class KeyedStream {
 public:
  /// Event-time windows per key; then Aggregate.
  WindowedStream Window(WindowSpec window) const;
  /// A continuously updated aggregate per key (a changelog: +I, -U/+U, -D).
  Stream Aggregate(std::vector<AggregateSpec> aggregates) const;
  /// The top `n` rows per key (the key is usually the window), emitted when the window
  /// closes.
  Stream TopN(TopNOptions options) const;
  /// The first row per key (or the latest, as a changelog).
  Stream Deduplicate(engine::DeduplicateOptions options = {}) const;
  /// A keyed process function with per-key state and timers.
  Stream Process(SchemaRef output,
                 std::function<std::unique_ptr<KeyedProcessFunction>()> make) const;
  /// Rows of this stream and `right` with equal keys in the same window.
  Stream WindowJoin(const KeyedStream& right, WindowSpec window,
                    JoinType type = JoinType::kInner) const;
  /// Rows of `right` whose time lies in [left time + lower, left time + upper].
  Stream IntervalJoin(const KeyedStream& right, Milliseconds lower, Milliseconds upper) const;
  /// Every pair of rows with equal keys (optionally a condition and state expiry).
  Stream Join(const KeyedStream& right, engine::RegularJoinOptions options = {}) const;
  /// Each row with the latest row of `table` for its key (temporal lookup).
  Stream LookupJoin(const KeyedStream& table, bool left_outer = false) const;

  const Stream& stream() const { return stream_; }
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  friend class Stream;
  friend class WindowedStream;
  KeyedStream(Stream stream, std::vector<std::string> keys, std::vector<size_t> key_columns)
      : stream_(std::move(stream)), keys_(std::move(keys)), key_columns_(std::move(key_columns)) {}

  Stream stream_;
  std::vector<std::string> keys_;
  std::vector<size_t> key_columns_;
};

struct WindowOptions {
  /// How long after a window fires late rows still update it (the sink sees an update).
  Milliseconds allowed_lateness{0};
  /// Besides firing on the watermark, emit partial results every so often (0 = never).
  Milliseconds emit_every{0};
};

class WindowedStream {
 public:
  /// Output: the keys, window_start, window_end, then the aggregates.
  Stream Aggregate(std::vector<AggregateSpec> aggregates, WindowOptions options = {}) const;

 private:
  friend class KeyedStream;
  WindowedStream(KeyedStream keyed, WindowSpec window)
      : keyed_(std::move(keyed)), window_(window) {}
  KeyedStream keyed_;
  WindowSpec window_;
};

struct RunOptions {
  /// Read each input to the end it has at start, fire every window, stop.
  bool bounded = false;
  size_t max_batch_rows = 4096;
  /// Called about once a second while the pipeline runs (and once at the end).
  std::function<void(const engine::JobProgress&)> on_progress;
  /// Checkpoints, recovery and exactly-once output (off unless checkpoint.dir is set).
  engine::CheckpointConfig checkpoint;
};

/// What a finished run did.
struct RunSummary {
  uint64_t events_in = 0;
  uint64_t results_out = 0;
  uint64_t late_events = 0;
  uint64_t dead_letters = 0;
  double seconds = 0;
};

class Pipeline {
 public:
  /// `parallelism` 0 = the number of cores.
  explicit Pipeline(std::string name, int parallelism = 0);

  const std::string& name() const { return name_; }
  int parallelism() const { return parallelism_; }

  /// A source; `factory` makes one source per parallel instance.
  Stream Source(std::string name, SchemaRef schema, SourceFactory factory);

  /// The first building error, if any.
  const Status& status() const { return status_; }

  /// Starts the pipeline on worker threads.
  Result<std::unique_ptr<engine::Job>> Start(const RunOptions& options);
  /// Starts the pipeline and waits for it to end (bounded runs), reporting progress.
  Result<RunSummary> Run(const RunOptions& options);

 private:
  friend class Stream;
  friend class KeyedStream;
  friend class WindowedStream;

  // Adds an operator fed by `inputs` (one per input port); returns its output stream.
  // `make` is called once now (to check it and learn the output schema) and once per
  // parallel instance at Start.
  struct Input {
    const Stream* stream;
    engine::Partitioning partitioning;
    std::vector<size_t> key_columns;
  };
  Stream AddStep(std::string name, std::vector<Input> inputs, engine::OperatorFactory make,
                 bool two_inputs = false);
  Stream Broken() { return Stream(this, -1, nullptr); }
  bool Fail(const std::string& step, const Status& status);

  std::string name_;
  int parallelism_;
  engine::Dataflow dataflow_;
  Status status_;
  int steps_ = 0;
  bool started_ = false;
};

}  // namespace eddy
