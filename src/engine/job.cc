#include "src/engine/job.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "src/engine/channel.h"
#include "src/engine/key_codec.h"

namespace eddy::engine {

namespace {

struct ChainPlan {
  std::vector<int> nodes;  // head first
};

// Which nodes run together in one task: a node joins its upstream's chain when it has a
// single input fed by a forward edge from a node of equal parallelism that feeds nothing
// else.
std::vector<ChainPlan> PlanChains(const Dataflow& df, std::vector<int>& chain_of) {
  const auto& nodes = df.nodes();
  const auto& edges = df.edges();
  std::vector<int> in_count(nodes.size()), out_count(nodes.size());
  for (const DataflowEdge& e : edges) {
    in_count[e.to]++;
    out_count[e.from]++;
  }
  std::vector<ChainPlan> chains;
  chain_of.assign(nodes.size(), -1);
  for (size_t n = 0; n < nodes.size(); ++n) {
    int upstream = -1;
    if (in_count[n] == 1 && nodes[n].num_inputs == 1) {
      for (const DataflowEdge& e : edges) {
        if (e.to == static_cast<int>(n) && e.partitioning == Partitioning::kForward &&
            out_count[e.from] == 1 && nodes[e.from].kind != NodeKind::kSink &&
            nodes[e.from].parallelism == nodes[n].parallelism) {
          upstream = e.from;
        }
      }
    }
    if (upstream >= 0) {
      chain_of[n] = chain_of[upstream];
      chains[chain_of[n]].nodes.push_back(static_cast<int>(n));
    } else {
      chain_of[n] = static_cast<int>(chains.size());
      chains.push_back(ChainPlan{{static_cast<int>(n)}});
    }
  }
  return chains;
}

}  // namespace

// One parallel instance of a chain, run on its own thread.
class Job::Task {
 public:
  struct Target {
    Task* task;
    int sender;  // our index among the target's senders
  };
  struct Route {
    Partitioning partitioning;
    std::vector<size_t> key_columns;
    int to_input;
    std::vector<Target> targets;  // by downstream instance; one entry for forward/gather
    size_t next = 0;              // rebalance cursor
  };

  Task(Job& job, std::string name, int instance, int parallelism)
      : job_(job), name_(std::move(name)), instance_(instance), parallelism_(parallelism) {}

  // ---- wiring (before Run) ----
  void SetSource(std::unique_ptr<Source> source) { source_ = std::move(source); }
  void AddOperator(std::unique_ptr<Operator> op, std::string name,
                   std::unique_ptr<Sink> late_sink) {
    ops_.push_back(std::move(op));
    op_names_.push_back(std::move(name));
    late_sinks_.push_back(std::move(late_sink));
  }
  void SetSink(std::unique_ptr<Sink> sink) { sink_ = std::move(sink); }
  int AddSender() {
    senders_.push_back(SenderState{});
    return static_cast<int>(senders_.size() - 1);
  }
  void AddRoute(Route route) { routes_.push_back(std::move(route)); }
  void CreateChannel(size_t capacity) {
    if (!source_) channel_ = std::make_unique<Channel>(capacity);
  }
  Channel* channel() { return channel_.get(); }
  const std::string& name() const { return name_; }
  bool has_sink() const { return sink_ != nullptr; }
  EventTimeMs watermark() const { return published_watermark_.load(std::memory_order_relaxed); }
  uint64_t sink_rows_written() const { return sink_ ? sink_->rows_written() : 0; }

  Status Open() {
    const JobOptions& o = job_.options_;
    if (source_) {
      RETURN_IF_ERROR(source_->Open(SourceContext{instance_, parallelism_, o.bounded, o.clock}));
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      outputs_.push_back(ChainOutput(this, i));
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      RETURN_IF_ERROR(ops_[i]->Open(OperatorContext{instance_, parallelism_, o.clock, op_names_[i]}));
    }
    if (sink_) RETURN_IF_ERROR(sink_->Open(SinkContext{instance_, parallelism_, o.bounded}));
    for (auto& late : late_sinks_) {
      if (late) RETURN_IF_ERROR(late->Open(SinkContext{instance_, parallelism_, o.bounded}));
    }
    return Status::OK();
  }

  void Run() {
    Status status = source_ ? RunSource() : RunOperators();
    if (status.ok()) status = error_;
    if (sink_) {
      // A stopped job still flushes what reached its sinks.
      Status finish = sink_->Finish();
      if (status.ok()) status = finish;
    }
    for (auto& late : late_sinks_) {
      if (!late) continue;
      Status finish = late->Finish();
      if (status.ok()) status = finish;
    }
    if (source_) source_->Close();
    if (!status.ok()) {
      job_.Fail(status.WithContext("task '" + name_ + "' instance " + std::to_string(instance_)));
    }
  }

  void Close() {
    if (channel_) channel_->Close();
  }

 private:
  // Forwards what chain position `pos` emits to the next operator, the sink or the routes.
  class ChainOutput final : public Output {
   public:
    ChainOutput(Task* task, size_t pos) : task_(task), pos_(pos) {}
    void Emit(Batch batch) override { task_->EmitFrom(pos_ + 1, std::move(batch)); }
    void EmitLate(Batch batch) override { task_->Late(pos_, std::move(batch)); }

   private:
    Task* task_;
    size_t pos_;
  };

  struct SenderState {
    EventTimeMs watermark = kMinWatermark;
    bool idle = false;
    bool ended = false;
  };

  // Hands `batch` to chain position `pos` (an operator, or past the last one: the sink
  // or the routes).
  void EmitFrom(size_t pos, Batch batch) {
    if (batch.empty() || !error_.ok()) return;
    if (pos < ops_.size()) {
      Status s = ops_[pos]->OnBatch(0, std::move(batch), outputs_[pos]);
      if (!s.ok()) error_ = std::move(s);
      return;
    }
    Deliver(std::move(batch));
  }

  // Rows too late for chain position `pos`: counted, and kept if the step has a late sink.
  void Late(size_t pos, Batch batch) {
    if (batch.empty()) return;
    job_.counters_.late_events.fetch_add(batch.num_rows(), std::memory_order_relaxed);
    if (late_sinks_[pos] && error_.ok()) {
      Status s = late_sinks_[pos]->Write(batch);
      if (!s.ok()) error_ = std::move(s);
    }
  }

  void Deliver(Batch batch) {
    if (sink_) {
      job_.counters_.results_out.fetch_add(batch.num_rows(), std::memory_order_relaxed);
      Status s = sink_->Write(batch);
      if (!s.ok()) error_ = std::move(s);
      return;
    }
    for (size_t r = 0; r < routes_.size(); ++r) {
      const bool last = r + 1 == routes_.size();
      SendBatch(routes_[r], last ? std::move(batch) : Batch(batch));
    }
  }

  void SendBatch(Route& route, Batch batch) {
    auto push = [&](const Target& t, Batch b) {
      Message m;
      m.kind = MessageKind::kBatch;
      m.input = route.to_input;
      m.sender = t.sender;
      m.batch = std::move(b);
      t.task->channel()->Push(std::move(m));
    };
    switch (route.partitioning) {
      case Partitioning::kForward:
      case Partitioning::kGather:
        push(route.targets[0], std::move(batch));
        return;
      case Partitioning::kRebalance:
        push(route.targets[route.next++ % route.targets.size()], std::move(batch));
        return;
      case Partitioning::kBroadcast:
        for (size_t i = 0; i < route.targets.size(); ++i) {
          push(route.targets[i], i + 1 == route.targets.size() ? std::move(batch) : Batch(batch));
        }
        return;
      case Partitioning::kHash: {
        const int n = static_cast<int>(route.targets.size());
        if (n == 1) {
          push(route.targets[0], std::move(batch));
          return;
        }
        std::vector<std::vector<uint32_t>>& rows = scatter_rows_;
        rows.resize(n);
        for (auto& r : rows) r.clear();
        for (size_t row = 0; row < batch.num_rows(); ++row) {
          key_buffer_.clear();
          AppendKey(batch, route.key_columns, row, key_buffer_);
          const int instance = InstanceOfKeyGroup(KeyGroupOf(HashKey(key_buffer_)), n);
          rows[instance].push_back(static_cast<uint32_t>(row));
        }
        for (int i = 0; i < n; ++i) {
          if (rows[i].empty()) continue;
          if (rows[i].size() == batch.num_rows()) {
            push(route.targets[i], std::move(batch));
            return;
          }
          push(route.targets[i], batch.Select(rows[i]));
        }
        return;
      }
    }
  }

  void SendControl(MessageKind kind, EventTimeMs watermark) {
    for (Route& route : routes_) {
      for (const Target& t : route.targets) {
        Message m;
        m.kind = kind;
        m.input = route.to_input;
        m.sender = t.sender;
        m.watermark = watermark;
        t.task->channel()->Push(std::move(m));
      }
    }
  }

  Status AdvanceWatermark(EventTimeMs watermark) {
    if (watermark <= current_watermark_) return Status::OK();
    current_watermark_ = watermark;
    for (size_t i = 0; i < ops_.size() && error_.ok(); ++i) {
      RETURN_IF_ERROR(ops_[i]->OnWatermark(watermark, outputs_[i]));
    }
    RETURN_IF_ERROR(error_);
    published_watermark_.store(watermark, std::memory_order_relaxed);
    SendControl(MessageKind::kWatermark, watermark);
    return Status::OK();
  }

  Status EndOfInput() {
    RETURN_IF_ERROR(AdvanceWatermark(kMaxWatermark));
    for (size_t i = 0; i < ops_.size() && error_.ok(); ++i) {
      RETURN_IF_ERROR(ops_[i]->OnEndOfInput(outputs_[i]));
    }
    RETURN_IF_ERROR(error_);
    SendControl(MessageKind::kEnd, kMaxWatermark);
    return Status::OK();
  }

  Status MaybeTick() {
    const int64_t now_ms = job_.options_.clock->NowMs();
    if (now_ms - last_tick_ms_ < job_.options_.processing_time_interval_ms) return Status::OK();
    last_tick_ms_ = now_ms;
    for (size_t i = 0; i < ops_.size() && error_.ok(); ++i) {
      RETURN_IF_ERROR(ops_[i]->OnProcessingTime(now_ms, outputs_[i]));
    }
    return error_;
  }

  Status RunSource() {
    const JobOptions& o = job_.options_;
    bool idle = false;
    SourceCounters reported;
    while (!job_.stopping_.load(std::memory_order_relaxed)) {
      Batch batch(source_->schema());
      ASSIGN_OR_RETURN(SourceState state, source_->Poll(batch, o.max_batch_rows,
                                                        o.source_poll_wait_ms));
      if (!batch.empty()) {
        job_.counters_.events_in.fetch_add(batch.num_rows(), std::memory_order_relaxed);
        EmitFrom(0, std::move(batch));
        RETURN_IF_ERROR(error_);
      }
      SourceCounters c = source_->counters();
      if (c.dead_letters != reported.dead_letters) {
        job_.counters_.dead_letters.fetch_add(c.dead_letters - reported.dead_letters);
        reported = c;
      }
      if (state == SourceState::kEnd || job_.draining_.load(std::memory_order_relaxed)) {
        return EndOfInput();
      }
      const bool now_idle = source_->idle();
      if (now_idle && !idle) SendControl(MessageKind::kIdle, current_watermark_);
      idle = now_idle;
      if (!idle) RETURN_IF_ERROR(AdvanceWatermark(source_->watermark()));
      RETURN_IF_ERROR(MaybeTick());
    }
    return Status::OK();
  }

  // The minimum watermark over the senders that are not idle, an ended sender counting
  // as kMaxWatermark; nullopt when every sender still running is idle (the watermark
  // then holds where it is).
  std::optional<EventTimeMs> MergedWatermark() const {
    EventTimeMs low = kMaxWatermark;
    bool any_active = false;
    bool any_running = false;
    for (const SenderState& s : senders_) {
      if (s.ended) continue;
      any_running = true;
      if (s.idle) continue;
      any_active = true;
      low = std::min(low, s.watermark);
    }
    if (any_running && !any_active && low == kMaxWatermark) {
      // Every running sender is idle. If some sender ended, its kMaxWatermark stands for
      // the active side; otherwise hold.
      bool any_ended = false;
      for (const SenderState& s : senders_) any_ended |= s.ended;
      if (!any_ended) return std::nullopt;
    }
    return low;
  }

  Status RunOperators() {
    const auto wait = std::chrono::milliseconds(job_.options_.processing_time_interval_ms);
    size_t live = senders_.size();
    while (!job_.stopping_.load(std::memory_order_relaxed)) {
      std::optional<Message> m = channel_->Pop(wait);
      if (m) {
        SenderState& sender = senders_[m->sender];
        switch (m->kind) {
          case MessageKind::kBatch:
            sender.idle = false;
            if (!ops_.empty()) {
              RETURN_IF_ERROR(ops_[0]->OnBatch(m->input, std::move(m->batch), outputs_[0]));
              RETURN_IF_ERROR(error_);
            } else {
              Deliver(std::move(m->batch));
              RETURN_IF_ERROR(error_);
            }
            break;
          case MessageKind::kWatermark:
            sender.idle = false;
            sender.watermark = std::max(sender.watermark, m->watermark);
            break;
          case MessageKind::kIdle:
            sender.idle = true;
            break;
          case MessageKind::kEnd:
            if (!sender.ended) --live;
            sender.ended = true;
            break;
        }
        if (m->kind != MessageKind::kBatch) {
          if (live == 0) return EndOfInput();
          if (auto merged = MergedWatermark()) RETURN_IF_ERROR(AdvanceWatermark(*merged));
        }
      }
      RETURN_IF_ERROR(MaybeTick());
    }
    return Status::OK();
  }

  Job& job_;
  std::string name_;
  int instance_;
  int parallelism_;
  std::unique_ptr<Source> source_;
  std::vector<std::unique_ptr<Operator>> ops_;
  std::vector<std::string> op_names_;
  std::vector<std::unique_ptr<Sink>> late_sinks_;  // per operator; null: count only
  std::vector<ChainOutput> outputs_;
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<Channel> channel_;
  std::vector<SenderState> senders_;
  std::vector<Route> routes_;
  EventTimeMs current_watermark_ = kMinWatermark;
  std::atomic<EventTimeMs> published_watermark_{kMinWatermark};
  int64_t last_tick_ms_ = 0;
  Status error_;
  std::string key_buffer_;
  std::vector<std::vector<uint32_t>> scatter_rows_;
};

Job::Job(Dataflow dataflow, JobOptions options)
    : dataflow_(std::move(dataflow)), options_(options) {}

Job::~Job() {
  Stop();
  (void)Wait();
}

Result<std::unique_ptr<Job>> Job::Start(Dataflow dataflow, JobOptions options) {
  RETURN_IF_ERROR(dataflow.Validate());
  std::unique_ptr<Job> job(new Job(std::move(dataflow), options));
  RETURN_IF_ERROR(job->Build());
  for (auto& task : job->tasks_) {
    Status s = task->Open();
    if (!s.ok()) {
      return s.WithContext("opening '" + task->name() + "'");
    }
  }
  job->live_tasks_.store(static_cast<int>(job->tasks_.size()));
  for (auto& task : job->tasks_) {
    Task* t = task.get();
    Job* j = job.get();
    job->threads_.emplace_back([t, j] {
      t->Run();
      j->live_tasks_.fetch_sub(1);
    });
  }
  return job;
}

Status Job::Build() {
  const Dataflow& df = dataflow_;
  std::vector<int> chain_of;
  std::vector<ChainPlan> chains = PlanChains(df, chain_of);
  // tasks_of[chain][instance]
  std::vector<std::vector<Task*>> tasks_of(chains.size());
  for (size_t c = 0; c < chains.size(); ++c) {
    const DataflowNode& head = df.node(chains[c].nodes.front());
    std::string name;
    for (int n : chains[c].nodes) name += (name.empty() ? "" : " -> ") + df.node(n).name;
    for (int i = 0; i < head.parallelism; ++i) {
      auto task = std::make_unique<Task>(*this, name, i, head.parallelism);
      for (int n : chains[c].nodes) {
        const DataflowNode& node = df.node(n);
        switch (node.kind) {
          case NodeKind::kSource: {
            ASSIGN_OR_RETURN(auto source, node.source());
            task->SetSource(std::move(source));
            break;
          }
          case NodeKind::kOperator: {
            ASSIGN_OR_RETURN(auto op, node.op());
            std::unique_ptr<Sink> late;
            if (node.late_sink) {
              ASSIGN_OR_RETURN(late, node.late_sink());
            }
            task->AddOperator(std::move(op), node.name, std::move(late));
            break;
          }
          case NodeKind::kSink: {
            ASSIGN_OR_RETURN(auto sink, node.sink());
            task->SetSink(std::move(sink));
            break;
          }
        }
      }
      task->CreateChannel(options_.channel_capacity);
      tasks_of[c].push_back(task.get());
      tasks_.push_back(std::move(task));
    }
  }
  // Edges between chains become routes (sender side) and senders (receiver side).
  for (const DataflowEdge& e : df.edges()) {
    const int from_chain = chain_of[e.from];
    const int to_chain = chain_of[e.to];
    if (from_chain == to_chain) continue;  // fused
    std::vector<Task*>& senders = tasks_of[from_chain];
    std::vector<Task*>& receivers = tasks_of[to_chain];
    for (size_t s = 0; s < senders.size(); ++s) {
      Task::Route route{e.partitioning, e.key_columns, e.to_input, {}, 0};
      switch (e.partitioning) {
        case Partitioning::kForward:
          route.targets.push_back({receivers[s], receivers[s]->AddSender()});
          break;
        case Partitioning::kGather:
          route.targets.push_back({receivers[0], receivers[0]->AddSender()});
          break;
        default:
          for (Task* r : receivers) route.targets.push_back({r, r->AddSender()});
          break;
      }
      senders[s]->AddRoute(std::move(route));
    }
  }
  return Status::OK();
}

void Job::Fail(Status status) {
  {
    std::lock_guard lock(mutex_);
    if (first_error_.ok()) {
      spdlog::error("pipeline failed: {}", status.ToString());
      first_error_ = std::move(status);
    }
  }
  Stop();
}

void Job::Stop() {
  if (stopping_.exchange(true)) return;
  for (auto& task : tasks_) task->Close();
}

Status Job::Wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  return first_error_;
}

JobProgress Job::progress() const {
  JobProgress p;
  p.events_in = counters_.events_in.load();
  p.results_out = counters_.results_out.load();
  p.late_events = counters_.late_events.load();
  p.dead_letters = counters_.dead_letters.load();
  EventTimeMs low = kMaxWatermark;
  bool any = false;
  for (const auto& task : tasks_) {
    if (!task->has_sink()) continue;
    any = true;
    low = std::min(low, task->watermark());
  }
  p.sink_watermark = any ? low : kMinWatermark;
  p.finished = finished();
  return p;
}

uint64_t Job::sink_rows_written() const {
  uint64_t total = 0;
  for (const auto& task : tasks_) total += task->sink_rows_written();
  return total;
}

}  // namespace eddy::engine
