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
};

class PipelineHost {
 public:
  /// Builds and starts every pipeline; the error names the pipeline at fault.
  static Result<std::unique_ptr<PipelineHost>> Start(log::Log* log, PipelineHostOptions options,
                                                     const std::vector<PipelineDefinition>& catalog);
  ~PipelineHost();

  /// Bounded runs: waits until every pipeline ended, printing progress, then a summary.
  Status WaitForEnd();
  /// Unbounded runs: stops every pipeline (sinks flush) and returns the first error.
  Status Stop();
  /// True once every pipeline has ended (bounded input done, or failed).
  bool finished() const;

 private:
  struct Running;
  PipelineHost() = default;
  void ProgressLoop();
  void Report(Running& r, bool final);

  PipelineHostOptions options_;
  std::vector<std::unique_ptr<Running>> running_;
  std::atomic<bool> stop_progress_{false};
  std::thread progress_thread_;
};

/// Every pipeline compiled into eddy: the Nexmark queries and the examples.
const std::vector<PipelineDefinition>& PipelineCatalog();

}  // namespace eddy::server
