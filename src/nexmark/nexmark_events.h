#pragma once
// The three event types of the Nexmark benchmark (an online auction site): people
// register, put items up for auction, and bid on them. Field names follow the
// snake_case column names of the Nexmark streams; times are epoch milliseconds.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::nexmark {

/// A new person registering with the auction site.
struct Person {
  int64_t id = 0;
  std::string name;
  std::string email_address;
  std::string credit_card;
  std::string city;
  std::string state;
  int64_t date_time = 0;
  std::string extra;

  bool operator==(const Person&) const = default;
};

/// A new auction: an item put up for sale by a person (the seller).
struct Auction {
  int64_t id = 0;
  std::string item_name;
  std::string description;
  int64_t initial_bid = 0;
  int64_t reserve = 0;
  int64_t date_time = 0;
  int64_t expires = 0;
  int64_t seller = 0;
  int64_t category = 0;
  std::string extra;

  bool operator==(const Auction&) const = default;
};

/// A bid by a person (the bidder) on an auction.
struct Bid {
  int64_t auction = 0;
  int64_t bidder = 0;
  int64_t price = 0;
  std::string channel;
  std::string url;
  int64_t date_time = 0;
  std::string extra;

  bool operator==(const Bid&) const = default;
};

/// The kind of an event, and the stream (topic) it belongs to.
enum class NexmarkStream { kPerson, kAuction, kBid };

/// "person", "auction", "bid".
std::string_view StreamName(NexmarkStream stream);
/// The log topic of a stream: "nexmark-person", "nexmark-auction", "nexmark-bid".
std::string_view TopicName(NexmarkStream stream);

inline constexpr NexmarkStream kAllStreams[] = {NexmarkStream::kPerson, NexmarkStream::kAuction,
                                                NexmarkStream::kBid};

/// A run of generated events, each stream in event-time order.
struct NexmarkEvents {
  std::vector<Person> persons;
  std::vector<Auction> auctions;
  std::vector<Bid> bids;

  size_t size() const { return persons.size() + auctions.size() + bids.size(); }
};

}  // namespace eddy::nexmark
