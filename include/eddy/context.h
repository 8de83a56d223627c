#pragma once
// PipelineContext: what a compiled pipeline is given by the eddy process that runs it —
// its inputs (topics of the log it owns, files), the output the user chose on the
// command line, and settings (--set KEY=VALUE).
//
// PipelineDefinition: a named pipeline compiled into eddy (`eddy run --list`).

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "include/eddy/pipeline.h"

namespace eddy {

struct TopicSourceOptions {
  /// The column whose value is the event time (a timestamp); empty: the record timestamp.
  std::string event_time_field;
  /// How far out of order events may arrive (the watermark trails the max time by this).
  Milliseconds max_out_of_orderness{0};
  /// A partition without events for this long stops holding the watermark back.
  Milliseconds idle_timeout{5000};
  /// Records that do not decode go here (with the reason); empty: "<topic>.dead-letter".
  std::string dead_letter_topic;
};

struct FileSourceOptions {
  std::string event_time_field;
  Milliseconds max_out_of_orderness{0};
};

class PipelineContext {
 public:
  virtual ~PipelineContext() = default;

  /// Bounded run: inputs are read up to their end at start.
  virtual bool bounded() const = 0;
  /// Events of a log topic, each record's JSON value decoded into `schema`.
  virtual SourceFactory Topic(const std::string& topic, SchemaRef schema,
                              const TopicSourceOptions& options) = 0;
  /// Rows of a JSON-lines file (one object per line).
  virtual SourceFactory JsonLinesFile(const std::string& path, SchemaRef schema,
                                      const FileSourceOptions& options) = 0;
  /// Rows of a CSV file with a header line.
  virtual SourceFactory CsvFile(const std::string& path, SchemaRef schema,
                                const FileSourceOptions& options) = 0;
  /// A log topic written as JSON records (created with 3 partitions if missing).
  virtual SinkFactory TopicSink(const std::string& topic, bool changelog) = 0;
  /// A JSON-lines file; bounded changelog output is written as the final table.
  virtual SinkFactory FileSink(const std::string& path, bool changelog) = 0;
  /// The output chosen with --output (topic:NAME, file:PATH or none); when none was
  /// chosen, the topic `default_topic`. `changelog`: the stream carries updates.
  virtual Result<SinkFactory> Output(const std::string& default_topic, bool changelog) = 0;
  /// A setting given with --set KEY=VALUE, or `fallback`.
  virtual std::string Setting(const std::string& key, const std::string& fallback) const = 0;
};

/// A pipeline compiled into eddy, started by name (`eddy run NAME`,
/// `eddy serve --pipeline NAME`).
struct PipelineDefinition {
  std::string name;
  std::string description;
  std::function<Status(Pipeline&, PipelineContext&)> build;
};

}  // namespace eddy
