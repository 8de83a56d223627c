#include "src/nexmark/nexmark_source.h"

#include <memory>

#include "src/engine/batch.h"

namespace eddy::nexmark {

using engine::Batch;
using engine::DataType;
using engine::EventTimeMs;
using engine::Field;
using engine::SchemaRef;

SchemaRef PersonSchema() {
  static const SchemaRef schema = engine::MakeSchema({
      Field{"id", DataType::kInt64, false},
      Field{"name", DataType::kString, false},
      Field{"email_address", DataType::kString, false},
      Field{"credit_card", DataType::kString, false},
      Field{"city", DataType::kString, false},
      Field{"state", DataType::kString, false},
      Field{"date_time", DataType::kTimestamp, false},
      Field{"extra", DataType::kString, false},
  });
  return schema;
}

SchemaRef AuctionSchema() {
  static const SchemaRef schema = engine::MakeSchema({
      Field{"id", DataType::kInt64, false},
      Field{"item_name", DataType::kString, false},
      Field{"description", DataType::kString, false},
      Field{"initial_bid", DataType::kInt64, false},
      Field{"reserve", DataType::kInt64, false},
      Field{"date_time", DataType::kTimestamp, false},
      Field{"expires", DataType::kTimestamp, false},
      Field{"seller", DataType::kInt64, false},
      Field{"category", DataType::kInt64, false},
      Field{"extra", DataType::kString, false},
  });
  return schema;
}

SchemaRef BidSchema() {
  static const SchemaRef schema = engine::MakeSchema({
      Field{"auction", DataType::kInt64, false},
      Field{"bidder", DataType::kInt64, false},
      Field{"price", DataType::kInt64, false},
      Field{"channel", DataType::kString, false},
      Field{"url", DataType::kString, false},
      Field{"date_time", DataType::kTimestamp, false},
      Field{"extra", DataType::kString, false},
  });
  return schema;
}

SchemaRef SchemaOf(NexmarkStream stream) {
  switch (stream) {
    case NexmarkStream::kPerson:
      return PersonSchema();
    case NexmarkStream::kAuction:
      return AuctionSchema();
    case NexmarkStream::kBid:
      return BidSchema();
  }
  return nullptr;
}

void AppendRow(const Person& p, Batch& out) {
  out.column(0).AppendInt(p.id);
  out.column(1).AppendString(p.name);
  out.column(2).AppendString(p.email_address);
  out.column(3).AppendString(p.credit_card);
  out.column(4).AppendString(p.city);
  out.column(5).AppendString(p.state);
  out.column(6).AppendInt(p.date_time);
  out.column(7).AppendString(p.extra);
  out.CommitRow(p.date_time);
}

void AppendRow(const Auction& a, Batch& out) {
  out.column(0).AppendInt(a.id);
  out.column(1).AppendString(a.item_name);
  out.column(2).AppendString(a.description);
  out.column(3).AppendInt(a.initial_bid);
  out.column(4).AppendInt(a.reserve);
  out.column(5).AppendInt(a.date_time);
  out.column(6).AppendInt(a.expires);
  out.column(7).AppendInt(a.seller);
  out.column(8).AppendInt(a.category);
  out.column(9).AppendString(a.extra);
  out.CommitRow(a.date_time);
}

void AppendRow(const Bid& b, Batch& out) {
  out.column(0).AppendInt(b.auction);
  out.column(1).AppendInt(b.bidder);
  out.column(2).AppendInt(b.price);
  out.column(3).AppendString(b.channel);
  out.column(4).AppendString(b.url);
  out.column(5).AppendInt(b.date_time);
  out.column(6).AppendString(b.extra);
  out.CommitRow(b.date_time);
}

namespace {

// Appends the fields `fields` (indexes into the stream's full schema) of one event, one
// per column of `out`: the projected form of AppendRow.
void AppendFields(const Person& p, Batch& out, const std::vector<int>& fields) {
  for (size_t c = 0; c < fields.size(); ++c) {
    engine::Column& col = out.column(c);
    switch (fields[c]) {
      case 0:
        col.AppendInt(p.id);
        break;
      case 1:
        col.AppendString(p.name);
        break;
      case 2:
        col.AppendString(p.email_address);
        break;
      case 3:
        col.AppendString(p.credit_card);
        break;
      case 4:
        col.AppendString(p.city);
        break;
      case 5:
        col.AppendString(p.state);
        break;
      case 6:
        col.AppendInt(p.date_time);
        break;
      default:
        col.AppendString(p.extra);
        break;
    }
  }
  out.CommitRow(p.date_time);
}

void AppendFields(const Auction& a, Batch& out, const std::vector<int>& fields) {
  for (size_t c = 0; c < fields.size(); ++c) {
    engine::Column& col = out.column(c);
    switch (fields[c]) {
      case 0:
        col.AppendInt(a.id);
        break;
      case 1:
        col.AppendString(a.item_name);
        break;
      case 2:
        col.AppendString(a.description);
        break;
      case 3:
        col.AppendInt(a.initial_bid);
        break;
      case 4:
        col.AppendInt(a.reserve);
        break;
      case 5:
        col.AppendInt(a.date_time);
        break;
      case 6:
        col.AppendInt(a.expires);
        break;
      case 7:
        col.AppendInt(a.seller);
        break;
      case 8:
        col.AppendInt(a.category);
        break;
      default:
        col.AppendString(a.extra);
        break;
    }
  }
  out.CommitRow(a.date_time);
}

void AppendFields(const Bid& b, Batch& out, const std::vector<int>& fields) {
  for (size_t c = 0; c < fields.size(); ++c) {
    engine::Column& col = out.column(c);
    switch (fields[c]) {
      case 0:
        col.AppendInt(b.auction);
        break;
      case 1:
        col.AppendInt(b.bidder);
        break;
      case 2:
        col.AppendInt(b.price);
        break;
      case 3:
        col.AppendString(b.channel);
        break;
      case 4:
        col.AppendString(b.url);
        break;
      case 5:
        col.AppendInt(b.date_time);
        break;
      default:
        col.AppendString(b.extra);
        break;
    }
  }
  out.CommitRow(b.date_time);
}

/// One instance of a generator source (see MakeGeneratorSource). Called from one thread.
class GeneratorSource final : public engine::Source {
 public:
  // `fields` empty: every column; otherwise the full-schema index of each column of
  // `schema`.
  GeneratorSource(NexmarkStream stream, std::shared_ptr<const Generator> generator,
                  SchemaRef schema, std::vector<int> fields)
      : stream_(stream),
        generator_(std::move(generator)),
        schema_(std::move(schema)),
        fields_(std::move(fields)) {}

  SchemaRef schema() const override { return schema_; }

  Status Open(const engine::SourceContext& context) override {
    if (context.parallelism < 1 || context.instance < 0 ||
        context.instance >= context.parallelism) {
      return Status::InvalidArgument("nexmark generator source: instance " +
                                     std::to_string(context.instance) + " of " +
                                     std::to_string(context.parallelism));
    }
    step_ = context.parallelism;
    next_ = context.instance;
    end_ = generator_->CountBelow(stream_, generator_->config().num_events);
    return Status::OK();
  }

  Result<engine::SourceState> Poll(Batch& out, size_t max_rows, int /*max_wait_ms*/) override {
    switch (stream_) {
      case NexmarkStream::kPerson:
        Fill(out, max_rows, person_);
        break;
      case NexmarkStream::kAuction:
        Fill(out, max_rows, auction_);
        break;
      case NexmarkStream::kBid:
        Fill(out, max_rows, bid_);
        break;
    }
    if (next_ >= end_) {
      ended_ = true;
      return engine::SourceState::kEnd;
    }
    return engine::SourceState::kMore;
  }

  EventTimeMs watermark() const override {
    if (ended_) return engine::kMaxWatermark;
    return produced_any_ ? last_time_ - 1 : engine::kMinWatermark;
  }

  bool idle() const override { return false; }

  engine::SourceCounters counters() const override { return counters_; }

  // Checkpoints: one split per instance, "<stream>/<instance>of<parallelism>", holding
  // the next index. The split pattern depends on the parallelism, so a restore needs
  // the same parallelism.
  bool checkpointable() const override { return true; }
  Result<std::vector<checkpoint::SplitPosition>> SnapshotPositions() override {
    ByteWriter state;
    state.WriteI64(next_);
    state.WriteI64(last_time_);
    state.WriteU8(produced_any_ ? 1 : 0);
    return std::vector<checkpoint::SplitPosition>{
        {SplitName(), std::string(AsStringView(ByteSpan(state.buffer())))}};
  }
  Status RestorePositions(const std::vector<checkpoint::SplitPosition>& positions) override {
    const std::string name = SplitName();
    for (const auto& p : positions) {
      if (p.split != name) continue;
      ByteReader in(AsBytes(p.state));
      next_ = in.ReadI64();
      last_time_ = in.ReadI64();
      produced_any_ = in.ReadU8() != 0;
      if (!in.ok()) return Status::Corruption("nexmark generator: damaged position of " + name);
      return Status::OK();
    }
    if (!positions.empty()) {
      return Status::FailedPrecondition(
          "nexmark generator: the checkpoint has no position for " + name +
          " (a generator source restores only with the parallelism it was checkpointed with)");
    }
    return Status::OK();
  }

 private:
  std::string SplitName() const {
    return std::string(StreamName(stream_)) + "/" + std::to_string(next_ % step_) + "of" +
           std::to_string(step_);
  }
  void Make(int64_t n, Person* out) const { generator_->MakePerson(n, out); }
  void Make(int64_t n, Auction* out) const { generator_->MakeAuction(n, out); }
  void Make(int64_t n, Bid* out) const { generator_->MakeBid(n, out); }

  // Generates into one reused event (its strings keep their capacity) and copies it
  // into the columns: no allocation per row once the batch has grown.
  template <typename Event>
  void Fill(Batch& out, size_t max_rows, Event& event) {
    if (out.empty()) out.Reserve(max_rows);
    size_t rows = 0;
    while (rows < max_rows && next_ < end_) {
      Make(generator_->EventNumber(stream_, next_), &event);
      if (fields_.empty()) {
        AppendRow(event, out);
      } else {
        AppendFields(event, out, fields_);
      }
      last_time_ = event.date_time;
      next_ += step_;
      ++rows;
    }
    if (rows > 0) produced_any_ = true;
    counters_.records_in += rows;
  }

  const NexmarkStream stream_;
  const std::shared_ptr<const Generator> generator_;
  const SchemaRef schema_;
  const std::vector<int> fields_;
  int64_t step_ = 1;
  int64_t next_ = 0;  // the index within the stream of the next event to produce
  int64_t end_ = 0;   // the stream's event count
  bool produced_any_ = false;
  bool ended_ = false;
  EventTimeMs last_time_ = engine::kMinWatermark;
  engine::SourceCounters counters_;
  Person person_;
  Auction auction_;
  Bid bid_;
};

}  // namespace

engine::SourceFactory MakeGeneratorSource(NexmarkStream stream, const GeneratorConfig& config,
                                          std::vector<std::string> columns) {
  Status valid = config.Validate();
  SchemaRef full = SchemaOf(stream);
  SchemaRef schema = full;
  std::vector<int> fields;
  if (valid.ok() && !columns.empty()) {
    std::vector<engine::Field> picked;
    for (const std::string& name : columns) {
      auto index = full->IndexOf(name);
      if (!index.ok()) {
        valid = index.status().WithContext("nexmark generator source");
        break;
      }
      fields.push_back(static_cast<int>(*index));
      picked.push_back(full->field(*index));
    }
    schema = engine::MakeSchema(std::move(picked));
  }
  std::shared_ptr<const Generator> generator;
  if (valid.ok()) generator = std::make_shared<const Generator>(config);
  return [stream, valid, generator, schema, fields]() -> Result<std::unique_ptr<engine::Source>> {
    RETURN_IF_ERROR(valid);
    return std::unique_ptr<engine::Source>(
        std::make_unique<GeneratorSource>(stream, generator, schema, fields));
  };
}

}  // namespace eddy::nexmark
