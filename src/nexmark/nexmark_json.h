#pragma once
// The JSON form of Nexmark events: what the nexmark-* topics hold, one object per record
// value, with the snake_case field names of nexmark_events.h and times as epoch
// milliseconds (JSON integers):
//
//   {"auction":1000,"bidder":1001,"price":1234,"channel":"Google",
//    "url":"https://www.nexmark.com/...","date_time":1700000000000,"extra":"..."}
//
// Writing and reading live here once, for the topic filler, the benchmark baseline and
// the tests.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/nexmark/nexmark_events.h"
#include "src/nexmark/nexmark_generator.h"

namespace eddy::nexmark {

/// Appends `s` as a JSON string (quoted; '"', '\' and control characters escaped).
void AppendJsonString(std::string_view s, std::string* out);

/// Append the event as one JSON object (no trailing newline).
void AppendJson(const Person& person, std::string* out);
void AppendJson(const Auction& auction, std::string* out);
void AppendJson(const Bid& bid, std::string* out);

/// Reads the JSON objects above (with simdjson's on-demand parser) back into events.
/// Fields may come in any order and unknown ones are skipped; every field of the event
/// is required. Reuses its parser and the strings of `out`. Not thread-safe: one per
/// thread.
/// Generates events [0, generator.config().num_events) in order and calls
/// fn(stream, index within the stream, date_time, json) for each, reusing one buffer.
/// Stops early (returning false) when fn returns false.
template <typename Fn>
bool ForEachEventJson(const Generator& generator, Fn&& fn) {
  Person person;
  Auction auction;
  Bid bid;
  std::string json;
  int64_t index[3] = {0, 0, 0};
  const int64_t num_events = generator.config().num_events;
  for (int64_t n = 0; n < num_events; ++n) {
    json.clear();
    const NexmarkStream stream = generator.KindOf(n);
    int64_t time = 0;
    switch (stream) {
      case NexmarkStream::kPerson:
        generator.MakePerson(n, &person);
        AppendJson(person, &json);
        time = person.date_time;
        break;
      case NexmarkStream::kAuction:
        generator.MakeAuction(n, &auction);
        AppendJson(auction, &json);
        time = auction.date_time;
        break;
      case NexmarkStream::kBid:
        generator.MakeBid(n, &bid);
        AppendJson(bid, &json);
        time = bid.date_time;
        break;
    }
    if (!fn(stream, index[static_cast<int>(stream)]++, time, std::string_view(json))) {
      return false;
    }
  }
  return true;
}

class NexmarkJsonDecoder {
 public:
  /// Bytes that must be readable past the end of a `padded` input (simdjson reads
  /// ahead in blocks; the bytes themselves are ignored).
  static constexpr size_t kPadding = 64;

  NexmarkJsonDecoder();
  ~NexmarkJsonDecoder();
  NexmarkJsonDecoder(const NexmarkJsonDecoder&) = delete;
  NexmarkJsonDecoder& operator=(const NexmarkJsonDecoder&) = delete;

  /// Decodes `json`. When `padded`, kPadding readable bytes follow it (a record value
  /// inside a larger buffer) and it is parsed in place; otherwise it is first copied.
  /// Errors are InvalidArgument naming the event kind and the field at fault.
  Status Decode(std::string_view json, Person* out, bool padded = false);
  Status Decode(std::string_view json, Auction* out, bool padded = false);
  Status Decode(std::string_view json, Bid* out, bool padded = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eddy::nexmark
