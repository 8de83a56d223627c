#include "src/engine/memory_source.h"

#include <algorithm>
#include <thread>

namespace eddy::engine {
namespace {

class MemorySource final : public Source {
 public:
  MemorySource(SchemaRef schema, std::shared_ptr<const MemorySourceOptions> options)
      : schema_(std::move(schema)), options_(std::move(options)) {}

  SchemaRef schema() const override { return schema_; }

  Status Open(const SourceContext& context) override {
    clock_ = context.clock;
    for (size_t s = 0; s < options_->splits.size(); ++s) {
      if (static_cast<int>(s % context.parallelism) == context.instance) splits_.push_back(s);
    }
    cursors_.assign(splits_.size(), Cursor{});
    tracker_ = std::make_unique<WatermarkTracker>(static_cast<int>(splits_.size()),
                                                  options_->max_out_of_orderness_ms,
                                                  options_->idle_timeout_ms);
    return Status::OK();
  }

  Result<SourceState> Poll(Batch& out, size_t max_rows, int max_wait_ms) override {
    const int64_t now = clock_->NowMs();
    // Round-robin over splits so that their watermarks advance together.
    for (size_t tries = 0; tries < splits_.size() && out.num_rows() < max_rows; ++tries) {
      const size_t i = next_split_++ % splits_.size();
      Cursor& c = cursors_[i];
      const auto& batches = options_->splits[splits_[i]];
      if (c.batch >= batches.size()) {
        if (!options_->keep_open) tracker_->MarkEnded(static_cast<int>(i));
        continue;
      }
      const Batch& b = batches[c.batch];
      const size_t take = std::min(max_rows - out.num_rows(), b.num_rows() - c.row);
      out.AppendRange(b, c.row, c.row + take);
      EventTimeMs max_t = kMinWatermark;
      for (size_t r = c.row; r < c.row + take; ++r) max_t = std::max(max_t, b.event_time(r));
      if (take > 0) tracker_->Observe(static_cast<int>(i), max_t, now);
      c.row += take;
      if (c.row == b.num_rows()) {
        c.batch++;
        c.row = 0;
        if (c.batch >= batches.size() && !options_->keep_open) {
          tracker_->MarkEnded(static_cast<int>(i));
        }
      }
    }
    bool all_done = true;
    for (size_t i = 0; i < splits_.size(); ++i) {
      all_done &= cursors_[i].batch >= options_->splits[splits_[i]].size();
    }
    if (all_done && options_->keep_open) {
      if (out.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(max_wait_ms));
      tracker_->Advance(now);
      return SourceState::kMore;
    }
    tracker_->Advance(now);
    return all_done ? SourceState::kEnd : SourceState::kMore;
  }

  EventTimeMs watermark() const override { return tracker_->current(); }
  bool idle() const override { return tracker_->idle(); }

 private:
  struct Cursor {
    size_t batch = 0;
    size_t row = 0;
  };
  SchemaRef schema_;
  std::shared_ptr<const MemorySourceOptions> options_;
  const Clock* clock_ = nullptr;
  std::vector<size_t> splits_;
  std::vector<Cursor> cursors_;
  size_t next_split_ = 0;
  std::unique_ptr<WatermarkTracker> tracker_;
};

class MemorySink final : public Sink {
 public:
  explicit MemorySink(std::shared_ptr<MemoryTable> table) : table_(std::move(table)) {}
  Status Open(const SinkContext&) override { return Status::OK(); }
  Status Write(const Batch& batch) override {
    table_->Append(batch);
    rows_ += batch.num_rows();
    return Status::OK();
  }
  Status Finish() override { return Status::OK(); }
  uint64_t rows_written() const override { return rows_; }

 private:
  std::shared_ptr<MemoryTable> table_;
  uint64_t rows_ = 0;
};

class DiscardSink final : public Sink {
 public:
  Status Open(const SinkContext&) override { return Status::OK(); }
  Status Write(const Batch& batch) override {
    rows_ += batch.num_rows();
    return Status::OK();
  }
  Status Finish() override { return Status::OK(); }
  uint64_t rows_written() const override { return rows_; }

 private:
  uint64_t rows_ = 0;
};

}  // namespace

SinkFactory MakeDiscardSink() {
  return []() -> Result<std::unique_ptr<Sink>> { return std::make_unique<DiscardSink>(); };
}

SourceFactory MakeMemorySource(SchemaRef schema, MemorySourceOptions options) {
  auto shared = std::make_shared<const MemorySourceOptions>(std::move(options));
  return [schema, shared]() -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<MemorySource>(schema, shared));
  };
}

void MemoryTable::Append(const Batch& batch) {
  std::lock_guard lock(mutex_);
  batches_.push_back(batch);
  rows_ += batch.num_rows();
}

Batch MemoryTable::Rows(SchemaRef schema) const {
  std::lock_guard lock(mutex_);
  Batch all(std::move(schema));
  for (const Batch& b : batches_) all.AppendRange(b, 0, b.num_rows());
  return all;
}

size_t MemoryTable::num_rows() const {
  std::lock_guard lock(mutex_);
  return rows_;
}

SinkFactory MakeMemorySink(std::shared_ptr<MemoryTable> table) {
  return [table]() -> Result<std::unique_ptr<Sink>> {
    return std::unique_ptr<Sink>(std::make_unique<MemorySink>(table));
  };
}

}  // namespace eddy::engine
