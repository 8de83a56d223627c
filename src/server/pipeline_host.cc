#include "src/server/pipeline_host.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "src/checkpoint/checkpoint_store.h"
#include "src/pipeline/log_pipeline_context.h"
#include "src/server/savepoint_request.h"

namespace eddy::server {

struct PipelineHost::Running {
  std::string name;
  std::string dir;  // <state_dir>/<name>: checkpoints, live state, savepoint requests
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<LogPipelineContext> context;
  std::unique_ptr<engine::Job> job;
  std::chrono::steady_clock::time_point started;
  uint64_t last_events = 0;
  std::chrono::steady_clock::time_point last_report;
  bool summarized = false;
};

Result<std::unique_ptr<engine::Job>> PipelineHost::StartOne(log::Log* log,
                                                            const PipelineHostOptions& options,
                                                            const PipelineDefinition& def,
                                                            Running& r) {
  FileSystem* fs = FileSystem::Default();
  const bool checkpointing =
      !options.bounded && !options.state_dir.empty() && options.checkpoint_interval_ms > 0;
  r.dir = options.state_dir.empty() ? "" : JoinPath(options.state_dir, def.name);
  RunOptions run;
  run.bounded = options.bounded;
  engine::CheckpointConfig& cp = run.checkpoint;
  if (!r.dir.empty()) {
    // Exists from the start: `eddy savepoint` leaves its requests there.
    if (!options.bounded) RETURN_IF_ERROR(fs->CreateDirs(r.dir));
    ASSIGN_OR_RETURN(cp.backend, state::ParseBackendKind(options.state_backend));
    cp.dir = JoinPath(r.dir, "checkpoints");
    cp.work_dir = JoinPath(r.dir, "state");
    cp.interval_ms = checkpointing ? options.checkpoint_interval_ms : 0;
    cp.keep = options.keep_checkpoints;
    cp.exactly_once = options.exactly_once;
    cp.pipeline = def.name;
  }
  checkpoint::CheckpointStore store(fs, cp.dir, cp.keep);
  std::shared_ptr<const checkpoint::LoadedCheckpoint> restore;
  const bool from_store =
      options.from_savepoint.empty() && !cp.dir.empty() && (checkpointing || options.resume);
  if (!options.from_savepoint.empty()) {
    ASSIGN_OR_RETURN(checkpoint::LoadedCheckpoint loaded,
                     checkpoint::LoadCheckpoint(fs, options.from_savepoint));
    restore = std::make_shared<const checkpoint::LoadedCheckpoint>(std::move(loaded));
  } else if (from_store) {
    ASSIGN_OR_RETURN(std::optional<checkpoint::LoadedCheckpoint> latest, store.LoadLatest());
    if (latest) restore = std::make_shared<const checkpoint::LoadedCheckpoint>(std::move(*latest));
  }
  // "{pipeline}" in --output stands for the pipeline's name (several pipelines, one flag).
  std::string output = options.output;
  for (size_t at = output.find("{pipeline}"); at != std::string::npos;
       at = output.find("{pipeline}", at)) {
    output.replace(at, 10, def.name);
  }
  while (true) {
    ASSIGN_OR_RETURN(r.context,
                     LogPipelineContext::Make(log, options.bounded, output, options.settings));
    // A resumed bounded run finishes the part-file directories its checkpoints began.
    r.context->SetCheckpointing(checkpointing || (options.resume && restore != nullptr));
    r.pipeline = std::make_unique<Pipeline>(def.name, options.parallelism);
    RETURN_IF_ERROR(def.build(*r.pipeline, *r.context).WithContext("pipeline '" + def.name + "'"));
    cp.restore = restore;
    Result<std::unique_ptr<engine::Job>> job = r.pipeline->Start(run);
    if (job.ok() || !restore || !from_store || !job.status().IsCorruption()) {
      return job;
    }
    spdlog::error(
        "pipeline {}: checkpoint {} cannot be restored ({}); falling back to the "
        "one before it",
        def.name, restore->manifest.id, job.status().ToString());
    ASSIGN_OR_RETURN(std::optional<checkpoint::LoadedCheckpoint> earlier,
                     store.LoadLatest(restore->manifest.id));
    restore.reset();
    if (earlier) {
      restore = std::make_shared<const checkpoint::LoadedCheckpoint>(std::move(*earlier));
    } else {
      spdlog::error(
          "pipeline {}: no usable checkpoint left; starting from the beginning of "
          "its inputs",
          def.name);
    }
  }
}

Result<std::unique_ptr<PipelineHost>> PipelineHost::Start(
    log::Log* log, PipelineHostOptions options, const std::vector<PipelineDefinition>& catalog) {
  std::unique_ptr<PipelineHost> host(new PipelineHost());
  host->options_ = options;
  for (const std::string& name : options.pipelines) {
    const PipelineDefinition* def = nullptr;
    for (const PipelineDefinition& d : catalog) {
      if (d.name == name) def = &d;
    }
    if (def == nullptr) {
      std::string known;
      for (const PipelineDefinition& d : catalog) known += (known.empty() ? "" : ", ") + d.name;
      return Status::NotFound("no pipeline called '" + name + "' (known: " + known + ")");
    }
    auto r = std::make_unique<Running>();
    r->name = name;
    ASSIGN_OR_RETURN(r->job, StartOne(log, options, *def, *r));
    r->started = r->last_report = std::chrono::steady_clock::now();
    spdlog::info("pipeline {} started: parallelism {}, {}", name, r->pipeline->parallelism(),
                 options.bounded ? "bounded (reads its inputs to their current end)" : "unbounded");
    host->running_.push_back(std::move(r));
  }
  host->progress_thread_ = std::thread([h = host.get()] { h->ProgressLoop(); });
  return host;
}

PipelineHost::~PipelineHost() { (void)Stop(); }

bool PipelineHost::finished() const {
  for (const auto& r : running_) {
    if (!r->job->finished()) return false;
  }
  return true;
}

void PipelineHost::Report(Running& r, bool final) {
  const engine::JobProgress p = r.job->progress();
  const auto now = std::chrono::steady_clock::now();
  if (final) {
    const double seconds = std::chrono::duration<double>(now - r.started).count();
    spdlog::info(
        "pipeline {} finished: {} events in, {} results out, {} late events, {} dead letters, "
        "{:.3f} s ({:.0f} events/s)",
        r.name, p.events_in, r.job->sink_rows_written(), p.late_events, p.dead_letters, seconds,
        seconds > 0 ? static_cast<double>(p.events_in) / seconds : 0.0);
    return;
  }
  const double dt = std::chrono::duration<double>(now - r.last_report).count();
  const double rate = dt > 0 ? static_cast<double>(p.events_in - r.last_events) / dt : 0;
  r.last_events = p.events_in;
  r.last_report = now;
  std::string lag = "n/a";
  if (p.sink_watermark != engine::kMinWatermark && p.sink_watermark != engine::kMaxWatermark) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    lag = fmt::format("{} ms", now_ms - p.sink_watermark);
  }
  spdlog::info(
      "pipeline {}: {:.0f} events/s, {} events in, {} results out, watermark lag {}, "
      "{} late, {} dead letters",
      r.name, rate, p.events_in, p.results_out, lag, p.late_events, p.dead_letters);
}

void PipelineHost::ProgressLoop() {
  auto next =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.progress_interval_ms);
  while (!stop_progress_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (std::chrono::steady_clock::now() < next) continue;
    next += std::chrono::milliseconds(options_.progress_interval_ms);
    for (auto& r : running_) {
      if (!r->job->finished()) Report(*r, false);
    }
    for (auto& r : running_) {
      if (!r->dir.empty() && !r->job->finished()) ServeSavepointRequests(*r);
    }
  }
}

Result<engine::CheckpointStats> PipelineHost::TriggerSavepoint(const std::string& name,
                                                               const std::string& dir) {
  for (auto& r : running_) {
    if (r->name == name) return r->job->TriggerSavepoint(dir);
  }
  return Status::NotFound("no pipeline called '" + name + "' runs here");
}

void PipelineHost::ServeSavepointRequests(Running& r) {
  std::optional<SavepointRequest> request = TakeSavepointRequest(r.dir);
  if (!request) return;
  spdlog::info("pipeline {}: taking a savepoint into {}", r.name, request->target_dir);
  Result<engine::CheckpointStats> taken = r.job->TriggerSavepoint(request->target_dir);
  AnswerSavepointRequest(r.dir, *request, taken.ok() ? Status::OK() : taken.status());
}

Status PipelineHost::WaitForEnd() {
  Status first;
  for (auto& r : running_) {
    Status s = r->job->Wait();
    if (!s.ok()) {
      if (first.ok()) first = s;
      continue;
    }
    if (!r->summarized) Report(*r, true);
    r->summarized = true;
  }
  stop_progress_.store(true);
  if (progress_thread_.joinable()) progress_thread_.join();
  return first;
}

Status PipelineHost::Stop() {
  for (auto& r : running_) r->job->Stop();
  Status first;
  for (auto& r : running_) {
    Status s = r->job->Wait();
    if (!s.ok() && first.ok()) first = s;
  }
  stop_progress_.store(true);
  if (progress_thread_.joinable()) progress_thread_.join();
  return first;
}

}  // namespace eddy::server
