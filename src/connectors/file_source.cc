#include "src/connectors/file_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>

#include "src/connectors/dead_letter_log.h"
#include "src/connectors/iso_timestamp.h"
#include "src/connectors/json_decoder.h"
#include "src/connectors/row_scratch.h"
#include "src/engine/watermark_tracker.h"

namespace eddy::connectors {

using engine::DataType;
using engine::EventTimeMs;

namespace {

constexpr uint64_t kNoEnd = std::numeric_limits<uint64_t>::max();
constexpr size_t kPadding = JsonRowDecoder::kPadding;
// How often a followed file is checked for appends while Poll waits.
constexpr int kFollowPollMs = 10;

enum class FileFormat { kJsonLines, kCsv };

// One file: what has been read of it and the bytes not yet consumed.
struct FileSplit {
  std::string path;
  int split = 0;
  std::unique_ptr<File> file;
  uint64_t file_pos = 0;  // bytes read from the file so far
  uint64_t end = kNoEnd;  // stop here (the size at Open), or kNoEnd when following
  bool ended = false;
  // buf[start, size) is read but not consumed; buf always has kPadding bytes past
  // `size` so that the JSON decoder parses records in place.
  std::vector<char> buf;
  size_t start = 0;
  size_t size = 0;
  int64_t line = 1;  // line number of buf[start]
  // CSV: the header, once read: per CSV field, its schema column or -1.
  bool have_header = false;
  std::vector<int> columns;
};

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

class FileSource::Impl {
 public:
  Impl(FileFormat format, FileSourceOptions options, CsvFormat csv)
      : format_(format),
        options_(std::move(options)),
        csv_(csv),
        dead_letters_(fmt::format("{} file source", format == FileFormat::kCsv ? "CSV" : "JSON")) {
    if (!options_.path.empty()) options_.paths.push_back(options_.path);
  }

  Status Open(const engine::SourceContext& context);
  Result<engine::SourceState> Poll(engine::Batch& out, size_t max_rows, int max_wait_ms);
  void Close() { dead_letters_.LogSummary(); }

  const FileSourceOptions& options() const { return options_; }
  const engine::WatermarkTracker* tracker() const { return tracker_.get(); }
  engine::SourceCounters counters() const { return counters_; }
  std::vector<std::string> files() const {
    std::vector<std::string> paths;
    for (const auto& s : splits_) paths.push_back(s->path);
    return paths;
  }

 private:
  // Produces records of `s` into `out` until it holds max_rows or the file has nothing
  // more for now. Returns whether it consumed anything.
  Result<bool> Fill(FileSplit& s, engine::Batch& out, size_t max_rows, EventTimeMs now,
                    EventTimeMs& max_event_time);
  // Reads the next chunk of the file; returns the bytes read (0: nothing more yet).
  Result<size_t> ReadMore(FileSplit& s);
  // Turns one record into a row, or into a dead letter. Fails only when the file
  // cannot be read at all (a CSV header that does not fit the schema).
  Status Record(FileSplit& s, char* text, size_t length, engine::Batch& out, EventTimeMs now,
                EventTimeMs& max_event_time);
  Status ParseCsv(FileSplit& s, char* text, size_t length, engine::Batch& out, EventTimeMs now);
  Status ReadHeader(FileSplit& s, char* text, size_t length);
  Status ParseCell(size_t column, std::string_view text);

  FileFormat format_;
  FileSourceOptions options_;
  CsvFormat csv_;
  bool follow_ = false;
  std::optional<JsonRowDecoder> decoder_;
  std::optional<size_t> event_time_column_;
  std::optional<RowScratch> scratch_;
  std::vector<CsvField> fields_;
  const Clock* clock_ = SystemClock::Default();
  std::vector<std::unique_ptr<FileSplit>> splits_;
  std::unique_ptr<engine::WatermarkTracker> tracker_;
  size_t next_split_ = 0;
  engine::SourceCounters counters_;
  DeadLetterLog dead_letters_;
};

Status FileSource::Impl::Open(const engine::SourceContext& context) {
  if (options_.schema == nullptr) return Status::InvalidArgument("file source: no schema given");
  if (options_.paths.empty()) return Status::InvalidArgument("file source: no file given");
  const engine::Schema& schema = *options_.schema;
  if (!options_.event_time_field.empty()) {
    Result<size_t> c = schema.IndexOf(options_.event_time_field);
    if (!c.ok()) return c.status().WithContext("file source event time");
    if (!engine::IsIntegerLike(schema.field(*c).type)) {
      return Status::InvalidArgument(fmt::format(
          "file source: event time field \"{}\" has type {}; it must be timestamp or int64",
          options_.event_time_field, engine::DataTypeName(schema.field(*c).type)));
    }
    event_time_column_ = *c;
  }
  if (format_ == FileFormat::kJsonLines) {
    ASSIGN_OR_RETURN(
        JsonRowDecoder decoder,
        JsonRowDecoder::Make(options_.schema, JsonDecoderOptions{options_.event_time_field}));
    decoder_.emplace(std::move(decoder));
  } else {
    if (csv_.delimiter == csv_.quote || csv_.delimiter == '\n' || csv_.quote == '\n') {
      return Status::InvalidArgument("CSV file source: delimiter, quote and newline must differ");
    }
    scratch_.emplace(schema);
  }
  clock_ = context.clock;
  follow_ = options_.follow && !context.bounded;
  const int parallelism = std::max(context.parallelism, 1);
  for (size_t i = 0; i < options_.paths.size(); ++i) {
    if (static_cast<int>(i % parallelism) != context.instance) continue;
    auto s = std::make_unique<FileSplit>();
    s->path = options_.paths[i];
    s->split = static_cast<int>(splits_.size());
    if (!options_.fs->Exists(s->path)) {
      return Status::NotFound(fmt::format("file source: {} does not exist", s->path));
    }
    ASSIGN_OR_RETURN(s->file, options_.fs->Open(s->path, OpenMode::kReadOnly));
    if (!follow_) s->end = s->file->Size();
    splits_.push_back(std::move(s));
  }
  tracker_ = std::make_unique<engine::WatermarkTracker>(
      static_cast<int>(splits_.size()), options_.max_out_of_orderness_ms, options_.idle_timeout_ms);
  tracker_->Advance(clock_->NowMs());
  return Status::OK();
}

Result<engine::SourceState> FileSource::Impl::Poll(engine::Batch& out, size_t max_rows,
                                                   int max_wait_ms) {
  if (tracker_ == nullptr) return Status::FailedPrecondition("file source: Poll before Open");
  const size_t n = splits_.size();
  auto all_ended = [&] {
    return std::all_of(splits_.begin(), splits_.end(), [](const auto& s) { return s->ended; });
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
  while (true) {
    bool progressed = false;
    const int64_t now = clock_->NowMs();
    for (size_t k = 0; k < n && out.num_rows() < max_rows; ++k) {
      FileSplit& s = *splits_[(next_split_ + k) % n];
      if (s.ended) continue;
      EventTimeMs max_event_time = engine::kMinWatermark;
      const size_t rows_before = out.num_rows();
      ASSIGN_OR_RETURN(bool moved, Fill(s, out, max_rows, now, max_event_time));
      progressed |= moved;
      if (out.num_rows() > rows_before) tracker_->Observe(s.split, max_event_time, now);
      if (s.ended) tracker_->MarkEnded(s.split);
    }
    if (n > 0) next_split_ = (next_split_ + 1) % n;
    if (progressed || all_ended()) break;
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) break;
    // Files have no change notification here: look again shortly.
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left, std::chrono::milliseconds(kFollowPollMs)));
  }
  tracker_->Advance(clock_->NowMs());
  return all_ended() ? engine::SourceState::kEnd : engine::SourceState::kMore;
}

Result<size_t> FileSource::Impl::ReadMore(FileSplit& s) {
  if (s.start > 0) {  // keep the unconsumed tail at the front
    std::memmove(s.buf.data(), s.buf.data() + s.start, s.size - s.start);
    s.size -= s.start;
    s.start = 0;
  }
  const uint64_t want =
      std::min<uint64_t>(options_.read_chunk_bytes, s.end == kNoEnd ? kNoEnd : s.end - s.file_pos);
  if (want == 0) return size_t{0};
  if (s.buf.size() < s.size + want + kPadding) s.buf.resize(s.size + want + kPadding);
  auto* into = reinterpret_cast<uint8_t*>(s.buf.data() + s.size);
  Result<size_t> n = s.file->ReadAt(s.file_pos, std::span<uint8_t>(into, want));
  if (!n.ok()) return n.status().WithContext("file source");
  s.size += *n;
  s.file_pos += *n;
  // A file that shrank since Open ends where its data ends.
  if (*n == 0 && s.end != kNoEnd) s.end = s.file_pos;
  return *n;
}

Result<bool> FileSource::Impl::Fill(FileSplit& s, engine::Batch& out, size_t max_rows,
                                    EventTimeMs now, EventTimeMs& max_event_time) {
  bool moved = false;
  while (out.num_rows() < max_rows) {
    const bool at_end = s.end != kNoEnd && s.file_pos >= s.end;
    const std::string_view data(s.buf.data() + s.start, s.size - s.start);
    CsvRecordSpan span;
    bool found = false;
    if (format_ == FileFormat::kCsv) {
      found = FindCsvRecord(data, at_end, csv_, &span);
    } else if (const void* nl =
                   data.empty() ? nullptr : std::memchr(data.data(), '\n', data.size())) {
      const size_t i = static_cast<const char*>(nl) - data.data();
      span = CsvRecordSpan{i > 0 && data[i - 1] == '\r' ? i - 1 : i, i + 1, 0};
      found = true;
    } else if (at_end && !data.empty()) {
      span = CsvRecordSpan{data.back() == '\r' ? data.size() - 1 : data.size(), data.size(), 0};
      found = true;
    }
    if (found) {
      RETURN_IF_ERROR(Record(s, s.buf.data() + s.start, span.length, out, now, max_event_time));
      s.start += span.consumed;
      s.line += 1 + span.line_breaks;
      moved = true;
      continue;
    }
    if (at_end) {
      s.ended = true;
      s.buf = {};
      s.start = s.size = 0;
      break;
    }
    ASSIGN_OR_RETURN(size_t read, ReadMore(s));
    if (read == 0 && s.end == kNoEnd) break;  // following: nothing appended yet
  }
  return moved;
}

Status FileSource::Impl::Record(FileSplit& s, char* text, size_t length, engine::Batch& out,
                                EventTimeMs now, EventTimeMs& max_event_time) {
  const std::string_view record(text, length);
  Status st;
  if (format_ == FileFormat::kJsonLines) {
    if (IsBlank(record)) return Status::OK();
    const size_t readable = s.buf.size() - static_cast<size_t>(text - s.buf.data());
    st = decoder_->DecodePadded(record, readable, out, now);
  } else if (!s.have_header) {
    if (length == 0) return Status::OK();  // blank lines before the header
    st = ReadHeader(s, text, length);
    // Without its header no line of the file can be read: the file does not fit.
    if (!st.ok()) return st.WithContext(fmt::format("CSV file source: {}:{}", s.path, s.line));
    return Status::OK();
  } else {
    if (length == 0) return Status::OK();  // an empty line
    st = ParseCsv(s, text, length, out, now);
  }
  if (!st.ok()) {
    ++counters_.dead_letters;
    dead_letters_.Report(fmt::format("{}:{}", s.path, s.line), st.message());
    return Status::OK();
  }
  ++counters_.records_in;
  max_event_time = std::max(max_event_time, out.event_times().back());
  return Status::OK();
}

Status FileSource::Impl::ReadHeader(FileSplit& s, char* text, size_t length) {
  RETURN_IF_ERROR(SplitCsvRecord(text, length, csv_, fields_));
  const engine::Schema& schema = *options_.schema;
  std::vector<bool> present(schema.num_fields(), false);
  s.columns.clear();
  for (const CsvField& f : fields_) {
    const std::string_view name = TrimBlanks(std::string_view(text + f.offset, f.size));
    std::optional<size_t> c = schema.FindIndex(name);
    if (c && !present[*c]) {
      present[*c] = true;
      s.columns.push_back(static_cast<int>(*c));
    } else {
      s.columns.push_back(-1);  // not in the schema, or a repeated name
    }
  }
  for (size_t c = 0; c < schema.num_fields(); ++c) {
    if (!present[c] && !schema.field(c).nullable) {
      return Status::InvalidArgument(fmt::format(
          "the header has no column \"{}\", which is not nullable", schema.field(c).name));
    }
  }
  s.have_header = true;
  return Status::OK();
}

Status FileSource::Impl::ParseCsv(FileSplit& s, char* text, size_t length, engine::Batch& out,
                                  EventTimeMs now) {
  RETURN_IF_ERROR(SplitCsvRecord(text, length, csv_, fields_));
  if (fields_.size() != s.columns.size()) {
    return Status::InvalidArgument(
        fmt::format("{} fields where the header has {}", fields_.size(), s.columns.size()));
  }
  RowScratch& scratch = *scratch_;
  scratch.Reset();
  for (size_t i = 0; i < fields_.size(); ++i) {
    const int column = s.columns[i];
    if (column < 0) continue;
    const CsvField& f = fields_[i];
    if (f.size == 0 && !f.quoted) {
      scratch.SetNull(static_cast<size_t>(column));
      continue;
    }
    RETURN_IF_ERROR(
        ParseCell(static_cast<size_t>(column), std::string_view(text + f.offset, f.size)));
  }
  RETURN_IF_ERROR(scratch.CheckNullability(*options_.schema));
  EventTimeMs event_time = now;
  if (event_time_column_) {
    const size_t c = *event_time_column_;
    if (scratch.state(c) != RowScratch::State::kSet) {
      return Status::InvalidArgument(
          fmt::format("event time field \"{}\" is empty", options_.schema->field(c).name));
    }
    event_time = scratch.int_at(c);
  }
  scratch.CommitTo(out, event_time);
  return Status::OK();
}

Status FileSource::Impl::ParseCell(size_t column, std::string_view text) {
  const engine::Field& field = options_.schema->field(column);
  RowScratch& scratch = *scratch_;
  auto bad = [&](std::string_view expected) {
    return Status::InvalidArgument(fmt::format("field \"{}\": expected {}, found \"{}\"",
                                               field.name, expected, text.substr(0, 40)));
  };
  switch (field.type) {
    case DataType::kString:
      scratch.SetString(column, text);
      return Status::OK();
    case DataType::kInt64: {
      int64_t v = 0;
      if (!ParseNumber(TrimBlanks(text), v)) return bad("int64");
      scratch.SetInt(column, v);
      return Status::OK();
    }
    case DataType::kDouble: {
      double v = 0;
      if (!ParseNumber(TrimBlanks(text), v)) return bad("double");
      scratch.SetDouble(column, v);
      return Status::OK();
    }
    case DataType::kBool: {
      const std::string_view t = TrimBlanks(text);
      if (EqualsIgnoreCase(t, "true") || t == "1") {
        scratch.SetBool(column, true);
      } else if (EqualsIgnoreCase(t, "false") || t == "0") {
        scratch.SetBool(column, false);
      } else {
        return bad("bool (true, false, 1 or 0)");
      }
      return Status::OK();
    }
    case DataType::kTimestamp: {
      const std::string_view t = TrimBlanks(text);
      int64_t v = 0;
      if (!ParseNumber(t, v)) {
        Result<int64_t> ms = ParseIsoTimestampMs(t);
        if (!ms.ok()) return ms.status().WithContext(fmt::format("field \"{}\"", field.name));
        v = *ms;
      }
      scratch.SetInt(column, v);
      return Status::OK();
    }
  }
  return Status::Internal("unknown column type");
}

FileSource::FileSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileSource::~FileSource() = default;

engine::SchemaRef FileSource::schema() const { return impl_->options().schema; }
Status FileSource::Open(const engine::SourceContext& context) { return impl_->Open(context); }
Result<engine::SourceState> FileSource::Poll(engine::Batch& out, size_t max_rows, int max_wait_ms) {
  return impl_->Poll(out, max_rows, max_wait_ms);
}
engine::EventTimeMs FileSource::watermark() const {
  return impl_->tracker() ? impl_->tracker()->current() : engine::kMinWatermark;
}
bool FileSource::idle() const { return impl_->tracker() && impl_->tracker()->idle(); }
engine::SourceCounters FileSource::counters() const { return impl_->counters(); }
void FileSource::Close() { impl_->Close(); }
std::vector<std::string> FileSource::files() const { return impl_->files(); }

JsonLinesFileSource::JsonLinesFileSource(FileSourceOptions options)
    : FileSource(std::make_unique<Impl>(FileFormat::kJsonLines, std::move(options), CsvFormat{})) {}

CsvFileSource::CsvFileSource(FileSourceOptions options, CsvFormat format)
    : FileSource(std::make_unique<Impl>(FileFormat::kCsv, std::move(options), format)) {}

engine::SourceFactory MakeJsonLinesFileSource(FileSourceOptions options) {
  auto shared = std::make_shared<const FileSourceOptions>(std::move(options));
  return [shared]() -> Result<std::unique_ptr<engine::Source>> {
    return std::unique_ptr<engine::Source>(std::make_unique<JsonLinesFileSource>(*shared));
  };
}

engine::SourceFactory MakeCsvFileSource(FileSourceOptions options, CsvFormat format) {
  auto shared = std::make_shared<const FileSourceOptions>(std::move(options));
  return [shared, format]() -> Result<std::unique_ptr<engine::Source>> {
    return std::unique_ptr<engine::Source>(std::make_unique<CsvFileSource>(*shared, format));
  };
}

}  // namespace eddy::connectors
