#pragma once
// LogPipelineContext: the PipelineContext of a pipeline that runs in an eddy process —
// topics are the process's own log (read and written in-process, no network), files are
// local, and --output / --set come from the command line.

#include <memory>
#include <string>
#include <vector>

#include "include/eddy/context.h"
#include "src/engine/memory_source.h"
#include "src/log/log.h"

namespace eddy {

class LogPipelineContext final : public PipelineContext {
 public:
  /// `output`: topic:NAME, file:PATH, none, or empty (the pipeline's default topic).
  /// `settings`: KEY=VALUE strings. The log must outlive the context and its pipelines.
  static Result<std::unique_ptr<LogPipelineContext>> Make(log::Log* log, bool bounded,
                                                          std::string output,
                                                          const std::vector<std::string>& settings);

  /// Sends Output() to an in-memory table instead (tests, embedding).
  void SetMemoryOutput(std::shared_ptr<engine::MemoryTable> table) { memory_ = std::move(table); }
  /// The pipeline will take checkpoints: file outputs become exactly-once directories
  /// of part files (connectors/part_file_sink.h). Call before building the pipeline.
  void SetCheckpointing(bool on) { checkpointing_ = on; }

  bool bounded() const override { return bounded_; }
  SourceFactory Topic(const std::string& topic, SchemaRef schema,
                      const TopicSourceOptions& options) override;
  SourceFactory JsonLinesFile(const std::string& path, SchemaRef schema,
                              const FileSourceOptions& options) override;
  SourceFactory CsvFile(const std::string& path, SchemaRef schema,
                        const FileSourceOptions& options) override;
  SinkFactory TopicSink(const std::string& topic, bool changelog) override;
  SinkFactory FileSink(const std::string& path, bool changelog) override;
  Result<SinkFactory> Output(const std::string& default_topic, bool changelog) override;
  std::string Setting(const std::string& key, const std::string& fallback) const override;

 private:
  LogPipelineContext() = default;

  log::Log* log_ = nullptr;
  bool bounded_ = false;
  std::string output_;
  std::vector<std::pair<std::string, std::string>> settings_;
  std::shared_ptr<engine::MemoryTable> memory_;
  bool checkpointing_ = false;
};

}  // namespace eddy
