#include "src/engine/join_row_store.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "src/engine/join_test_util.h"

namespace eddy::engine {
namespace {

using testing::I64;
using testing::MakeBatch;
using testing::Str;

SchemaRef RowSchema() { return MakeSchema({{"id", DataType::kInt64}, {"s", DataType::kString}}); }

// The ids on `chain`, in chain order.
std::vector<int64_t> Ids(const JoinRowStore& store, const RowChain& chain) {
  std::vector<int64_t> ids;
  for (uint32_t r = chain.head; r != kNoRow; r = store.next(r)) {
    ids.push_back(store.rows().column(0).ints()[r]);
  }
  return ids;
}

TEST(JoinRowStoreTest, ChainsKeepArrivalOrderAndUnlinkAnywhere) {
  JoinRowStore store(RowSchema());
  Batch batch = MakeBatch(RowSchema(), {{1, {I64(1), Str("a")}},
                                        {2, {I64(2), Str("b")}},
                                        {3, {I64(3), Str("c")}},
                                        {4, {I64(4), Str("d")}}});
  RowChain a, b;
  const uint32_t r0 = store.Append(batch, 0, a);
  const uint32_t r1 = store.Append(batch, 1, a);
  store.Append(batch, 2, b);
  const uint32_t r3 = store.Append(batch, 3, a);
  EXPECT_EQ(Ids(store, a), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(Ids(store, b), (std::vector<int64_t>{3}));
  store.Remove(r1, a);  // middle
  EXPECT_EQ(Ids(store, a), (std::vector<int64_t>{1, 4}));
  store.Remove(r3, a);  // tail
  store.Remove(r0, a);  // head, now empty
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.head, kNoRow);
  EXPECT_EQ(a.tail, kNoRow);
  EXPECT_EQ(store.live_rows(), 1u);
  EXPECT_EQ(store.event_time(r3), 4);
  EXPECT_EQ(store.rows().column(1).StringAt(r3), "d");
}

TEST(JoinRowStoreTest, ExpireHandsBackRowsInExpiryOrderUpToTheWatermark) {
  JoinRowStore store(RowSchema());
  Batch batch = MakeBatch(
      RowSchema(), {{1, {I64(1), Str("a")}}, {2, {I64(2), Str("b")}}, {3, {I64(3), Str("c")}}});
  RowChain chain;
  store.Append(batch, 0, chain, 30);
  store.Append(batch, 1, chain, 10);
  store.Append(batch, 2, chain);  // never expires
  std::vector<int64_t> expired;
  auto remove = [&](uint32_t row) {
    expired.push_back(store.rows().column(0).ints()[row]);
    store.Remove(row, chain);
  };
  store.Expire(9, remove);
  EXPECT_TRUE(expired.empty());
  store.Expire(30, remove);
  EXPECT_EQ(expired, (std::vector<int64_t>{2, 1}));
  store.Expire(kMaxWatermark, remove);
  EXPECT_EQ(Ids(store, chain), (std::vector<int64_t>{3}));
}

// Random appends, removals and expiries against a model; compaction must keep every
// chain's rows, their order, values and expiries.
TEST(JoinRowStoreTest, RandomOperationsWithCompactionMatchAModel) {
  std::mt19937 rng(7);
  JoinRowStore store(RowSchema());
  std::map<int, RowChain> chains;
  std::map<int, std::vector<std::pair<int64_t, EventTimeMs>>> model;  // key -> (id, expiry)
  std::map<int64_t, int> key_of;
  int64_t next_id = 0;
  EventTimeMs watermark = 0;
  size_t compactions = 0;
  for (int step = 0; step < 20'000; ++step) {
    const int op = std::uniform_int_distribution<int>(0, 9)(rng);
    if (op < 6) {
      const int key = std::uniform_int_distribution<int>(0, 20)(rng);
      const int64_t id = next_id++;
      Batch one = MakeBatch(RowSchema(), {{id, {I64(id), Str("v" + std::to_string(id))}}});
      const EventTimeMs expiry = watermark + std::uniform_int_distribution<int64_t>(1, 500)(rng);
      store.Append(one, 0, chains[key], expiry);
      model[key].emplace_back(id, expiry);
      key_of[id] = key;
    } else if (op < 8) {
      watermark += std::uniform_int_distribution<int64_t>(0, 60)(rng);
      store.Expire(watermark, [&](uint32_t row) {
        const int64_t id = store.rows().column(0).ints()[row];
        store.Remove(row, chains[key_of[id]]);
      });
      for (auto& [key, rows] : model) {
        std::erase_if(rows, [&](const auto& r) { return r.second <= watermark; });
      }
    } else {
      const int key = std::uniform_int_distribution<int>(0, 20)(rng);
      RowChain& chain = chains[key];
      if (!chain.empty()) {
        store.Remove(chain.head, chain);
        model[key].erase(model[key].begin());
      }
    }
    if (store.ShouldCompact()) {
      ++compactions;
      store.Compact([&](auto&& move_chain) {
        for (auto& [key, chain] : chains) {
          if (!chain.empty()) move_chain(chain);
        }
      });
      ASSERT_EQ(store.arena_rows(), store.live_rows());
    }
    if (step % 500 == 0 || step == 19'999) {
      size_t live = 0;
      for (auto& [key, rows] : model) {
        std::vector<int64_t> ids;
        for (const auto& r : rows) ids.push_back(r.first);
        ASSERT_EQ(Ids(store, chains[key]), ids) << "key " << key << " step " << step;
        for (uint32_t r = chains[key].head; r != kNoRow; r = store.next(r)) {
          const int64_t id = store.rows().column(0).ints()[r];
          ASSERT_EQ(store.rows().column(1).StringAt(r), "v" + std::to_string(id));
          ASSERT_EQ(store.event_time(r), id);
        }
        live += rows.size();
      }
      ASSERT_EQ(store.live_rows(), live);
    }
  }
  EXPECT_GT(compactions, 0u) << "the test never compacted";
  EXPECT_LE(store.arena_rows(), 2 * store.live_rows() + JoinRowStore::kMinDeadRowsToCompact);
}

}  // namespace
}  // namespace eddy::engine
