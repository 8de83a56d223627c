#include "src/connectors/fan_out_sink.h"

#include "src/base/bytes.h"

namespace eddy::connectors {

namespace {

class FanOutSink final : public engine::Sink {
 public:
  explicit FanOutSink(std::vector<std::unique_ptr<engine::Sink>> parts)
      : parts_(std::move(parts)) {}

  Status Open(const engine::SinkContext& context) override {
    for (auto& p : parts_) RETURN_IF_ERROR(p->Open(context));
    return Status::OK();
  }
  Status Write(const engine::Batch& batch) override {
    for (auto& p : parts_) RETURN_IF_ERROR(p->Write(batch));
    return Status::OK();
  }
  Status Finish() override {
    Status first;
    for (auto& p : parts_) {
      Status s = p->Finish();
      if (first.ok()) first = s;
    }
    return first;
  }
  // The rows of the first part (each part receives the same rows).
  uint64_t rows_written() const override { return parts_.front()->rows_written(); }

  Result<std::string> PrepareCommit(int64_t checkpoint_id) override {
    ByteWriter out;
    for (auto& p : parts_) {
      ASSIGN_OR_RETURN(std::string prepared, p->PrepareCommit(checkpoint_id));
      out.WriteI64(static_cast<int64_t>(prepared.size()));
      out.WriteBytes(prepared);
    }
    return std::string(AsStringView(ByteSpan(out.buffer())));
  }
  Status Commit(int64_t checkpoint_id) override {
    for (auto& p : parts_) RETURN_IF_ERROR(p->Commit(checkpoint_id));
    return Status::OK();
  }
  Status Recover(int64_t checkpoint_id, const std::vector<std::string>& prepared) override {
    std::vector<std::vector<std::string>> per_part(parts_.size());
    for (const std::string& blob : prepared) {
      ByteReader in(AsBytes(blob));
      for (size_t i = 0; i < parts_.size(); ++i) {
        const int64_t size = in.ReadI64();
        if (!in.ok() || size < 0 || static_cast<uint64_t>(size) > in.remaining()) {
          return Status::Corruption("fan-out sink: checkpointed commit data is damaged");
        }
        ByteSpan bytes = in.ReadBytes(static_cast<size_t>(size));
        if (!bytes.empty()) per_part[i].emplace_back(AsStringView(bytes));
      }
    }
    for (size_t i = 0; i < parts_.size(); ++i) {
      RETURN_IF_ERROR(parts_[i]->Recover(checkpoint_id, per_part[i]));
    }
    return Status::OK();
  }
  void Abandon() override {
    for (auto& p : parts_) p->Abandon();
  }

 private:
  std::vector<std::unique_ptr<engine::Sink>> parts_;
};

}  // namespace

engine::SinkFactory MakeFanOutSink(std::vector<engine::SinkFactory> parts) {
  if (parts.size() == 1) return parts.front();
  return [parts]() -> Result<std::unique_ptr<engine::Sink>> {
    std::vector<std::unique_ptr<engine::Sink>> sinks;
    for (const auto& make : parts) {
      ASSIGN_OR_RETURN(std::unique_ptr<engine::Sink> sink, make());
      sinks.push_back(std::move(sink));
    }
    return std::unique_ptr<engine::Sink>(std::make_unique<FanOutSink>(std::move(sinks)));
  };
}

}  // namespace eddy::connectors
