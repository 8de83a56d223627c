#include "include/eddy/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "src/engine/group_aggregate_operator.h"
#include "src/engine/union_operator.h"
#include "src/engine/window_assign_operator.h"

namespace eddy {

using engine::OperatorFactory;
using engine::Partitioning;

namespace {

// Wraps a Make* call into a factory (each instance gets a fresh operator).
template <typename MakeFn>
OperatorFactory FactoryOf(MakeFn make) {
  return [make]() -> Result<std::unique_ptr<engine::Operator>> { return make(); };
}

Result<std::vector<size_t>> ColumnsOf(const engine::Schema& schema,
                                      const std::vector<std::string>& names) {
  std::vector<size_t> columns;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(size_t index, schema.IndexOf(name));
    columns.push_back(index);
  }
  return columns;
}

}  // namespace

// ---------------------------------------------------------------- Pipeline

Pipeline::Pipeline(std::string name, int parallelism)
    : name_(std::move(name)),
      parallelism_(parallelism > 0
                       ? parallelism
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

bool Pipeline::Fail(const std::string& step, const Status& status) {
  if (status.ok()) return false;
  if (status_.ok()) status_ = status.WithContext("pipeline '" + name_ + "', step '" + step + "'");
  return true;
}

Stream Pipeline::Source(std::string name, SchemaRef schema, SourceFactory factory) {
  if (!status_.ok()) return Broken();
  if (!schema) {
    Fail(name, Status::InvalidArgument("source has no schema"));
    return Broken();
  }
  int node = dataflow_.AddSource(name, schema, std::move(factory), parallelism_);
  return Stream(this, node, std::move(schema));
}

Stream Pipeline::AddStep(std::string name, std::vector<Input> inputs, OperatorFactory make,
                         bool two_inputs) {
  if (!status_.ok()) return Broken();
  for (const Input& in : inputs) {
    if (in.stream->pipeline_ != this || in.stream->node_ < 0) {
      Fail(name, Status::InvalidArgument("input stream belongs to another pipeline"));
      return Broken();
    }
  }
  auto probe = make();
  if (Fail(name, probe.status())) return Broken();
  SchemaRef output = (*probe)->output_schema();
  name = std::to_string(++steps_) + ":" + name;
  // A two-input operator (a join) has a port per input; a union merges its inputs on one.
  int node = dataflow_.AddOperator(name, output, std::move(make), parallelism_,
                                   two_inputs ? 2 : 1);
  for (size_t i = 0; i < inputs.size(); ++i) {
    // Keying by nothing (one global group) sends every row to one instance.
    const bool global = inputs[i].partitioning == Partitioning::kHash &&
                        inputs[i].key_columns.empty();
    dataflow_.Connect(inputs[i].stream->node_, node, two_inputs ? static_cast<int>(i) : 0,
                      global ? Partitioning::kGather : inputs[i].partitioning,
                      inputs[i].key_columns);
  }
  return Stream(this, node, output);
}

Result<std::unique_ptr<engine::Job>> Pipeline::Start(const RunOptions& options) {
  RETURN_IF_ERROR(status_);
  if (started_) return Status::FailedPrecondition("pipeline '" + name_ + "' was already started");
  started_ = true;
  engine::JobOptions job_options;
  job_options.bounded = options.bounded;
  job_options.max_batch_rows = options.max_batch_rows;
  job_options.checkpoint = options.checkpoint;
  if (job_options.checkpoint.pipeline.empty()) job_options.checkpoint.pipeline = name_;
  return engine::Job::Start(std::move(dataflow_), job_options);
}

Result<RunSummary> Pipeline::Run(const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<engine::Job> job, Start(options));
  auto next_report = started + std::chrono::seconds(1);
  while (!job->finished()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (options.on_progress && std::chrono::steady_clock::now() >= next_report) {
      options.on_progress(job->progress());
      next_report += std::chrono::seconds(1);
    }
  }
  RETURN_IF_ERROR(job->Wait());
  engine::JobProgress p = job->progress();
  if (options.on_progress) options.on_progress(p);
  RunSummary summary;
  summary.events_in = p.events_in;
  summary.results_out = job->sink_rows_written();
  summary.late_events = p.late_events;
  summary.dead_letters = p.dead_letters;
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

// ---------------------------------------------------------------- Stream

Stream Stream::Filter(Expr predicate) const {
  SchemaRef in = schema_;
  return pipeline_->AddStep("filter", {{this, Partitioning::kForward, {}}},
                            FactoryOf([in, predicate] {
                              return engine::MakeFilter(in, predicate);
                            }));
}

Stream Stream::Filter(std::function<bool(const RowRef&)> keep) const {
  SchemaRef in = schema_;
  return pipeline_->AddStep("filter", {{this, Partitioning::kForward, {}}},
                            FactoryOf([in, keep] { return engine::MakeFilterFn(in, keep); }));
}

Stream Stream::Select(std::vector<NamedExpr> columns) const {
  SchemaRef in = schema_;
  return pipeline_->AddStep("select", {{this, Partitioning::kForward, {}}},
                            FactoryOf([in, columns] { return engine::MakeProject(in, columns); }));
}

Stream Stream::Select(std::vector<std::string> columns) const {
  std::vector<NamedExpr> exprs;
  for (std::string& c : columns) exprs.push_back(NamedExpr{c, engine::Col(c)});
  return Select(std::move(exprs));
}

Stream Stream::Map(SchemaRef output, std::function<void(const RowRef&, RowWriter&)> fn) const {
  SchemaRef in = schema_;
  return pipeline_->AddStep("map", {{this, Partitioning::kForward, {}}},
                            FactoryOf([in, output, fn] {
                              return engine::MakeMap(in, output, fn);
                            }));
}

Stream Stream::FlatMap(SchemaRef output, engine::FlatMapFunction fn) const {
  SchemaRef in = schema_;
  return pipeline_->AddStep(
      "flat_map", {{this, Partitioning::kForward, {}}},
      FactoryOf([in, output, fn] { return engine::MakeFlatMap(in, output, fn); }));
}

Stream Stream::Union(const Stream& other) const {
  if (pipeline_->status().ok() && other.schema_ && schema_ && !(*other.schema_ == *schema_)) {
    pipeline_->Fail("union", Status::InvalidArgument("union of different schemas (" +
                                                     schema_->ToString() + ") and (" +
                                                     other.schema_->ToString() + ")"));
    return pipeline_->Broken();
  }
  SchemaRef in = schema_;
  return pipeline_->AddStep(
      "union", {{this, Partitioning::kRebalance, {}}, {&other, Partitioning::kRebalance, {}}},
      FactoryOf([in] { return std::make_unique<engine::UnionOperator>(in); }));
}

Stream Stream::AssignWindows(WindowSpec window) const {
  SchemaRef in = schema_;
  return pipeline_->AddStep(
      "assign_windows", {{this, Partitioning::kForward, {}}},
      FactoryOf([in, window] { return engine::MakeWindowAssign(in, window); }));
}

KeyedStream Stream::KeyBy(std::vector<std::string> keys) const {
  std::vector<size_t> columns;
  if (schema_) {
    auto resolved = ColumnsOf(*schema_, keys);
    if (!pipeline_->Fail("key_by", resolved.status())) columns = std::move(*resolved);
  }
  return KeyedStream(*this, std::move(keys), std::move(columns));
}

Stream Stream::Apply(std::string name, engine::OperatorFactory make) const {
  return pipeline_->AddStep(std::move(name), {{this, Partitioning::kForward, {}}},
                            std::move(make));
}

void Stream::To(std::string name, SinkFactory sink) const {
  if (!pipeline_->status().ok() || node_ < 0) return;
  int node = pipeline_->dataflow_.AddSink(std::to_string(++pipeline_->steps_) + ":" + name,
                                          std::move(sink), pipeline_->parallelism_);
  pipeline_->dataflow_.Connect(node_, node, 0, Partitioning::kForward);
}

Stream Stream::LateDataTo(SinkFactory sink) const {
  if (!pipeline_->status().ok() || node_ < 0) return *this;
  engine::DataflowNode& node = pipeline_->dataflow_.node(node_);
  if (node.kind != engine::NodeKind::kOperator) {
    pipeline_->Fail(node.name, Status::InvalidArgument("late data comes only from operators"));
    return *this;
  }
  node.late_sink = std::move(sink);
  return *this;
}

// ---------------------------------------------------------------- KeyedStream

WindowedStream KeyedStream::Window(WindowSpec window) const {
  return WindowedStream(*this, window);
}

Stream KeyedStream::Aggregate(std::vector<AggregateSpec> aggregates) const {
  SchemaRef in = stream_.schema_;
  engine::GroupAggregateOptions options{keys_, std::move(aggregates)};
  return stream_.pipeline_->AddStep(
      "aggregate", {{&stream_, Partitioning::kHash, key_columns_}},
      FactoryOf([in, options] { return engine::MakeGroupAggregate(in, options); }));
}

Stream KeyedStream::TopN(TopNOptions options) const {
  SchemaRef in = stream_.schema_;
  if (options.partition_by.empty()) options.partition_by = keys_;
  // State is kept by the key rows are routed by (checkpoints move it by key group).
  if (options.route_by.empty()) options.route_by = keys_;
  return stream_.pipeline_->AddStep(
      "top_n", {{&stream_, Partitioning::kHash, key_columns_}},
      FactoryOf([in, options] { return engine::MakeTopN(in, options); }));
}

Stream KeyedStream::Deduplicate(engine::DeduplicateOptions options) const {
  SchemaRef in = stream_.schema_;
  options.keys = keys_;
  return stream_.pipeline_->AddStep(
      "deduplicate", {{&stream_, Partitioning::kHash, key_columns_}},
      FactoryOf([in, options] { return engine::MakeDeduplicate(in, options); }));
}

Stream KeyedStream::Process(SchemaRef output,
                            std::function<std::unique_ptr<KeyedProcessFunction>()> make) const {
  SchemaRef in = stream_.schema_;
  std::vector<std::string> keys = keys_;
  return stream_.pipeline_->AddStep(
      "process", {{&stream_, Partitioning::kHash, key_columns_}},
      FactoryOf([in, output, keys, make] {
        return engine::MakeKeyedProcess(in, output, keys, make);
      }));
}

Stream KeyedStream::WindowJoin(const KeyedStream& right, WindowSpec window, JoinType type) const {
  SchemaRef l = stream_.schema_, r = right.stream_.schema_;
  engine::WindowJoinOptions options;
  options.left_keys = keys_;
  options.right_keys = right.keys_;
  options.window_size_ms = window.size_ms();
  options.window_slide_ms = window.kind() == engine::WindowKind::kHopping ? window.slide_ms() : 0;
  options.type = type;
  return stream_.pipeline_->AddStep(
      "window_join",
      {{&stream_, Partitioning::kHash, key_columns_},
       {&right.stream_, Partitioning::kHash, right.key_columns_}},
      FactoryOf([l, r, options] { return engine::MakeWindowJoin(l, r, options); }),
      /*two_inputs=*/true);
}

Stream KeyedStream::IntervalJoin(const KeyedStream& right, Milliseconds lower,
                                 Milliseconds upper) const {
  SchemaRef l = stream_.schema_, r = right.stream_.schema_;
  engine::IntervalJoinOptions options;
  options.left_keys = keys_;
  options.right_keys = right.keys_;
  options.lower_bound_ms = lower.count();
  options.upper_bound_ms = upper.count();
  return stream_.pipeline_->AddStep(
      "interval_join",
      {{&stream_, Partitioning::kHash, key_columns_},
       {&right.stream_, Partitioning::kHash, right.key_columns_}},
      FactoryOf([l, r, options] { return engine::MakeIntervalJoin(l, r, options); }),
      /*two_inputs=*/true);
}

Stream KeyedStream::Join(const KeyedStream& right, engine::RegularJoinOptions options) const {
  SchemaRef l = stream_.schema_, r = right.stream_.schema_;
  options.left_keys = keys_;
  options.right_keys = right.keys_;
  return stream_.pipeline_->AddStep(
      "join",
      {{&stream_, Partitioning::kHash, key_columns_},
       {&right.stream_, Partitioning::kHash, right.key_columns_}},
      FactoryOf([l, r, options] { return engine::MakeRegularJoin(l, r, options); }),
      /*two_inputs=*/true);
}

Stream KeyedStream::LookupJoin(const KeyedStream& table, bool left_outer) const {
  SchemaRef l = stream_.schema_, r = table.stream_.schema_;
  engine::LookupJoinOptions options;
  options.stream_keys = keys_;
  options.table_keys = table.keys_;
  options.left_outer = left_outer;
  return stream_.pipeline_->AddStep(
      "lookup_join",
      {{&stream_, Partitioning::kHash, key_columns_},
       {&table.stream_, Partitioning::kHash, table.key_columns_}},
      FactoryOf([l, r, options] { return engine::MakeLookupJoin(l, r, options); }),
      /*two_inputs=*/true);
}

// ---------------------------------------------------------------- WindowedStream

Stream WindowedStream::Aggregate(std::vector<AggregateSpec> aggregates,
                                 WindowOptions options) const {
  SchemaRef in = keyed_.stream_.schema_;
  engine::WindowAggregateOptions o;
  o.keys = keyed_.keys_;
  o.window = window_;
  o.aggregates = std::move(aggregates);
  o.allowed_lateness_ms = options.allowed_lateness.count();
  o.emit_every_ms = options.emit_every.count();
  return keyed_.stream_.pipeline_->AddStep(
      "window_aggregate", {{&keyed_.stream_, Partitioning::kHash, keyed_.key_columns_}},
      FactoryOf([in, o] { return engine::MakeWindowAggregate(in, o); }));
}

}  // namespace eddy
