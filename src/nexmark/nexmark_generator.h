#pragma once
// The Nexmark event generator: the logic of the standard generator (Apache Beam's and the
// nexmark-flink project's), made a pure function of (seed, event number).
//
// Event number n (0, 1, 2, ...) is a person, an auction or a bid by n modulo the sum of
// the proportions (1:3:46 by default: n % 50 == 0 a person, 1..3 an auction, the rest a
// bid). Person and auction ids are dense and follow from n (the k-th person has id
// 1000 + k, the k-th auction 1000 + k). Everything random about event n comes from a
// generator seeded with hash(seed, n), so
//   - event n is the same whether generated alone, in sequence, or by any one of several
//     parallel instances that split the event numbers between them;
//   - a run is reproducible from its config.
// Event time: event n happens at base_time_ms + n * 1000 / events_per_second.
//
// Differences from the standard generator (all chosen so that the results of the
// queries are exact and reproducible): no "lead" ids (a seller or a bid's auction is
// always one that already exists, so joins are complete; the hot bidder formula is the
// standard one and may name a person registered up to one cycle of 50 events later),
// random strings are slices of precomputed pools (the same character distribution, no
// per-character random draw), and the random source is splitmix64, not java.util.Random.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/nexmark/nexmark_events.h"

namespace eddy::nexmark {

struct GeneratorConfig {
  uint64_t seed = 42;
  /// The time of event 0 (a fixed instant, so that runs are reproducible).
  int64_t base_time_ms = 1'700'000'000'000;
  /// Event-time rate: event n has date_time base_time_ms + n * 1000 / events_per_second.
  int64_t events_per_second = 10'000;
  /// Events of all three kinds together: event numbers [0, num_events), at most 10^12.
  int64_t num_events = 10'000'000;
  int64_t person_proportion = 1;
  int64_t auction_proportion = 3;
  int64_t bid_proportion = 46;

  int64_t total_proportion() const {
    return person_proportion + auction_proportion + bid_proportion;
  }
  /// InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
};

/// Generates event n of a config. Immutable after construction (its string pools are
/// built by the constructor, about a millisecond): thread-safe, and cheap to share.
/// The Make* calls reuse the strings of `out`, so generating into the same struct again
/// and again allocates nothing once its strings have grown.
class Generator {
 public:
  static constexpr int64_t kFirstPersonId = 1000;
  static constexpr int64_t kFirstAuctionId = 1000;
  static constexpr int64_t kFirstCategoryId = 10;
  static constexpr int64_t kNumCategories = 5;

  /// The config must be valid (GeneratorConfig::Validate).
  explicit Generator(const GeneratorConfig& config);

  const GeneratorConfig& config() const { return config_; }

  /// The kind of event n.
  NexmarkStream KindOf(int64_t n) const;
  /// The event time of event n.
  int64_t TimeOf(int64_t n) const { return config_.base_time_ms + per_rate_.Div(n * 1000); }
  /// The event number of the k-th event (k = 0, 1, ...) of a stream.
  int64_t EventNumber(NexmarkStream stream, int64_t k) const;
  /// How many of the event numbers [0, n) belong to a stream.
  int64_t CountBelow(NexmarkStream stream, int64_t n) const;

  /// Event n, which must be of the named kind (KindOf(n)).
  void MakePerson(int64_t n, Person* out) const;
  void MakeAuction(int64_t n, Auction* out) const;
  void MakeBid(int64_t n, Bid* out) const;

  /// The id of the last person (auction) generated at or before event n, base 0
  /// (without kFirstPersonId); -1 before the first.
  int64_t LastBase0PersonId(int64_t n) const;
  int64_t LastBase0AuctionId(int64_t n) const;

 private:
  class Random;

  /// x / d for 0 <= x < 2^53 by a multiplication and one correction step: a 64-bit
  /// division costs as much as the rest of a bid, and d is known only at run time.
  class ExactDivider {
   public:
    explicit ExactDivider(int64_t d) : d_(d), inverse_(1.0 / static_cast<double>(d)) {}
    int64_t Div(int64_t x) const {
      auto q = static_cast<int64_t>(static_cast<double>(x) * inverse_);
      int64_t r = x - q * d_;
      while (r < 0) --q, r += d_;
      while (r >= d_) ++q, r -= d_;
      return q;
    }

   private:
    int64_t d_;
    double inverse_;
  };

  /// Event n as (cycle, position in the cycle of total_proportion events).
  struct CyclePosition {
    int64_t cycle;
    int64_t offset;
  };
  CyclePosition PositionOf(int64_t n) const {
    const int64_t cycle = per_cycle_.Div(n);
    return {cycle, n - cycle * config_.total_proportion()};
  }
  int64_t LastBase0PersonId(CyclePosition at) const;
  int64_t LastBase0AuctionId(CyclePosition at) const;
  std::string_view NextString(Random& random, int max_length) const;
  std::string_view NextExtra(Random& random, int64_t current_size, int64_t average_size) const;
  int64_t NextBase0PersonId(Random& random, CyclePosition at) const;
  int64_t NextBase0AuctionId(Random& random, CyclePosition at) const;

  GeneratorConfig config_;
  ExactDivider per_cycle_;    // by total_proportion
  ExactDivider per_rate_;     // by events_per_second
  ExactDivider per_person_;   // by person_proportion
  ExactDivider per_auction_;  // by auction_proportion
  ExactDivider per_bid_;      // by bid_proportion
  // Events it takes to open the standard number of in-flight auctions: the average
  // auction lasts that long.
  int64_t events_for_auctions_;
  // Letters a-z (the padding of `extra`) and letters with one space in 13 (names and
  // descriptions), each with slack past the end so that any slice from an offset below
  // kPoolSize fits.
  std::string letters_;
  std::string spaced_;
  std::vector<std::string> names_;  // every "First Last"
  std::array<std::string, 4> hot_urls_;
  // The 10,000 other channels and their URLs, packed into one buffer: bids pick one at
  // random, and a compact table stays in cache where 20,000 separate strings did not.
  struct Channel {
    uint32_t offset;  // of the name in channel_text_; the URL follows it
    uint16_t name_size;
    uint16_t url_size;
  };
  std::string channel_text_;
  std::vector<Channel> channels_;
};

/// Every event of [0, config.num_events), each stream in event order.
NexmarkEvents GenerateEvents(const GeneratorConfig& config);

}  // namespace eddy::nexmark
