// The Nexmark queries, written with eddy's public API (include/eddy/). They are the
// showcase of the API: each reads like the query's definition.
#include "src/nexmark/nexmark_queries.h"

#include <charconv>
#include <cstdlib>

#include "include/eddy/context.h"
#include "src/nexmark/nexmark_generator.h"
#include "src/nexmark/nexmark_source.h"

namespace eddy::nexmark {
namespace {

using namespace std::chrono_literals;
using engine::Col;
using engine::Lit;

// An integer setting (--set KEY=N), or the reason it is not one.
Result<int64_t> IntSetting(const PipelineContext& ctx, const std::string& key, int64_t fallback) {
  const std::string text = ctx.Setting(key, std::to_string(fallback));
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("setting " + key + "=" + text + " is not an integer");
  }
  return value;
}

// Where the events come from: the topics of the log (JSON decoded, the default) or the
// in-process generator (--set source=generator, for pure engine speed). A query names the
// columns it uses, as a SQL planner would prune them: the topic source then decodes only
// those fields, and no step downstream carries the others.
class Inputs {
 public:
  Inputs(Pipeline& p, PipelineContext& ctx) : p_(p), ctx_(ctx) {}

  Stream Persons(std::vector<std::string> columns = {}) {
    return Open(NexmarkStream::kPerson, PersonSchema(), std::move(columns));
  }
  Stream Auctions(std::vector<std::string> columns = {}) {
    return Open(NexmarkStream::kAuction, AuctionSchema(), std::move(columns));
  }
  Stream Bids(std::vector<std::string> columns = {}) {
    return Open(NexmarkStream::kBid, BidSchema(), std::move(columns));
  }

 private:
  Stream Open(NexmarkStream stream, SchemaRef schema, std::vector<std::string> columns) {
    const std::string topic(TopicName(stream));
    if (ctx_.Setting("source", "topics") == "generator") {
      SchemaRef produced = schema;
      if (!columns.empty()) {
        std::vector<engine::Field> fields;
        for (const std::string& c : columns) {
          if (auto i = schema->FindIndex(c)) fields.push_back(schema->field(*i));
        }
        produced = MakeSchema(std::move(fields));
      }
      return p_.Source(topic, produced, GeneratorSource(stream, columns));
    }
    TopicSourceOptions options;
    options.event_time_field = "date_time";
    auto disorder = IntSetting(ctx_, "out-of-orderness-ms", 0);
    options.max_out_of_orderness = Milliseconds(disorder.ok() ? *disorder : 0);
    SchemaRef decoded = schema;
    if (!columns.empty()) {
      std::vector<engine::Field> fields;
      for (const engine::Field& f : schema->fields()) {
        bool wanted = f.name == "date_time";  // the event time is always decoded
        for (const std::string& c : columns) wanted |= (c == f.name);
        if (wanted) fields.push_back(f);
      }
      decoded = MakeSchema(std::move(fields));
    }
    Stream events = p_.Source(topic, decoded, ctx_.Topic(topic, decoded, options));
    return columns.empty() ? events : events.Select(columns);
  }

  SourceFactory GeneratorSource(NexmarkStream stream, const std::vector<std::string>& columns) {
    GeneratorConfig config;
    Status status;
    for (auto [key, field] : {std::pair{"events", &config.num_events},
                              std::pair{"rate", &config.events_per_second}}) {
      auto value = IntSetting(ctx_, key, *field);
      if (value.ok()) *field = *value;
      if (!value.ok() && status.ok()) status = value.status();
    }
    auto seed = IntSetting(ctx_, "seed", static_cast<int64_t>(config.seed));
    if (seed.ok()) config.seed = static_cast<uint64_t>(*seed);
    if (!seed.ok() && status.ok()) status = seed.status();
    if (status.ok()) status = config.Validate();
    if (!status.ok()) {
      return [status]() -> Result<std::unique_ptr<engine::Source>> { return status; };
    }
    return MakeGeneratorSource(stream, config, columns);
  }

  Pipeline& p_;
  PipelineContext& ctx_;
};

Status Output(const Stream& results, PipelineContext& ctx, const std::string& query,
              bool changelog = false) {
  ASSIGN_OR_RETURN(SinkFactory sink, ctx.Output("nexmark-" + query + "-results", changelog));
  results.To("output", std::move(sink));
  return Status::OK();
}

// Per window, the rows with the highest `column` (all of them when tied).
TopNOptions MostBy(const std::string& column) {
  TopNOptions top;
  top.order_by = column;
  top.descending = true;
  top.n = 1;
  top.with_ties = true;
  return top;
}

// q0: passthrough — every bid.
Status Q0(Pipeline& p, PipelineContext& ctx) {
  return Output(Inputs(p, ctx).Bids(), ctx, "q0");
}

// q1: currency conversion — bid prices in euros.
Status Q1(Pipeline& p, PipelineContext& ctx) {
  Stream euros = Inputs(p, ctx)
                     .Bids({"auction", "bidder", "price", "date_time", "extra"})
                     .Select({{"auction", Col("auction")},
                              {"bidder", Col("bidder")},
                              {"price", Col("price") * 0.908},
                              {"date_time", Col("date_time")},
                              {"extra", Col("extra")}});
  return Output(euros, ctx, "q1");
}

// q2: selection — bids on every 123rd auction.
Status Q2(Pipeline& p, PipelineContext& ctx) {
  Stream picked = Inputs(p, ctx)
                      .Bids({"auction", "price"})
                      .Filter(Col("auction") % 123 == 0)
                      .Select(std::vector<std::string>{"auction", "price"});
  return Output(picked, ctx, "q2");
}

// q3: local item suggestion — category-10 auctions by sellers in Oregon, Idaho or
// California (a continuous join).
Status Q3(Pipeline& p, PipelineContext& ctx) {
  Inputs in(p, ctx);
  KeyedStream auctions =
      in.Auctions({"id", "seller", "category"}).Filter(Col("category") == 10).KeyBy({"seller"});
  KeyedStream sellers =
      in.Persons({"id", "name", "city", "state"})
          .Filter(engine::In(Col("state"), {Lit("OR"), Lit("ID"), Lit("CA")}))
          .KeyBy({"id"});
  Stream suggestions = auctions.Join(sellers).Select({{"name", Col("name")},
                                                      {"city", Col("city")},
                                                      {"state", Col("state")},
                                                      {"id", Col("id")}});
  return Output(suggestions, ctx, "q3");
}

// q4: average selling price per category — the winning (highest) bid of each auction
// placed while it was open, averaged per category; results update as bids come in.
Status Q4(Pipeline& p, PipelineContext& ctx) {
  Inputs in(p, ctx);
  Stream auctions = in.Auctions({"id", "date_time", "expires", "category"});
  Stream bids = in.Bids({"auction", "price", "date_time"});
  ASSIGN_OR_RETURN(size_t a_time, auctions.schema()->IndexOf("date_time"));
  ASSIGN_OR_RETURN(size_t a_expires, auctions.schema()->IndexOf("expires"));
  ASSIGN_OR_RETURN(size_t b_time, bids.schema()->IndexOf("date_time"));
  engine::RegularJoinOptions open_bids;
  open_bids.condition = [=](const RowRef& a, const RowRef& b) {
    return a.Timestamp(a_time) <= b.Timestamp(b_time) && b.Timestamp(b_time) <= a.Timestamp(a_expires);
  };
  // An auction can take no bid after it expires; a bid's auction is older than the bid.
  open_bids.left_expiry = engine::RowExpiry::AtColumn("expires");
  open_bids.right_expiry = engine::RowExpiry::AfterEventTime(0);
  Stream winning = auctions.KeyBy({"id"})
                       .Join(bids.KeyBy({"auction"}), open_bids)
                       .KeyBy({"id", "category"})
                       .Aggregate({engine::Max("price", "final")});
  Stream per_category = winning.KeyBy({"category"})
                            .Aggregate({engine::Avg("final", "avg_price")})
                            .Select(std::vector<std::string>{"category", "avg_price"});
  return Output(per_category, ctx, "q4", /*changelog=*/true);
}

// q5: hot items — per 10 s window sliding every 2 s, the auctions with the most bids.
Status Q5(Pipeline& p, PipelineContext& ctx) {
  Stream hot = Inputs(p, ctx)
                   .Bids({"auction"})
                   .KeyBy({"auction"})
                   .Window(Hopping(10s, 2s))
                   .Aggregate({engine::Count("num")})
                   .KeyBy({"window_start", "window_end"})
                   .TopN(MostBy("num"))
                   .Select(std::vector<std::string>{"auction", "num", "window_start", "window_end"});
  return Output(hot, ctx, "q5");
}

// q7: highest bid — per 10 s tumbling window, every bid at the window's highest price.
Status Q7(Pipeline& p, PipelineContext& ctx) {
  Stream highest = Inputs(p, ctx)
                       .Bids({"auction", "price", "bidder", "date_time", "extra"})
                       .AssignWindows(Tumbling(10s))
                       .KeyBy({"window_start", "window_end"})
                       .TopN(MostBy("price"))
                       .Select(std::vector<std::string>{"auction", "price", "bidder", "date_time",
                                                        "extra", "window_start", "window_end"});
  return Output(highest, ctx, "q7");
}

// q8: monitor new users — people who joined and opened an auction as seller in the same
// 10 s tumbling window.
Status Q8(Pipeline& p, PipelineContext& ctx) {
  Inputs in(p, ctx);
  Stream new_sellers =
      in.Persons({"id", "name"})
          .KeyBy({"id"})
          .WindowJoin(in.Auctions({"seller"}).KeyBy({"seller"}), Tumbling(10s),
                      JoinType::kLeftSemi)
          .Select(std::vector<std::string>{"id", "name", "window_start"});
  return Output(new_sellers, ctx, "q8");
}

// q11: user sessions — bids per bidder per session (a 10 s gap ends a session).
Status Q11(Pipeline& p, PipelineContext& ctx) {
  Stream sessions = Inputs(p, ctx)
                        .Bids({"bidder"})
                        .KeyBy({"bidder"})
                        .Window(Session(10s))
                        .Aggregate({engine::Count("bid_count")})
                        .Select(std::vector<std::string>{"bidder", "bid_count", "window_start",
                                                         "window_end"});
  return Output(sessions, ctx, "q11");
}

}  // namespace

const std::vector<PipelineDefinition>& NexmarkQueries() {
  static const std::vector<PipelineDefinition> queries = {
      {"nexmark-q0", "Nexmark q0: passthrough of every bid", Q0},
      {"nexmark-q1", "Nexmark q1: bid prices converted to euros", Q1},
      {"nexmark-q2", "Nexmark q2: bids on every 123rd auction", Q2},
      {"nexmark-q3", "Nexmark q3: category-10 auctions of sellers in OR, ID, CA (join)", Q3},
      {"nexmark-q4", "Nexmark q4: average winning price per category (changelog)", Q4},
      {"nexmark-q5", "Nexmark q5: hottest auctions per sliding window", Q5},
      {"nexmark-q7", "Nexmark q7: highest bids per tumbling window", Q7},
      {"nexmark-q8", "Nexmark q8: new users who opened an auction (window join)", Q8},
      {"nexmark-q11", "Nexmark q11: bids per bidder session", Q11},
  };
  return queries;
}

const PipelineDefinition& NexmarkQueryDefinition(NexmarkQuery query) {
  const std::string name = "nexmark-" + std::string(QueryName(query));
  for (const PipelineDefinition& d : NexmarkQueries()) {
    if (d.name == name) return d;
  }
  // Every NexmarkQuery has a definition (nexmark_queries_test runs each).
  std::abort();
}

}  // namespace eddy::nexmark
