#include "src/log/topic_config.h"

#include <gtest/gtest.h>

#include "src/log/log_error.h"

namespace eddy::log {
namespace {

LogError ErrorOf(const Status& st) { return static_cast<LogError>(st.detail()); }

TEST(TopicConfigTest, SetAppliesKafkaNamedSettings) {
  TopicConfig c;
  ASSERT_TRUE(c.Set("retention.ms", "60000").ok());
  ASSERT_TRUE(c.Set("retention.bytes", "-1").ok());
  ASSERT_TRUE(c.Set("segment.bytes", "1048576").ok());
  ASSERT_TRUE(c.Set("segment.ms", "3600000").ok());
  ASSERT_TRUE(c.Set("max.message.bytes", "2000000").ok());
  ASSERT_TRUE(c.Set("index.interval.bytes", "128").ok());
  ASSERT_TRUE(c.Set("partitions", "8").ok());
  EXPECT_EQ(c.retention_ms, 60000);
  EXPECT_EQ(c.retention_bytes, -1);
  EXPECT_EQ(c.segment_bytes, 1048576);
  EXPECT_EQ(c.segment_ms, 3600000);
  EXPECT_EQ(c.max_message_bytes, 2000000);
  EXPECT_EQ(c.index_interval_bytes, 128);
  EXPECT_EQ(c.partitions, 8);
}

TEST(TopicConfigTest, SetRejectsUnknownKeysBadNumbersAndOutOfRangeValues) {
  TopicConfig c;
  EXPECT_EQ(ErrorOf(c.Set("cleanup.policy", "compact")), LogError::kInvalidConfig);
  EXPECT_EQ(ErrorOf(c.Set("retention.ms", "soon")), LogError::kInvalidConfig);
  EXPECT_EQ(ErrorOf(c.Set("retention.ms", "12x")), LogError::kInvalidConfig);
  EXPECT_EQ(ErrorOf(c.Set("retention.ms", "-2")), LogError::kInvalidConfig);
  EXPECT_EQ(ErrorOf(c.Set("segment.bytes", "3000000000")), LogError::kInvalidConfig);
  EXPECT_EQ(ErrorOf(c.Set("segment.ms", "0")), LogError::kInvalidConfig);
  EXPECT_EQ(ErrorOf(c.Set("partitions", "0")), LogError::kInvalidConfig);
  EXPECT_EQ(c.retention_ms, TopicConfig{}.retention_ms);
}

TEST(TopicConfigTest, ValidateChecksEveryField) {
  TopicConfig c;
  EXPECT_TRUE(c.Validate().ok());
  c.segment_bytes = 5;
  EXPECT_EQ(ErrorOf(c.Validate()), LogError::kInvalidConfig);
  c = TopicConfig{};
  c.partitions = -1;
  EXPECT_EQ(ErrorOf(c.Validate()), LogError::kInvalidConfig);
}

TEST(TopicConfigTest, TopicConfFileRoundTrips) {
  TopicConfig c;
  c.partitions = 3;
  c.retention_bytes = 123456;
  c.segment_ms = 777;
  std::string text = FormatTopicConf(c);
  EXPECT_NE(text.find("retention.bytes=123456\n"), std::string::npos) << text;
  auto parsed = ParseTopicConf(text, "t/topic.conf");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->partitions, 3);
  EXPECT_EQ(parsed->retention_bytes, 123456);
  EXPECT_EQ(parsed->segment_ms, 777);
  EXPECT_EQ(parsed->ToPairs(), c.ToPairs());
}

TEST(TopicConfigTest, ParseTopicConfNamesTheBadLine) {
  auto bad = ParseTopicConf("partitions=2\n\n# note\nretention.ms=x\n", "t/topic.conf");
  EXPECT_TRUE(bad.status().IsCorruption());
  EXPECT_NE(bad.status().message().find("t/topic.conf:4"), std::string::npos)
      << bad.status().message();
  EXPECT_TRUE(ParseTopicConf("retention.ms=5\n", "t/topic.conf").status().IsCorruption());
  EXPECT_TRUE(ParseTopicConf("partitions 2\n", "t/topic.conf").status().IsCorruption());
}

TEST(DurabilityTest, ParsesEveryPolicyAndPrintsItBack) {
  for (std::string text : {"always", "never", "interval:250"}) {
    auto d = ParseDurability(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(DurabilityToString(*d), text);
  }
  EXPECT_EQ(ParseDurability("interval:250")->interval_ms, 250);
  EXPECT_EQ(ParseDurability("never")->policy, FsyncPolicy::kNever);
  EXPECT_FALSE(ParseDurability("sometimes").ok());
  EXPECT_FALSE(ParseDurability("interval:").ok());
  EXPECT_FALSE(ParseDurability("interval:0").ok());
  EXPECT_FALSE(ParseDurability("interval:5ms").ok());
}

TEST(TopicNameTest, AcceptsKafkaNamesAndRejectsTheRest) {
  EXPECT_TRUE(ValidateTopicName("orders").ok());
  EXPECT_TRUE(ValidateTopicName("a.b_c-D9").ok());
  EXPECT_TRUE(ValidateTopicName(std::string(249, 'x')).ok());
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "a/b", "a b", "\xC3\xBC", std::string(250, 'x')}) {
    Status st = ValidateTopicName(bad);
    EXPECT_EQ(ErrorOf(st), LogError::kInvalidTopicName) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace eddy::log
