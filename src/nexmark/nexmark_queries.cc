// The Nexmark queries, written with eddy's public API (include/eddy/). They are the
// showcase of the API: each reads like the query's definition.
#include "src/nexmark/nexmark_queries.h"

#include "include/eddy/context.h"
#include "src/nexmark/nexmark_generator.h"
#include "src/nexmark/nexmark_source.h"

namespace eddy::nexmark {
namespace {

using namespace std::chrono_literals;
using engine::Col;
using engine::Lit;

// Where the events come from: the topics of the log (JSON decoded, the default) or the
// in-process generator (--set source=generator, for pure engine speed).
class Inputs {
 public:
  Inputs(Pipeline& p, PipelineContext& ctx) : p_(p), ctx_(ctx) {}

  Stream Persons() { return Open(NexmarkStream::kPerson, "nexmark-person", PersonSchema()); }
  Stream Auctions() { return Open(NexmarkStream::kAuction, "nexmark-auction", AuctionSchema()); }
  Stream Bids() { return Open(NexmarkStream::kBid, "nexmark-bid", BidSchema()); }

 private:
  Stream Open(NexmarkStream stream, const std::string& topic, SchemaRef schema) {
    if (ctx_.Setting("source", "topics") == "generator") {
      GeneratorConfig config;
      config.num_events = std::stoll(ctx_.Setting("events", "10000000"));
      config.seed = std::stoull(ctx_.Setting("seed", "42"));
      config.events_per_second = std::stoll(ctx_.Setting("rate", "10000"));
      return p_.Source(topic, schema, MakeGeneratorSource(stream, config));
    }
    TopicSourceOptions options;
    options.event_time_field = "date_time";
    options.max_out_of_orderness = Milliseconds(std::stoll(ctx_.Setting("out-of-orderness-ms", "0")));
    return p_.Source(topic, schema, ctx_.Topic(topic, schema, options));
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
  Stream euros = Inputs(p, ctx).Bids().Select({{"auction", Col("auction")},
                                               {"bidder", Col("bidder")},
                                               {"price", Col("price") * 0.908},
                                               {"date_time", Col("date_time")},
                                               {"extra", Col("extra")}});
  return Output(euros, ctx, "q1");
}

// q2: selection — bids on every 123rd auction.
Status Q2(Pipeline& p, PipelineContext& ctx) {
  Stream picked = Inputs(p, ctx)
                      .Bids()
                      .Filter(Col("auction") % 123 == 0)
                      .Select(std::vector<std::string>{"auction", "price"});
  return Output(picked, ctx, "q2");
}

// q3: local item suggestion — category-10 auctions by sellers in Oregon, Idaho or
// California (a continuous join).
Status Q3(Pipeline& p, PipelineContext& ctx) {
  Inputs in(p, ctx);
  KeyedStream auctions = in.Auctions().Filter(Col("category") == 10).KeyBy({"seller"});
  KeyedStream sellers =
      in.Persons().Filter(engine::In(Col("state"), {Lit("OR"), Lit("ID"), Lit("CA")})).KeyBy({"id"});
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
  Stream auctions = in.Auctions();
  Stream bids = in.Bids();
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
                   .Bids()
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
                       .Bids()
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
      in.Persons()
          .KeyBy({"id"})
          .WindowJoin(in.Auctions().KeyBy({"seller"}), Tumbling(10s), JoinType::kLeftSemi)
          .Select(std::vector<std::string>{"id", "name", "window_start"});
  return Output(new_sellers, ctx, "q8");
}

// q11: user sessions — bids per bidder per session (a 10 s gap ends a session).
Status Q11(Pipeline& p, PipelineContext& ctx) {
  Stream sessions = Inputs(p, ctx)
                        .Bids()
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

}  // namespace eddy::nexmark
