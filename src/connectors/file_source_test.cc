#include "src/connectors/file_source.h"

#include <gtest/gtest.h>

#include <chrono>

#include "src/connectors/connectors_test_util.h"
#include "tests/util/manual_clock.h"

namespace eddy::connectors {
namespace {

using connectors::testing::AppendText;
using connectors::testing::WriteText;
using engine::Batch;
using engine::DataType;
using engine::SourceContext;
using engine::SourceState;
using engine::Value;

constexpr int64_t kNow = 1'700'000'000'000;

engine::SchemaRef Schema() {
  return engine::MakeSchema({{"id", DataType::kInt64, false},
                             {"price", DataType::kDouble},
                             {"ok", DataType::kBool},
                             {"name", DataType::kString},
                             {"ts", DataType::kTimestamp}});
}

class FileSourceTest : public ::testing::Test {
 protected:
  FileSourceOptions Options(std::vector<std::string> files) {
    FileSourceOptions o;
    o.paths = std::move(files);
    o.schema = Schema();
    return o;
  }

  SourceContext Context(bool bounded, int instance = 0, int parallelism = 1) {
    SourceContext c;
    c.bounded = bounded;
    c.instance = instance;
    c.parallelism = parallelism;
    c.clock = &clock_;
    return c;
  }

  Batch ReadToEnd(engine::Source& source, size_t max_rows = 1000) {
    Batch all(source.schema());
    for (int i = 0; i < 10'000; ++i) {
      Batch batch(source.schema());
      auto state = source.Poll(batch, max_rows, 0);
      EXPECT_TRUE(state.ok()) << state.status().ToString();
      if (!state.ok()) break;
      EXPECT_LE(batch.num_rows(), max_rows);
      all.AppendRange(batch, 0, batch.num_rows());
      if (*state == SourceState::kEnd) return all;
    }
    ADD_FAILURE() << "the source did not end";
    return all;
  }

  static std::vector<int64_t> Ids(const Batch& batch) {
    return std::vector<int64_t>(batch.column(0).ints().begin(), batch.column(0).ints().end());
  }

  eddy::testing::TempDir dir_;
  eddy::testing::ManualClock clock_{kNow};
};

TEST_F(FileSourceTest, JsonLinesReadsEveryLineThenEnds) {
  const std::string path = dir_.Sub("a.jsonl");
  WriteText(path,
            "{\"id\": 1, \"name\": \"one\", \"price\": 1.5}\n"
            "\n"
            "{\"id\": 2, \"ok\": true}\r\n"
            "   \n"
            "{\"id\": 3, \"ts\": \"2026-11-25T12:00:00Z\"}");  // no newline at the end
  JsonLinesFileSource source(Options({path}));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  EXPECT_EQ(Ids(all), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(all.RowValues(0)[3], Value::String("one"));
  EXPECT_EQ(all.RowValues(0)[1], Value::Double(1.5));
  EXPECT_EQ(all.RowValues(1)[2], Value::Bool(true));
  EXPECT_EQ(all.RowValues(2)[4], Value::Timestamp(1'795'608'000'000));
  // No event time field: the processing time.
  EXPECT_EQ(all.event_times(), (std::vector<int64_t>{kNow, kNow, kNow}));
  EXPECT_EQ(source.counters().records_in, 3u);
  EXPECT_EQ(source.watermark(), engine::kMaxWatermark);
}

TEST_F(FileSourceTest, JsonLinesBadLinesAreSkippedCountedAndLoggedWithFileAndLine) {
  const std::string path = dir_.Sub("bad.jsonl");
  WriteText(path,
            "{\"id\": 1}\n"
            "{\"id\": \"x\"}\n"
            "{\"id\": 3}\n"
            "[1]\n"
            "{\"price\": 2}\n"
            "{\"id\": 6}\n");
  connectors::testing::LogCapture capture;
  JsonLinesFileSource source(Options({path}));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  EXPECT_EQ(Ids(all), (std::vector<int64_t>{1, 3, 6}));
  EXPECT_EQ(source.counters().dead_letters, 3u);
  const std::string logged = capture.Text();
  EXPECT_NE(logged.find(path + ":2: field \"id\": expected int64"), std::string::npos) << logged;
  EXPECT_NE(logged.find(path + ":4: not a JSON object"), std::string::npos) << logged;
  EXPECT_NE(logged.find(path + ":5: field \"id\" is missing but not nullable"), std::string::npos)
      << logged;
}

TEST_F(FileSourceTest, EventTimeFromAColumnDrivesTheWatermark) {
  const std::string path = dir_.Sub("t.jsonl");
  WriteText(path,
            "{\"id\": 1, \"ts\": 5000}\n{\"id\": 2, \"ts\": 4000}\n{\"id\": 3, \"ts\": 7000}\n");
  auto options = Options({path});
  options.event_time_field = "ts";
  options.max_out_of_orderness_ms = 500;
  JsonLinesFileSource source(options);
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch batch(source.schema());
  ASSERT_TRUE(source.Poll(batch, 2, 0).ok());
  EXPECT_EQ(batch.event_times(), (std::vector<int64_t>{5000, 4000}));
  EXPECT_EQ(source.watermark(), 5000 - 500 - 1);
  Batch rest = ReadToEnd(source);
  EXPECT_EQ(rest.event_times(), (std::vector<int64_t>{7000}));
  EXPECT_EQ(source.watermark(), engine::kMaxWatermark);
}

TEST_F(FileSourceTest, CsvParsesTypedColumnsNamedByTheHeader) {
  const std::string path = dir_.Sub("a.csv");
  // Header order differs from the schema; "extra" is not in the schema; "ok" is absent.
  WriteText(path,
            "name,extra,ts,id,price\n"
            "apple,x,1700000000000,1,1.25\n"
            "pear,y,2026-11-25T12:00:00Z,2,-3\n"
            ",z,,3,\n");
  CsvFileSource source(Options({path}));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  ASSERT_EQ(all.num_rows(), 3u);
  EXPECT_EQ(all.RowValues(0),
            (std::vector<Value>{Value::Int64(1), Value::Double(1.25), Value::Null(DataType::kBool),
                                Value::String("apple"), Value::Timestamp(1'700'000'000'000)}));
  EXPECT_EQ(all.RowValues(1)[4], Value::Timestamp(1'795'608'000'000));
  EXPECT_EQ(all.RowValues(1)[1], Value::Double(-3));
  // Empty unquoted fields are nulls.
  EXPECT_TRUE(all.RowValues(2)[3].is_null());
  EXPECT_TRUE(all.RowValues(2)[4].is_null());
  EXPECT_TRUE(all.RowValues(2)[1].is_null());
}

TEST_F(FileSourceTest, CsvQuotingFollowsRfc4180) {
  const std::string path = dir_.Sub("q.csv");
  WriteText(path,
            "id,name,ok\r\n"
            "1,\"comma, inside\",true\r\n"
            "2,\"say \"\"hi\"\"\",FALSE\r\n"
            "3,\"two\r\nlines\",1\r\n"
            "4,\"\",0\r\n"
            "5,,\r\n"
            "6,5\" pipe,True");
  CsvFileSource source(Options({path}));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  ASSERT_EQ(Ids(all), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(all.RowValues(0)[3], Value::String("comma, inside"));
  EXPECT_EQ(all.RowValues(1)[3], Value::String("say \"hi\""));
  EXPECT_EQ(all.RowValues(2)[3], Value::String("two\r\nlines"));
  EXPECT_EQ(all.RowValues(3)[3], Value::String(""));  // quoted empty: an empty string
  EXPECT_TRUE(all.RowValues(4)[3].is_null());         // unquoted empty: null
  EXPECT_EQ(all.RowValues(5)[3], Value::String("5\" pipe"));
  EXPECT_EQ(all.RowValues(0)[2], Value::Bool(true));
  EXPECT_EQ(all.RowValues(1)[2], Value::Bool(false));
  EXPECT_EQ(all.RowValues(2)[2], Value::Bool(true));
  EXPECT_EQ(all.RowValues(3)[2], Value::Bool(false));
  EXPECT_EQ(all.RowValues(5)[2], Value::Bool(true));
  EXPECT_EQ(source.counters().dead_letters, 0u);
}

TEST_F(FileSourceTest, CsvBadLinesAreSkippedAndLoggedWithTheirLineNumber) {
  const std::string path = dir_.Sub("bad.csv");
  WriteText(path,
            "id,price,name\n"
            "1,1.0,a\n"
            "x,2.0,b\n"              // line 3: not an int
            "3,\"multi\nline\",c\n"  // lines 4-5: a quoted price that is not a double
            "4,4.0\n"                // line 6: too few fields
            "5,5.0,\"e\"x\n"         // line 7: text after a closing quote
            "6,6.0,f\n"
            ",7.0,g\n"          // line 9: id is not nullable
            "8,8.0,\"open\n");  // lines 10-11: the quote never closes
  connectors::testing::LogCapture capture;
  CsvFileSource source(Options({path}));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  EXPECT_EQ(Ids(all), (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(source.counters().dead_letters, 6u);
  const std::string logged = capture.Text();
  EXPECT_NE(logged.find(path + ":3: field \"id\": expected int64, found \"x\""), std::string::npos)
      << logged;
  EXPECT_NE(logged.find(path + ":4: field \"price\": expected double"), std::string::npos)
      << logged;
  EXPECT_NE(logged.find(path + ":6: 2 fields where the header has 3"), std::string::npos) << logged;
  EXPECT_NE(logged.find(path + ":7: field 3: unexpected 'x' after the closing quote"),
            std::string::npos)
      << logged;
  EXPECT_NE(logged.find(path + ":9: field \"id\" is null but not nullable"), std::string::npos)
      << logged;
}

TEST_F(FileSourceTest, CsvHeaderWithoutANonNullableColumnFailsThePoll) {
  const std::string path = dir_.Sub("h.csv");
  WriteText(path, "name,price\na,1\n");
  CsvFileSource source(Options({path}));
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch batch(source.schema());
  auto state = source.Poll(batch, 100, 0);
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find(path + ":1"), std::string::npos);
  EXPECT_NE(state.status().message().find("no column \"id\""), std::string::npos)
      << state.status().ToString();
}

TEST_F(FileSourceTest, CsvWithAnotherDelimiterAndQuote) {
  const std::string path = dir_.Sub("semi.csv");
  WriteText(path, "id;name\n1;'a;b'\n2;'it''s'\n");
  CsvFileSource source(Options({path}), CsvFormat{';', '\''});
  ASSERT_TRUE(source.Open(Context(true)).ok());
  Batch all = ReadToEnd(source);
  ASSERT_EQ(Ids(all), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(all.RowValues(0)[3], Value::String("a;b"));
  EXPECT_EQ(all.RowValues(1)[3], Value::String("it's"));
}

TEST_F(FileSourceTest, RecordsSpanningReadChunksAreWhole) {
  const std::string json = dir_.Sub("chunks.jsonl");
  const std::string csv = dir_.Sub("chunks.csv");
  std::string json_text;
  std::string csv_text = "id,name\n";
  for (int i = 0; i < 50; ++i) {
    const std::string name(static_cast<size_t>(i), 'n');
    json_text += "{\"id\": " + std::to_string(i) + ", \"name\": \"" + name + "\"}\n";
    csv_text += std::to_string(i) + ",\"" + name + "\n" + name + "\"\n";
  }
  WriteText(json, json_text);
  WriteText(csv, csv_text);
  auto options = Options({json});
  options.read_chunk_bytes = 7;
  JsonLinesFileSource json_source(options);
  ASSERT_TRUE(json_source.Open(Context(true)).ok());
  Batch a = ReadToEnd(json_source, 3);
  options.paths = {csv};
  CsvFileSource csv_source(options);
  ASSERT_TRUE(csv_source.Open(Context(true)).ok());
  Batch b = ReadToEnd(csv_source, 3);
  ASSERT_EQ(a.num_rows(), 50u);
  ASSERT_EQ(b.num_rows(), 50u);
  for (int i = 0; i < 50; ++i) {
    const std::string name(static_cast<size_t>(i), 'n');
    EXPECT_EQ(a.RowValues(i)[3], Value::String(name));
    EXPECT_EQ(b.RowValues(i)[3], Value::String(name + "\n" + name));
  }
}

TEST_F(FileSourceTest, FilesAreSplitAcrossInstances) {
  std::vector<std::string> paths;
  for (int f = 0; f < 3; ++f) {
    paths.push_back(dir_.Sub("f" + std::to_string(f) + ".jsonl"));
    WriteText(paths.back(), "{\"id\": " + std::to_string(f) + "}\n");
  }
  JsonLinesFileSource first(Options(paths));
  JsonLinesFileSource second(Options(paths));
  ASSERT_TRUE(first.Open(Context(true, 0, 2)).ok());
  ASSERT_TRUE(second.Open(Context(true, 1, 2)).ok());
  EXPECT_EQ(first.files(), (std::vector<std::string>{paths[0], paths[2]}));
  EXPECT_EQ(second.files(), (std::vector<std::string>{paths[1]}));
  Batch a = ReadToEnd(first);
  std::vector<int64_t> ids = Ids(a);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(Ids(ReadToEnd(second)), (std::vector<int64_t>{1}));
}

TEST_F(FileSourceTest, BoundedReadsUpToTheSizeAtOpen) {
  const std::string path = dir_.Sub("grow.jsonl");
  WriteText(path, "{\"id\": 1}\n");
  auto options = Options({path});
  options.follow = true;  // bounded runs ignore it
  JsonLinesFileSource source(options);
  ASSERT_TRUE(source.Open(Context(true)).ok());
  AppendText(path, "{\"id\": 2}\n");
  EXPECT_EQ(Ids(ReadToEnd(source)), (std::vector<int64_t>{1}));
}

TEST_F(FileSourceTest, FollowPicksUpAppendedLinesAndWaitsForWholeLines) {
  const std::string path = dir_.Sub("follow.csv");
  WriteText(path, "id,name\n1,a\n");
  auto options = Options({path});
  options.follow = true;
  CsvFileSource source(options);
  ASSERT_TRUE(source.Open(Context(false)).ok());
  Batch batch(source.schema());
  auto state = source.Poll(batch, 100, 0);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(Ids(batch), (std::vector<int64_t>{1}));

  // Nothing new: Poll waits about max_wait_ms, then returns empty, not ended.
  const auto start = std::chrono::steady_clock::now();
  batch.Clear();
  state = source.Poll(batch, 100, 60);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, SourceState::kMore);
  EXPECT_TRUE(batch.empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(55));

  // Half a line is not a record yet; its end makes it one.
  AppendText(path, "2,b\n3,");
  batch.Clear();
  ASSERT_TRUE(source.Poll(batch, 100, 1000).ok());
  EXPECT_EQ(Ids(batch), (std::vector<int64_t>{2}));
  AppendText(path, "c\n");
  batch.Clear();
  ASSERT_TRUE(source.Poll(batch, 100, 1000).ok());
  EXPECT_EQ(Ids(batch), (std::vector<int64_t>{3}));
  EXPECT_EQ(batch.RowValues(0)[3], Value::String("c"));
}

TEST_F(FileSourceTest, UnboundedWithoutFollowEndsAtTheEndOfTheFile) {
  const std::string path = dir_.Sub("once.jsonl");
  WriteText(path, "{\"id\": 1}\n");
  JsonLinesFileSource source(Options({path}));
  ASSERT_TRUE(source.Open(Context(false)).ok());
  EXPECT_EQ(Ids(ReadToEnd(source)), (std::vector<int64_t>{1}));
}

TEST_F(FileSourceTest, AMissingFileIsNotFoundNamingIt) {
  FileSourceOptions options = Options({});
  options.path = dir_.Sub("nope.jsonl");
  JsonLinesFileSource source(options);
  Status st = source.Open(Context(true));
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("nope.jsonl"), std::string::npos);
}

TEST_F(FileSourceTest, TheFactoriesMakeSourcesOfTheirFormat) {
  const std::string json = dir_.Sub("x.jsonl");
  const std::string csv = dir_.Sub("x.csv");
  WriteText(json, "{\"id\": 1}\n");
  WriteText(csv, "id\n2\n");
  auto json_source = MakeJsonLinesFileSource(Options({json}))();
  auto csv_source = MakeCsvFileSource(Options({csv}))();
  ASSERT_TRUE(json_source.ok() && csv_source.ok());
  ASSERT_TRUE((*json_source)->Open(Context(true)).ok());
  ASSERT_TRUE((*csv_source)->Open(Context(true)).ok());
  EXPECT_EQ(Ids(ReadToEnd(**json_source)), (std::vector<int64_t>{1}));
  EXPECT_EQ(Ids(ReadToEnd(**csv_source)), (std::vector<int64_t>{2}));
}

}  // namespace
}  // namespace eddy::connectors
