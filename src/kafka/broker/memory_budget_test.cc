#include "src/kafka/broker/memory_budget.h"

#include <gtest/gtest.h>

#include <vector>

namespace eddy::kafka {
namespace {

TEST(MemoryBudgetTest, GrantsAtOnceWhileThereIsRoom) {
  MemoryBudget budget(100);
  int granted = 0;
  budget.Acquire(60, [&] { ++granted; });
  budget.Acquire(40, [&] { ++granted; });
  EXPECT_EQ(granted, 2);
  EXPECT_EQ(budget.in_use(), 100u);
}

TEST(MemoryBudgetTest, WaitersAreGrantedInOrderAsBytesAreReleased) {
  MemoryBudget budget(100);
  std::vector<int> order;
  budget.Acquire(80, [&] { order.push_back(1); });
  budget.Acquire(50, [&] { order.push_back(2); });
  budget.Acquire(10, [&] { order.push_back(3); });  // would fit, but waits its turn
  EXPECT_EQ(order, std::vector<int>({1}));
  budget.Release(80);
  EXPECT_EQ(order, std::vector<int>({1, 2, 3}));
  EXPECT_EQ(budget.in_use(), 60u);
}

TEST(MemoryBudgetTest, OversizedRequestRunsAlone) {
  MemoryBudget budget(100);
  bool small = false, big = false;
  budget.Acquire(10, [&] { small = true; });
  budget.Acquire(500, [&] { big = true; });
  EXPECT_TRUE(small);
  EXPECT_FALSE(big);
  budget.Release(10);
  EXPECT_TRUE(big);
  EXPECT_EQ(budget.in_use(), 500u);
}

}  // namespace
}  // namespace eddy::kafka
