#pragma once
// PipelineHost: the pipelines an eddy process runs beside its broker (`eddy serve
// --pipeline`, `eddy run`, `eddy nexmark run`). It builds each named pipeline from the
// catalog, starts it on the process's log, prints progress once a second, and for
// bounded runs a summary line per pipeline when it ends.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "include/eddy/context.h"
#include "src/log/log.h"

namespace eddy::server {

struct PipelineHostOptions {
  std::vector<std::string> pipelines;
  bool bounded = false;
  int parallelism = 0;  // 0 = cores
  /// topic:NAME, file:PATH or none; empty = each pipeline's default topic.
  std::string output;
  /// KEY=VALUE settings handed to the pipelines.
  std::vector<std::string> settings;
  int progress_interval_ms = 1000;

  // ---- Checkpoints (docs/checkpoints.md). An unbounded pipeline with an interval > 0
  // checkpoints into <state_dir>/<pipeline>/checkpoints and, when started again,
  // recovers from the newest complete checkpoint there.
  /// Empty: no checkpoints.
  std::string state_dir;
  int64_t checkpoint_interval_ms = 1000;
  int keep_checkpoints = 3;
  std::string state_backend = "memory";  // or "rocksdb"
  /// false: at-least-once output, visible at once (lower latency).
  bool exactly_once = true;
  /// Start from this savepoint (or checkpoint directory) instead.
  std::string from_savepoint;
  /// Bounded runs: start from the newest checkpoint of the pipeline (finish what an
  /// unbounded run began).
  bool resume = false;
};

class PipelineHost {
 public:
  /// Builds and starts every pipeline; the error names the pipeline at fault.
  static Result<std::unique_ptr<PipelineHost>> Start(
      log::Log* log, PipelineHostOptions options, const std::vector<PipelineDefinition>& catalog);
  ~PipelineHost();

  /// Bounded runs: waits until every pipeline ended, printing progress, then a summary.
  Status WaitForEnd();
  /// Unbounded runs: stops every pipeline (sinks flush) and returns the first error.
  Status Stop();
  /// True once every pipeline has ended (bounded input done, or failed).
  bool finished() const;
  /// Takes a savepoint of pipeline `name` into `dir` (a new directory) and waits.
  Result<engine::CheckpointStats> TriggerSavepoint(const std::string& name, const std::string& dir);

 private:
  struct Running;
  PipelineHost() = default;
  static Result<std::unique_ptr<engine::Job>> StartOne(log::Log* log,
                                                       const PipelineHostOptions& options,
                                                       const PipelineDefinition& def, Running& r);
  void ProgressLoop();
  // Serves savepoint requests that `eddy savepoint` leaves in the pipeline's directory.
  void ServeSavepointRequests(Running& r);
  void Report(Running& r, bool final);

  PipelineHostOptions options_;
  std::vector<std::unique_ptr<Running>> running_;
  std::atomic<bool> stop_progress_{false};
  std::thread progress_thread_;
};

/// Every pipeline compiled into eddy: the Nexmark queries and the examples.
const std::vector<PipelineDefinition>& PipelineCatalog();

}  // namespace eddy::server
