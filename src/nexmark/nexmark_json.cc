#include "src/nexmark/nexmark_json.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>
#include <span>

namespace eddy::nexmark {
namespace {

static_assert(NexmarkJsonDecoder::kPadding >= simdjson::SIMDJSON_PADDING);

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, static_cast<size_t>(end - buf));
}

// "key": with the separator before it (the first field has none).
void AppendKey(std::string_view key, bool first, std::string* out) {
  out->push_back(first ? '{' : ',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void AppendIntField(std::string_view key, int64_t v, bool first, std::string* out) {
  AppendKey(key, first, out);
  AppendInt(v, out);
}

void AppendStringField(std::string_view key, std::string_view v, std::string* out) {
  AppendKey(key, false, out);
  AppendJsonString(v, out);
}

}  // namespace

namespace {

// True when some byte of the 8 is a control character, '"' or '\\' (bytes >= 0x80, the
// rest of UTF-8 sequences, never match).
bool AnyNeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (below_space | has_zero_byte(w ^ (kOnes * '"')) | has_zero_byte(w ^ (kOnes * '\\'))) != 0;
}

// The index of the first byte of s at or after `from` that needs escaping, or s.size().
size_t FindEscape(std::string_view s, size_t from) {
  size_t i = from;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (AnyNeedsEscape(w)) break;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return i;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t clean = 0;  // s[clean, i) needs no escaping and is not yet appended
  for (size_t i = FindEscape(s, 0); i < s.size(); i = FindEscape(s, clean)) {
    out->append(s.substr(clean, i - clean));
    clean = i + 1;
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
  }
  out->append(s.substr(clean));
  out->push_back('"');
}

void AppendJson(const Person& p, std::string* out) {
  AppendIntField("id", p.id, true, out);
  AppendStringField("name", p.name, out);
  AppendStringField("email_address", p.email_address, out);
  AppendStringField("credit_card", p.credit_card, out);
  AppendStringField("city", p.city, out);
  AppendStringField("state", p.state, out);
  AppendIntField("date_time", p.date_time, false, out);
  AppendStringField("extra", p.extra, out);
  out->push_back('}');
}

void AppendJson(const Auction& a, std::string* out) {
  AppendIntField("id", a.id, true, out);
  AppendStringField("item_name", a.item_name, out);
  AppendStringField("description", a.description, out);
  AppendIntField("initial_bid", a.initial_bid, false, out);
  AppendIntField("reserve", a.reserve, false, out);
  AppendIntField("date_time", a.date_time, false, out);
  AppendIntField("expires", a.expires, false, out);
  AppendIntField("seller", a.seller, false, out);
  AppendIntField("category", a.category, false, out);
  AppendStringField("extra", a.extra, out);
  out->push_back('}');
}

void AppendJson(const Bid& b, std::string* out) {
  AppendIntField("auction", b.auction, true, out);
  AppendIntField("bidder", b.bidder, false, out);
  AppendIntField("price", b.price, false, out);
  AppendStringField("channel", b.channel, out);
  AppendStringField("url", b.url, out);
  AppendIntField("date_time", b.date_time, false, out);
  AppendStringField("extra", b.extra, out);
  out->push_back('}');
}

// ---- decoding ----

struct NexmarkJsonDecoder::Impl {
  simdjson::ondemand::parser parser;
  std::string scratch;
};

namespace {

using simdjson::ondemand::value;

// One field of an event: its JSON key and how to store a value into the event.
template <typename Event>
struct FieldSpec {
  std::string_view key;
  int64_t Event::*int_member = nullptr;
  std::string Event::*string_member = nullptr;
};

template <typename Event>
Status DecodeFields(simdjson::ondemand::parser& parser, const char* data, size_t size,
                    size_t capacity, std::string_view kind,
                    std::span<const FieldSpec<Event>> fields, Event* out) {
  auto fail = [&](std::string_view what) {
    return Status::InvalidArgument(std::string(kind) + " JSON: " + std::string(what));
  };
  simdjson::ondemand::document doc;
  if (auto error = parser.iterate(data, size, capacity).get(doc); error) {
    return fail(simdjson::error_message(error));
  }
  simdjson::ondemand::object object;
  if (auto error = doc.get_object().get(object); error) {
    return fail(std::string("not an object: ") + simdjson::error_message(error));
  }
  uint32_t seen = 0;
  size_t expected = 0;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key); error) {
      return fail(simdjson::error_message(error));
    }
    // Fields usually come in the order they were written: try the one after the last.
    size_t index = expected < fields.size() && fields[expected].key == key ? expected : 0;
    while (index < fields.size() && fields[index].key != key) ++index;
    if (index == fields.size()) continue;  // unknown fields are skipped
    expected = index + 1;
    const FieldSpec<Event>& spec = fields[index];
    value v = field.value();
    if (spec.int_member != nullptr) {
      int64_t x;
      if (auto error = v.get_int64().get(x); error) {
        return fail("field '" + std::string(key) + "': " + simdjson::error_message(error));
      }
      out->*spec.int_member = x;
    } else {
      std::string_view s;
      if (auto error = v.get_string().get(s); error) {
        return fail("field '" + std::string(key) + "': " + simdjson::error_message(error));
      }
      (out->*spec.string_member).assign(s);
    }
    seen |= 1u << index;
  }
  // Past the end of the document there is no location: anything else is trailing text.
  if (const char* rest = nullptr; doc.current_location().get(rest) == simdjson::SUCCESS) {
    return fail("trailing content after the object");
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if ((seen & (1u << i)) == 0) return fail("missing field '" + std::string(fields[i].key) + "'");
  }
  return Status::OK();
}

// Parses in place when `padded`, else from a padded copy in `scratch`.
template <typename Event>
Status DecodeEvent(simdjson::ondemand::parser& parser, std::string& scratch, std::string_view json,
                   bool padded, std::string_view kind, std::span<const FieldSpec<Event>> fields,
                   Event* out) {
  if (padded) {
    return DecodeFields(parser, json.data(), json.size(),
                        json.size() + NexmarkJsonDecoder::kPadding, kind, fields, out);
  }
  scratch.assign(json);
  scratch.resize(json.size() + NexmarkJsonDecoder::kPadding);
  return DecodeFields(parser, scratch.data(), json.size(), scratch.size(), kind, fields, out);
}

constexpr FieldSpec<Person> kPersonFields[] = {
    {"id", &Person::id, nullptr},
    {"name", nullptr, &Person::name},
    {"email_address", nullptr, &Person::email_address},
    {"credit_card", nullptr, &Person::credit_card},
    {"city", nullptr, &Person::city},
    {"state", nullptr, &Person::state},
    {"date_time", &Person::date_time, nullptr},
    {"extra", nullptr, &Person::extra},
};

constexpr FieldSpec<Auction> kAuctionFields[] = {
    {"id", &Auction::id, nullptr},
    {"item_name", nullptr, &Auction::item_name},
    {"description", nullptr, &Auction::description},
    {"initial_bid", &Auction::initial_bid, nullptr},
    {"reserve", &Auction::reserve, nullptr},
    {"date_time", &Auction::date_time, nullptr},
    {"expires", &Auction::expires, nullptr},
    {"seller", &Auction::seller, nullptr},
    {"category", &Auction::category, nullptr},
    {"extra", nullptr, &Auction::extra},
};

constexpr FieldSpec<Bid> kBidFields[] = {
    {"auction", &Bid::auction, nullptr}, {"bidder", &Bid::bidder, nullptr},
    {"price", &Bid::price, nullptr},     {"channel", nullptr, &Bid::channel},
    {"url", nullptr, &Bid::url},         {"date_time", &Bid::date_time, nullptr},
    {"extra", nullptr, &Bid::extra},
};

}  // namespace

NexmarkJsonDecoder::NexmarkJsonDecoder() : impl_(std::make_unique<Impl>()) {}
NexmarkJsonDecoder::~NexmarkJsonDecoder() = default;

Status NexmarkJsonDecoder::Decode(std::string_view json, Person* out, bool padded) {
  return DecodeEvent<Person>(impl_->parser, impl_->scratch, json, padded, "person", kPersonFields,
                             out);
}

Status NexmarkJsonDecoder::Decode(std::string_view json, Auction* out, bool padded) {
  return DecodeEvent<Auction>(impl_->parser, impl_->scratch, json, padded, "auction",
                              kAuctionFields, out);
}

Status NexmarkJsonDecoder::Decode(std::string_view json, Bid* out, bool padded) {
  return DecodeEvent<Bid>(impl_->parser, impl_->scratch, json, padded, "bid", kBidFields, out);
}

}  // namespace eddy::nexmark
