#include "src/nexmark/nexmark_reference.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

namespace eddy::nexmark {

using engine::DataType;
using engine::Field;
using engine::SchemaRef;
using engine::Value;

namespace {

Value Int(int64_t v) { return Value::Int64(v); }
Value Time(int64_t v) { return Value::Timestamp(v); }
Value Str(const std::string& v) { return Value::String(v); }

SchemaRef Schema(std::vector<std::pair<const char*, DataType>> columns) {
  std::vector<Field> fields;
  for (const auto& [name, type] : columns) fields.push_back(Field{name, type, false});
  return engine::MakeSchema(std::move(fields));
}

// ---- the queries, one plain loop each ----

std::vector<Row> Q0(const NexmarkEvents& e) {
  std::vector<Row> rows;
  for (const Bid& b : e.bids) {
    rows.push_back({Int(b.auction), Int(b.bidder), Int(b.price), Str(b.channel), Str(b.url),
                    Time(b.date_time), Str(b.extra)});
  }
  return rows;
}

std::vector<Row> Q1(const NexmarkEvents& e) {
  std::vector<Row> rows;
  for (const Bid& b : e.bids) {
    rows.push_back({Int(b.auction), Int(b.bidder),
                    Value::Double(static_cast<double>(b.price) * kQ1DollarToEuro),
                    Time(b.date_time), Str(b.extra)});
  }
  return rows;
}

std::vector<Row> Q2(const NexmarkEvents& e) {
  std::vector<Row> rows;
  for (const Bid& b : e.bids) {
    if (b.auction % kQ2AuctionModulus == 0) rows.push_back({Int(b.auction), Int(b.price)});
  }
  return rows;
}

std::vector<Row> Q3(const NexmarkEvents& e) {
  std::map<int64_t, const Person*> persons;
  for (const Person& p : e.persons) persons[p.id] = &p;
  std::vector<Row> rows;
  for (const Auction& a : e.auctions) {
    if (a.category != kQ3Category) continue;
    auto it = persons.find(a.seller);
    if (it == persons.end()) continue;
    const Person& p = *it->second;
    if (std::find(std::begin(kQ3States), std::end(kQ3States), p.state) == std::end(kQ3States)) {
      continue;
    }
    rows.push_back({Str(p.name), Str(p.city), Str(p.state), Int(a.id)});
  }
  return rows;
}

std::vector<Row> Q4(const NexmarkEvents& e) {
  std::map<int64_t, const Auction*> auctions;
  for (const Auction& a : e.auctions) auctions[a.id] = &a;
  std::map<int64_t, int64_t> final_price;  // auction id -> highest bid while open
  for (const Bid& b : e.bids) {
    auto it = auctions.find(b.auction);
    if (it == auctions.end()) continue;
    const Auction& a = *it->second;
    if (b.date_time < a.date_time || b.date_time > a.expires) continue;
    auto [slot, inserted] = final_price.emplace(a.id, b.price);
    if (!inserted) slot->second = std::max(slot->second, b.price);
  }
  std::map<int64_t, std::pair<int64_t, int64_t>> per_category;  // category -> (sum, count)
  for (const auto& [id, price] : final_price) {
    auto& [sum, count] = per_category[auctions.at(id)->category];
    sum += price;
    ++count;
  }
  std::vector<Row> rows;
  for (const auto& [category, sum_count] : per_category) {
    rows.push_back({Int(category), Value::Double(static_cast<double>(sum_count.first) /
                                                 static_cast<double>(sum_count.second))});
  }
  return rows;
}

std::vector<Row> Q5(const NexmarkEvents& e) {
  std::map<int64_t, std::map<int64_t, int64_t>> counts;  // window start -> auction -> bids
  for (const Bid& b : e.bids) {
    // Every window [s, s + size) with s a multiple of the slide and s <= t < s + size.
    for (int64_t s = WindowStart(b.date_time, kQ5SlideMs); s > b.date_time - kQ5WindowMs;
         s -= kQ5SlideMs) {
      ++counts[s][b.auction];
    }
  }
  std::vector<Row> rows;
  for (const auto& [start, per_auction] : counts) {
    int64_t top = 0;
    for (const auto& [auction, n] : per_auction) top = std::max(top, n);
    for (const auto& [auction, n] : per_auction) {
      if (n == top) rows.push_back({Int(auction), Int(n), Time(start), Time(start + kQ5WindowMs)});
    }
  }
  return rows;
}

std::vector<Row> Q7(const NexmarkEvents& e) {
  std::map<int64_t, int64_t> top;  // window start -> highest price
  for (const Bid& b : e.bids) {
    auto [slot, inserted] = top.emplace(WindowStart(b.date_time, kQ7WindowMs), b.price);
    if (!inserted) slot->second = std::max(slot->second, b.price);
  }
  std::vector<Row> rows;
  for (const Bid& b : e.bids) {
    const int64_t start = WindowStart(b.date_time, kQ7WindowMs);
    if (b.price == top.at(start)) {
      rows.push_back({Int(b.auction), Int(b.price), Int(b.bidder), Time(b.date_time), Str(b.extra),
                      Time(start), Time(start + kQ7WindowMs)});
    }
  }
  return rows;
}

std::vector<Row> Q8(const NexmarkEvents& e) {
  std::set<std::pair<int64_t, int64_t>> sellers;  // (window start, seller)
  for (const Auction& a : e.auctions) {
    sellers.emplace(WindowStart(a.date_time, kQ8WindowMs), a.seller);
  }
  std::set<std::tuple<int64_t, int64_t, std::string>> persons;  // (window, id, name)
  for (const Person& p : e.persons) {
    const int64_t start = WindowStart(p.date_time, kQ8WindowMs);
    if (sellers.contains({start, p.id})) persons.emplace(start, p.id, p.name);
  }
  std::vector<Row> rows;
  for (const auto& [start, id, name] : persons) rows.push_back({Int(id), Str(name), Time(start)});
  return rows;
}

std::vector<Row> Q11(const NexmarkEvents& e) {
  std::map<int64_t, std::vector<int64_t>> times;  // bidder -> bid times
  for (const Bid& b : e.bids) times[b.bidder].push_back(b.date_time);
  std::vector<Row> rows;
  for (auto& [bidder, ts] : times) {
    std::sort(ts.begin(), ts.end());
    size_t first = 0;
    for (size_t i = 1; i <= ts.size(); ++i) {
      // A gap of kQ11GapMs or more (or the end) closes the session.
      if (i == ts.size() || ts[i] - ts[i - 1] >= kQ11GapMs) {
        rows.push_back({Int(bidder), Int(static_cast<int64_t>(i - first)), Time(ts[first]),
                        Time(ts[i - 1] + kQ11GapMs)});
        first = i;
      }
    }
  }
  return rows;
}

}  // namespace

SchemaRef ResultSchema(NexmarkQuery query) {
  switch (query) {
    case NexmarkQuery::kQ0:
      return Schema({{"auction", DataType::kInt64},
                     {"bidder", DataType::kInt64},
                     {"price", DataType::kInt64},
                     {"channel", DataType::kString},
                     {"url", DataType::kString},
                     {"date_time", DataType::kTimestamp},
                     {"extra", DataType::kString}});
    case NexmarkQuery::kQ1:
      return Schema({{"auction", DataType::kInt64},
                     {"bidder", DataType::kInt64},
                     {"price", DataType::kDouble},
                     {"date_time", DataType::kTimestamp},
                     {"extra", DataType::kString}});
    case NexmarkQuery::kQ2:
      return Schema({{"auction", DataType::kInt64}, {"price", DataType::kInt64}});
    case NexmarkQuery::kQ3:
      return Schema({{"name", DataType::kString},
                     {"city", DataType::kString},
                     {"state", DataType::kString},
                     {"id", DataType::kInt64}});
    case NexmarkQuery::kQ4:
      return Schema({{"category", DataType::kInt64}, {"avg_price", DataType::kDouble}});
    case NexmarkQuery::kQ5:
      return Schema({{"auction", DataType::kInt64},
                     {"num", DataType::kInt64},
                     {"window_start", DataType::kTimestamp},
                     {"window_end", DataType::kTimestamp}});
    case NexmarkQuery::kQ7:
      return Schema({{"auction", DataType::kInt64},
                     {"price", DataType::kInt64},
                     {"bidder", DataType::kInt64},
                     {"date_time", DataType::kTimestamp},
                     {"extra", DataType::kString},
                     {"window_start", DataType::kTimestamp},
                     {"window_end", DataType::kTimestamp}});
    case NexmarkQuery::kQ8:
      return Schema({{"id", DataType::kInt64},
                     {"name", DataType::kString},
                     {"window_start", DataType::kTimestamp}});
    case NexmarkQuery::kQ11:
      return Schema({{"bidder", DataType::kInt64},
                     {"bid_count", DataType::kInt64},
                     {"window_start", DataType::kTimestamp},
                     {"window_end", DataType::kTimestamp}});
  }
  return nullptr;
}

QueryResult ReferenceResult(NexmarkQuery query, const NexmarkEvents& events) {
  QueryResult result;
  result.schema = ResultSchema(query);
  switch (query) {
    case NexmarkQuery::kQ0:
      result.rows = Q0(events);
      break;
    case NexmarkQuery::kQ1:
      result.rows = Q1(events);
      break;
    case NexmarkQuery::kQ2:
      result.rows = Q2(events);
      break;
    case NexmarkQuery::kQ3:
      result.rows = Q3(events);
      break;
    case NexmarkQuery::kQ4:
      result.rows = Q4(events);
      break;
    case NexmarkQuery::kQ5:
      result.rows = Q5(events);
      break;
    case NexmarkQuery::kQ7:
      result.rows = Q7(events);
      break;
    case NexmarkQuery::kQ8:
      result.rows = Q8(events);
      break;
    case NexmarkQuery::kQ11:
      result.rows = Q11(events);
      break;
  }
  SortRows(result.rows);
  return result;
}

QueryResult ReferenceResult(NexmarkQuery query, const GeneratorConfig& config) {
  return ReferenceResult(query, GenerateEvents(config));
}

int CompareValues(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null())
    return static_cast<int>(!a.is_null()) - static_cast<int>(!b.is_null());
  if (a.type() != b.type()) return a.type() < b.type() ? -1 : 1;
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (a.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      return three_way(a.int64(), b.int64());
    case DataType::kDouble:
      return three_way(a.dbl(), b.dbl());
    case DataType::kBool:
      return three_way(a.boolean(), b.boolean());
    case DataType::kString:
      return a.str().compare(b.str()) < 0 ? -1 : (a.str() == b.str() ? 0 : 1);
  }
  return 0;
}

namespace {

bool RowLess(const Row& a, const Row& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = CompareValues(a[i], b[i]); c != 0) return c < 0;
  }
  return a.size() < b.size();
}

bool NearlyEqual(const Value& a, const Value& b, double tolerance) {
  if (a.type() == DataType::kDouble && b.type() == DataType::kDouble && !a.is_null() &&
      !b.is_null()) {
    const double x = a.dbl();
    const double y = b.dbl();
    return x == y || std::fabs(x - y) <= tolerance * std::max(std::fabs(x), std::fabs(y));
  }
  return a == b;
}

bool RowsNearlyEqual(const Row& a, const Row& b, double tolerance) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!NearlyEqual(a[i], b[i], tolerance)) return false;
  }
  return true;
}

std::string RowText(const Row& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) out += (i ? ", " : "") + row[i].ToString();
  return out + ")";
}

}  // namespace

void SortRows(std::vector<Row>& rows) { std::sort(rows.begin(), rows.end(), RowLess); }

Result<std::vector<Row>> ApplyChangelog(const engine::Batch& batch) {
  std::vector<Row> added;
  std::vector<Row> removed;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    (engine::IsAddition(batch.change(r)) ? added : removed).push_back(batch.RowValues(r));
  }
  if (removed.empty()) return added;
  SortRows(added);
  SortRows(removed);
  // Multiset difference of two sorted lists; every removed row must be found.
  std::vector<Row> rows;
  size_t j = 0;
  for (Row& row : added) {
    if (j < removed.size() && !RowLess(row, removed[j]) && !RowLess(removed[j], row)) {
      ++j;
      continue;
    }
    if (j < removed.size() && RowLess(removed[j], row)) {
      return Status::InvalidArgument("changelog retracts " + RowText(removed[j]) +
                                     ", which it never added");
    }
    rows.push_back(std::move(row));
  }
  if (j < removed.size()) {
    return Status::InvalidArgument("changelog retracts " + RowText(removed[j]) +
                                   ", which it never added");
  }
  return rows;
}

Status CompareResults(const QueryResult& expected, std::vector<Row> actual,
                      double relative_tolerance) {
  SortRows(actual);
  const std::vector<Row>& want = expected.rows;
  size_t differing = 0;
  std::string examples;
  const size_t n = std::max(want.size(), actual.size());
  for (size_t i = 0; i < n; ++i) {
    const bool same = i < want.size() && i < actual.size() &&
                      RowsNearlyEqual(want[i], actual[i], relative_tolerance);
    if (same) continue;
    if (differing++ < 5) {
      examples += "\n  row " + std::to_string(i) + ": expected " +
                  (i < want.size() ? RowText(want[i]) : "nothing") + ", got " +
                  (i < actual.size() ? RowText(actual[i]) : "nothing");
    }
  }
  if (differing == 0) return Status::OK();
  return Status::InvalidArgument(
      std::to_string(want.size()) + " rows expected, " + std::to_string(actual.size()) + " got, " +
      std::to_string(differing) + " positions differ (in canonical order):" + examples);
}

}  // namespace eddy::nexmark
