#include "src/connectors/iso_timestamp.h"

#include <gtest/gtest.h>

#include <sstream>

#include "src/connectors/connectors_test_util.h"

namespace eddy::connectors {
namespace {

int64_t Parse(std::string_view text) {
  Result<int64_t> ms = ParseIsoTimestampMs(text);
  EXPECT_TRUE(ms.ok()) << ms.status().ToString();
  return ms.ValueOr(-1);
}

TEST(IsoTimestampTest, ParsesTheCommonForms) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("1970-01-01"), 0);
  EXPECT_EQ(Parse("2026-11-25T12:00:00Z"), 1'795'608'000'000);
  EXPECT_EQ(Parse("2026-11-25 12:00:00"), 1'795'608'000'000);
  EXPECT_EQ(Parse("2026-11-25t12:00z"), 1'795'608'000'000);
  EXPECT_EQ(Parse("2026-11-25T12:00:00.1Z"), 1'795'608'000'100);
  EXPECT_EQ(Parse("2026-11-25T12:00:00.123456789Z"), 1'795'608'000'123);
  EXPECT_EQ(Parse("2026-11-25T14:00:00+02:00"), 1'795'608'000'000);
  EXPECT_EQ(Parse("2026-11-25T06:30:00-0530"), 1'795'608'000'000);
  EXPECT_EQ(Parse("2026-11-25T13:00:00+01"), 1'795'608'000'000);
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(Parse("2024-02-29T00:00:00Z"), 1'709'164'800'000);
}

TEST(IsoTimestampTest, RejectsWhatIsNotATimestamp) {
  for (const char* bad :
       {"", "2026", "2026-11", "2026-13-01", "2026-02-30", "2025-02-29", "2026-11-25T",
        "2026-11-25T24:00:00Z", "2026-11-25T12:60", "2026-11-25T12:00:00.Z", "2026-11-25T12:00:00+",
        "2026-11-25T12:00:00Q", "2026-11-25T12:00:00Z ", "26-11-25", "yesterday"}) {
    Result<int64_t> ms = ParseIsoTimestampMs(bad);
    EXPECT_FALSE(ms.ok()) << bad << " parsed as " << ms.ValueOr(0);
    if (!ms.ok()) {
      EXPECT_NE(ms.status().message().find(bad), std::string::npos);
    }
  }
}

TEST(IsoTimestampTest, FormatAndParseRoundTrip) {
  for (int64_t ms : {int64_t{0}, int64_t{-1}, int64_t{1'795'608'000'123}, int64_t{951'782'400'000},
                     int64_t{-2'208'988'800'000}, int64_t{253'402'300'799'999}}) {
    EXPECT_EQ(Parse(FormatIsoTimestampMs(ms)), ms) << FormatIsoTimestampMs(ms);
  }
  EXPECT_EQ(FormatIsoTimestampMs(1'795'608'000'123), "2026-11-25T12:00:00.123Z");
  EXPECT_EQ(FormatIsoTimestampMs(-1), "1969-12-31T23:59:59.999Z");
}

TEST(IsoTimestampTest, AgreesWithPythonsDatetime) {
  eddy::testing::TempDir dir;
  const std::vector<std::string> texts = {
      "2026-11-25T12:00:00Z",     "2000-02-29T23:59:59.999+14:00", "1999-12-31T00:00:00-12:00",
      "1900-03-01T01:02:03.004Z", "2100-02-28T12:34:56+05:45",     "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999Z", "1970-01-01T00:00:00.001-00:30"};
  std::string input;
  for (const std::string& t : texts) input += t + "\n";
  const std::string script = R"(
import datetime, sys
for line in sys.stdin:
    d = datetime.datetime.fromisoformat(line.strip().replace('Z', '+00:00'))
    delta = d - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    print(delta // datetime.timedelta(milliseconds=1))
)";
  std::istringstream python(connectors::testing::RunPython(dir, script, input));
  for (const std::string& t : texts) {
    int64_t expected = 0;
    ASSERT_TRUE(python >> expected);
    EXPECT_EQ(Parse(t), expected) << t;
  }
}

}  // namespace
}  // namespace eddy::connectors
