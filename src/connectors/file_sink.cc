#include "src/connectors/file_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace eddy::connectors {

Status JsonLinesFileWriter::Open() {
  std::lock_guard lock(mu_);
  ++open_instances_;
  if (created_ || options_.materialize) return Status::OK();
  Result<std::unique_ptr<File>> file = options_.fs->Open(options_.path, OpenMode::kCreateTruncate);
  if (!file.ok()) return file.status().WithContext("JSON lines file sink");
  file_ = std::move(file).value();
  created_ = true;
  return Status::OK();
}

Status JsonLinesFileWriter::AppendLines(std::string_view lines, uint64_t rows) {
  std::lock_guard lock(mu_);
  if (file_ == nullptr) {
    return Status::FailedPrecondition("JSON lines file sink " + options_.path + ": not open");
  }
  RETURN_IF_ERROR(file_->Append(AsBytes(lines)));
  rows_ += rows;
  return Status::OK();
}

void JsonLinesFileWriter::Apply(const engine::Batch& batch) {
  std::lock_guard lock(mu_);
  if (!table_) table_.emplace(batch.schema());
  const uint64_t missing_before = table_->missing_removals();
  Status st = table_->Apply(batch);
  if (!st.ok()) {
    spdlog::error("JSON lines file sink {}: {} ({} such row(s) in this batch)", options_.path,
                  st.message(), table_->missing_removals() - missing_before);
  }
}

Status JsonLinesFileWriter::Finish(std::optional<uint64_t>* table_rows) {
  std::lock_guard lock(mu_);
  if (open_instances_ > 0) --open_instances_;
  if (open_instances_ > 0) return Status::OK();
  if (!options_.materialize) {
    if (file_ == nullptr) return Status::OK();
    Status st = file_->Sync();
    if (!st.ok()) return st.WithContext("JSON lines file sink");
    return Status::OK();
  }
  std::string text;
  uint64_t rows = 0;
  if (table_) {
    for (const std::string& line : table_->Rows()) {
      text.append(line);
      text.push_back('\n');
      ++rows;
    }
  }
  Status st = options_.fs->WriteFileAtomically(options_.path, AsBytes(text));
  if (!st.ok()) return st.WithContext("JSON lines file sink");
  rows_ = rows;
  *table_rows = rows;
  return Status::OK();
}

uint64_t JsonLinesFileWriter::rows_written() const {
  std::lock_guard lock(mu_);
  return rows_;
}

JsonLinesFileSink::JsonLinesFileSink(std::shared_ptr<JsonLinesFileWriter> writer)
    : writer_(std::move(writer)) {}
JsonLinesFileSink::~JsonLinesFileSink() = default;

Status JsonLinesFileSink::Open(const engine::SinkContext&) {
  if (open_) return Status::OK();
  RETURN_IF_ERROR(writer_->Open());
  open_ = true;
  return Status::OK();
}

Status JsonLinesFileSink::Write(const engine::Batch& batch) {
  if (batch.empty()) return Status::OK();
  const JsonLinesFileSinkOptions& options = writer_->options();
  if (options.materialize) {
    writer_->Apply(batch);
    return Status::OK();
  }
  if (schema_ != batch.schema() && (schema_ == nullptr || !(*schema_ == *batch.schema()))) {
    Result<JsonRowEncoder> encoder =
        JsonRowEncoder::Make(batch.schema(), JsonEncoderOptions{options.encode_changes});
    if (!encoder.ok()) return encoder.status().WithContext("JSON lines file sink " + options.path);
    encoder_.emplace(std::move(encoder).value());
    schema_ = batch.schema();
  }
  if (!options.encode_changes && !batch.is_insert_only()) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      if (batch.change(row) == engine::ChangeKind::kInsert) continue;
      return Status::InvalidArgument(
          fmt::format("JSON lines file sink {}: got a {} row; set encode_changes (a changelog) or "
                      "materialize (the final table)",
                      options.path, engine::ChangeKindName(batch.change(row))));
    }
  }
  lines_.clear();
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    encoder_->AppendRow(batch, row, lines_);
    lines_.push_back('\n');
  }
  RETURN_IF_ERROR(writer_->AppendLines(lines_, batch.num_rows()));
  rows_written_ += batch.num_rows();
  return Status::OK();
}

Status JsonLinesFileSink::Finish() {
  if (!open_) return Status::OK();
  open_ = false;
  std::optional<uint64_t> table_rows;
  RETURN_IF_ERROR(writer_->Finish(&table_rows));
  if (table_rows) rows_written_ = *table_rows;
  return Status::OK();
}

engine::SinkFactory MakeJsonLinesFileSink(std::shared_ptr<JsonLinesFileWriter> writer) {
  return [writer]() -> Result<std::unique_ptr<engine::Sink>> {
    return std::unique_ptr<engine::Sink>(std::make_unique<JsonLinesFileSink>(writer));
  };
}

engine::SinkFactory MakeJsonLinesFileSink(JsonLinesFileSinkOptions options) {
  return MakeJsonLinesFileSink(std::make_shared<JsonLinesFileWriter>(std::move(options)));
}

}  // namespace eddy::connectors
