#include "src/nexmark/nexmark_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/util/temp_dir.h"

namespace eddy::nexmark {
namespace {

GeneratorConfig SmallConfig(int64_t events) {
  GeneratorConfig config;
  config.num_events = events;
  return config;
}

template <typename Event>
std::string Json(const Event& e) {
  std::string out;
  AppendJson(e, &out);
  return out;
}

TEST(NexmarkJsonTest, WritesTheSnakeCaseFieldsInOrder) {
  Bid bid{1000, 1001, 1234, "Google", "https://x/y", 1700000000000, "abc"};
  EXPECT_EQ(Json(bid), R"({"auction":1000,"bidder":1001,"price":1234,"channel":"Google",)"
                       R"("url":"https://x/y","date_time":1700000000000,"extra":"abc"})");
  Person person{7, "Peter White", "a@b.com", "0000 1111 2222 3333", "Bend", "OR", 5, ""};
  EXPECT_EQ(Json(person), R"({"id":7,"name":"Peter White","email_address":"a@b.com",)"
                          R"("credit_card":"0000 1111 2222 3333","city":"Bend","state":"OR",)"
                          R"("date_time":5,"extra":""})");
  Auction auction{1000, "item", "desc", 10, 20, 100, 200, 1000, 10, "x"};
  EXPECT_EQ(Json(auction),
            R"({"id":1000,"item_name":"item","description":"desc","initial_bid":10,)"
            R"("reserve":20,"date_time":100,"expires":200,"seller":1000,"category":10,)"
            R"("extra":"x"})");
}

TEST(NexmarkJsonTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\te\x01\x1f/\xc3\xa9", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f/\xc3\xa9\"");
}

// The word-at-a-time scan against a byte-at-a-time one, on random strings of every byte.
TEST(NexmarkJsonTest, EscapingMatchesAByteAtATimeEscaper) {
  auto naive = [](std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"')
        out += "\\\"";
      else if (c == '\\')
        out += "\\\\";
      else if (c == '\n')
        out += "\\n";
      else if (c == '\r')
        out += "\\r";
      else if (c == '\t')
        out += "\\t";
      else if (c == '\b')
        out += "\\b";
      else if (c == '\f')
        out += "\\f";
      else if (c < 0x20)
        out += "\\u00" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 0xF];
      else
        out += static_cast<char>(c);
    }
    return out + "\"";
  };
  uint64_t state = 1;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int round = 0; round < 20000; ++round) {
    std::string s(next() % 40, ' ');
    for (char& c : s) {
      // Mostly plain letters, sometimes any byte: escapes land at every position.
      c = next() % 8 == 0 ? static_cast<char>(next() % 256) : static_cast<char>('a' + next() % 26);
    }
    std::string out;
    AppendJsonString(s, &out);
    ASSERT_EQ(out, naive(s)) << "round " << round;
  }
}

TEST(NexmarkJsonTest, GeneratedEventsRoundTripThroughTheDecoder) {
  const NexmarkEvents events = GenerateEvents(SmallConfig(5000));
  NexmarkJsonDecoder decoder;
  Person person;
  for (const Person& p : events.persons) {
    ASSERT_TRUE(decoder.Decode(Json(p), &person).ok());
    ASSERT_EQ(person, p);
  }
  Auction auction;
  for (const Auction& a : events.auctions) {
    ASSERT_TRUE(decoder.Decode(Json(a), &auction).ok());
    ASSERT_EQ(auction, a);
  }
  Bid bid;
  for (const Bid& b : events.bids) {
    // In place, inside a larger buffer, as the baseline reads record values.
    std::string buffer = Json(b);
    const size_t size = buffer.size();
    buffer.append(NexmarkJsonDecoder::kPadding, 'x');
    ASSERT_TRUE(decoder.Decode(std::string_view(buffer.data(), size), &bid, true).ok());
    ASSERT_EQ(bid, b);
  }
}

TEST(NexmarkJsonTest, DecoderTakesAnyFieldOrderSkipsUnknownFieldsAndUnescapes) {
  NexmarkJsonDecoder decoder;
  Bid bid;
  Status st = decoder.Decode(
      R"({"extra":"q\"\\\u00e9","date_time":5,"url":"u","channel":"c","more":[1,{"a":2}],)"
      R"("price":3,"bidder":2,"auction":1})",
      &bid);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(bid, (Bid{1, 2, 3, "c", "u", 5, "q\"\\\xc3\xa9"}));
}

TEST(NexmarkJsonTest, DecoderNamesWhatIsWrong) {
  NexmarkJsonDecoder decoder;
  Bid bid;
  Status missing = decoder.Decode(R"({"auction":1,"bidder":2,"price":3})", &bid);
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("missing field 'channel'"), std::string::npos)
      << missing.ToString();
  Status wrong_type = decoder.Decode(
      R"({"auction":"1","bidder":2,"price":3,"channel":"c","url":"u","date_time":5,"extra":""})",
      &bid);
  EXPECT_NE(wrong_type.message().find("field 'auction'"), std::string::npos)
      << wrong_type.ToString();
  EXPECT_FALSE(decoder.Decode("[1,2]", &bid).ok());
  EXPECT_FALSE(decoder.Decode("{\"auction\":1", &bid).ok());
  EXPECT_FALSE(decoder.Decode("", &bid).ok());
  Person person;
  Status person_error = decoder.Decode("{}", &person);
  EXPECT_NE(person_error.message().find("person JSON"), std::string::npos);
}

// Python's json module, an independent parser, reads the same values back. Each record
// is printed as key=value fields separated by \x1f, records separated by \x1e.
TEST(NexmarkJsonTest, PythonReadsTheSameValues) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
  NexmarkEvents events = GenerateEvents(SmallConfig(2000));
  // Strings that need escaping, too.
  events.persons[0].name = "Quote \" back\\slash\nnew line\ttab \x01 caf\xc3\xa9";
  events.bids[0].extra = std::string("nul\x00inside", 10);

  testing::TempDir dir;
  std::ofstream lines(dir.Sub("events.jsonl"));
  std::string expected;
  auto field = [&expected](std::string_view key, const std::string& value) {
    expected += std::string(key) + "=" + value + "\x1f";
  };
  for (const Person& p : events.persons) {
    lines << Json(p) << "\n";
    field("id", std::to_string(p.id));
    field("name", p.name);
    field("email_address", p.email_address);
    field("credit_card", p.credit_card);
    field("city", p.city);
    field("state", p.state);
    field("date_time", std::to_string(p.date_time));
    field("extra", p.extra);
    expected += "\x1e";
  }
  for (const Auction& a : events.auctions) {
    lines << Json(a) << "\n";
    field("id", std::to_string(a.id));
    field("item_name", a.item_name);
    field("description", a.description);
    field("initial_bid", std::to_string(a.initial_bid));
    field("reserve", std::to_string(a.reserve));
    field("date_time", std::to_string(a.date_time));
    field("expires", std::to_string(a.expires));
    field("seller", std::to_string(a.seller));
    field("category", std::to_string(a.category));
    field("extra", a.extra);
    expected += "\x1e";
  }
  for (const Bid& b : events.bids) {
    lines << Json(b) << "\n";
    field("auction", std::to_string(b.auction));
    field("bidder", std::to_string(b.bidder));
    field("price", std::to_string(b.price));
    field("channel", b.channel);
    field("url", b.url);
    field("date_time", std::to_string(b.date_time));
    field("extra", b.extra);
    expected += "\x1e";
  }
  lines.close();

  std::ofstream script(dir.Sub("read.py"));
  script << "import json, sys\n"
            "out = sys.stdout.buffer\n"
            "for line in open(sys.argv[1], encoding='utf-8'):\n"
            "    obj = json.loads(line)\n"
            "    for key, value in obj.items():\n"
            "        assert isinstance(value, (int, str)), (key, value)\n"
            "        out.write((key + '=' + str(value) + '\\x1f').encode('utf-8'))\n"
            "    out.write(b'\\x1e')\n";
  script.close();
  const std::string command =
      "/usr/bin/python3 " + dir.Sub("read.py") + " " + dir.Sub("events.jsonl");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string actual;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) actual.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << "python failed";
  ASSERT_EQ(actual.size(), expected.size());
  EXPECT_TRUE(actual == expected);
}

}  // namespace
}  // namespace eddy::nexmark
