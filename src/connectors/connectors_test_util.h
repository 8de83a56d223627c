#pragma once
// Test-only: what the connectors' tests share — a log in a temporary directory,
// JSON-valued record batches, a capture of spdlog's output, running Python on text.

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/engine/batch.h"
#include "src/log/log.h"
#include "src/log/record_batch.h"
#include "src/log/record_batch_builder.h"
#include "tests/util/temp_dir.h"

namespace eddy::connectors::testing {

/// A log in a fresh directory; appends are visible at once (durability kNever).
inline std::unique_ptr<log::Log> OpenTestLog(const eddy::testing::TempDir& dir,
                                             log::FsyncPolicy policy = log::FsyncPolicy::kNever) {
  log::LogOptions options;
  options.data_dir = dir.Sub("data");
  options.durability.policy = policy;
  options.retention_check_interval_ms = 3'600'000;
  auto log = log::Log::Open(options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

/// One record to append: timestamp, key (none when empty) and value (a tombstone
/// when `tombstone`).
struct TestRecord {
  int64_t timestamp = 0;
  std::string value;
  std::string key;
  bool tombstone = false;
};

/// Appends one batch of `records` to partition `p` of `topic`.
inline void AppendRecords(log::Log& log, const std::string& topic, int p,
                          const std::vector<TestRecord>& records,
                          log::CompressionCodec codec = log::CompressionCodec::kNone) {
  log::BatchOptions options;
  options.codec = codec;
  log::RecordBatchBuilder builder(options);
  for (const TestRecord& r : records) {
    std::optional<ByteSpan> key;
    if (!r.key.empty()) key = AsBytes(r.key);
    std::optional<ByteSpan> value;
    if (!r.tombstone) value = AsBytes(r.value);
    builder.Add(r.timestamp, key, value);
  }
  auto batch = builder.Build();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto partition = log.GetPartition(topic, PartitionId(p));
  ASSERT_TRUE(partition.ok()) << partition.status().ToString();
  auto appended = (*partition)->Append(*batch);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
}

/// A record read back with everything a test looks at.
struct FullRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Every record of a partition, and how many batches held them.
inline std::vector<FullRecord> ReadFullRecords(log::Partition& partition,
                                               size_t* batches = nullptr) {
  std::vector<FullRecord> out;
  if (batches) *batches = 0;
  Offset from = partition.log_start_offset();
  while (from < partition.high_watermark()) {
    auto r = partition.Read(from, log::ReadOptions{});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->bytes.empty()) break;
    log::BatchIterator it(r->bytes);
    log::RecordReader reader;
    while (true) {
      auto batch = it.Next();
      EXPECT_TRUE(batch.ok());
      if (!batch.ok() || batch->empty()) break;
      EXPECT_TRUE(log::ValidateBatch(*batch).ok());
      if (batches) ++*batches;
      EXPECT_TRUE(reader.Reset(*batch).ok());
      log::Record rec;
      while (reader.Next(&rec)) {
        FullRecord f;
        f.offset = rec.offset;
        f.timestamp = rec.timestamp;
        if (rec.key) f.key = std::string(AsStringView(*rec.key));
        if (rec.value) f.value = std::string(AsStringView(*rec.value));
        for (const auto& h : rec.headers) {
          f.headers.emplace_back(std::string(h.key),
                                 h.value ? std::string(AsStringView(*h.value)) : "");
        }
        out.push_back(std::move(f));
      }
    }
    from = r->next_offset;
  }
  return out;
}

/// Captures what spdlog's default logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10'000)) {
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string Text() const {
    std::string all;
    for (const std::string& line : sink_->last_formatted()) all += line;
    return all;
  }
  size_t Count(const std::string& needle) const {
    size_t n = 0;
    for (const std::string& line : sink_->last_formatted()) {
      if (line.find(needle) != std::string::npos) ++n;
    }
    return n;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

/// Runs /usr/bin/python3 `script` with `input` on its stdin; returns its stdout.
inline std::string RunPython(const eddy::testing::TempDir& dir, const std::string& script,
                             const std::string& input) {
  const std::string script_path = dir.Sub("script.py");
  const std::string input_path = dir.Sub("python-input");
  std::ofstream(script_path) << script;
  std::ofstream(input_path, std::ios::binary) << input;
  const std::string command = "/usr/bin/python3 " + script_path + " < " + input_path;
  FILE* pipe = ::popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe == nullptr) return "";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  EXPECT_EQ(::pclose(pipe), 0) << "python failed; output: " << out;
  return out;
}

/// Writes `text` to `path`, replacing it.
inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

/// Appends `text` to `path`.
inline void AppendText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace eddy::connectors::testing
