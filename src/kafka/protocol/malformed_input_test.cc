// Bad input never crashes a decoder, never makes it allocate more than the input
// justifies, and fails with a Status that names the field at fault.

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <random>

#include "src/kafka/protocol/protocol_writer.h"
#include "src/kafka/protocol/request_header.h"
#include "src/kafka/protocol/sample_messages.h"

// Allocation accounting for this test binary: the largest single request made while a
// test watches. Replacing the global operator new is the one portable way to see it.
namespace {
thread_local bool watching_allocations = false;
thread_local size_t largest_allocation = 0;
}  // namespace

void* operator new(size_t size) {
  if (watching_allocations && size > largest_allocation) largest_allocation = size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC cannot see that the replacement operator new above uses malloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace eddy::kafka {
namespace {

// Records the largest allocation made during its lifetime.
class AllocationWatch {
 public:
  AllocationWatch() {
    largest_allocation = 0;
    watching_allocations = true;
  }
  ~AllocationWatch() { watching_allocations = false; }
  size_t largest() const { return largest_allocation; }
};

// Decoded structs are at most this many times larger than the bytes they came from
// (a std::string or std::vector member costs 24-32 bytes per field of 1-2 wire bytes).
constexpr size_t kAllocationPerInputByte = 64;
constexpr size_t kAllocationSlack = 4096;

template <typename T>
void ExpectDecodeFailsOrSucceedsWithinBudget(std::vector<uint8_t> bytes, int16_t version) {
  AllocationWatch watch;
  Result<T> decoded = T::Decode(bytes, version);
  EXPECT_LE(watch.largest(), kAllocationPerInputByte * bytes.size() + kAllocationSlack);
  if (!decoded.ok()) {
    EXPECT_TRUE(decoded.status().code() == StatusCode::kOutOfRange ||
                decoded.status().code() == StatusCode::kInvalidArgument)
        << decoded.status().ToString();
  }
}

TEST(MalformedInput, EveryPrefixOfEveryValidEncodingFailsCleanly) {
  int prefixes = 0;
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view name) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      std::vector<uint8_t> bytes = samples::EncodeToBytes(samples::Sample<T>(v), v);
      for (size_t length = 0; length < bytes.size(); ++length) {
        // An exact-size copy, so that AddressSanitizer sees any read past the end.
        std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + length);
        Result<T> decoded = T::Decode(prefix, v);
        ASSERT_FALSE(decoded.ok()) << name << " v" << v << " cut to " << length << " bytes";
        EXPECT_EQ(decoded.status().code(), StatusCode::kOutOfRange) << decoded.status().ToString();
        EXPECT_EQ(decoded.status().message().rfind(std::string(name) + ".", 0), 0u)
            << decoded.status().ToString();
        ++prefixes;
      }
    }
  });
  EXPECT_GT(prefixes, 10000);
}

TEST(MalformedInput, HugeDeclaredLengthsFailWithoutAllocating) {
  // Overwrite each 2- and 4-byte window of every valid encoding with the largest
  // positive length; whatever the window held (a count, a string or bytes length, an
  // integer), decoding must not allocate beyond the budget.
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      std::vector<uint8_t> bytes = samples::EncodeToBytes(samples::Sample<T>(v), v);
      for (size_t pos = 0; pos + 2 <= bytes.size(); ++pos) {
        std::vector<uint8_t> copy = bytes;
        StoreI16(copy.data() + pos, INT16_MAX);
        ExpectDecodeFailsOrSucceedsWithinBudget<T>(copy, v);
        if (pos + 4 <= bytes.size()) {
          copy = bytes;
          StoreI32(copy.data() + pos, INT32_MAX);
          ExpectDecodeFailsOrSucceedsWithinBudget<T>(copy, v);
        }
      }
    }
  });
}

TEST(MalformedInput, ArrayCountBeyondTheBytesLeftIsRejectedBeforeAllocating) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.Int32(0x7fffffff);  // resources: two billion elements, 4 bytes left
  w.Int32(0);
  std::vector<uint8_t> body = out.Release();
  AllocationWatch watch;
  Result<DescribeConfigsRequest> decoded = DescribeConfigsRequest::Decode(body, 0);
  EXPECT_LT(watch.largest(), 1024u);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(decoded.status().message(),
            "DescribeConfigsRequest.resources: 2147483647 elements exceed 4 bytes left");
}

TEST(MalformedInput, ErrorsNameTheFieldAndTheBytesLeft) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.NullableString("txn");                           // transactional_id
  w.Int16(-1);                                       // acks
  w.Int32(1000);                                     // timeout_ms
  w.Int32(1);                                        // topic_data: 1 topic
  w.Int16(4000);                                     // name: 4000 bytes declared...
  out.WriteBytes(std::string_view("only-12-left"));  // ...12 present
  std::vector<uint8_t> body = out.Release();
  Result<ProduceRequest> decoded = ProduceRequest::Decode(body, 3);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(decoded.status().message(),
            "ProduceRequest.topic_data[0].name: length 4000 exceeds 12 bytes left");
}

TEST(MalformedInput, ErrorsInsideNestedArraysNameEveryIndex) {
  FetchRequest request = samples::Sample<FetchRequest>(11);
  std::vector<uint8_t> bytes = samples::EncodeToBytes(request, 11);
  // Cut inside the second partition of the first topic.
  std::vector<uint8_t> cut(bytes.begin(),
                           bytes.begin() + 4 * 4 + 1 + 2 * 4 + 4 + 2 + 6 + 4 + 28 + 4);
  Result<FetchRequest> decoded = FetchRequest::Decode(cut, 11);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message().rfind("FetchRequest.topics[0].partitions[1].", 0), 0u)
      << decoded.status().message();
}

TEST(MalformedInput, NegativeLengthsAreRejected) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.Int16(-2);  // group_id: length -2
  std::vector<uint8_t> body = out.Release();
  Result<HeartbeatRequest> decoded = HeartbeatRequest::Decode(body, 0);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "HeartbeatRequest.group_id: negative length -2");

  ByteWriter out2;
  ProtocolWriter w2(out2);
  w2.Int16(-1);  // group_id is not nullable
  body = out2.Release();
  decoded = HeartbeatRequest::Decode(body, 0);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), "HeartbeatRequest.group_id: null is not allowed");
}

TEST(MalformedInput, RandomBytesNeverCrashAnyDecoder) {
  std::mt19937 rng(20240601);
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      for (int i = 0; i < 300; ++i) {
        std::vector<uint8_t> bytes(rng() % 64);
        for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
        ExpectDecodeFailsOrSucceedsWithinBudget<T>(bytes, v);
      }
    }
  });
}

TEST(MalformedInput, MutatedValidEncodingsNeverCrashAnyDecoder) {
  std::mt19937 rng(7);
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      std::vector<uint8_t> bytes = samples::EncodeToBytes(samples::Sample<T>(v), v);
      if (bytes.empty()) continue;
      for (int i = 0; i < 300; ++i) {
        std::vector<uint8_t> copy = bytes;
        for (int flips = 1 + rng() % 4; flips > 0; --flips) {
          copy[rng() % copy.size()] = static_cast<uint8_t>(rng());
        }
        ExpectDecodeFailsOrSucceedsWithinBudget<T>(copy, v);
        // Whatever decodes must encode and decode to the same message.
        Result<T> decoded = T::Decode(copy, v);
        if (decoded.ok()) {
          std::vector<uint8_t> again = samples::EncodeToBytes(*decoded, v);
          Result<T> redecoded = T::Decode(again, v);
          ASSERT_TRUE(redecoded.ok()) << redecoded.status().ToString();
          EXPECT_TRUE(*redecoded == *decoded);
        }
      }
    }
  });
}

TEST(MalformedInput, RandomRequestHeadersNeverCrash) {
  std::mt19937 rng(99);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> bytes(rng() % 24);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    size_t header_size = 0;
    Result<RequestHeader> header = RequestHeader::Decode(bytes, &header_size);
    if (header.ok()) {
      EXPECT_LE(header_size, bytes.size());
    }
  }
}

}  // namespace
}  // namespace eddy::kafka
