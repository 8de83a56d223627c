#pragma once
// JsonLinesFileSink: a pipeline sink that writes rows as JSON lines (JsonRowEncoder) to
// one file shared by every parallel instance.
//
// The instances of one sink share a JsonLinesFileWriter (MakeJsonLinesFileSink hands
// the same one to each). Two modes:
//  - append (materialize = false): the first Open empties or creates the file; each
//    Write encodes its batch outside any lock, then appends all its lines with one
//    write under the writer's mutex, so lines of different instances never interleave
//    inside a batch. The last instance to Finish syncs the file. A changelog needs
//    encode_changes (an "op" per line); without it, a row other than an insert fails
//    the Write.
//  - materialize (bounded runs): Writes apply the changelog to one table shared by the
//    instances (ChangelogMaterializer); a removal of a row the table lacks is logged as
//    an error and skipped. The last instance to Finish writes the table's rows, sorted,
//    replacing the file atomically (rename). encode_changes does not apply.
//
// rows_written() of a sink instance counts the lines it appended; in materialize mode
// the instance whose Finish wrote the table reports the table's rows and the others 0,
// so that the instances' sum is the file's line count either way.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "src/base/file_system.h"
#include "src/connectors/changelog_materializer.h"
#include "src/engine/sink.h"

namespace eddy::connectors {

struct JsonLinesFileSinkOptions {
  std::string path;
  bool encode_changes = false;
  bool materialize = false;
  FileSystem* fs = FileSystem::Default();
};

/// The file (or, materializing, the table) every instance of one sink writes to.
/// Thread-safe.
class JsonLinesFileWriter {
 public:
  explicit JsonLinesFileWriter(JsonLinesFileSinkOptions options) : options_(std::move(options)) {}

  const JsonLinesFileSinkOptions& options() const { return options_; }

  /// An instance starts. Append mode: the first call creates or empties the file.
  Status Open();
  /// Append mode: appends `lines` (`rows` whole lines, each ending in '\n') at once.
  Status AppendLines(std::string_view lines, uint64_t rows);
  /// Materialize mode: applies a changelog batch to the shared table.
  void Apply(const engine::Batch& batch);
  /// An instance is done. The last one open syncs the file (append mode) or writes the
  /// table (materialize mode; `*table_rows` is then set to its row count).
  Status Finish(std::optional<uint64_t>* table_rows);

  /// Lines in the file so far (append mode) or in the table written at Finish.
  uint64_t rows_written() const;

 private:
  JsonLinesFileSinkOptions options_;
  mutable std::mutex mu_;
  int open_instances_ = 0;                      // GUARDED_BY(mu_)
  bool created_ = false;                        // GUARDED_BY(mu_)
  std::unique_ptr<File> file_;                  // GUARDED_BY(mu_)
  std::optional<ChangelogMaterializer> table_;  // GUARDED_BY(mu_)
  uint64_t rows_ = 0;                           // GUARDED_BY(mu_)
};

class JsonLinesFileSink final : public engine::Sink {
 public:
  explicit JsonLinesFileSink(std::shared_ptr<JsonLinesFileWriter> writer);
  ~JsonLinesFileSink() override;

  Status Open(const engine::SinkContext& context) override;
  Status Write(const engine::Batch& batch) override;
  Status Finish() override;
  uint64_t rows_written() const override { return rows_written_; }

 private:
  std::shared_ptr<JsonLinesFileWriter> writer_;
  engine::SchemaRef schema_;
  std::optional<JsonRowEncoder> encoder_;
  std::string lines_;  // reused per batch
  uint64_t rows_written_ = 0;
  bool open_ = false;  // between Open and Finish: counted once by the writer
};

/// A factory whose instances all write through one new JsonLinesFileWriter.
engine::SinkFactory MakeJsonLinesFileSink(JsonLinesFileSinkOptions options);
/// A factory whose instances all write through `writer` (kept by the caller to read
/// its rows_written()).
engine::SinkFactory MakeJsonLinesFileSink(std::shared_ptr<JsonLinesFileWriter> writer);

}  // namespace eddy::connectors
