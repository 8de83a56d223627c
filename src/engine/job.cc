#include "src/engine/job.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <future>
#include <map>

#include "src/engine/channel.h"
#include "src/engine/key_codec.h"
#include "src/engine/operator_state.h"

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

// The state tables of chain position `pos` in the task's backend: "o<pos>/<table>", so
// that the operators of one chain keep their tables apart.
std::string TablePrefix(size_t pos) { return "o" + std::to_string(pos) + "/"; }

class PrefixedStateWriter final : public StateWriter {
 public:
  PrefixedStateWriter(state::StateBackend& backend, std::string prefix)
      : backend_(backend), prefix_(std::move(prefix)) {}
  Status Put(std::string_view table, int key_group, std::string_view key,
             std::string_view value) override {
    return backend_.Put(Name(table), key_group, key, value);
  }
  Status Delete(std::string_view table, int key_group, std::string_view key) override {
    return backend_.Delete(Name(table), key_group, key);
  }

 private:
  const std::string& Name(std::string_view table) {
    name_.assign(prefix_).append(table);
    return name_;
  }
  state::StateBackend& backend_;
  std::string prefix_;
  std::string name_;
};

class PrefixedStateReader final : public StateReader {
 public:
  PrefixedStateReader(state::StateBackend& backend, std::string prefix)
      : backend_(backend), prefix_(std::move(prefix)) {}
  Status ForEach(std::string_view table, const Visitor& visit) override {
    return backend_.ForEach(prefix_ + std::string(table), visit);
  }

 private:
  state::StateBackend& backend_;
  std::string prefix_;
};

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

  Task(Job& job, std::string name, int task_index, int instance, int parallelism)
      : job_(job),
        name_(std::move(name)),
        task_index_(task_index),
        instance_(instance),
        parallelism_(parallelism) {}

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
  bool checkpointable() const { return !source_ || source_->checkpointable(); }
  EventTimeMs watermark() const { return published_watermark_.load(std::memory_order_relaxed); }
  uint64_t sink_rows_written() const { return sink_ ? sink_->rows_written() : 0; }

  Status Open() {
    const JobOptions& o = job_.options_;
    // Without periodic checkpoints nothing would ever commit: output goes out at once.
    exactly_once_ =
        job_.checkpointing() && o.checkpoint.interval_ms > 0 && o.checkpoint.exactly_once;
    if (job_.checkpointing() || o.checkpoint.restore) {
      state::StateBackendOptions backend_options;
      backend_options.kind = o.checkpoint.backend;
      backend_options.working_dir = JoinPath(
          o.checkpoint.work_dir, std::to_string(task_index_) + "-" + std::to_string(instance_));
      ASSIGN_OR_RETURN(backend_, state::OpenStateBackend(backend_options));
    }
    if (source_) {
      RETURN_IF_ERROR(source_->Open(SourceContext{instance_, parallelism_, o.bounded, o.clock}));
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      outputs_.push_back(ChainOutput(this, i));
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      RETURN_IF_ERROR(
          ops_[i]->Open(OperatorContext{instance_, parallelism_, o.clock, op_names_[i]}));
    }
    if (sink_) {
      RETURN_IF_ERROR(sink_->Open(SinkContext{instance_, parallelism_, o.bounded, exactly_once_}));
    }
    for (auto& late : late_sinks_) {
      if (late) RETURN_IF_ERROR(late->Open(SinkContext{instance_, parallelism_, o.bounded}));
    }
    return Status::OK();
  }

  // Recovery, first step: the state, source positions and watermark this instance
  // takes over from the instances of checkpoint `from` that ran this task.
  Status RestoreState(const checkpoint::LoadedCheckpoint& from) {
    std::vector<std::string> state_dirs;
    std::vector<checkpoint::SplitPosition> positions;
    EventTimeMs watermark = kMaxWatermark;
    for (size_t i = 0; i < from.tasks.size(); ++i) {
      const checkpoint::TaskSnapshot& old = from.tasks[i];
      if (old.task_index != task_index_) continue;
      if (old.task != name_) {
        return Status::FailedPrecondition(
            "checkpoint " + from.path + " does not fit this pipeline: its task " +
            std::to_string(task_index_) + " is '" + old.task + "', here it is '" + name_ + "'");
      }
      state_dirs.push_back(from.StateDir(i));
      positions.insert(positions.end(), old.positions.begin(), old.positions.end());
      watermark = std::min(watermark, old.watermark);
    }
    if (state_dirs.empty()) {
      return Status::FailedPrecondition("checkpoint " + from.path + " has no task '" + name_ +
                                        "': it was taken of another pipeline");
    }
    RETURN_IF_ERROR(
        backend_->Restore(state_dirs, state::KeyGroupRange::OfInstance(instance_, parallelism_)));
    for (size_t i = 0; i < ops_.size(); ++i) {
      PrefixedStateReader reader(*backend_, TablePrefix(i));
      RETURN_IF_ERROR(
          ops_[i]->RestoreState(reader).WithContext("restoring '" + op_names_[i] + "'"));
    }
    if (source_) {
      if (!source_->checkpointable()) {
        return Status::FailedPrecondition("the source of '" + name_ + "' cannot be restored");
      }
      RETURN_IF_ERROR(source_->RestorePositions(positions));
    }
    restored_watermark_ = watermark;
    last_barrier_ = from.manifest.id;
    last_committed_ = from.manifest.id;
    return Status::OK();
  }

  // Recovery, second step (once every task restored its state): the sink finishes the
  // commits of the old instances that map onto this one.
  Status RecoverSink(const checkpoint::LoadedCheckpoint& from) {
    if (!sink_) return Status::OK();
    std::vector<std::string> prepared;
    for (const checkpoint::TaskSnapshot& old : from.tasks) {
      if (old.task_index == task_index_ && old.instance % parallelism_ == instance_ &&
          !old.prepared_commit.empty()) {
        prepared.push_back(old.prepared_commit);
      }
    }
    return sink_->Recover(from.manifest.id, prepared);
  }

  void Run() {
    Status status = restored_watermark_ > kMinWatermark && restored_watermark_ < kMaxWatermark
                        ? AdvanceWatermark(restored_watermark_)
                        : Status::OK();
    if (status.ok()) status = source_ ? RunSource() : RunOperators();
    if (status.ok()) status = error_;
    FinishPendingSnapshot();
    if (job_.coordinator_) job_.coordinator_->TaskEnded();
    if (sink_) {
      if (exactly_once_ && !(status.ok() && ended_by_input_)) {
        // Cancelled or failed: what is not committed comes back from the checkpoint.
        sink_->Abandon();
      } else {
        // A stopped job still flushes what reached its sinks.
        Status finish = sink_->Finish();
        if (status.ok()) status = finish;
      }
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
    bool blocked = false;      // its barrier arrived; the others' have not yet
    std::deque<Message> held;  // what it sent while blocked
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
    ended_by_input_ = true;
    return Status::OK();
  }

  // ---- Checkpoints

  // Snapshots this instance for checkpoint `id`. What must see the state as it is at the
  // barrier runs here: source positions, operators writing their changes into the
  // backend, the sink preparing its commit. Writing the backend's snapshot and the meta
  // file (the slow part: files and fsyncs) runs on a helper thread while the task goes
  // on: between checkpoints nothing touches the backend, and the next checkpoint first
  // waits for this one. A failure declines the checkpoint (logged by the coordinator)
  // and the job goes on.
  void Snapshot(int64_t id, int64_t alignment_ms) {
    FinishPendingSnapshot();
    auto snapshot = std::make_shared<checkpoint::TaskSnapshot>();
    std::string path;
    Status s = CaptureSnapshot(id, alignment_ms, *snapshot, path);
    if (!s.ok()) {
      Decline(id, s);
      return;
    }
    if (path.empty()) return;  // aborted meanwhile
    pending_snapshot_ = std::async(std::launch::async, [this, id, snapshot, path] {
      Status written = PersistSnapshot(*snapshot, path);
      if (!written.ok()) Decline(id, written);
    });
  }

  void FinishPendingSnapshot() {
    if (pending_snapshot_.valid()) pending_snapshot_.wait();
  }

  void Decline(int64_t id, const Status& s) {
    job_.coordinator_->Decline(
        id, s.WithContext("task '" + name_ + "' instance " + std::to_string(instance_)));
  }

  Status CaptureSnapshot(int64_t id, int64_t alignment_ms, checkpoint::TaskSnapshot& snapshot,
                         std::string& path) {
    const int64_t started = job_.options_.clock->NowMs();
    path = job_.coordinator_->PathOf(id);
    if (path.empty()) return Status::OK();
    snapshot.checkpoint_id = id;
    snapshot.task_index = task_index_;
    snapshot.instance = instance_;
    snapshot.parallelism = parallelism_;
    snapshot.task = name_;
    snapshot.watermark = current_watermark_;
    if (source_) {
      if (!source_->checkpointable()) {
        return Status::FailedPrecondition("its source cannot be checkpointed");
      }
      ASSIGN_OR_RETURN(snapshot.positions, source_->SnapshotPositions());
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      PrefixedStateWriter writer(*backend_, TablePrefix(i));
      RETURN_IF_ERROR(
          ops_[i]->SnapshotState(writer).WithContext("snapshotting '" + op_names_[i] + "'"));
    }
    if (sink_) {
      snapshot.has_sink = true;
      if (exactly_once_) {
        ASSIGN_OR_RETURN(snapshot.prepared_commit, sink_->PrepareCommit(id));
      }
    }
    snapshot.alignment_ms = alignment_ms;
    snapshot.snapshot_ms = job_.options_.clock->NowMs() - started;
    return Status::OK();
  }

  // On the helper thread: the backend's snapshot, the meta file, the acknowledgement.
  Status PersistSnapshot(checkpoint::TaskSnapshot& snapshot, const std::string& path) {
    ASSIGN_OR_RETURN(state::SnapshotStats stats,
                     backend_->Snapshot(JoinPath(
                         path, checkpoint::StateDirName(task_index_, instance_))));
    snapshot.state_bytes = stats.bytes;
    checkpoint::Manifest::Task entry;
    RETURN_IF_ERROR(job_.store_->WriteTaskMeta(path, snapshot, entry));
    job_.coordinator_->Acknowledge(snapshot.checkpoint_id, entry, snapshot.alignment_ms);
    return Status::OK();
  }

  void SendBarrier(int64_t id) {
    for (Route& route : routes_) {
      for (const Target& t : route.targets) {
        Message m;
        m.kind = MessageKind::kBarrier;
        m.input = route.to_input;
        m.sender = t.sender;
        m.checkpoint_id = id;
        t.task->channel()->Push(std::move(m));
      }
    }
  }

  // Source tasks: injects the barrier the coordinator asks for, between two polls.
  void MaybeInjectBarrier() {
    if (!job_.coordinator_) return;
    const int64_t requested = job_.coordinator_->barrier_request();
    if (requested <= last_barrier_) return;
    last_barrier_ = requested;
    Snapshot(requested, 0);
    SendBarrier(requested);
  }

  // Sinks commit what they prepared once the checkpoint covering it is complete.
  Status MaybeCommit() {
    if (!exactly_once_ || !sink_) return Status::OK();
    const int64_t completed = job_.coordinator_->completed();
    if (completed <= last_committed_) return Status::OK();
    last_committed_ = completed;
    return sink_->Commit(completed);
  }

  // Barrier `id` came from `sender`: block that sender until every running sender's has.
  void OnBarrier(int sender, int64_t id) {
    if (id <= last_barrier_) return;  // of a checkpoint this task already gave up on
    if (aligning_ != 0 && id > aligning_) ReleaseHeld();  // a newer checkpoint overtook
    if (aligning_ == 0) {
      aligning_ = id;
      alignment_started_ms_ = job_.options_.clock->NowMs();
    }
    senders_[sender].blocked = true;
    MaybeCompleteAlignment();
  }

  void MaybeCompleteAlignment() {
    if (aligning_ == 0) return;
    for (const SenderState& s : senders_) {
      if (!s.blocked && !s.ended) return;
    }
    const int64_t id = aligning_;
    last_barrier_ = id;
    Snapshot(id, job_.options_.clock->NowMs() - alignment_started_ms_);
    SendBarrier(id);
    ReleaseHeld();
  }

  // Ends an alignment: what the blocked senders sent meanwhile is handled next, in order,
  // and before anything of theirs still waiting in replay_ (which came later).
  void ReleaseHeld() {
    aligning_ = 0;
    std::deque<Message> next;
    for (SenderState& s : senders_) {
      s.blocked = false;
      for (Message& m : s.held) next.push_back(std::move(m));
      s.held.clear();
    }
    for (Message& m : replay_) next.push_back(std::move(m));
    replay_ = std::move(next);
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
      MaybeInjectBarrier();
      RETURN_IF_ERROR(MaybeCommit());
      Batch batch(source_->schema());
      ASSIGN_OR_RETURN(SourceState state,
                       source_->Poll(batch, o.max_batch_rows, o.source_poll_wait_ms));
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
    live_senders_ = senders_.size();
    while (!job_.stopping_.load(std::memory_order_relaxed)) {
      std::optional<Message> m;
      if (!replay_.empty()) {
        m = std::move(replay_.front());
        replay_.pop_front();
      } else {
        m = channel_->Pop(wait);
      }
      if (m) {
        ASSIGN_OR_RETURN(bool ended, Handle(std::move(*m)));
        if (ended) return Status::OK();
      }
      RETURN_IF_ERROR(MaybeTick());
      RETURN_IF_ERROR(MaybeCommit());
    }
    return Status::OK();
  }

  // Handles one input message; true once every sender has ended and the end of the
  // input has been processed.
  Result<bool> Handle(Message m) {
    SenderState& sender = senders_[m.sender];
    if (sender.blocked) {  // aligning: after this sender's barrier, wait
      sender.held.push_back(std::move(m));
      return false;
    }
    switch (m.kind) {
      case MessageKind::kBatch:
        sender.idle = false;
        if (!ops_.empty()) {
          RETURN_IF_ERROR(ops_[0]->OnBatch(m.input, std::move(m.batch), outputs_[0]));
        } else {
          Deliver(std::move(m.batch));
        }
        RETURN_IF_ERROR(error_);
        return false;
      case MessageKind::kWatermark:
        sender.idle = false;
        sender.watermark = std::max(sender.watermark, m.watermark);
        break;
      case MessageKind::kIdle:
        sender.idle = true;
        break;
      case MessageKind::kEnd:
        if (!sender.ended) --live_senders_;
        sender.ended = true;
        MaybeCompleteAlignment();
        break;
      case MessageKind::kBarrier:
        OnBarrier(m.sender, m.checkpoint_id);
        return false;
    }
    if (live_senders_ == 0) {
      RETURN_IF_ERROR(EndOfInput());
      return true;
    }
    if (auto merged = MergedWatermark()) RETURN_IF_ERROR(AdvanceWatermark(*merged));
    return false;
  }

  Job& job_;
  std::string name_;
  int task_index_;  // the chain's index: names the task in checkpoints
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
  // Checkpoints.
  std::unique_ptr<state::StateBackend> backend_;
  std::future<void> pending_snapshot_;  // the backend snapshot being written, if any
  bool exactly_once_ = false;
  bool ended_by_input_ = false;
  int64_t last_barrier_ = 0;    // the newest checkpoint this task snapshotted (or skipped)
  int64_t last_committed_ = 0;  // the newest checkpoint its sink committed
  int64_t aligning_ = 0;        // the checkpoint being aligned, 0 if none
  int64_t alignment_started_ms_ = 0;
  std::deque<Message> replay_;  // held messages released by an alignment
  size_t live_senders_ = 0;
  EventTimeMs restored_watermark_ = kMinWatermark;
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
  const CheckpointConfig& cp = options.checkpoint;
  bool checkpointable = true;
  for (const auto& task : job->tasks_) {
    if (!task->checkpointable()) {
      if (!cp.dir.empty() && !options.bounded) {
        spdlog::warn(
            "pipeline {}: the source of '{}' cannot be checkpointed, so the pipeline "
            "runs without checkpoints (after a restart it starts over)",
            cp.pipeline, task->name());
      }
      checkpointable = false;
      break;
    }
  }
  if (!cp.dir.empty() && !options.bounded && checkpointable) {
    job->store_ =
        std::make_unique<checkpoint::CheckpointStore>(FileSystem::Default(), cp.dir, cp.keep);
    ASSIGN_OR_RETURN(int64_t next_id, job->store_->NextId());
    if (cp.restore) next_id = std::max(next_id, cp.restore->manifest.id + 1);
    CoordinatorOptions coordinator;
    coordinator.interval_ms = cp.interval_ms;
    coordinator.timeout_ms = cp.timeout_ms;
    coordinator.pipeline = cp.pipeline;
    coordinator.backend = std::string(state::BackendKindName(cp.backend));
    coordinator.clock = options.clock;
    job->coordinator_ = std::make_unique<CheckpointCoordinator>(
        coordinator, job->store_.get(), static_cast<int>(job->tasks_.size()), next_id);
  }
  for (auto& task : job->tasks_) {
    Status s = task->Open();
    if (!s.ok()) {
      return s.WithContext("opening '" + task->name() + "'");
    }
  }
  if (cp.restore) RETURN_IF_ERROR(job->Restore(*cp.restore));
  if (job->coordinator_) job->coordinator_->Start();
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
      auto task = std::make_unique<Task>(*this, name, static_cast<int>(c), i, head.parallelism);
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
        case Partitioning::kGather: {
          // Everything goes to the instance owning the key group of the empty key: a
          // global group's state (keyed by "") is restored there at any parallelism.
          Task* owner = receivers[InstanceOfKeyGroup(KeyGroupOf(HashKey("")),
                                                     static_cast<int>(receivers.size()))];
          route.targets.push_back({owner, owner->AddSender()});
          break;
        }
        default:
          for (Task* r : receivers) route.targets.push_back({r, r->AddSender()});
          break;
      }
      senders[s]->AddRoute(std::move(route));
    }
  }
  return Status::OK();
}

Status Job::Restore(const checkpoint::LoadedCheckpoint& from) {
  // Every task's state first: if one is damaged, nothing has been committed yet and the
  // caller can fall back to an earlier checkpoint.
  for (auto& task : tasks_) {
    RETURN_IF_ERROR(
        task->RestoreState(from).WithContext("restoring '" + task->name() + "' from " + from.path));
  }
  for (auto& task : tasks_) {
    RETURN_IF_ERROR(
        task->RecoverSink(from).WithContext("recovering the sink of '" + task->name() + "'"));
  }
  spdlog::info(
      "pipeline {} restored from {} {} ({})", options_.checkpoint.pipeline,
      from.manifest.kind == checkpoint::CheckpointKind::kSavepoint ? "savepoint" : "checkpoint",
      from.manifest.id, from.path);
  return Status::OK();
}

Result<CheckpointStats> Job::TriggerSavepoint(const std::string& dir) {
  if (!coordinator_) {
    return Status::FailedPrecondition(
        "savepoints need a checkpoint directory and an unbounded job");
  }
  return coordinator_->TriggerSavepoint(dir);
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
  if (coordinator_) coordinator_->Stop();
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
  if (coordinator_) {
    p.checkpoints = coordinator_->completed_count();
    p.last_checkpoint = coordinator_->last_completed();
  }
  return p;
}

uint64_t Job::sink_rows_written() const {
  uint64_t total = 0;
  for (const auto& task : tasks_) total += task->sink_rows_written();
  return total;
}

}  // namespace eddy::engine
