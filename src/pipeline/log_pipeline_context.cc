#include "src/pipeline/log_pipeline_context.h"

#include <spdlog/spdlog.h>

#include "src/connectors/fan_out_sink.h"
#include "src/connectors/file_sink.h"
#include "src/connectors/file_source.h"
#include "src/connectors/log_topic_sink.h"
#include "src/connectors/log_topic_source.h"
#include "src/connectors/part_file_sink.h"

namespace eddy {

Result<std::unique_ptr<LogPipelineContext>> LogPipelineContext::Make(
    log::Log* log, bool bounded, std::string output, const std::vector<std::string>& settings) {
  std::unique_ptr<LogPipelineContext> ctx(new LogPipelineContext());
  ctx->log_ = log;
  ctx->bounded_ = bounded;
  if (!output.empty() && output != "none" && output.rfind("topic:", 0) != 0 &&
      output.rfind("file:", 0) != 0) {
    return Status::InvalidArgument("--output '" + output +
                                   "': expected topic:NAME, file:PATH or none");
  }
  ctx->output_ = std::move(output);
  for (const std::string& s : settings) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--set '" + s + "': expected KEY=VALUE");
    }
    ctx->settings_.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return ctx;
}

SourceFactory LogPipelineContext::Topic(const std::string& topic, SchemaRef schema,
                                        const TopicSourceOptions& options) {
  connectors::LogTopicSourceOptions o;
  o.log = log_;
  o.topic = topic;
  o.schema = std::move(schema);
  o.event_time_field = options.event_time_field;
  o.max_out_of_orderness_ms = options.max_out_of_orderness.count();
  o.idle_timeout_ms = options.idle_timeout.count();
  o.dead_letter_topic =
      options.dead_letter_topic.empty() ? topic + ".dead-letter" : options.dead_letter_topic;
  SourceFactory make = connectors::MakeLogTopicSource(o);
  if (bounded_) return make;
  // An unbounded pipeline may start before anyone produced to its input: create the
  // topic (with the log's default settings) rather than fail.
  log::Log* log = log_;
  return [make, log, topic]() -> Result<std::unique_ptr<engine::Source>> {
    if (!log->DescribeTopic(topic).ok()) {
      auto created = log->CreateTopic(topic, log->options().default_topic_config);
      if (created.ok()) spdlog::info("created input topic {}", topic);
    }
    return make();
  };
}

namespace {

// The connector's options for a file source of a pipeline (unbounded runs follow the file).
connectors::FileSourceOptions FileOptions(const std::string& path, SchemaRef schema,
                                          const FileSourceOptions& options, bool bounded) {
  connectors::FileSourceOptions o;
  o.path = path;
  o.schema = std::move(schema);
  o.event_time_field = options.event_time_field;
  o.max_out_of_orderness_ms = options.max_out_of_orderness.count();
  o.follow = !bounded;
  return o;
}

}  // namespace

SourceFactory LogPipelineContext::JsonLinesFile(const std::string& path, SchemaRef schema,
                                                const FileSourceOptions& options) {
  return connectors::MakeJsonLinesFileSource(
      FileOptions(path, std::move(schema), options, bounded_));
}

SourceFactory LogPipelineContext::CsvFile(const std::string& path, SchemaRef schema,
                                          const FileSourceOptions& options) {
  return connectors::MakeCsvFileSource(FileOptions(path, std::move(schema), options, bounded_));
}

SinkFactory LogPipelineContext::TopicSink(const std::string& topic, bool changelog) {
  connectors::LogTopicSinkOptions o;
  o.log = log_;
  o.topic = topic;
  o.encode_changes = changelog;
  return connectors::MakeLogTopicSink(o);
}

SinkFactory LogPipelineContext::FileSink(const std::string& path, bool changelog) {
  if (checkpointing_) {
    // Exactly-once files: a directory of part files, each committed by a rename.
    connectors::PartFileSinkOptions parts;
    parts.dir = path;
    parts.encode_changes = changelog;
    return connectors::MakePartFileSink(parts);
  }
  connectors::JsonLinesFileSinkOptions o;
  o.path = path;
  // A bounded run's file holds the final results; an unbounded one records the changes.
  o.materialize = changelog && bounded_;
  o.encode_changes = changelog && !bounded_;
  return connectors::MakeJsonLinesFileSink(o);
}

Result<SinkFactory> LogPipelineContext::Output(const std::string& default_topic, bool changelog) {
  if (memory_) return engine::MakeMemorySink(memory_);
  if (output_.empty()) return TopicSink(default_topic, changelog);
  // Several outputs, comma-separated: every result goes to each.
  std::vector<SinkFactory> parts;
  size_t start = 0;
  while (start <= output_.size()) {
    size_t end = output_.find(',', start);
    if (end == std::string::npos) end = output_.size();
    const std::string one = output_.substr(start, end - start);
    start = end + 1;
    if (one == "none") {
      parts.push_back(engine::MakeDiscardSink());
    } else if (one.rfind("file:", 0) == 0 && one.size() > 5) {
      parts.push_back(FileSink(one.substr(5), changelog));
    } else if (one.rfind("topic:", 0) == 0 && one.size() > 6) {
      parts.push_back(TopicSink(one.substr(6), changelog));
    } else {
      return Status::InvalidArgument("output '" + one +
                                     "': expected topic:NAME, file:PATH or none");
    }
  }
  return connectors::MakeFanOutSink(std::move(parts));
}

std::string LogPipelineContext::Setting(const std::string& key, const std::string& fallback) const {
  for (const auto& [k, v] : settings_) {
    if (k == key) return v;
  }
  return fallback;
}

}  // namespace eddy
