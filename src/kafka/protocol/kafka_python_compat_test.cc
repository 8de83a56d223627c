// Checks eddy's codecs against kafka-python, an independent implementation of the Kafka
// wire protocol: for every API and version both support, kafka-python's encoding of
// known values must decode to eddy's sample with the same values, eddy's encoding must
// be byte-identical, and kafka-python must decode eddy's bytes back to those values.
// The script is testdata/kafka_python_vectors.py; without python3 or kafka-python
// these tests fail, they do not skip.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "src/kafka/protocol/error_code.h"
#include "src/kafka/protocol/request_header.h"
#include "src/kafka/protocol/sample_messages.h"

namespace eddy::kafka {
namespace {

const char kScript[] = EDDY_KAFKA_PROTOCOL_TESTDATA_DIR "/kafka_python_vectors.py";

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

struct Vector {
  std::string message;
  int16_t version;
  std::string hex;
};

// The script's output, parsed once for every test.
struct PythonOutput {
  CommandResult run;
  std::map<std::string, int> versions_known;  // "have" lines
  std::vector<Vector> vectors;
  std::string header_hex;
  std::map<int, std::string> error_names;
};

PythonOutput RunPython() {
  PythonOutput out;
  out.run = RunCommand(std::string(EDDY_SYSTEM_PYTHON) + " " + kScript);
  std::istringstream lines(out.run.output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "have") {
      std::string name;
      int count;
      fields >> name >> count;
      out.versions_known[name] = count;
    } else if (kind == "vector") {
      Vector v;
      int version;
      fields >> v.message >> version >> v.hex;
      v.version = static_cast<int16_t>(version);
      out.vectors.push_back(v);
    } else if (kind == "header") {
      fields >> out.header_hex;
    } else if (kind == "error") {
      int code;
      std::string name;
      fields >> code >> name;
      out.error_names[code] = name;
    }
  }
  return out;
}

const PythonOutput& Python() {
  static const PythonOutput output = RunPython();
  return output;
}

TEST(KafkaPythonCompat, ScriptRunsWithKafkaPython) {
  const PythonOutput& python = Python();
  ASSERT_EQ(python.run.exit_code, 0) << "is python3-kafka installed? output:\n"
                                     << python.run.output;
  EXPECT_GT(python.vectors.size(), 100u);
}

TEST(KafkaPythonCompat, VectorsCoverEveryVersionBothImplementationsHave) {
  const PythonOutput& python = Python();
  ASSERT_EQ(python.run.exit_code, 0);
  std::set<std::pair<std::string, int>> have;
  for (const Vector& v : python.vectors) have.insert({v.message, v.version});
  size_t expected = 0;
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view name) {
    auto known = python.versions_known.find(std::string(name));
    if (known == python.versions_known.end()) return;  // kafka-python lacks the API
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    ASSERT_TRUE(range.has_value());
    for (int v = range->min_version; v <= range->max_version && v < known->second; ++v) {
      ++expected;
      EXPECT_TRUE(have.count({std::string(name), v})) << name << " v" << v << " not covered";
    }
  });
  EXPECT_EQ(have.size(), expected);
  // kafka-python 2.0.2 has every API eddy serves except InitProducerId and the
  // transaction APIs (their layouts are checked by hand in message_versions_test.cc).
  EXPECT_EQ(python.versions_known.size(), 30u);
}

// Runs check(T, name) for the message type called "name".
template <typename Check>
bool WithMessageType(const std::string& name, Check&& check) {
  bool found = false;
  samples::ForEachMessageType([&]<typename T>(ApiKey, std::string_view type_name) {
    if (type_name == name) {
      found = true;
      check.template operator()<T>();
    }
  });
  return found;
}

TEST(KafkaPythonCompat, KafkaPythonEncodingsDecodeToTheSameValues) {
  const PythonOutput& python = Python();
  ASSERT_EQ(python.run.exit_code, 0);
  for (const Vector& v : python.vectors) {
    SCOPED_TRACE(v.message + " v" + std::to_string(v.version));
    bool found = WithMessageType(v.message, [&]<typename T>() {
      std::vector<uint8_t> body = FromHex(v.hex);
      Result<T> decoded = T::Decode(body, v.version);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_TRUE(samples::SameMessage(*decoded, samples::Sample<T>(v.version), v.version));
    });
    EXPECT_TRUE(found);
  }
}

TEST(KafkaPythonCompat, EddyEncodingsAreByteIdenticalToKafkaPython) {
  const PythonOutput& python = Python();
  ASSERT_EQ(python.run.exit_code, 0);
  for (const Vector& v : python.vectors) {
    SCOPED_TRACE(v.message + " v" + std::to_string(v.version));
    WithMessageType(v.message, [&]<typename T>() {
      EXPECT_EQ(samples::ToHex(samples::EncodeToBytes(samples::Sample<T>(v.version), v.version)),
                v.hex);
    });
  }
}

TEST(KafkaPythonCompat, KafkaPythonDecodesEddyEncodings) {
  const PythonOutput& python = Python();
  ASSERT_EQ(python.run.exit_code, 0);
  std::string path = ::testing::TempDir() + "/eddy_kafka_encodings.txt";
  {
    std::ofstream file(path);
    for (const Vector& v : python.vectors) {
      WithMessageType(v.message, [&]<typename T>() {
        file << v.message << ' ' << v.version << ' '
             << samples::ToHex(samples::EncodeToBytes(samples::Sample<T>(v.version), v.version))
             << '\n';
      });
    }
  }
  CommandResult check =
      RunCommand(std::string(EDDY_SYSTEM_PYTHON) + " " + kScript + " check " + path + " 2>&1");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output,
              ::testing::HasSubstr("checked " + std::to_string(python.vectors.size())));
  std::remove(path.c_str());
}

TEST(KafkaPythonCompat, RequestHeaderMatchesKafkaPython) {
  const PythonOutput& python = Python();
  ASSERT_EQ(python.run.exit_code, 0);
  RequestHeader header{.api_key = ApiKey::kMetadata,
                       .api_version = 5,
                       .correlation_id = 7,
                       .client_id = "eddy-test"};
  ByteWriter out;
  header.Encode(out, 1);
  EXPECT_EQ(samples::ToHex(out.buffer()), python.header_hex);

  std::vector<uint8_t> frame = FromHex(python.header_hex);
  size_t header_size = 0;
  Result<RequestHeader> decoded = RequestHeader::Decode(frame, &header_size);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, header);
  EXPECT_EQ(header_size, frame.size());
}

TEST(KafkaPythonCompat, ErrorCodeNamesAgreeWithKafkaPython) {
  const PythonOutput& python = Python();
  ASSERT_EQ(python.run.exit_code, 0);
  ASSERT_GT(python.error_names.size(), 40u);
  // Codes Kafka renamed after kafka-python 2.0.2 took its names; ErrorCode follows Kafka.
  const std::map<int, std::string> kRenamed = {
      {-1, "UNKNOWN_SERVER_ERROR"},      {0, "NONE"},
      {6, "NOT_LEADER_OR_FOLLOWER"},     {10, "MESSAGE_TOO_LARGE"},
      {13, "NETWORK_EXCEPTION"},         {14, "COORDINATOR_LOAD_IN_PROGRESS"},
      {15, "COORDINATOR_NOT_AVAILABLE"}, {16, "NOT_COORDINATOR"},
      {17, "INVALID_TOPIC_EXCEPTION"},   {39, "INVALID_REPLICA_ASSIGNMENT"},
  };
  int compared = 0;
  for (const auto& [code, python_name] : python.error_names) {
    std::string_view ours = ErrorCodeName(static_cast<ErrorCode>(code));
    if (ours == "UNKNOWN_ERROR_CODE") continue;  // a code eddy does not list
    auto renamed = kRenamed.find(code);
    EXPECT_EQ(ours, renamed != kRenamed.end() ? renamed->second : python_name) << "code " << code;
    ++compared;
  }
  EXPECT_GE(compared, 40);
}

}  // namespace
}  // namespace eddy::kafka
