#pragma once
// File sources: events from text files, one row per record.
//
//  - JsonLinesFileSource: one JSON object per line (JsonRowDecoder); blank lines are
//    skipped.
//  - CsvFileSource: RFC 4180 CSV whose first record is a header naming the columns
//    (matched to the schema by name; header columns the schema lacks are ignored, schema
//    columns the header lacks are null). Quoted fields may hold delimiters, line breaks
//    and doubled quotes; an empty unquoted field is a null, an empty quoted one ("") an
//    empty string. Cells are parsed by column type: int64 and double as numbers, bool
//    as true/false/1/0 (any case), timestamp as epoch milliseconds or ISO-8601 text.
//
// Splits are files: file i belongs to instance i % parallelism. Lines may end in LF or
// CRLF. A record that does not parse is skipped, counted as a dead letter and logged
// (file:line and the reason, rate-limited). Event time is a column (event_time_field)
// or, without one, the processing time at which the record was read; the watermark is
// tracked per file (WatermarkTracker).
//
// Bounded runs, and unbounded runs without `follow`, read each file up to the size it
// had at Open and end there (a last line without a newline counts). With `follow`, an
// unbounded run keeps polling the files for appended lines (a line counts once its
// newline is there) and never ends; files are expected to grow by appends only.
//
// Thread safety: Open, Poll and Close run on the instance's one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/connectors/csv_record.h"
#include "src/engine/source.h"

namespace eddy::connectors {

struct FileSourceOptions {
  /// The file to read; or several in `paths` (both may be given: `path` comes last).
  std::string path;
  std::vector<std::string> paths;
  engine::SchemaRef schema;
  /// A timestamp or int64 column holding the event time; empty: processing time.
  std::string event_time_field;
  int64_t max_out_of_orderness_ms = 0;
  /// A file without new records for this long is left out of the watermark; 0 = never.
  int64_t idle_timeout_ms = 0;
  /// Unbounded runs: after the end of a file, keep polling it for appended lines.
  bool follow = false;
  FileSystem* fs = FileSystem::Default();
  /// Bytes read from a file at a time.
  size_t read_chunk_bytes = 1 << 20;
};

/// What the two file sources share; make one of the two below.
class FileSource : public engine::Source {
 public:
  ~FileSource() override;

  engine::SchemaRef schema() const override;
  /// Opens this instance's files (NotFound naming a missing one).
  Status Open(const engine::SourceContext& context) override;
  Result<engine::SourceState> Poll(engine::Batch& out, size_t max_rows, int max_wait_ms) override;
  engine::EventTimeMs watermark() const override;
  bool idle() const override;
  engine::SourceCounters counters() const override;
  void Close() override;

  /// The files this instance reads (after Open).
  std::vector<std::string> files() const;

 protected:
  class Impl;
  explicit FileSource(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

class JsonLinesFileSource final : public FileSource {
 public:
  explicit JsonLinesFileSource(FileSourceOptions options);
};

class CsvFileSource final : public FileSource {
 public:
  explicit CsvFileSource(FileSourceOptions options, CsvFormat format = {});
};

/// Factories for the instances of one file source.
engine::SourceFactory MakeJsonLinesFileSource(FileSourceOptions options);
engine::SourceFactory MakeCsvFileSource(FileSourceOptions options, CsvFormat format = {});

}  // namespace eddy::connectors
