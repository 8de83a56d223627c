#include "src/server/pipeline_host.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "src/pipeline/log_pipeline_context.h"

namespace eddy::server {

struct PipelineHost::Running {
  std::string name;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<LogPipelineContext> context;
  std::unique_ptr<engine::Job> job;
  std::chrono::steady_clock::time_point started;
  uint64_t last_events = 0;
  std::chrono::steady_clock::time_point last_report;
  bool summarized = false;
};

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
    ASSIGN_OR_RETURN(r->context, LogPipelineContext::Make(log, options.bounded, options.output,
                                                  options.settings));
    r->pipeline = std::make_unique<Pipeline>(name, options.parallelism);
    RETURN_IF_ERROR(def->build(*r->pipeline, *r->context).WithContext("pipeline '" + name + "'"));
    RunOptions run;
    run.bounded = options.bounded;
    ASSIGN_OR_RETURN(r->job, r->pipeline->Start(run));
    r->started = r->last_report = std::chrono::steady_clock::now();
    spdlog::info("pipeline {} started: parallelism {}, {}", name, r->pipeline->parallelism(),
                 options.bounded ? "bounded (reads its inputs to their current end)"
                                 : "unbounded");
    host->running_.push_back(std::move(r));
  }
  host->progress_thread_ = std::thread([h = host.get()] { h->ProgressLoop(); });
  return host;
}

PipelineHost::~PipelineHost() {
  (void)Stop();
}

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
  spdlog::info("pipeline {}: {:.0f} events/s, {} events in, {} results out, watermark lag {}, "
               "{} late, {} dead letters",
               r.name, rate, p.events_in, p.results_out, lag, p.late_events, p.dead_letters);
}

void PipelineHost::ProgressLoop() {
  auto next = std::chrono::steady_clock::now() +
              std::chrono::milliseconds(options_.progress_interval_ms);
  while (!stop_progress_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (std::chrono::steady_clock::now() < next) continue;
    next += std::chrono::milliseconds(options_.progress_interval_ms);
    for (auto& r : running_) {
      if (!r->job->finished()) Report(*r, false);
    }
  }
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
