#include "src/kafka/protocol/error_code.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace eddy::kafka {
namespace {

TEST(ErrorCode, EveryListedCodeHasADistinctKafkaName) {
  std::set<std::string_view> names;
  int listed = 0;
  for (int code = -1; code <= 120; ++code) {
    std::string_view name = ErrorCodeName(static_cast<ErrorCode>(code));
    if (name == "UNKNOWN_ERROR_CODE") continue;
    ++listed;
    EXPECT_TRUE(names.insert(name).second) << name;
    for (char c : name) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_') << name;
  }
  EXPECT_EQ(listed, 66);  // the enumerators of ErrorCode
}

TEST(ErrorCode, NamesFollowKafka) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNone), "NONE");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnknownTopicOrPartition), "UNKNOWN_TOPIC_OR_PARTITION");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotLeaderOrFollower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kMemberIdRequired), "MEMBER_ID_REQUIRED");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kProducerFenced), "PRODUCER_FENCED");
  EXPECT_EQ(static_cast<int>(ErrorCode::kProducerFenced), 90);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidRecord), "INVALID_RECORD");
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidRecord), 87);
  EXPECT_EQ(ErrorCodeName(static_cast<ErrorCode>(1000)), "UNKNOWN_ERROR_CODE");
}

}  // namespace
}  // namespace eddy::kafka
