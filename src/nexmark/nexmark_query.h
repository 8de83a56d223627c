#pragma once
// The Nexmark queries eddy runs, their names and the constants of their definitions
// (shared by the engine's pipelines, the reference results and the baseline).
//
//   q0   pass every bid through
//   q1   bids with the price converted to euros (price * 0.908, a double)
//   q2   bids on auctions whose id is a multiple of 123: auction, price
//   q3   auctions of category 10 by sellers in OR, ID or CA: name, city, state, id
//   q4   per category, the average of the winning (highest) bid price of each auction,
//        counting bids made while the auction was open: category, avg_price
//   q5   hot items: per hopping window (10 s every 2 s), the auctions with the most bids
//        (ties included): auction, num, window_start, window_end
//   q7   highest bid: per tumbling 10 s window, every bid at the window's top price:
//        auction, price, bidder, date_time, extra, window_start, window_end
//   q8   new users: persons who registered and opened an auction in the same tumbling
//        10 s window: id, name, window_start
//   q11  user sessions: per bidder, bids less than 10 s apart form a session:
//        bidder, bid_count, window_start, window_end
//
// Windows are aligned to the epoch, times in epoch ms, event time = date_time.

#include <cstdint>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/nexmark/nexmark_events.h"

namespace eddy::nexmark {

enum class NexmarkQuery { kQ0, kQ1, kQ2, kQ3, kQ4, kQ5, kQ7, kQ8, kQ11 };

inline constexpr NexmarkQuery kAllQueries[] = {
    NexmarkQuery::kQ0, NexmarkQuery::kQ1, NexmarkQuery::kQ2, NexmarkQuery::kQ3, NexmarkQuery::kQ4,
    NexmarkQuery::kQ5, NexmarkQuery::kQ7, NexmarkQuery::kQ8, NexmarkQuery::kQ11};

/// "q0", "q1", ..., "q11".
std::string_view QueryName(NexmarkQuery query);
/// Accepts "q5", "Q5", "5" and "nexmark-q5"; the error lists the known queries.
Result<NexmarkQuery> ParseQuery(std::string_view name);
/// The streams a query reads.
std::vector<NexmarkStream> QueryInputs(NexmarkQuery query);

// ---- the constants of the query definitions ----
inline constexpr double kQ1DollarToEuro = 0.908;
inline constexpr int64_t kQ2AuctionModulus = 123;
inline constexpr int64_t kQ3Category = 10;
inline constexpr std::string_view kQ3States[] = {"OR", "ID", "CA"};
inline constexpr int64_t kQ5WindowMs = 10'000;
inline constexpr int64_t kQ5SlideMs = 2'000;
inline constexpr int64_t kQ7WindowMs = 10'000;
inline constexpr int64_t kQ8WindowMs = 10'000;
inline constexpr int64_t kQ11GapMs = 10'000;

/// The start of the epoch-aligned window of `size_ms` holding t (also for t < 0).
constexpr int64_t WindowStart(int64_t t, int64_t size_ms) {
  const int64_t r = t % size_ms;
  return t - (r < 0 ? r + size_ms : r);
}

}  // namespace eddy::nexmark
