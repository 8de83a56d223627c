// nexmark_baseline: the Nexmark queries written by hand, single-threaded, with plain hash
// maps and vectors and no engine code — the practical limit one core reaches on the same
// work, against which eddy's engine is measured (bench/README.md).
//
//   nexmark_baseline --query q5 --events 10000000 --source generator
//   nexmark_baseline --query q5 --source log --data-dir ./data   (after `eddy nexmark generate`)
//   ... --check    also compute the reference results (src/nexmark/nexmark_reference.h)
//                  and compare them with the baseline's, row by row
//
// Sources:
//   generator  generates the events of [0, events) of the streams the query reads (as the
//              engine's generator sources do: a query of bids never generates a person)
//              into reused structs.
//   log        reads the partitions of the topics the query uses through the in-process
//              log API, one chunk at a time from the partition furthest behind in event
//              time, and decodes each record's JSON value with simdjson (in place).
// The queries run as a streaming engine would: event-time windows fire when the
// watermark (the lowest event time reached by any input, minus 1) passes their end, and
// their state is then dropped; joins keep what they must.
//
// Output: one JSON line {"query", "source", "events", "seconds", "cpu_seconds",
// "events_per_s", "results"} ("events_per_s" from wall time; "cpu_seconds" tells a
// loaded machine apart). Exit code 1 on any error or a failed --check.

#include <fmt/format.h>
#include <malloc.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/log/log.h"
#include "src/log/record_batch.h"
#include "src/nexmark/nexmark_events.h"
#include "src/nexmark/nexmark_generator.h"
#include "src/nexmark/nexmark_json.h"
#include "src/nexmark/nexmark_query.h"
#include "src/nexmark/nexmark_reference.h"

namespace {

using eddy::Result;
using eddy::Status;
using eddy::nexmark::Auction;
using eddy::nexmark::Bid;
using eddy::nexmark::NexmarkQuery;
using eddy::nexmark::NexmarkStream;
using eddy::nexmark::Person;
using eddy::nexmark::WindowStart;

constexpr int64_t kMaxWatermark = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinWatermark = std::numeric_limits<int64_t>::min();

/// A timestamp field of a result row.
struct Ts {
  int64_t ms;
};

/// Where results go: counted and folded into a checksum (so that the compiler cannot drop
/// the work), or kept as rows for --check.
class ResultSink {
 public:
  explicit ResultSink(bool collect) : collect_(collect) {}

  template <typename... Fields>
  void Emit(const Fields&... fields) {
    ++rows_;
    if (collect_) {
      eddy::nexmark::Row row;
      (row.push_back(ToValue(fields)), ...);
      collected_.push_back(std::move(row));
    } else {
      (Mix(fields), ...);
    }
  }

  int64_t rows() const { return rows_; }
  uint64_t checksum() const { return checksum_; }
  std::vector<eddy::nexmark::Row>& collected() { return collected_; }

 private:
  void Mix(int64_t v) { checksum_ = checksum_ * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(v); }
  void Mix(double v) { Mix(std::bit_cast<int64_t>(v)); }
  void Mix(Ts t) { Mix(t.ms); }
  void Mix(const std::string& s) { Mix(static_cast<int64_t>(s.size())); }

  static eddy::engine::Value ToValue(int64_t v) { return eddy::engine::Value::Int64(v); }
  static eddy::engine::Value ToValue(double v) { return eddy::engine::Value::Double(v); }
  static eddy::engine::Value ToValue(Ts t) { return eddy::engine::Value::Timestamp(t.ms); }
  static eddy::engine::Value ToValue(const std::string& s) {
    return eddy::engine::Value::String(s);
  }

  bool collect_;
  int64_t rows_ = 0;
  uint64_t checksum_ = 0;
  std::vector<eddy::nexmark::Row> collected_;
};

// ---- the queries: OnPerson / OnAuction / OnBid, OnWatermark(W), Finish ----

struct QueryBase {
  explicit QueryBase(ResultSink& s) : sink(s) {}
  void OnPerson(const Person&) {}
  void OnAuction(const Auction&) {}
  void OnBid(const Bid&) {}
  void OnWatermark(int64_t) {}
  void Finish() {}
  ResultSink& sink;
};

struct Q0 : QueryBase {
  using QueryBase::QueryBase;
  void OnBid(const Bid& b) {
    sink.Emit(b.auction, b.bidder, b.price, b.channel, b.url, Ts{b.date_time}, b.extra);
  }
};

struct Q1 : QueryBase {
  using QueryBase::QueryBase;
  void OnBid(const Bid& b) {
    sink.Emit(b.auction, b.bidder, static_cast<double>(b.price) * eddy::nexmark::kQ1DollarToEuro,
              Ts{b.date_time}, b.extra);
  }
};

struct Q2 : QueryBase {
  using QueryBase::QueryBase;
  void OnBid(const Bid& b) {
    if (b.auction % eddy::nexmark::kQ2AuctionModulus == 0) sink.Emit(b.auction, b.price);
  }
};

// A symmetric hash join without expiry: persons of OR/ID/CA by id, and category-10
// auctions waiting for a seller not seen yet.
struct Q3 : QueryBase {
  using QueryBase::QueryBase;
  struct Seller {
    std::string name, city, state;
  };
  static bool InStates(const std::string& state) {
    return state == "OR" || state == "ID" || state == "CA";
  }
  void OnPerson(const Person& p) {
    if (!InStates(p.state)) {
      others.insert(p.id);
      waiting.erase(p.id);
      return;
    }
    const Seller& s = sellers.emplace(p.id, Seller{p.name, p.city, p.state}).first->second;
    if (auto it = waiting.find(p.id); it != waiting.end()) {
      for (int64_t auction : it->second) sink.Emit(s.name, s.city, s.state, auction);
      waiting.erase(it);
    }
  }
  void OnAuction(const Auction& a) {
    if (a.category != eddy::nexmark::kQ3Category) return;
    if (auto it = sellers.find(a.seller); it != sellers.end()) {
      sink.Emit(it->second.name, it->second.city, it->second.state, a.id);
    } else if (!others.contains(a.seller)) {
      waiting[a.seller].push_back(a.id);
    }
  }
  std::unordered_map<int64_t, Seller> sellers;
  std::unordered_set<int64_t> others;
  std::unordered_map<int64_t, std::vector<int64_t>> waiting;
};

// Per auction the highest bid while it is open; once the watermark passes its expiry the
// final price joins its category's average and the auction's state goes.
struct Q4 : QueryBase {
  using QueryBase::QueryBase;
  struct Open {
    int64_t category, start, expires, top = -1;
  };
  void OnAuction(const Auction& a) {
    Open& open = auctions.emplace(a.id, Open{a.category, a.date_time, a.expires}).first->second;
    closing.push({a.expires, a.id});
    if (auto it = early.find(a.id); it != early.end()) {
      for (auto [time, price] : it->second) Apply(open, time, price);
      early.erase(it);
    }
  }
  void OnBid(const Bid& b) {
    if (auto it = auctions.find(b.auction); it != auctions.end()) {
      Apply(it->second, b.date_time, b.price);
    } else if (!closed.contains(b.auction)) {
      early[b.auction].emplace_back(b.date_time, b.price);  // its auction has not come yet
    }
  }
  static void Apply(Open& open, int64_t time, int64_t price) {
    if (time >= open.start && time <= open.expires) open.top = std::max(open.top, price);
  }
  void OnWatermark(int64_t w) {
    while (!closing.empty() && closing.top().first <= w) {
      const int64_t id = closing.top().second;
      closing.pop();
      auto it = auctions.find(id);
      if (it->second.top >= 0) {
        auto& [sum, count] = categories[it->second.category];
        sum += it->second.top;
        ++count;
      }
      auctions.erase(it);
      closed.insert(id);
    }
  }
  void Finish() {
    OnWatermark(kMaxWatermark);
    for (const auto& [category, sum_count] : categories) {
      sink.Emit(category,
                static_cast<double>(sum_count.first) / static_cast<double>(sum_count.second));
    }
  }
  using Closing = std::pair<int64_t, int64_t>;  // (expires, auction)
  std::priority_queue<Closing, std::vector<Closing>, std::greater<>> closing;
  std::unordered_map<int64_t, Open> auctions;
  std::unordered_set<int64_t> closed;
  std::unordered_map<int64_t, std::vector<std::pair<int64_t, int64_t>>> early;
  std::map<int64_t, std::pair<int64_t, int64_t>> categories;  // category -> (sum, count)
};

// Bid counts per auction in 2 s panes; a 10 s window is the sum of its 5 panes.
struct Q5 : QueryBase {
  using QueryBase::QueryBase;
  static constexpr int64_t kSize = eddy::nexmark::kQ5WindowMs;
  static constexpr int64_t kSlide = eddy::nexmark::kQ5SlideMs;
  void OnBid(const Bid& b) {
    const int64_t pane = WindowStart(b.date_time, kSlide);
    if (next_window == kMinWatermark) next_window = pane - kSize + kSlide;
    if (pane < next_window) return;  // late: every window holding it has fired
    ++panes[pane][b.auction];
  }
  void OnWatermark(int64_t w) {
    while (next_window != kMinWatermark && !panes.empty() && next_window + kSize - 1 <= w) {
      Fire(next_window);
      panes.erase(next_window);  // no later window holds this pane
      next_window += kSlide;
    }
  }
  void Fire(int64_t start) {
    merged.clear();
    for (auto it = panes.lower_bound(start); it != panes.end() && it->first < start + kSize; ++it) {
      for (const auto& [auction, n] : it->second) merged[auction] += n;
    }
    int64_t top = 0;
    for (const auto& [auction, n] : merged) top = std::max(top, n);
    for (const auto& [auction, n] : merged) {
      if (n == top) sink.Emit(auction, n, Ts{start}, Ts{start + kSize});
    }
  }
  void Finish() { OnWatermark(kMaxWatermark); }
  int64_t next_window = kMinWatermark;
  std::map<int64_t, std::unordered_map<int64_t, int64_t>> panes;
  std::unordered_map<int64_t, int64_t> merged;
};

// Per tumbling window the top price and the bids at it.
struct Q7 : QueryBase {
  using QueryBase::QueryBase;
  static constexpr int64_t kSize = eddy::nexmark::kQ7WindowMs;
  struct Top {
    int64_t price = -1;
    std::vector<Bid> bids;
  };
  void OnBid(const Bid& b) {
    Top& top = windows[WindowStart(b.date_time, kSize)];
    if (b.price < top.price) return;
    if (b.price > top.price) {
      top.price = b.price;
      top.bids.clear();
    }
    top.bids.push_back(b);
  }
  void OnWatermark(int64_t w) {
    while (!windows.empty() && windows.begin()->first + kSize - 1 <= w) {
      const int64_t start = windows.begin()->first;
      for (const Bid& b : windows.begin()->second.bids) {
        sink.Emit(b.auction, b.price, b.bidder, Ts{b.date_time}, b.extra, Ts{start},
                  Ts{start + kSize});
      }
      windows.erase(windows.begin());
    }
  }
  void Finish() { OnWatermark(kMaxWatermark); }
  std::map<int64_t, Top> windows;
};

// Per tumbling window the new persons and the sellers; joined when the window fires.
struct Q8 : QueryBase {
  using QueryBase::QueryBase;
  static constexpr int64_t kSize = eddy::nexmark::kQ8WindowMs;
  struct Window {
    std::unordered_map<int64_t, std::string> persons;
    std::unordered_set<int64_t> sellers;
  };
  void OnPerson(const Person& p) {
    windows[WindowStart(p.date_time, kSize)].persons.emplace(p.id, p.name);
  }
  void OnAuction(const Auction& a) {
    windows[WindowStart(a.date_time, kSize)].sellers.insert(a.seller);
  }
  void OnWatermark(int64_t w) {
    while (!windows.empty() && windows.begin()->first + kSize - 1 <= w) {
      const int64_t start = windows.begin()->first;
      const Window& window = windows.begin()->second;
      for (const auto& [id, name] : window.persons) {
        if (window.sellers.contains(id)) sink.Emit(id, name, Ts{start});
      }
      windows.erase(windows.begin());
    }
  }
  void Finish() { OnWatermark(kMaxWatermark); }
  std::map<int64_t, Window> windows;
};

// Per bidder its open sessions (usually one); a bid merges every session within the gap.
struct Q11 : QueryBase {
  using QueryBase::QueryBase;
  static constexpr int64_t kGap = eddy::nexmark::kQ11GapMs;
  struct Session {
    int64_t start, last, count;
  };
  void OnBid(const Bid& b) {
    std::vector<Session>& sessions = bidders[b.bidder];
    Session merged{b.date_time, b.date_time, 1};
    // [start, last + gap) overlaps [t, t + gap) when t < last + gap and start < t + gap.
    auto overlaps = [&](const Session& s) {
      return b.date_time < s.last + kGap && s.start < b.date_time + kGap;
    };
    for (auto it = sessions.begin(); it != sessions.end();) {
      if (overlaps(*it)) {
        merged = {std::min(merged.start, it->start), std::max(merged.last, it->last),
                  merged.count + it->count};
        it = sessions.erase(it);
      } else {
        ++it;
      }
    }
    sessions.push_back(merged);
  }
  void OnWatermark(int64_t w) {
    for (auto it = bidders.begin(); it != bidders.end();) {
      std::vector<Session>& sessions = it->second;
      for (auto s = sessions.begin(); s != sessions.end();) {
        if (s->last + kGap - 1 <= w) {
          sink.Emit(it->first, s->count, Ts{s->start}, Ts{s->last + kGap});
          s = sessions.erase(s);
        } else {
          ++s;
        }
      }
      it = sessions.empty() ? bidders.erase(it) : std::next(it);
    }
  }
  void Finish() { OnWatermark(kMaxWatermark); }
  std::unordered_map<int64_t, std::vector<Session>> bidders;
};

// ---- the sources ----

constexpr int64_t kWatermarkEvery = 4096;

struct RunStats {
  int64_t events = 0;
};

template <typename Query>
void RunGenerator(const eddy::nexmark::GeneratorConfig& config, Query& query, RunStats* stats,
                  const std::vector<NexmarkStream>& inputs) {
  const eddy::nexmark::Generator generator(config);
  bool wanted[3] = {false, false, false};
  for (NexmarkStream s : inputs) wanted[static_cast<int>(s)] = true;
  Person person;
  Auction auction;
  Bid bid;
  int64_t time = 0;
  for (int64_t n = 0; n < config.num_events; ++n) {
    const NexmarkStream kind = generator.KindOf(n);
    if (!wanted[static_cast<int>(kind)]) {
      if ((n + 1) % kWatermarkEvery == 0) query.OnWatermark(time - 1);
      continue;
    }
    switch (kind) {
      case NexmarkStream::kPerson:
        generator.MakePerson(n, &person);
        query.OnPerson(person);
        time = person.date_time;
        break;
      case NexmarkStream::kAuction:
        generator.MakeAuction(n, &auction);
        query.OnAuction(auction);
        time = auction.date_time;
        break;
      case NexmarkStream::kBid:
        generator.MakeBid(n, &bid);
        query.OnBid(bid);
        time = bid.date_time;
        break;
    }
    if ((n + 1) % kWatermarkEvery == 0) query.OnWatermark(time - 1);
  }
  stats->events = config.num_events;
  query.Finish();
}

// One partition of an input topic, read up to the end it had at the start.
struct PartitionCursor {
  NexmarkStream stream;
  std::shared_ptr<eddy::log::Partition> partition;
  eddy::Offset next;
  eddy::Offset end;
  int64_t last_time = kMinWatermark;
  bool done() const { return next >= end; }
};

template <typename Query>
Status RunLog(eddy::log::Log& log, NexmarkQuery q, Query& query, RunStats* stats) {
  std::vector<PartitionCursor> cursors;
  for (NexmarkStream stream : eddy::nexmark::QueryInputs(q)) {
    const std::string topic(eddy::nexmark::TopicName(stream));
    ASSIGN_OR_RETURN(eddy::log::TopicInfo info, log.DescribeTopic(topic));
    for (int32_t p = 0; p < info.config.partitions; ++p) {
      ASSIGN_OR_RETURN(auto partition, log.GetPartition(topic, eddy::PartitionId(p)));
      cursors.push_back(
          {stream, partition, partition->log_start_offset(), partition->high_watermark()});
    }
  }
  eddy::nexmark::NexmarkJsonDecoder decoder;
  eddy::log::RecordReader reader;
  eddy::log::Record record;
  Person person;
  Auction auction;
  Bid bid;
  eddy::log::ReadOptions read_options;
  read_options.max_bytes = 1 << 20;
  while (true) {
    // The partition furthest behind in event time holds the watermark back: read it.
    PartitionCursor* behind = nullptr;
    for (PartitionCursor& c : cursors) {
      if (!c.done() && (behind == nullptr || c.last_time < behind->last_time)) behind = &c;
    }
    if (behind == nullptr) break;
    ASSIGN_OR_RETURN(eddy::log::ReadResult read,
                     behind->partition->Read(behind->next, read_options));
    const size_t size = read.bytes.size();
    // simdjson reads a little past each value: pad the buffer's end.
    read.bytes.resize(size + eddy::nexmark::NexmarkJsonDecoder::kPadding);
    eddy::log::BatchIterator batches(eddy::ByteSpan(read.bytes.data(), size));
    while (true) {
      ASSIGN_OR_RETURN(eddy::ByteSpan batch, batches.Next());
      if (batch.empty()) break;
      RETURN_IF_ERROR(reader.Reset(batch));
      while (reader.Next(&record)) {
        if (record.offset < behind->next.value()) continue;  // before the start of the read
        if (record.offset >= behind->end.value()) break;
        const std::string_view json = eddy::AsStringView(*record.value);
        switch (behind->stream) {
          case NexmarkStream::kPerson:
            RETURN_IF_ERROR(decoder.Decode(json, &person, true));
            query.OnPerson(person);
            behind->last_time = person.date_time;
            break;
          case NexmarkStream::kAuction:
            RETURN_IF_ERROR(decoder.Decode(json, &auction, true));
            query.OnAuction(auction);
            behind->last_time = auction.date_time;
            break;
          case NexmarkStream::kBid:
            RETURN_IF_ERROR(decoder.Decode(json, &bid, true));
            query.OnBid(bid);
            behind->last_time = bid.date_time;
            break;
        }
        ++stats->events;
      }
      RETURN_IF_ERROR(reader.status());
    }
    if (read.next_offset <= behind->next) {
      return Status::Internal("read of " + behind->partition->topic() + " made no progress at " +
                              std::to_string(behind->next.value()));
    }
    behind->next = std::min(read.next_offset, behind->end);
    // The watermark: every partition still being read has reached its last event time.
    int64_t watermark = kMaxWatermark;
    for (const PartitionCursor& c : cursors) {
      if (c.done()) continue;
      watermark =
          std::min(watermark, c.last_time == kMinWatermark ? kMinWatermark : c.last_time - 1);
    }
    if (watermark != kMinWatermark) query.OnWatermark(watermark);
  }
  query.Finish();
  return Status::OK();
}

struct Options {
  std::string query = "q0";
  std::string source = "generator";
  int64_t events = 10'000'000;
  uint64_t seed = 42;
  int64_t rate = 10'000;
  std::string data_dir;
  bool check = false;
};

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

template <typename Query>
Status Run(const Options& options, NexmarkQuery q, const eddy::nexmark::GeneratorConfig& config,
           eddy::log::Log* log, ResultSink& sink, RunStats* stats) {
  Query query(sink);
  if (options.source == "generator") {
    RunGenerator(config, query, stats, eddy::nexmark::QueryInputs(q));
    return Status::OK();
  }
  return RunLog(*log, q, query, stats);
}

Status Dispatch(const Options& options, NexmarkQuery q,
                const eddy::nexmark::GeneratorConfig& config, eddy::log::Log* log, ResultSink& sink,
                RunStats* stats) {
  switch (q) {
    case NexmarkQuery::kQ0:
      return Run<Q0>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ1:
      return Run<Q1>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ2:
      return Run<Q2>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ3:
      return Run<Q3>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ4:
      return Run<Q4>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ5:
      return Run<Q5>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ7:
      return Run<Q7>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ8:
      return Run<Q8>(options, q, config, log, sink, stats);
    case NexmarkQuery::kQ11:
      return Run<Q11>(options, q, config, log, sink, stats);
  }
  return Status::Internal("unknown query");
}

int Fail(const Status& status) {
  std::fprintf(stderr, "nexmark_baseline: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // As the eddy binary does (src/server/main.cc): keep large freed buffers for reuse.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);

  Options options;
  CLI::App app{"nexmark_baseline: the Nexmark queries by hand, one thread, no engine"};
  app.add_option("--query", options.query, "q0, q1, q2, q3, q4, q5, q7, q8 or q11")->required();
  app.add_option("--source", options.source, "generator or log")
      ->check(CLI::IsMember({"generator", "log"}))
      ->capture_default_str();
  app.add_option("--events", options.events, "Events to generate (generator; --check)")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "Generator seed")->capture_default_str();
  app.add_option("--rate", options.rate, "Event-time rate (events per second of event time)")
      ->capture_default_str();
  app.add_option("--data-dir", options.data_dir, "Data directory with the nexmark-* topics (log)");
  app.add_flag("--check", options.check,
               "Compare the results with the reference results of the same events");
  CLI11_PARSE(app, argc, argv);

  Result<NexmarkQuery> query = eddy::nexmark::ParseQuery(options.query);
  if (!query.ok()) return Fail(query.status());
  eddy::nexmark::GeneratorConfig config;
  config.num_events = options.events;
  config.seed = options.seed;
  config.events_per_second = options.rate;
  if (Status valid = config.Validate(); !valid.ok()) return Fail(valid);

  std::unique_ptr<eddy::log::Log> log;
  if (options.source == "log") {
    if (options.data_dir.empty())
      return Fail(Status::InvalidArgument("--source log needs --data-dir"));
    eddy::log::LogOptions log_options;
    log_options.data_dir = options.data_dir;
    auto opened = eddy::log::Log::Open(log_options);
    if (!opened.ok()) return Fail(opened.status());
    log = std::move(opened).value();
  }

  ResultSink sink(options.check);
  RunStats stats;
  const double cpu_start = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  Status run = Dispatch(options, *query, config, log.get(), sink, &stats);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = CpuSeconds() - cpu_start;
  if (!run.ok()) return Fail(run);

  std::string check;
  if (options.check) {
    const eddy::nexmark::QueryResult expected = eddy::nexmark::ReferenceResult(*query, config);
    Status same = eddy::nexmark::CompareResults(expected, std::move(sink.collected()));
    check = fmt::format(",\"check\":\"{}\"", same.ok() ? "ok" : "FAILED");
    if (!same.ok())
      std::fprintf(stderr, "nexmark_baseline: check failed: %s\n", same.ToString().c_str());
  }
  std::printf(
      "{\"query\":\"%s\",\"source\":\"%s\",\"events\":%lld,\"seconds\":%.3f,"
      "\"cpu_seconds\":%.3f,\"events_per_s\":%.0f,\"results\":%lld,\"checksum\":%llu%s}\n",
      std::string(eddy::nexmark::QueryName(*query)).c_str(), options.source.c_str(),
      static_cast<long long>(stats.events), seconds, cpu_seconds,
      static_cast<double>(stats.events) / std::max(seconds, 1e-9),
      static_cast<long long>(sink.rows()), static_cast<unsigned long long>(sink.checksum()),
      check.c_str());
  if (log) (void)log->Close();
  return check.find("FAILED") == std::string::npos ? 0 : 1;
}
