#include "src/nexmark/nexmark_generator.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdlib>

namespace eddy::nexmark {
namespace {

// The standard generator's constants.
constexpr int64_t kHotAuctionRatio = 2;  // P(bid on a hot auction) = 1 - 1/2
constexpr int64_t kHotSellersRatio = 4;  // P(auction by a hot seller) = 1 - 1/4
constexpr int64_t kHotBiddersRatio = 4;  // P(bid by a hot bidder) = 1 - 1/4
constexpr int64_t kHotBatch = 100;       // hot ids are the first of each batch of 100
constexpr int64_t kNumActivePeople = 1000;
constexpr int64_t kNumInFlightAuctions = 100;
constexpr int64_t kAvgPersonBytes = 200;
constexpr int64_t kAvgAuctionBytes = 500;
constexpr int64_t kAvgBidBytes = 100;
constexpr int64_t kHotChannelsRatio = 2;  // P(hot channel) = 1 - 1/2
constexpr int kNumChannels = 10'000;
constexpr int kMinStringLength = 3;

constexpr const char* kUsStates[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr const char* kUsCities[] = {"Phoenix",  "Los Angeles", "San Francisco", "Boise",
                                     "Portland", "Bend",        "Redmond",       "Seattle",
                                     "Kent",     "Cheyenne"};
constexpr const char* kFirstNames[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                       "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
constexpr const char* kLastNames[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                      "Walton", "Smith",  "Jones",   "Noris"};
constexpr const char* kHotChannels[] = {"Google", "Facebook", "Baidu", "Apple"};

// Random slices start below kPoolSize; kPoolSlack covers the longest slice (an
// auction's extra is at most ~550 characters).
constexpr size_t kPoolSize = 1 << 14;  // with its slack, within a core's L1 cache
constexpr size_t kPoolSlack = 4096;

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr int64_t kMaxEvents = 1'000'000'000'000;

constexpr uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

/// splitmix64 started from hash(seed, stream): a few cycles per draw, and any event's
/// draws are reachable without generating the events before it.
class Generator::Random {
 public:
  Random(uint64_t seed, uint64_t stream)
      : state_(Mix(seed + kGolden) ^ Mix(stream * kGolden + 1)) {}

  uint64_t Next() {
    state_ += kGolden;
    return Mix(state_);
  }
  /// Uniform in [0, bound), bound > 0 (Lemire's multiply-shift; the bias is below 2^-40
  /// for the bounds used here).
  int64_t Below(int64_t bound) {
    return static_cast<int64_t>(
        (static_cast<unsigned __int128>(Next()) * static_cast<uint64_t>(bound)) >> 64);
  }
  /// Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

Status GeneratorConfig::Validate() const {
  if (events_per_second <= 0) {
    return Status::InvalidArgument("nexmark: events_per_second must be positive, not " +
                                   std::to_string(events_per_second));
  }
  // Event times are computed from n * 1000 in doubles' exact range (ExactDivider).
  if (num_events < 0 || num_events > kMaxEvents) {
    return Status::InvalidArgument("nexmark: num_events must be in [0, 10^12], not " +
                                   std::to_string(num_events));
  }
  if (person_proportion < 1 || auction_proportion < 1 || bid_proportion < 0) {
    return Status::InvalidArgument(
        "nexmark: proportions need at least 1 person and 1 auction per cycle (got " +
        std::to_string(person_proportion) + ":" + std::to_string(auction_proportion) + ":" +
        std::to_string(bid_proportion) + ")");
  }
  if (base_time_ms < 0) {
    return Status::InvalidArgument("nexmark: base_time_ms must not be negative");
  }
  return Status::OK();
}

Generator::Generator(const GeneratorConfig& config)
    : config_(config),
      per_cycle_(std::max<int64_t>(config.total_proportion(), 1)),
      per_rate_(std::max<int64_t>(config.events_per_second, 1)),
      per_person_(std::max<int64_t>(config.person_proportion, 1)),
      per_auction_(std::max<int64_t>(config.auction_proportion, 1)),
      per_bid_(std::max<int64_t>(config.bid_proportion, 1)),
      events_for_auctions_(kNumInFlightAuctions * config.total_proportion() /
                           std::max<int64_t>(config.auction_proportion, 1)) {
  assert(config_.Validate().ok());
  // The pools depend on the seed only, so every instance of a run has the same ones.
  Random random(config_.seed, ~uint64_t{0});
  letters_.resize(kPoolSize + kPoolSlack);
  spaced_.resize(kPoolSize + kPoolSlack);
  for (size_t i = 0; i < letters_.size(); ++i) {
    letters_[i] = static_cast<char>('a' + random.Below(26));
    spaced_[i] = random.Below(13) == 0 ? ' ' : static_cast<char>('a' + random.Below(26));
  }
  for (const char* first : kFirstNames) {
    for (const char* last : kLastNames) names_.push_back(std::string(first) + " " + last);
  }
  // A URL path part: 3 or 4 characters, one in 13 an underscore (the standard's
  // nextString(5, '_')).
  auto url_part = [&random]() {
    std::string part;
    const int64_t len = kMinStringLength + random.Below(5 - kMinStringLength);
    for (int64_t i = 0; i < len; ++i) {
      part += random.Below(13) == 0 ? '_' : static_cast<char>('a' + random.Below(26));
    }
    return part;
  };
  auto base_url = [&]() {
    std::string url = "https://www.nexmark.com/";
    url += url_part() + "/";
    url += url_part() + "/";
    url += url_part() + "/item.htm?query=1";
    return url;
  };
  for (auto& url : hot_urls_) url = base_url();
  channels_.reserve(kNumChannels);
  for (int i = 0; i < kNumChannels; ++i) {
    const std::string name = "channel-" + std::to_string(i);
    std::string url = base_url();
    if (random.Below(10) > 0) {
      // The standard's Math.abs(Integer.reverse(i)), without its overflow at i = 1.
      uint32_t bits = static_cast<uint32_t>(i);
      uint32_t reversed = 0;
      for (int b = 0; b < 32; ++b, bits >>= 1) reversed = (reversed << 1) | (bits & 1);
      const int64_t value = std::bit_cast<int32_t>(reversed);
      url += "&channel_id=" + std::to_string(std::llabs(value));
    }
    channels_.push_back(Channel{static_cast<uint32_t>(channel_text_.size()),
                                static_cast<uint16_t>(name.size()),
                                static_cast<uint16_t>(url.size())});
    channel_text_ += name;
    channel_text_ += url;
  }
}

NexmarkStream Generator::KindOf(int64_t n) const {
  const int64_t offset = PositionOf(n).offset;
  if (offset < config_.person_proportion) return NexmarkStream::kPerson;
  if (offset < config_.person_proportion + config_.auction_proportion) {
    return NexmarkStream::kAuction;
  }
  return NexmarkStream::kBid;
}

int64_t Generator::EventNumber(NexmarkStream stream, int64_t k) const {
  const int64_t total = config_.total_proportion();
  const int64_t p = config_.person_proportion;
  const int64_t a = config_.auction_proportion;
  const int64_t b = config_.bid_proportion;
  switch (stream) {
    case NexmarkStream::kPerson: {
      const int64_t cycle = per_person_.Div(k);
      return cycle * total + (k - cycle * p);
    }
    case NexmarkStream::kAuction: {
      const int64_t cycle = per_auction_.Div(k);
      return cycle * total + p + (k - cycle * a);
    }
    case NexmarkStream::kBid: {
      const int64_t cycle = per_bid_.Div(k);
      return cycle * total + p + a + (k - cycle * b);
    }
  }
  return -1;
}

int64_t Generator::CountBelow(NexmarkStream stream, int64_t n) const {
  const int64_t total = config_.total_proportion();
  const int64_t cycles = n / total;
  const int64_t rest = n % total;
  const int64_t p = config_.person_proportion;
  const int64_t a = config_.auction_proportion;
  const int64_t b = config_.bid_proportion;
  switch (stream) {
    case NexmarkStream::kPerson:
      return cycles * p + std::clamp<int64_t>(rest, 0, p);
    case NexmarkStream::kAuction:
      return cycles * a + std::clamp<int64_t>(rest - p, 0, a);
    case NexmarkStream::kBid:
      return cycles * b + std::clamp<int64_t>(rest - p - a, 0, b);
  }
  return 0;
}

int64_t Generator::LastBase0PersonId(int64_t n) const { return LastBase0PersonId(PositionOf(n)); }

int64_t Generator::LastBase0AuctionId(int64_t n) const { return LastBase0AuctionId(PositionOf(n)); }

int64_t Generator::LastBase0PersonId(CyclePosition at) const {
  return at.cycle * config_.person_proportion + std::min(at.offset, config_.person_proportion - 1);
}

int64_t Generator::LastBase0AuctionId(CyclePosition at) const {
  int64_t epoch = at.cycle;
  int64_t offset = at.offset;
  if (offset < config_.person_proportion) {
    // A person: the last auction is the last one of the previous cycle.
    --epoch;
    offset = config_.auction_proportion - 1;
  } else if (offset >= config_.person_proportion + config_.auction_proportion) {
    // A bid: the last auction of this cycle.
    offset = config_.auction_proportion - 1;
  } else {
    offset -= config_.person_proportion;
  }
  return epoch * config_.auction_proportion + offset;
}

int64_t Generator::NextBase0PersonId(Random& random, CyclePosition at) const {
  // One of the most recent "active" people, so that the density of bids and auctions per
  // person does not fall as a run goes on.
  const int64_t num_people = LastBase0PersonId(at) + 1;
  const int64_t active = std::min(num_people, kNumActivePeople);
  return num_people - active + random.Below(active);
}

int64_t Generator::NextBase0AuctionId(Random& random, CyclePosition at) const {
  // One of the auctions likely to be still open.
  const int64_t max_auction = LastBase0AuctionId(at);
  const int64_t min_auction = std::max<int64_t>(max_auction - kNumInFlightAuctions, 0);
  return min_auction + random.Below(max_auction - min_auction + 1);
}

std::string_view Generator::NextString(Random& random, int max_length) const {
  const int64_t len = kMinStringLength + random.Below(max_length - kMinStringLength);
  std::string_view s(spaced_.data() + random.Below(kPoolSize), static_cast<size_t>(len));
  // Trimmed, as the standard's nextString.
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string_view Generator::NextExtra(Random& random, int64_t current_size,
                                      int64_t average_size) const {
  if (current_size > average_size) return {};
  const int64_t desired = average_size - current_size;
  const int64_t delta = (desired * 2 + 5) / 10;  // Math.round(desired * 0.2)
  const int64_t size = desired - delta + (delta == 0 ? 0 : random.Below(2 * delta));
  return std::string_view(letters_.data() + random.Below(kPoolSize), static_cast<size_t>(size));
}

namespace {

// The standard's round(10^(6u) * 100): prices from 1 to 10^6 (in cents), log-uniform.
// exp2 is several times cheaper than pow.
int64_t NextPrice(double unit) {
  constexpr double kSixLog2Of10 = 6.0 * 3.32192809488736234787;
  return std::llround(std::exp2(unit * kSixLog2Of10) * 100.0);
}

}  // namespace

void Generator::MakePerson(int64_t n, Person* out) const {
  assert(KindOf(n) == NexmarkStream::kPerson);
  Random random(config_.seed, static_cast<uint64_t>(n));
  out->id = LastBase0PersonId(PositionOf(n)) + kFirstPersonId;
  out->name =
      names_[static_cast<size_t>(random.Below(std::size(kFirstNames)) * std::size(kLastNames) +
                                 random.Below(std::size(kLastNames)))];
  out->email_address.assign(NextString(random, 7));
  out->email_address += '@';
  out->email_address += NextString(random, 5);
  out->email_address += ".com";
  char card[19];
  for (int group = 0; group < 4; ++group) {
    int64_t digits = random.Below(10'000);
    char* p = card + group * 5;
    for (int i = 3; i >= 0; --i) {
      p[i] = static_cast<char>('0' + digits % 10);
      digits /= 10;
    }
    if (group < 3) p[4] = ' ';
  }
  out->credit_card.assign(card, sizeof(card));
  out->city = kUsCities[random.Below(std::size(kUsCities))];
  out->state = kUsStates[random.Below(std::size(kUsStates))];
  out->date_time = TimeOf(n);
  const int64_t current_size =
      8 + static_cast<int64_t>(out->name.size() + out->email_address.size() +
                               out->credit_card.size() + out->city.size() + out->state.size());
  out->extra.assign(NextExtra(random, current_size, kAvgPersonBytes));
}

void Generator::MakeAuction(int64_t n, Auction* out) const {
  assert(KindOf(n) == NexmarkStream::kAuction);
  Random random(config_.seed, static_cast<uint64_t>(n));
  const CyclePosition at = PositionOf(n);
  out->id = LastBase0AuctionId(at) + kFirstAuctionId;
  int64_t seller;
  if (random.Below(kHotSellersRatio) > 0) {
    seller = LastBase0PersonId(at) / kHotBatch * kHotBatch;
  } else {
    seller = NextBase0PersonId(random, at);
  }
  out->seller = seller + kFirstPersonId;
  out->category = kFirstCategoryId + random.Below(kNumCategories);
  out->initial_bid = NextPrice(random.Unit());
  out->date_time = TimeOf(n);
  // An auction lasts on average as long as it takes to open kNumInFlightAuctions more.
  const int64_t horizon_ms = TimeOf(n + events_for_auctions_) - out->date_time;
  out->expires = out->date_time + 1 + random.Below(std::max<int64_t>(horizon_ms * 2, 1));
  out->item_name.assign(NextString(random, 20));
  out->description.assign(NextString(random, 100));
  out->reserve = out->initial_bid + NextPrice(random.Unit());
  const int64_t current_size =
      8 + static_cast<int64_t>(out->item_name.size() + out->description.size()) + 5 * 8;
  out->extra.assign(NextExtra(random, current_size, kAvgAuctionBytes));
}

void Generator::MakeBid(int64_t n, Bid* out) const {
  assert(KindOf(n) == NexmarkStream::kBid);
  Random random(config_.seed, static_cast<uint64_t>(n));
  const CyclePosition at = PositionOf(n);
  int64_t auction;
  if (random.Below(kHotAuctionRatio) > 0) {
    auction = LastBase0AuctionId(at) / kHotBatch * kHotBatch;
  } else {
    auction = NextBase0AuctionId(random, at);
  }
  out->auction = auction + kFirstAuctionId;
  int64_t bidder;
  if (random.Below(kHotBiddersRatio) > 0) {
    // The second person of the batch, so that hot bidders and hot sellers differ.
    bidder = LastBase0PersonId(at) / kHotBatch * kHotBatch + 1;
  } else {
    bidder = NextBase0PersonId(random, at);
  }
  out->bidder = bidder + kFirstPersonId;
  out->price = NextPrice(random.Unit());
  if (random.Below(kHotChannelsRatio) > 0) {
    const auto i = static_cast<size_t>(random.Below(std::size(kHotChannels)));
    out->channel = kHotChannels[i];
    out->url = hot_urls_[i];
  } else {
    const Channel& c = channels_[static_cast<size_t>(random.Below(kNumChannels))];
    const char* text = channel_text_.data() + c.offset;
    out->channel.assign(text, c.name_size);
    out->url.assign(text + c.name_size, c.url_size);
  }
  out->date_time = TimeOf(n);
  out->extra.assign(NextExtra(random, 4 * 8, kAvgBidBytes));
}

NexmarkEvents GenerateEvents(const GeneratorConfig& config) {
  const Generator generator(config);
  NexmarkEvents events;
  events.persons.resize(
      static_cast<size_t>(generator.CountBelow(NexmarkStream::kPerson, config.num_events)));
  events.auctions.resize(
      static_cast<size_t>(generator.CountBelow(NexmarkStream::kAuction, config.num_events)));
  events.bids.resize(
      static_cast<size_t>(generator.CountBelow(NexmarkStream::kBid, config.num_events)));
  size_t persons = 0;
  size_t auctions = 0;
  size_t bids = 0;
  for (int64_t n = 0; n < config.num_events; ++n) {
    switch (generator.KindOf(n)) {
      case NexmarkStream::kPerson:
        generator.MakePerson(n, &events.persons[persons++]);
        break;
      case NexmarkStream::kAuction:
        generator.MakeAuction(n, &events.auctions[auctions++]);
        break;
      case NexmarkStream::kBid:
        generator.MakeBid(n, &events.bids[bids++]);
        break;
    }
  }
  return events;
}

}  // namespace eddy::nexmark
