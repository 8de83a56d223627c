#include "src/nexmark/nexmark_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "src/nexmark/nexmark_json.h"

namespace eddy::nexmark {
namespace {

GeneratorConfig SmallConfig(int64_t events) {
  GeneratorConfig config;
  config.num_events = events;
  return config;
}

TEST(NexmarkGeneratorTest, SameSeedGivesTheSameEventsAndAnotherSeedOthers) {
  const NexmarkEvents a = GenerateEvents(SmallConfig(5000));
  const NexmarkEvents b = GenerateEvents(SmallConfig(5000));
  EXPECT_EQ(a.persons, b.persons);
  EXPECT_EQ(a.auctions, b.auctions);
  EXPECT_EQ(a.bids, b.bids);

  GeneratorConfig other = SmallConfig(5000);
  other.seed = 43;
  const NexmarkEvents c = GenerateEvents(other);
  ASSERT_EQ(c.bids.size(), a.bids.size());
  size_t same_price = 0;
  for (size_t i = 0; i < a.bids.size(); ++i) same_price += a.bids[i].price == c.bids[i].price;
  EXPECT_LT(same_price, a.bids.size() / 10);
  EXPECT_NE(a.persons[0].extra, c.persons[0].extra);
}

TEST(NexmarkGeneratorTest, EventIsAPureFunctionOfSeedAndNumber) {
  const GeneratorConfig config = SmallConfig(20'000);
  const NexmarkEvents in_sequence = GenerateEvents(config);
  // A fresh generator, events asked for in a random order, into structs that still hold
  // other events' strings: each must come out as in the sequential run.
  const Generator generator(config);
  std::vector<int64_t> order(static_cast<size_t>(config.num_events));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  Person person;
  Auction auction;
  Bid bid;
  for (int64_t n : order) {
    switch (generator.KindOf(n)) {
      case NexmarkStream::kPerson: {
        generator.MakePerson(n, &person);
        const auto k = generator.CountBelow(NexmarkStream::kPerson, n);
        ASSERT_EQ(person, in_sequence.persons[static_cast<size_t>(k)]) << "event " << n;
        break;
      }
      case NexmarkStream::kAuction: {
        generator.MakeAuction(n, &auction);
        const auto k = generator.CountBelow(NexmarkStream::kAuction, n);
        ASSERT_EQ(auction, in_sequence.auctions[static_cast<size_t>(k)]) << "event " << n;
        break;
      }
      case NexmarkStream::kBid: {
        generator.MakeBid(n, &bid);
        const auto k = generator.CountBelow(NexmarkStream::kBid, n);
        ASSERT_EQ(bid, in_sequence.bids[static_cast<size_t>(k)]) << "event " << n;
        break;
      }
    }
  }
}

TEST(NexmarkGeneratorTest, AnySplitOfTheEventNumbersGivesTheSameEvents) {
  const GeneratorConfig config = SmallConfig(10'000);
  const NexmarkEvents whole = GenerateEvents(config);
  for (int parallelism : {2, 3, 7}) {
    std::vector<Bid> merged(whole.bids.size());
    for (int instance = 0; instance < parallelism; ++instance) {
      const Generator generator(config);  // one per instance, as parallel sources have
      for (int64_t k = instance; k < static_cast<int64_t>(merged.size()); k += parallelism) {
        generator.MakeBid(generator.EventNumber(NexmarkStream::kBid, k),
                          &merged[static_cast<size_t>(k)]);
      }
    }
    EXPECT_EQ(merged, whole.bids) << "parallelism " << parallelism;
  }
}

TEST(NexmarkGeneratorTest, KindsComeInTheProportions1To3To46) {
  const GeneratorConfig config = SmallConfig(50'000);
  const Generator generator(config);
  std::map<NexmarkStream, int64_t> counts;
  for (int64_t n = 0; n < config.num_events; ++n) {
    const NexmarkStream kind = generator.KindOf(n);
    ++counts[kind];
    const int64_t r = n % 50;
    EXPECT_EQ(kind, r == 0 ? NexmarkStream::kPerson
                           : (r <= 3 ? NexmarkStream::kAuction : NexmarkStream::kBid));
  }
  EXPECT_EQ(counts[NexmarkStream::kPerson], 1000);
  EXPECT_EQ(counts[NexmarkStream::kAuction], 3000);
  EXPECT_EQ(counts[NexmarkStream::kBid], 46000);
  const NexmarkEvents events = GenerateEvents(SmallConfig(1234));
  EXPECT_EQ(events.persons.size(), 25u);  // n = 0, 50, ..., 1200
  EXPECT_EQ(events.auctions.size(), 75u);
  EXPECT_EQ(events.bids.size(), 1234u - 100u);
}

TEST(NexmarkGeneratorTest, EventNumbersAndCountsAgree) {
  const Generator generator(SmallConfig(0));
  for (NexmarkStream stream : kAllStreams) {
    int64_t k = 0;
    for (int64_t n = 0; n < 2000; ++n) {
      ASSERT_EQ(generator.CountBelow(stream, n), k) << StreamName(stream) << " n=" << n;
      if (generator.KindOf(n) == stream) {
        ASSERT_EQ(generator.EventNumber(stream, k), n) << StreamName(stream) << " k=" << k;
        ++k;
      }
    }
  }
}

TEST(NexmarkGeneratorTest, EventTimesFollowTheRateExactly) {
  GeneratorConfig config = SmallConfig(3000);
  config.events_per_second = 3000;  // 1000 / 3000 ms per event: not an integer
  config.base_time_ms = 1'000'000;
  const Generator generator(config);
  EXPECT_EQ(generator.TimeOf(0), 1'000'000);
  EXPECT_EQ(generator.TimeOf(1), 1'000'000);
  EXPECT_EQ(generator.TimeOf(3), 1'000'001);
  EXPECT_EQ(generator.TimeOf(2999), 1'000'999);
  const NexmarkEvents events = GenerateEvents(config);
  for (size_t k = 0; k < events.bids.size(); ++k) {
    const int64_t n = generator.EventNumber(NexmarkStream::kBid, static_cast<int64_t>(k));
    ASSERT_EQ(events.bids[k].date_time, 1'000'000 + n * 1000 / 3000);
  }
}

TEST(NexmarkGeneratorTest, FieldsAreInRangeAndReferencesExist) {
  const GeneratorConfig config = SmallConfig(200'000);
  const NexmarkEvents events = GenerateEvents(config);
  const Generator generator(config);

  std::map<int64_t, int64_t> person_time;  // id -> date_time
  std::set<std::string> states;
  std::set<std::string> cities;
  for (size_t k = 0; k < events.persons.size(); ++k) {
    const Person& p = events.persons[k];
    EXPECT_EQ(p.id, Generator::kFirstPersonId + static_cast<int64_t>(k));
    person_time[p.id] = p.date_time;
    states.insert(p.state);
    cities.insert(p.city);
    EXPECT_NE(p.name.find(' '), std::string::npos) << p.name;
    EXPECT_NE(p.email_address.find('@'), std::string::npos) << p.email_address;
    EXPECT_TRUE(p.email_address.ends_with(".com")) << p.email_address;
    EXPECT_EQ(p.credit_card.size(), 19u) << p.credit_card;
  }
  for (const char* s : {"OR", "ID", "CA", "AZ", "WA", "WY"}) EXPECT_TRUE(states.contains(s)) << s;
  EXPECT_EQ(states.size(), 6u);
  EXPECT_EQ(cities.size(), 10u);

  std::map<int64_t, const Auction*> auctions;
  std::map<int64_t, int64_t> per_category;
  for (size_t k = 0; k < events.auctions.size(); ++k) {
    const Auction& a = events.auctions[k];
    EXPECT_EQ(a.id, Generator::kFirstAuctionId + static_cast<int64_t>(k));
    auctions[a.id] = &a;
    ++per_category[a.category];
    ASSERT_TRUE(person_time.contains(a.seller)) << "auction " << a.id << " seller " << a.seller;
    EXPECT_LE(person_time[a.seller], a.date_time) << "seller registered after the auction";
    EXPECT_GT(a.expires, a.date_time);
    EXPECT_GE(a.category, 10);
    EXPECT_LE(a.category, 14);
    EXPECT_GT(a.initial_bid, 0);
    EXPECT_GE(a.reserve, a.initial_bid);
    EXPECT_FALSE(a.item_name.empty());
  }
  EXPECT_EQ(per_category.size(), 5u);
  EXPECT_GT(per_category[10], 0);

  int64_t hot_auction_bids = 0;
  const int64_t last_person_id = events.persons.back().id;
  for (const Bid& b : events.bids) {
    auto it = auctions.find(b.auction);
    ASSERT_NE(it, auctions.end()) << "bid on unknown auction " << b.auction;
    EXPECT_LE(it->second->date_time, b.date_time) << "bid before its auction";
    EXPECT_GE(b.bidder, Generator::kFirstPersonId);
    // The standard hot bidder is the second person of the current batch of 100, who
    // may register up to one cycle later.
    EXPECT_LE(b.bidder, last_person_id + 1);
    EXPECT_GE(b.price, 100);
    EXPECT_LE(b.price, 100'000'000);
    EXPECT_FALSE(b.channel.empty());
    EXPECT_TRUE(b.url.starts_with("https://www.nexmark.com/")) << b.url;
    hot_auction_bids += (b.auction - Generator::kFirstAuctionId) % 100 == 0;
  }
  // Half the bids go to the hot auction, plus the random ones that land on it.
  EXPECT_GT(hot_auction_bids, static_cast<int64_t>(events.bids.size()) * 45 / 100);
  EXPECT_LT(hot_auction_bids, static_cast<int64_t>(events.bids.size()) * 60 / 100);
}

TEST(NexmarkGeneratorTest, EventSizesAreThoseOfTheStandardGenerator) {
  const NexmarkEvents events = GenerateEvents(SmallConfig(100'000));
  // The standard pads `extra` so that its own size estimate averages 200/500/100 bytes.
  auto average = [](const auto& list, auto size) {
    double total = 0;
    for (const auto& e : list) total += static_cast<double>(size(e));
    return total / static_cast<double>(list.size());
  };
  auto person_size = [](const Person& p) {
    return 8 + p.name.size() + p.email_address.size() + p.credit_card.size() + p.city.size() +
           p.state.size() + p.extra.size();
  };
  auto auction_size = [](const Auction& a) {
    return 8 + a.item_name.size() + a.description.size() + 40 + a.extra.size();
  };
  auto bid_size = [](const Bid& b) { return 32 + b.extra.size(); };
  EXPECT_NEAR(average(events.persons, person_size), 200, 5);
  EXPECT_NEAR(average(events.auctions, auction_size), 500, 5);
  EXPECT_NEAR(average(events.bids, bid_size), 100, 2);
  // And the JSON records are a few hundred bytes.
  std::string json;
  auto json_size = [&json](const auto& e) {
    json.clear();
    AppendJson(e, &json);
    return json.size();
  };
  const double bid_json = average(events.bids, json_size);
  EXPECT_GT(bid_json, 150);
  EXPECT_LT(bid_json, 350);
}

TEST(NexmarkGeneratorTest, ValidateNamesTheBadField) {
  GeneratorConfig config;
  config.events_per_second = 0;
  EXPECT_NE(config.Validate().message().find("events_per_second"), std::string::npos);
  config = GeneratorConfig{};
  config.num_events = -1;
  EXPECT_NE(config.Validate().message().find("num_events"), std::string::npos);
  config = GeneratorConfig{};
  config.person_proportion = 0;
  EXPECT_FALSE(config.Validate().ok());
  EXPECT_TRUE(GeneratorConfig{}.Validate().ok());
}

}  // namespace
}  // namespace eddy::nexmark
