#include "src/nexmark/nexmark_source.h"

#include <gtest/gtest.h>

#include "src/engine/batch.h"

namespace eddy::nexmark {
namespace {

using engine::Batch;
using engine::DataType;
using engine::Value;

GeneratorConfig SmallConfig(int64_t events) {
  GeneratorConfig config;
  config.num_events = events;
  return config;
}

std::vector<std::string> Names(const engine::SchemaRef& schema) {
  std::vector<std::string> names;
  for (const auto& f : schema->fields()) names.push_back(f.name);
  return names;
}

TEST(NexmarkSourceTest, SchemasHaveTheStandardColumns) {
  EXPECT_EQ(Names(PersonSchema()),
            (std::vector<std::string>{"id", "name", "email_address", "credit_card", "city", "state",
                                      "date_time", "extra"}));
  EXPECT_EQ(Names(AuctionSchema()),
            (std::vector<std::string>{"id", "item_name", "description", "initial_bid", "reserve",
                                      "date_time", "expires", "seller", "category", "extra"}));
  EXPECT_EQ(Names(BidSchema()), (std::vector<std::string>{"auction", "bidder", "price", "channel",
                                                          "url", "date_time", "extra"}));
  EXPECT_EQ(BidSchema()->field(5).type, DataType::kTimestamp);
  EXPECT_EQ(AuctionSchema()->field(6).type, DataType::kTimestamp);
  EXPECT_EQ(AuctionSchema()->field(8).type, DataType::kInt64);
  EXPECT_EQ(BidSchema()->field(2).type, DataType::kInt64);
  EXPECT_EQ(PersonSchema()->field(1).type, DataType::kString);
}

std::vector<Value> Values(const Person& p) {
  return {Value::Int64(p.id),
          Value::String(p.name),
          Value::String(p.email_address),
          Value::String(p.credit_card),
          Value::String(p.city),
          Value::String(p.state),
          Value::Timestamp(p.date_time),
          Value::String(p.extra)};
}
std::vector<Value> Values(const Auction& a) {
  return {Value::Int64(a.id),          Value::String(a.item_name), Value::String(a.description),
          Value::Int64(a.initial_bid), Value::Int64(a.reserve),    Value::Timestamp(a.date_time),
          Value::Timestamp(a.expires), Value::Int64(a.seller),     Value::Int64(a.category),
          Value::String(a.extra)};
}
std::vector<Value> Values(const Bid& b) {
  return {Value::Int64(b.auction),  Value::Int64(b.bidder), Value::Int64(b.price),
          Value::String(b.channel), Value::String(b.url),   Value::Timestamp(b.date_time),
          Value::String(b.extra)};
}

struct InstanceOutput {
  std::vector<std::vector<Value>> rows;
  std::vector<int64_t> times;
  int polls = 0;
};

// Runs one instance to its end, checking the watermark after every poll.
InstanceOutput Drain(NexmarkStream stream, const GeneratorConfig& config, int instance,
                     int parallelism, size_t max_rows) {
  InstanceOutput out;
  auto made = MakeGeneratorSource(stream, config)();
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  std::unique_ptr<engine::Source> source = std::move(made).value();
  EXPECT_EQ(*source->schema(), *SchemaOf(stream));
  engine::SourceContext context;
  context.instance = instance;
  context.parallelism = parallelism;
  context.bounded = true;
  EXPECT_TRUE(source->Open(context).ok());
  EXPECT_EQ(source->watermark(), engine::kMinWatermark);
  EXPECT_FALSE(source->idle());
  while (true) {
    Batch batch(source->schema());
    auto state = source->Poll(batch, max_rows, 0);
    EXPECT_TRUE(state.ok());
    ++out.polls;
    EXPECT_LE(batch.num_rows(), max_rows);
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out.rows.push_back(batch.RowValues(r));
      out.times.push_back(batch.event_time(r));
    }
    if (*state == engine::SourceState::kEnd) {
      EXPECT_EQ(source->watermark(), engine::kMaxWatermark);
      break;
    }
    EXPECT_EQ(batch.num_rows(), max_rows) << "a poll before the end fills the batch";
    EXPECT_EQ(source->watermark(), out.times.back() - 1);
    if (out.polls > 100'000) break;
  }
  EXPECT_EQ(source->counters().records_in, out.rows.size());
  return out;
}

template <typename Event>
void ExpectInstancesProduceTheStream(NexmarkStream stream, const std::vector<Event>& events,
                                     const GeneratorConfig& config, int parallelism) {
  size_t total = 0;
  for (int instance = 0; instance < parallelism; ++instance) {
    InstanceOutput out = Drain(stream, config, instance, parallelism, 100);
    total += out.rows.size();
    size_t i = 0;
    for (size_t k = static_cast<size_t>(instance); k < events.size(); k += parallelism, ++i) {
      ASSERT_LT(i, out.rows.size());
      ASSERT_EQ(out.rows[i], Values(events[k]))
          << StreamName(stream) << " " << k << " at parallelism " << parallelism;
      ASSERT_EQ(out.times[i], events[k].date_time);
    }
    EXPECT_EQ(i, out.rows.size());
  }
  EXPECT_EQ(total, events.size());
}

TEST(NexmarkSourceTest, InstancesTogetherProduceExactlyTheGeneratorsEvents) {
  const GeneratorConfig config = SmallConfig(12'345);
  const NexmarkEvents events = GenerateEvents(config);
  for (int parallelism : {1, 2, 3}) {
    ExpectInstancesProduceTheStream(NexmarkStream::kPerson, events.persons, config, parallelism);
    ExpectInstancesProduceTheStream(NexmarkStream::kAuction, events.auctions, config, parallelism);
    ExpectInstancesProduceTheStream(NexmarkStream::kBid, events.bids, config, parallelism);
  }
}

TEST(NexmarkSourceTest, EndsAtOnceWhenThereIsNothingToGenerate) {
  InstanceOutput out = Drain(NexmarkStream::kPerson, SmallConfig(0), 0, 1, 10);
  EXPECT_TRUE(out.rows.empty());
  EXPECT_EQ(out.polls, 1);
  // Instance 1 of 2 with a single person: nothing for it.
  out = Drain(NexmarkStream::kPerson, SmallConfig(1), 1, 2, 10);
  EXPECT_TRUE(out.rows.empty());
}

TEST(NexmarkSourceTest, RejectsABadConfigAndABadInstance) {
  GeneratorConfig bad;
  bad.events_per_second = -5;
  auto made = MakeGeneratorSource(NexmarkStream::kBid, bad)();
  EXPECT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("events_per_second"), std::string::npos);

  auto source = MakeGeneratorSource(NexmarkStream::kBid, SmallConfig(10))();
  ASSERT_TRUE(source.ok());
  engine::SourceContext context;
  context.instance = 2;
  context.parallelism = 2;
  EXPECT_FALSE((*source)->Open(context).ok());
}

TEST(NexmarkSourceTest, AppendRowWritesTheSchemasColumns) {
  Batch batch(BidSchema());
  const Bid bid{1, 2, 3, "c", "u", 1234, "x"};
  AppendRow(bid, batch);
  ASSERT_EQ(batch.num_rows(), 1u);
  EXPECT_EQ(batch.RowValues(0), Values(bid));
  EXPECT_EQ(batch.event_time(0), 1234);
}

}  // namespace
}  // namespace eddy::nexmark

namespace eddy::nexmark {
namespace {

// Reads a source (instance 0 of 1) to its end as one batch.
engine::Batch ReadAll(engine::SourceFactory factory) {
  auto made = factory();
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  std::unique_ptr<engine::Source> source = std::move(made).value();
  EXPECT_TRUE(source->Open(engine::SourceContext{}).ok());
  engine::Batch all(source->schema());
  for (;;) {
    engine::Batch batch(source->schema());
    auto state = source->Poll(batch, 100, 0);
    EXPECT_TRUE(state.ok());
    all.AppendRange(batch, 0, batch.num_rows());
    if (!state.ok() || *state == engine::SourceState::kEnd) break;
  }
  return all;
}

TEST(NexmarkSourceTest, AProjectedSourceGivesTheNamedColumnsOfTheFullOne) {
  const GeneratorConfig config = SmallConfig(2000);
  for (NexmarkStream stream : kAllStreams) {
    engine::Batch full = ReadAll(MakeGeneratorSource(stream, config));
    std::vector<std::string> picked = {"extra", "date_time"};
    picked.insert(picked.begin(), stream == NexmarkStream::kBid ? "price" : "id");
    engine::Batch projected = ReadAll(MakeGeneratorSource(stream, config, picked));
    ASSERT_EQ(Names(projected.schema()), picked);
    ASSERT_EQ(projected.num_rows(), full.num_rows());
    for (size_t c = 0; c < picked.size(); ++c) {
      const size_t source_column = *full.schema()->FindIndex(picked[c]);
      for (size_t r = 0; r < full.num_rows(); ++r) {
        ASSERT_EQ(projected.column(c).ValueAt(r), full.column(source_column).ValueAt(r));
      }
    }
    EXPECT_EQ(projected.event_times(), full.event_times());
  }
  auto bad = MakeGeneratorSource(NexmarkStream::kBid, config, {"prise"})();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("prise"), std::string::npos);
}

}  // namespace
}  // namespace eddy::nexmark
