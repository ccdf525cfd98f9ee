// The containers the merge grows without long pauses: PodVector (realloc growth) and
// EntryLog (fixed chunks). Both must behave like the std::vector they replace, through many
// growths and across chunk boundaries.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "rapidesk/sync/entry_log.h"
#include "rapidesk/sync/pod_vector.h"

namespace rapidesk::sync {
namespace {

struct Pair {
  std::uint32_t a = 7;
  std::uint64_t b = 9;
};

TEST(PodVectorTest, KeepsEveryValueThroughManyGrowths) {
  PodVector<std::uint64_t> v;
  std::vector<std::uint64_t> expected;
  // 1M values = 8 MiB: past glibc's default mmap threshold, so realloc moves pages too.
  for (std::uint64_t i = 0; i < 1'000'000; ++i) {
    v.push_back(i * 2654435761u);
    expected.push_back(i * 2654435761u);
  }
  ASSERT_EQ(v.size(), expected.size());
  EXPECT_GE(v.capacity(), v.size());
  EXPECT_TRUE(std::equal(v.begin(), v.end(), expected.begin()));
  EXPECT_EQ(v.back(), expected.back());
}

TEST(PodVectorTest, ResizeValueInitialisesAndCopiesAreIndependent) {
  PodVector<Pair> v;
  v.resize(3);
  EXPECT_EQ(v[2].a, 7u);
  EXPECT_EQ(v[2].b, 9u);
  v.emplace_back(Pair{1, 2});
  v.resize(200'000, Pair{3, 4});  // 3.2 MB
  PodVector<Pair> copy = v;
  copy[0].a = 100;
  EXPECT_EQ(v[0].a, 7u);
  EXPECT_EQ(copy[3].b, 2u);
  EXPECT_EQ(copy[199'999].a, 3u);
  PodVector<Pair> moved = std::move(copy);
  EXPECT_EQ(moved.size(), 200'000u);
  EXPECT_EQ(moved[0].a, 100u);
  moved.pop_back();
  EXPECT_EQ(moved.size(), 199'999u);
  moved.assign(2, Pair{5, 6});
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[1].b, 6u);
}

TEST(PodVectorTest, AppendsRanges) {
  PodVector<char> names;
  const std::string a = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  names.append(a.data(), a.data() + a.size());
  names.append(a.data(), a.data() + 4);
  std::string expected = a;
  expected.append("0190");
  EXPECT_EQ(std::string(names.data(), names.size()), expected);
}

LogEntry entry(std::uint64_t seq) {
  LogEntry e;
  e.seq = seq;
  e.op.row = "row-" + std::to_string(seq);
  return e;
}

TEST(EntryLogTest, IndexesIteratesAndKeepsReferencesAcrossChunks) {
  EntryLog log;
  EXPECT_TRUE(log.empty());
  log.push_back(entry(1));
  const LogEntry* first = &log[0];
  for (std::uint64_t seq = 2; seq <= 10'000; ++seq) log.push_back(entry(seq));  // three chunks
  ASSERT_EQ(log.size(), 10'000u);
  EXPECT_EQ(first, &log[0]);  // never moved
  EXPECT_EQ(log[4095].seq, 4096u);
  EXPECT_EQ(log[4096].seq, 4097u);
  EXPECT_EQ(log.back().op.row, "row-10000");

  std::uint64_t sum = 0;
  for (const LogEntry& e : log) sum += e.seq;
  EXPECT_EQ(sum, 10'000u * 10'001u / 2);

  // A pull page copies a range that spans a chunk boundary.
  const std::vector<LogEntry> page(log.begin() + 4000, log.begin() + 4200);
  ASSERT_EQ(page.size(), 200u);
  EXPECT_EQ(page.front().seq, 4001u);
  EXPECT_EQ(page.back().seq, 4200u);
  EXPECT_EQ(log.end() - log.begin(), 10'000);
  EXPECT_EQ((log.begin() + 5000)->seq, 5001u);
  EXPECT_LT(log.begin() + 1, log.end());
}

}  // namespace
}  // namespace rapidesk::sync
