#include "src/engine/window_spec.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace eddy::engine {
namespace {

std::vector<std::pair<int64_t, int64_t>> WindowsOf(const WindowSpec& spec, EventTimeMs t) {
  std::vector<std::pair<int64_t, int64_t>> out;
  spec.ForEachWindow(t, [&](int64_t start, int64_t end) {
    out.emplace_back(start, end);
    return true;
  });
  return out;
}

using Windows = std::vector<std::pair<int64_t, int64_t>>;

TEST(WindowSpecTest, TumblingWindowsAlignToTheEpoch) {
  WindowSpec spec = WindowSpec::Tumbling(10'000);
  EXPECT_EQ(WindowsOf(spec, 0), (Windows{{0, 10'000}}));
  EXPECT_EQ(WindowsOf(spec, 9'999), (Windows{{0, 10'000}}));
  EXPECT_EQ(WindowsOf(spec, 10'000), (Windows{{10'000, 20'000}}));
  EXPECT_EQ(WindowsOf(spec, 1'700'000'012'345), (Windows{{1'700'000'010'000, 1'700'000'020'000}}));
}

TEST(WindowSpecTest, NegativeTimesFallInTheWindowBelowThem) {
  WindowSpec spec = WindowSpec::Tumbling(10);
  EXPECT_EQ(WindowsOf(spec, -1), (Windows{{-10, 0}}));
  EXPECT_EQ(WindowsOf(spec, -10), (Windows{{-10, 0}}));
  EXPECT_EQ(WindowsOf(spec, -11), (Windows{{-20, -10}}));
}

TEST(WindowSpecTest, HoppingRowBelongsToSizeOverSlideWindowsLatestFirst) {
  WindowSpec spec = WindowSpec::Hopping(10'000, 2'000);
  EXPECT_EQ(
      WindowsOf(spec, 10'500),
      (Windows{
          {10'000, 20'000}, {8'000, 18'000}, {6'000, 16'000}, {4'000, 14'000}, {2'000, 12'000}}));
  // On a boundary the row starts a window and is in the four before it.
  EXPECT_EQ(WindowsOf(spec, 4'000).size(), 5u);
  EXPECT_EQ(WindowsOf(spec, 4'000).back(), (std::pair<int64_t, int64_t>{-4'000, 6'000}));
}

TEST(WindowSpecTest, HoppingWithSlideThatDoesNotDivideSizeCoversEveryContainingWindow) {
  WindowSpec spec = WindowSpec::Hopping(10, 4);
  // Windows start at multiples of 4 and last 10: 13 is in [12,22), [8,18), [4,14).
  EXPECT_EQ(WindowsOf(spec, 13), (Windows{{12, 22}, {8, 18}, {4, 14}}));
  // 15 is in [12,22) and [8,18) only ([4,14) ended).
  EXPECT_EQ(WindowsOf(spec, 15), (Windows{{12, 22}, {8, 18}}));
}

TEST(WindowSpecTest, ForEachWindowStopsWhenAskedTo) {
  int calls = 0;
  WindowSpec::Hopping(10, 2).ForEachWindow(5, [&](int64_t, int64_t) {
    ++calls;
    return false;
  });
  EXPECT_EQ(calls, 1);
}

TEST(WindowSpecTest, ValidateRejectsEmptyWindowsAndSlidesLargerThanTheSize) {
  EXPECT_TRUE(WindowSpec::Tumbling(1).Validate().ok());
  EXPECT_FALSE(WindowSpec::Tumbling(0).Validate().ok());
  EXPECT_FALSE(WindowSpec::Hopping(10, 0).Validate().ok());
  EXPECT_FALSE(WindowSpec::Hopping(10, 11).Validate().ok());
  EXPECT_TRUE(WindowSpec::Hopping(10, 10).Validate().ok());
  EXPECT_FALSE(WindowSpec::Session(-5).Validate().ok());
  EXPECT_FALSE(WindowSpec().Validate().ok());
  EXPECT_EQ(WindowSpec::Session(7).gap_ms(), 7);
  EXPECT_TRUE(WindowSpec::Session(7).is_session());
  EXPECT_EQ(WindowSpec::Hopping(10, 2).ToString(), "hopping(10, 2)");
}

TEST(KeyTimerQueueTest, PopsInTimeOrderThenPushOrder) {
  KeyTimerQueue q;
  q.Push(30, "b");
  q.Push(10, "z");
  q.Push(30, "a");
  q.Push(20, "m");
  EXPECT_FALSE(q.HasDue(9));
  ASSERT_TRUE(q.HasDue(30));
  std::string key;
  std::vector<std::pair<EventTimeMs, std::string>> popped;
  while (q.HasDue(30)) {
    EventTimeMs t = q.Pop(&key);
    popped.emplace_back(t, key);
  }
  EXPECT_EQ(popped, (std::vector<std::pair<EventTimeMs, std::string>>{
                        {10, "z"}, {20, "m"}, {30, "b"}, {30, "a"}}));
  EXPECT_EQ(q.size(), 0u);
  // A timer pushed while its time is being popped still comes out.
  q.Push(40, "x");
  q.Push(40, "y");
  EXPECT_EQ(q.Pop(&key), 40);
  q.Push(40, "w");
  EXPECT_EQ(q.Pop(&key), 40);
  EXPECT_EQ(key, "y");
  EXPECT_EQ(q.Pop(&key), 40);
  EXPECT_EQ(key, "w");
  EXPECT_FALSE(q.HasDue(kMaxWatermark));
}

TEST(SaturatingAddTest, ClampsAtTheEndsOfTheRange) {
  EXPECT_EQ(SaturatingAdd(5, 7), 12);
  EXPECT_EQ(SaturatingAdd(kMaxWatermark - 1, 10), kMaxWatermark);
  EXPECT_EQ(SaturatingAdd(kMinWatermark + 1, -10), kMinWatermark);
}

}  // namespace
}  // namespace eddy::engine
