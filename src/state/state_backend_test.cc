#include "src/state/state_backend.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "src/base/file_system.h"
#include "src/state/key_group.h"
#include "src/state/memory_snapshot_format.h"
#include "tests/util/fault_injection_file_system.h"
#include "tests/util/temp_dir.h"

namespace eddy::state {

// So that gtest names the backend of a failed test ("rocksdb", not "4-byte object").
void PrintTo(BackendKind kind, std::ostream* os) { *os << BackendKindName(kind); }

namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// The model a backend is checked against: (table, key group, key) -> value.
using Entries = std::map<std::tuple<std::string, int, std::string>, std::string>;

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// Everything a backend holds, read back through Tables() and ForEach.
Entries Dump(StateBackend& backend) {
  Entries out;
  auto tables = backend.Tables();
  if (!tables.ok()) {
    ADD_FAILURE() << "Tables: " << tables.status().ToString();
    return out;
  }
  for (const auto& table : *tables) {
    size_t before = out.size();
    Status status =
        backend.ForEach(table, [&](int key_group, std::string_view key, std::string_view value) {
          out.emplace(std::make_tuple(table, key_group, std::string(key)), std::string(value));
          return Status::OK();
        });
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_GT(out.size(), before) << "Tables() lists '" << table << "', which holds no entry";
  }
  return out;
}

void Load(StateBackend& backend, const Entries& entries) {
  for (const auto& [k, value] : entries) {
    const auto& [table, key_group, key] = k;
    Status status = backend.Put(table, key_group, key, value);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
}

Entries InRange(const Entries& entries, KeyGroupRange range) {
  Entries out;
  for (const auto& [k, value] : entries) {
    if (range.Contains(std::get<1>(k))) out.emplace(k, value);
  }
  return out;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir)) total += e.file_size();
  return total;
}

class StateBackendTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  // A fresh, empty backend of the kind under test, with its own working directory.
  std::unique_ptr<StateBackend> Open() {
    StateBackendOptions options;
    options.kind = GetParam();
    options.working_dir = tmp_.Sub(fmt::format("work-{}", next_work_dir_++));
    auto backend = OpenStateBackend(options);
    if (!backend.ok()) throw std::runtime_error("open: " + backend.status().ToString());
    EXPECT_EQ((*backend)->kind(), GetParam());
    return std::move(backend).value();
  }
  std::string SnapshotDir(const std::string& name) { return tmp_.Sub("checkpoints/" + name); }

  testing::TempDir tmp_;
  int next_work_dir_ = 0;
};

TEST_P(StateBackendTest, PutGetDeleteAndOverwrite) {
  auto b = Open();
  std::string value;
  ASSERT_TRUE(b->Put("t", 5, "k", "v1").ok());
  auto found = b->Get("t", 5, "k", &value);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(*found);
  EXPECT_EQ(value, "v1");

  ASSERT_TRUE(b->Put("t", 5, "k", "a longer second value").ok());
  ASSERT_TRUE(*b->Get("t", 5, "k", &value));
  EXPECT_EQ(value, "a longer second value");
  ASSERT_TRUE(b->Put("t", 5, "k", "v3").ok());
  ASSERT_TRUE(*b->Get("t", 5, "k", &value));
  EXPECT_EQ(value, "v3");

  // The key group is part of the address: the same key in another group is another entry.
  EXPECT_FALSE(*b->Get("t", 6, "k", &value));
  EXPECT_FALSE(*b->Get("t", 5, "other", &value));
  EXPECT_FALSE(*b->Get("u", 5, "k", &value));

  ASSERT_TRUE(b->Delete("t", 5, "k").ok());
  EXPECT_FALSE(*b->Get("t", 5, "k", &value));
  // Deleting what is not there is fine.
  EXPECT_TRUE(b->Delete("t", 5, "k").ok());
  EXPECT_TRUE(b->Delete("nothing", 0, "x").ok());
  EXPECT_TRUE(Dump(*b).empty());
}

TEST_P(StateBackendTest, RepeatedWritesOfAKeyKeepTheirOrder) {
  auto b = Open();
  Entries expected;
  // Interleaved across keys, so that a backend that buffers and sorts writes must keep
  // the writes of each key in the order they were made.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1000; ++i) {
      const std::string key = fmt::format("k{}", i);
      const int key_group = i % kKeyGroups;
      Status status;
      if (i % 2 == 0) {
        status = round == 1 ? b->Delete("t", key_group, key)
                            : b->Put("t", key_group, key, fmt::format("v{}", round));
      } else {
        status = round == 2 ? b->Delete("t", key_group, key)
                            : b->Put("t", key_group, key, fmt::format("v{}", round));
      }
      ASSERT_TRUE(status.ok()) << status.ToString();
    }
  }
  for (int i = 0; i < 1000; i += 2) expected[{"t", i % kKeyGroups, fmt::format("k{}", i)}] = "v2";
  EXPECT_EQ(Dump(*b), expected);
}

TEST_P(StateBackendTest, KeyGroupOutsideTheRangeIsRejected) {
  auto b = Open();
  std::string value;
  for (int bad : {-1, kKeyGroups, 1000, 65536}) {
    Status put = b->Put("t", bad, "k", "v");
    EXPECT_EQ(put.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(put.message(), HasSubstr("key group " + std::to_string(bad)));
    EXPECT_EQ(b->Get("t", bad, "k", &value).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(b->Delete("t", bad, "k").code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(b->Put("t", 0, "k", "v").ok());
  EXPECT_TRUE(b->Put("t", kKeyGroups - 1, "k", "v").ok());
}

TEST_P(StateBackendTest, ForEachOrdersByKeyGroupThenKey) {
  auto b = Open();
  std::mt19937_64 rng(7);
  Entries model;
  // Keys of varied lengths and bytes, including 0x80-0xff (bytewise order is unsigned).
  for (int i = 0; i < 2000; ++i) {
    int key_group = static_cast<int>(rng() % kKeyGroups);
    std::string key = RandomBytes(rng, rng() % 6);
    std::string value = RandomBytes(rng, rng() % 10);
    model[{"t", key_group, key}] = value;
    ASSERT_TRUE(b->Put("t", key_group, key, value).ok());
  }
  std::vector<std::pair<int, std::string>> seen;
  ASSERT_TRUE(b->ForEach("t", [&](int key_group, std::string_view key, std::string_view value) {
                 seen.emplace_back(key_group, std::string(key));
                 EXPECT_EQ(value, model.at({"t", key_group, std::string(key)}));
                 return Status::OK();
               }).ok());
  // std::map orders the model by (key group, key) with std::string's unsigned bytewise
  // comparison: the order ForEach promises.
  std::vector<std::pair<int, std::string>> expected;
  for (const auto& [k, value] : model) expected.emplace_back(std::get<1>(k), std::get<2>(k));
  EXPECT_EQ(seen, expected);
}

TEST_P(StateBackendTest, ForEachStopsAtTheVisitorsError) {
  auto b = Open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(b->Put("t", i, "k", "v").ok());
  int visits = 0;
  Status status = b->ForEach("t", [&](int key_group, std::string_view, std::string_view) {
    ++visits;
    if (key_group == 2) return Status::Cancelled("enough at key group 2");
    return Status::OK();
  });
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(status.message(), "enough at key group 2");
  EXPECT_EQ(visits, 3);

  visits = 0;
  EXPECT_TRUE(b->ForEach("absent", [&](int, std::string_view, std::string_view) {
                 ++visits;
                 return Status::OK();
               }).ok());
  EXPECT_EQ(visits, 0);
}

TEST_P(StateBackendTest, TablesListsTheTablesWithEntriesSorted) {
  auto b = Open();
  EXPECT_TRUE(b->Tables()->empty());
  ASSERT_TRUE(b->Put("windows", 3, "k", "v").ok());
  ASSERT_TRUE(b->Put("counts", 100, "k", "v").ok());
  ASSERT_TRUE(b->Put("a-much-longer-table-name", 0, "k", "v").ok());
  ASSERT_TRUE(b->Put("joins", 7, "x", "v").ok());
  EXPECT_EQ(*b->Tables(),
            (std::vector<std::string>{"a-much-longer-table-name", "counts", "joins", "windows"}));
  // A table whose last entry goes is no longer listed.
  ASSERT_TRUE(b->Delete("joins", 7, "x").ok());
  EXPECT_EQ(*b->Tables(),
            (std::vector<std::string>{"a-much-longer-table-name", "counts", "windows"}));
}

TEST_P(StateBackendTest, TablesWhoseNamesArePrefixesOfEachOtherStayApart) {
  auto b = Open();
  // "t" is a prefix of "t1" and "t\x01"; an encoding without the name's length would let
  // ("t", key group 0x31.., ...) and ("t1", ...) collide or interleave.
  const std::vector<std::string> tables = {
      "t", "t1", std::string("t\x01", 2), std::string("t\x00", 2), "tt", ""};
  Entries model;
  for (size_t i = 0; i < tables.size(); ++i) {
    for (int key_group : {0, 1, 49, 127}) {
      for (std::string key : {std::string(), std::string("k"), std::string("\x00", 1)}) {
        model[{tables[i], key_group, key}] = fmt::format("{}/{}", i, key_group);
      }
    }
  }
  Load(*b, model);
  EXPECT_EQ(Dump(*b), model);
  std::vector<std::string> sorted = tables;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(*b->Tables(), sorted);

  // Emptying one table leaves the others whole.
  for (int key_group : {0, 1, 49, 127}) {
    for (std::string key : {std::string(), std::string("k"), std::string("\x00", 1)}) {
      ASSERT_TRUE(b->Delete("t", key_group, key).ok());
      model.erase({"t", key_group, key});
    }
  }
  EXPECT_EQ(Dump(*b), model);
}

TEST_P(StateBackendTest, EmptyValuesBinaryKeysAndLargeValues) {
  auto b = Open();
  std::string value = "unchanged";
  ASSERT_TRUE(b->Put("t", 9, std::string("\x00\x00", 2), "").ok());
  ASSERT_TRUE(*b->Get("t", 9, std::string("\x00\x00", 2), &value));
  EXPECT_EQ(value, "");
  ASSERT_TRUE(b->Put("t", 9, "", "empty key").ok());
  ASSERT_TRUE(*b->Get("t", 9, "", &value));
  EXPECT_EQ(value, "empty key");
  EXPECT_FALSE(*b->Get("t", 9, std::string("\x00", 1), &value));
  const std::string big(1 << 20, 'x');
  ASSERT_TRUE(b->Put("t", 9, "\xff\xfe", big).ok());
  ASSERT_TRUE(*b->Get("t", 9, "\xff\xfe", &value));
  EXPECT_EQ(value, big);

  Entries expected = {{{"t", 9, ""}, "empty key"},
                      {{"t", 9, std::string("\x00\x00", 2)}, ""},
                      {{"t", 9, "\xff\xfe"}, big}};
  EXPECT_EQ(Dump(*b), expected);
  ASSERT_TRUE(b->Snapshot(SnapshotDir("s")).ok());
  auto restored = Open();
  ASSERT_TRUE(restored->Restore({SnapshotDir("s")}, KeyGroupRange::All()).ok());
  EXPECT_EQ(Dump(*restored), expected);
}

TEST_P(StateBackendTest, SnapshotRestoreRoundTripIntoAFreshBackend) {
  auto b = Open();
  std::mt19937_64 rng(11);
  Entries model;
  for (int i = 0; i < 3000; ++i) {
    std::string table = i % 3 == 0 ? "counts" : (i % 3 == 1 ? "windows" : "joins");
    model[{table, static_cast<int>(rng() % kKeyGroups), RandomBytes(rng, 1 + rng() % 12)}] =
        RandomBytes(rng, rng() % 40);
  }
  Load(*b, model);
  auto stats = b->Snapshot(SnapshotDir("s1"));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->entries, model.size());
  EXPECT_EQ(stats->bytes, DirBytes(SnapshotDir("s1")));
  EXPECT_EQ(stats->new_bytes, stats->bytes);  // the first snapshot writes everything
  // Taking a snapshot leaves the live state as it was.
  EXPECT_EQ(Dump(*b), model);

  auto restored = Open();
  ASSERT_TRUE(restored->Put("stale", 1, "k", "replaced by the restore").ok());
  Status status = restored->Restore({SnapshotDir("s1")}, KeyGroupRange::All());
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Dump(*restored), model);
  // The restored backend is live: it takes changes and snapshots again.
  ASSERT_TRUE(restored->Put("counts", 0, "new", "1").ok());
  model[{"counts", 0, "new"}] = "1";
  ASSERT_TRUE(restored->Snapshot(SnapshotDir("s2")).ok());
  auto again = Open();
  ASSERT_TRUE(again->Restore({SnapshotDir("s2") + "/"}, KeyGroupRange::All()).ok());
  EXPECT_EQ(Dump(*again), model);
}

TEST_P(StateBackendTest, LaterChangesDoNotAlterASnapshot) {
  auto b = Open();
  Entries at_snapshot;
  for (int i = 0; i < 500; ++i) at_snapshot[{"t", i % kKeyGroups, fmt::format("k{}", i)}] = "v0";
  Load(*b, at_snapshot);
  ASSERT_TRUE(b->Snapshot(SnapshotDir("s1")).ok());

  Entries live = at_snapshot;
  for (int i = 0; i < 500; i += 3) {
    ASSERT_TRUE(b->Put("t", i % kKeyGroups, fmt::format("k{}", i), "v1").ok());
    live[{"t", i % kKeyGroups, fmt::format("k{}", i)}] = "v1";
  }
  for (int i = 1; i < 500; i += 5) {
    ASSERT_TRUE(b->Delete("t", i % kKeyGroups, fmt::format("k{}", i)).ok());
    live.erase({"t", i % kKeyGroups, fmt::format("k{}", i)});
  }
  ASSERT_TRUE(b->Put("other", 3, "x", "y").ok());
  live[{"other", 3, "x"}] = "y";
  // A second snapshot, so that the first one's files are no longer the live ones.
  ASSERT_TRUE(b->Snapshot(SnapshotDir("s2")).ok());
  EXPECT_EQ(Dump(*b), live);

  auto first = Open();
  ASSERT_TRUE(first->Restore({SnapshotDir("s1")}, KeyGroupRange::All()).ok());
  EXPECT_EQ(Dump(*first), at_snapshot);
  auto second = Open();
  ASSERT_TRUE(second->Restore({SnapshotDir("s2")}, KeyGroupRange::All()).ok());
  EXPECT_EQ(Dump(*second), live);
  // Restoring into the backend that wrote them replaces its live state.
  ASSERT_TRUE(b->Restore({SnapshotDir("s1")}, KeyGroupRange::All()).ok());
  EXPECT_EQ(Dump(*b), at_snapshot);
}

TEST_P(StateBackendTest, KeyGroupsMoveBetweenInstancesWhenTheParallelismChanges) {
  std::mt19937_64 rng(42);
  Entries model;
  while (model.size() < 10000) {
    std::string table = rng() % 3 == 0 ? "windows" : "counts";
    model[{table, static_cast<int>(rng() % kKeyGroups), RandomBytes(rng, 1 + rng() % 16)}] =
        RandomBytes(rng, rng() % 24);
  }

  // Two instances, each holding the key groups parallelism 2 gives it.
  std::vector<std::string> old_snapshots;
  for (int instance = 0; instance < 2; ++instance) {
    auto b = Open();
    Load(*b, InRange(model, KeyGroupRange::OfInstance(instance, 2)));
    old_snapshots.push_back(SnapshotDir(fmt::format("p2-{}", instance)));
    ASSERT_TRUE(b->Snapshot(old_snapshots.back()).ok());
  }

  // Same parallelism (each instance's own snapshot holds exactly its key groups), fewer,
  // more, and a parallelism whose ranges cut across both old ones.
  for (int parallelism : {2, 3, 1, 4}) {
    Entries all;
    for (int instance = 0; instance < parallelism; ++instance) {
      KeyGroupRange range = KeyGroupRange::OfInstance(instance, parallelism);
      auto b = Open();
      Status status = b->Restore(old_snapshots, range);
      ASSERT_TRUE(status.ok()) << status.ToString();
      Entries got = Dump(*b);
      Entries expected = InRange(model, range);
      EXPECT_EQ(got.size(), expected.size()) << "instance " << instance << " of " << parallelism;
      EXPECT_TRUE(got == expected) << "instance " << instance << " of " << parallelism;
      for (const auto& [k, value] : got) {
        EXPECT_EQ(InstanceOfKeyGroup(std::get<1>(k), parallelism), instance);
        EXPECT_TRUE(all.emplace(k, value).second) << "an entry restored twice";
      }
    }
    EXPECT_EQ(all.size(), model.size()) << "parallelism " << parallelism;
    EXPECT_TRUE(all == model) << "parallelism " << parallelism;
  }
}

TEST_P(StateBackendTest, RandomOperationsMatchAModel) {
  std::mt19937_64 rng(1234);
  auto b = Open();
  Entries model;
  const std::vector<std::string> tables = {"a", "ab", "b"};
  for (int op = 0; op < 20000; ++op) {
    std::string table = tables[rng() % tables.size()];
    int key_group = static_cast<int>(rng() % 8) * 16;  // few key groups, many collisions
    std::string key = fmt::format("{}", rng() % 200);
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2: {
        ASSERT_TRUE(b->Delete(table, key_group, key).ok());
        model.erase({table, key_group, key});
        break;
      }
      case 3: {
        std::string value;
        auto found = b->Get(table, key_group, key, &value);
        ASSERT_TRUE(found.ok());
        auto it = model.find({table, key_group, key});
        ASSERT_EQ(*found, it != model.end()) << table << "/" << key_group << "/" << key;
        if (*found) {
          EXPECT_EQ(value, it->second);
        }
        break;
      }
      default: {
        std::string value = RandomBytes(rng, rng() % 20);
        ASSERT_TRUE(b->Put(table, key_group, key, value).ok());
        model[{table, key_group, key}] = value;
      }
    }
    if (op % 5000 == 4999) {
      ASSERT_EQ(Dump(*b), model) << "after operation " << op;
      // Go on from a restored copy, as a job does after a failure.
      std::string dir = SnapshotDir(fmt::format("op{}", op));
      ASSERT_TRUE(b->Snapshot(dir).ok());
      b = Open();
      ASSERT_TRUE(b->Restore({dir}, KeyGroupRange::All()).ok());
      ASSERT_EQ(Dump(*b), model) << "restored after operation " << op;
    }
  }
}

TEST_P(StateBackendTest, SnapshotIntoAnExistingDirectoryFails) {
  auto b = Open();
  ASSERT_TRUE(b->Put("t", 1, "k", "v").ok());
  ASSERT_TRUE(b->Snapshot(SnapshotDir("s")).ok());
  auto again = b->Snapshot(SnapshotDir("s"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr(SnapshotDir("s")));

  fs::create_directories(SnapshotDir("empty"));
  EXPECT_EQ(b->Snapshot(SnapshotDir("empty")).status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(fs::is_empty(SnapshotDir("empty")));
  // The first snapshot is intact.
  auto restored = Open();
  ASSERT_TRUE(restored->Restore({SnapshotDir("s")}, KeyGroupRange::All()).ok());
  EXPECT_EQ(Dump(*restored), (Entries{{{"t", 1, "k"}, "v"}}));
}

TEST_P(StateBackendTest, SnapshotOfAnEmptyBackendRestoresEmpty) {
  auto b = Open();
  auto stats = b->Snapshot(SnapshotDir("empty"));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->entries, 0u);
  auto restored = Open();
  ASSERT_TRUE(restored->Put("t", 0, "k", "v").ok());
  ASSERT_TRUE(restored->Restore({SnapshotDir("empty")}, KeyGroupRange::All()).ok());
  EXPECT_TRUE(Dump(*restored).empty());
  ASSERT_TRUE(restored->Restore({}, KeyGroupRange::All()).ok());
  EXPECT_TRUE(Dump(*restored).empty());
}

TEST_P(StateBackendTest, RestoreOfAMissingDirectoryFailsAndLeavesTheStateEmpty) {
  auto b = Open();
  ASSERT_TRUE(b->Put("t", 1, "k", "v").ok());
  ASSERT_TRUE(b->Snapshot(SnapshotDir("good")).ok());
  Status status = b->Restore({SnapshotDir("good"), SnapshotDir("missing")}, KeyGroupRange::All());
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(SnapshotDir("missing")));
  EXPECT_TRUE(Dump(*b).empty());
  EXPECT_TRUE(b->Tables()->empty());
}

TEST_P(StateBackendTest, RestoreRejectsAnInvalidRange) {
  auto b = Open();
  ASSERT_TRUE(b->Put("t", 1, "k", "v").ok());
  ASSERT_TRUE(b->Snapshot(SnapshotDir("s")).ok());
  for (KeyGroupRange bad :
       {KeyGroupRange{-1, 5}, KeyGroupRange{0, kKeyGroups + 1}, KeyGroupRange{9, 3}}) {
    Status status = b->Restore({SnapshotDir("s")}, bad);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad.ToString();
    EXPECT_TRUE(Dump(*b).empty());
  }
  // An empty range is valid and restores nothing.
  ASSERT_TRUE(b->Restore({SnapshotDir("s")}, KeyGroupRange{4, 4}).ok());
  EXPECT_TRUE(Dump(*b).empty());
}

TEST_P(StateBackendTest, RestoreOfTheOtherBackendsSnapshotFailsNamingTheDirectory) {
  StateBackendOptions options;
  options.kind = GetParam() == BackendKind::kMemory ? BackendKind::kRocksDb : BackendKind::kMemory;
  options.working_dir = tmp_.Sub("other-work");
  auto other = OpenStateBackend(options);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Put("t", 1, "k", "v").ok());
  ASSERT_TRUE((*other)->Snapshot(SnapshotDir("other")).ok());

  auto b = Open();
  Status status = b->Restore({SnapshotDir("other")}, KeyGroupRange::All());
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(SnapshotDir("other")));
  EXPECT_TRUE(Dump(*b).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StateBackendTest,
                         ::testing::Values(BackendKind::kMemory, BackendKind::kRocksDb),
                         [](const ::testing::TestParamInfo<BackendKind>& info) {
                           return std::string(BackendKindName(info.param));
                         });

// ---- Damaged snapshots, per backend ----------------------------------------------------

class DamagedSnapshotTest : public ::testing::Test {
 protected:
  // A backend of `kind` holding `n` entries with incompressible values, snapshotted into
  // SnapshotDir("s").
  std::unique_ptr<StateBackend> MakeSnapshot(BackendKind kind, int n) {
    StateBackendOptions options;
    options.kind = kind;
    options.working_dir = tmp_.Sub("work");
    auto backend = OpenStateBackend(options);
    if (!backend.ok()) throw std::runtime_error(backend.status().ToString());
    std::mt19937_64 rng(3);
    for (int i = 0; i < n; ++i) {
      Status status =
          (*backend)->Put("t", i % kKeyGroups, fmt::format("key{:08}", i), RandomBytes(rng, 100));
      if (!status.ok()) throw std::runtime_error(status.ToString());
    }
    auto stats = (*backend)->Snapshot(dir());
    if (!stats.ok()) throw std::runtime_error(stats.status().ToString());
    return std::move(backend).value();
  }
  std::string dir() const { return tmp_.Sub("s"); }

  // Restores dir() into a fresh backend of `kind`; returns the status, and checks that a
  // failed restore left the state empty.
  Status RestoreDamaged(BackendKind kind, KeyGroupRange range = KeyGroupRange::All()) {
    StateBackendOptions options;
    options.kind = kind;
    options.working_dir = tmp_.Sub("restore-work");
    auto backend = OpenStateBackend(options);
    if (!backend.ok()) return backend.status();
    EXPECT_TRUE((*backend)->Put("t", 0, "before", "restore").ok());
    Status status = (*backend)->Restore({dir()}, range);
    if (!status.ok()) {
      EXPECT_TRUE((*backend)->Tables()->empty());
    }
    return status;
  }

  static void FlipByte(const std::string& path, uint64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }

  std::string OnlySst() const {
    std::string found;
    for (const auto& e : fs::directory_iterator(dir())) {
      if (e.path().extension() == ".sst") {
        EXPECT_TRUE(found.empty()) << "more than one SST file in the snapshot";
        found = e.path().string();
      }
    }
    EXPECT_FALSE(found.empty()) << "no SST file in the snapshot";
    return found;
  }

  testing::TempDir tmp_;
};

TEST_F(DamagedSnapshotTest, MemorySnapshotIsOneFileThatRestores) {
  MakeSnapshot(BackendKind::kMemory, 100);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir())) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{std::string(kMemorySnapshotFileName)});
  EXPECT_FALSE(fs::exists(dir() + ".tmp"));
  EXPECT_TRUE(RestoreDamaged(BackendKind::kMemory).ok());
}

TEST_F(DamagedSnapshotTest, MemorySnapshotWithAFlippedByteFails) {
  MakeSnapshot(BackendKind::kMemory, 100);
  const std::string file = dir() + "/" + std::string(kMemorySnapshotFileName);
  // Every byte is covered: the header, an entry in the body, the entry count, the CRC.
  for (uint64_t offset :
       {uint64_t{10}, fs::file_size(file) / 2, fs::file_size(file) - 6, fs::file_size(file) - 1}) {
    FlipByte(file, offset);
    Status status = RestoreDamaged(BackendKind::kMemory);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << offset;
    EXPECT_THAT(status.message(), HasSubstr(file)) << offset;
    FlipByte(file, offset);
    ASSERT_TRUE(RestoreDamaged(BackendKind::kMemory).ok());
  }
  FlipByte(file, fs::file_size(file) / 2);
  EXPECT_THAT(RestoreDamaged(BackendKind::kMemory).message(), HasSubstr("CRC-32C mismatch"));
  FlipByte(file, fs::file_size(file) / 2);
  FlipByte(file, 0);
  EXPECT_THAT(RestoreDamaged(BackendKind::kMemory).message(), HasSubstr("bad magic"));
}

TEST_F(DamagedSnapshotTest, TruncatedMemorySnapshotFails) {
  MakeSnapshot(BackendKind::kMemory, 100);
  const std::string file = dir() + "/" + std::string(kMemorySnapshotFileName);
  const uint64_t size = fs::file_size(file);
  for (uint64_t cut : {size - 1, size / 2, uint64_t{25}, uint64_t{3}, uint64_t{0}}) {
    fs::resize_file(file, cut);
    Status status = RestoreDamaged(BackendKind::kMemory);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << cut;
    EXPECT_THAT(status.message(), HasSubstr(file)) << cut;
    EXPECT_THAT(status.message(), HasSubstr("truncated")) << cut;
  }
  fs::remove(file);
  Status status = RestoreDamaged(BackendKind::kMemory);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_THAT(status.message(), HasSubstr(dir()));
}

TEST_F(DamagedSnapshotTest, MemorySnapshotWithExtraBytesFails) {
  MakeSnapshot(BackendKind::kMemory, 10);
  const std::string file = dir() + "/" + std::string(kMemorySnapshotFileName);
  std::ofstream(file, std::ios::app | std::ios::binary) << "junk";
  Status status = RestoreDamaged(BackendKind::kMemory);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_THAT(status.message(), HasSubstr("extra bytes"));
}

TEST_F(DamagedSnapshotTest, RocksDbSnapshotWithoutCurrentFails) {
  MakeSnapshot(BackendKind::kRocksDb, 100);
  ASSERT_TRUE(RestoreDamaged(BackendKind::kRocksDb).ok());
  fs::remove(dir() + "/CURRENT");
  Status status = RestoreDamaged(BackendKind::kRocksDb);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_THAT(status.message(), HasSubstr(dir()));
  EXPECT_THAT(status.message(), HasSubstr("CURRENT"));
}

TEST_F(DamagedSnapshotTest, RocksDbSnapshotWithoutManifestFails) {
  MakeSnapshot(BackendKind::kRocksDb, 100);
  for (const auto& e : fs::directory_iterator(dir())) {
    if (e.path().filename().string().starts_with("MANIFEST")) fs::remove(e.path());
  }
  Status status = RestoreDamaged(BackendKind::kRocksDb);
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr(dir()));
}

TEST_F(DamagedSnapshotTest, RocksDbSnapshotWithATruncatedSstFails) {
  MakeSnapshot(BackendKind::kRocksDb, 5000);
  const std::string sst = OnlySst();
  // The SST file is a hard link to the live database's: a real snapshot would be on
  // other storage. Cut a copy, not the live file.
  fs::copy_file(sst, sst + ".copy");
  fs::rename(sst + ".copy", sst);
  fs::resize_file(sst, fs::file_size(sst) / 2);
  Status status = RestoreDamaged(BackendKind::kRocksDb);
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr(dir()));
}

TEST_F(DamagedSnapshotTest, RocksDbSnapshotWithAFlippedByteInAnSstFails) {
  MakeSnapshot(BackendKind::kRocksDb, 20000);
  const std::string sst = OnlySst();
  fs::copy_file(sst, sst + ".copy");
  fs::rename(sst + ".copy", sst);
  // The data blocks come first in an SST file; a third of the way in is inside one, of
  // about key group 42.
  FlipByte(sst, fs::file_size(sst) / 3);
  // Restored whole, the snapshot is adopted as it is (after a checksum pass); restored in
  // part, its entries are copied (checksums verified as they are read).
  for (KeyGroupRange range : {KeyGroupRange::All(), KeyGroupRange{0, 100}}) {
    Status status = RestoreDamaged(BackendKind::kRocksDb, range);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr(dir()));
    EXPECT_THAT(status.message(), HasSubstr("checksum"));
  }
}

// ---- Backend-specific behaviour ----------------------------------------------------------

TEST(MemoryStateBackendTest, SnapshotSurvivesAPowerCut) {
  testing::TempDir tmp;
  testing::FaultInjectionFileSystem fault_fs;
  StateBackendOptions options;
  options.file_system = &fault_fs;
  auto b = OpenStateBackend(options);
  ASSERT_TRUE(b.ok());
  Entries model;
  for (int i = 0; i < 1000; ++i) model[{"t", i % kKeyGroups, fmt::format("k{}", i)}] = "v";
  Load(**b, model);
  ASSERT_TRUE((*b)->Snapshot(tmp.Sub("s")).ok());
  // Everything not synced is lost; the snapshot must not be.
  ASSERT_TRUE(fault_fs.DropUnsyncedData().ok());
  auto restored = OpenStateBackend(options);
  ASSERT_TRUE((*restored)->Restore({tmp.Sub("s")}, KeyGroupRange::All()).ok());
  EXPECT_EQ(Dump(**restored), model);
}

TEST(MemoryStateBackendTest, FailedSnapshotLeavesNoDirectory) {
  testing::TempDir tmp;
  testing::FaultInjectionFileSystem fault_fs;
  StateBackendOptions options;
  options.file_system = &fault_fs;
  auto b = OpenStateBackend(options);
  ASSERT_TRUE((*b)->Put("t", 1, "k", "v").ok());
  fault_fs.FailSyncs(true);
  auto stats = (*b)->Snapshot(tmp.Sub("s"));
  EXPECT_FALSE(stats.ok());
  EXPECT_THAT(stats.status().message(), HasSubstr(tmp.Sub("s")));
  EXPECT_FALSE(fs::exists(tmp.Sub("s")));
  EXPECT_FALSE(fs::exists(tmp.Sub("s.tmp")));
  fault_fs.FailSyncs(false);
  EXPECT_TRUE((*b)->Snapshot(tmp.Sub("s")).ok());
}

TEST(RocksDbStateBackendTest, SecondSnapshotAfterFewChangesWritesLittle) {
  testing::TempDir tmp;
  StateBackendOptions options;
  options.kind = BackendKind::kRocksDb;
  options.working_dir = tmp.Sub("work");
  auto b = OpenStateBackend(options);
  ASSERT_TRUE(b.ok());
  std::mt19937_64 rng(5);
  const int kEntries = 100000;
  for (int i = 0; i < kEntries; ++i) {
    ASSERT_TRUE(
        (*b)->Put("t", i % kKeyGroups, fmt::format("key{:08}", i), RandomBytes(rng, 100)).ok());
  }
  auto first = (*b)->Snapshot(tmp.Sub("s1"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->entries, static_cast<uint64_t>(kEntries));
  EXPECT_EQ(first->new_bytes, first->bytes);
  EXPECT_GT(first->bytes, uint64_t{kEntries} * 100);

  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        (*b)->Put("t", (i * 1000) % kKeyGroups, fmt::format("key{:08}", i * 1000), "changed").ok());
  }
  auto second = (*b)->Snapshot(tmp.Sub("s2"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->bytes, DirBytes(tmp.Sub("s2")));
  EXPECT_GE(second->bytes, first->bytes);
  EXPECT_LT(second->new_bytes * 20, second->bytes)
      << "new " << second->new_bytes << " of " << second->bytes;
  // The SST files the two snapshots share are the same files (hard links), not copies.
  int shared = 0;
  for (const auto& e : fs::directory_iterator(tmp.Sub("s2"))) {
    if (e.path().extension() != ".sst") continue;
    fs::path in_first = fs::path(tmp.Sub("s1")) / e.path().filename();
    if (fs::exists(in_first) && fs::equivalent(in_first, e.path())) ++shared;
  }
  EXPECT_GE(shared, 1);

  options.working_dir = tmp.Sub("restore");
  auto restored = OpenStateBackend(options);
  ASSERT_TRUE((*restored)->Restore({tmp.Sub("s2")}, KeyGroupRange::All()).ok());
  std::string value;
  ASSERT_TRUE(*(*restored)->Get("t", 7000 % kKeyGroups, "key00007000", &value));
  EXPECT_EQ(value, "changed");
  ASSERT_TRUE(*(*restored)->Get("t", 7001 % kKeyGroups, "key00007001", &value));
  EXPECT_EQ(value.size(), 100u);

  // A backend restored from a whole snapshot shares its files: its next snapshot is
  // incremental too.
  ASSERT_TRUE((*restored)->Put("t", 3, "one more", "entry").ok());
  auto third = (*restored)->Snapshot(tmp.Sub("s3"));
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_GE(third->bytes, first->bytes);
  EXPECT_LT(third->new_bytes * 20, third->bytes)
      << "new " << third->new_bytes << " of " << third->bytes;
  auto from_third = OpenStateBackend(StateBackendOptions{BackendKind::kRocksDb, tmp.Sub("w3")});
  ASSERT_TRUE((*from_third)->Restore({tmp.Sub("s3")}, KeyGroupRange::All()).ok());
  ASSERT_TRUE(*(*from_third)->Get("t", 3, "one more", &value));
  ASSERT_TRUE(*(*from_third)->Get("t", 7000 % kKeyGroups, "key00007000", &value));
  EXPECT_EQ(value, "changed");
  EXPECT_EQ(Dump(**from_third).size(), static_cast<size_t>(kEntries) + 1);
}

TEST(RocksDbStateBackendTest, RefusesToEmptyADirectoryItDidNotCreate) {
  testing::TempDir tmp;
  fs::create_directories(tmp.Sub("precious"));
  std::ofstream(tmp.Sub("precious/notes.txt")) << "keep me";
  StateBackendOptions options;
  options.kind = BackendKind::kRocksDb;
  options.working_dir = tmp.Sub("precious");
  auto b = OpenStateBackend(options);
  EXPECT_EQ(b.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(b.status().message(), HasSubstr("notes.txt"));
  EXPECT_TRUE(fs::exists(tmp.Sub("precious/notes.txt")));
}

TEST(RocksDbStateBackendTest, WorkingDirectoryIsLockedEmptiedAndCleanedUp) {
  testing::TempDir tmp;
  StateBackendOptions options;
  options.kind = BackendKind::kRocksDb;
  options.working_dir = tmp.Sub("work");
  {
    auto first = OpenStateBackend(options);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_TRUE((*first)->Put("t", 1, "k", "v").ok());
    auto second = OpenStateBackend(options);
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(second.status().message(), HasSubstr(tmp.Sub("work")));
    // The first backend is unharmed.
    std::string value;
    ASSERT_TRUE(*(*first)->Get("t", 1, "k", &value));
    EXPECT_EQ(value, "v");
    EXPECT_TRUE(fs::exists(tmp.Sub("work/db")));
  }
  EXPECT_FALSE(fs::exists(tmp.Sub("work/db")));
  // A directory a backend used (as after a crash) is emptied on the next open.
  std::ofstream(tmp.Sub("work/leftover")) << "stale";
  auto reopened = OpenStateBackend(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_TRUE((*reopened)->Tables()->empty());
  EXPECT_FALSE(fs::exists(tmp.Sub("work/leftover")));
}

TEST(RocksDbStateBackendTest, NeedsAWorkingDirectory) {
  StateBackendOptions options;
  options.kind = BackendKind::kRocksDb;
  EXPECT_EQ(OpenStateBackend(options).status().code(), StatusCode::kInvalidArgument);
}

// ---- Names and key groups ----------------------------------------------------------------

TEST(BackendKindTest, ParsesAndNamesTheBackends) {
  for (BackendKind kind : {BackendKind::kMemory, BackendKind::kRocksDb}) {
    auto parsed = ParseBackendKind(BackendKindName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  auto bad = ParseBackendKind("leveldb");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("'leveldb'"));
}

TEST(KeyGroupTest, OfInstanceAgreesWithInstanceOfKeyGroup) {
  for (int parallelism = 1; parallelism <= 20; ++parallelism) {
    int next_begin = 0;
    for (int instance = 0; instance < parallelism; ++instance) {
      KeyGroupRange range = KeyGroupRange::OfInstance(instance, parallelism);
      // The ranges are contiguous, in instance order, non-empty, and cover every group.
      EXPECT_EQ(range.begin, next_begin) << instance << " of " << parallelism;
      EXPECT_FALSE(range.empty()) << instance << " of " << parallelism;
      next_begin = range.end;
      for (int g = 0; g < kKeyGroups; ++g) {
        EXPECT_EQ(range.Contains(g), InstanceOfKeyGroup(g, parallelism) == instance)
            << "key group " << g << ", instance " << instance << " of " << parallelism;
      }
    }
    EXPECT_EQ(next_begin, kKeyGroups) << parallelism;
  }
}

}  // namespace
}  // namespace eddy::state
