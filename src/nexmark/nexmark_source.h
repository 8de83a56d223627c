#pragma once
// The Nexmark streams as engine schemas, and engine sources that generate them in
// process (no log, no JSON): the fastest way to feed a Nexmark query.

#include <string>
#include <vector>

#include "src/engine/schema.h"
#include "src/engine/source.h"
#include "src/nexmark/nexmark_events.h"
#include "src/nexmark/nexmark_generator.h"

namespace eddy::nexmark {

/// id, name, email_address, credit_card, city, state, date_time (timestamp), extra.
engine::SchemaRef PersonSchema();
/// id, item_name, description, initial_bid, reserve, date_time (timestamp),
/// expires (timestamp), seller, category, extra.
engine::SchemaRef AuctionSchema();
/// auction, bidder, price, channel, url, date_time (timestamp), extra.
engine::SchemaRef BidSchema();
engine::SchemaRef SchemaOf(NexmarkStream stream);

/// Appends one event as a row of its stream's schema (event time = date_time).
void AppendRow(const Person& person, engine::Batch& out);
void AppendRow(const Auction& auction, engine::Batch& out);
void AppendRow(const Bid& bid, engine::Batch& out);

/// A source of one stream of the generator's events [0, config.num_events).
///
/// Instance i of P (learnt in Open) generates the k-th events of its stream with
/// k % P == i — every P-th person, auction or bid, so that the work is even at any P —
/// in event-time order, straight into the columns of the batch. Together the P
/// instances produce exactly the stream's events, whatever P. Watermark: the last event
/// time produced minus 1 (events of one instance are in order), kMaxWatermark after the
/// last; the source never idles and ends (kEnd) after its last event, bounded or not.
/// The config must be valid: the factory returns its Validate error.
///
/// `columns` (names of the stream's schema, in the order wanted; empty = all) makes the
/// source produce only those columns: a query that reads three fields of a bid does not
/// pay for copying its strings into columns it drops (the events are still generated
/// whole).
engine::SourceFactory MakeGeneratorSource(NexmarkStream stream, const GeneratorConfig& config,
                                          std::vector<std::string> columns = {});

}  // namespace eddy::nexmark
