// The containers the merge grows without long pauses: PodVector (grown in place, see
// large_blocks.h), FlatIndex (incremental rehash) and StringMap (on both). Each must behave
// like the container it replaces, through many growths and in the middle of a rehash.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "rapidesk/shared/flat_index.h"
#include "rapidesk/shared/large_blocks.h"
#include "rapidesk/shared/pod_vector.h"
#include "rapidesk/shared/string_map.h"
#include "rapidesk/sync/op_table.h"
#include "resident_pages.h"

namespace rapidesk::sync {
namespace {

// Keys "k<i>" with id i; `hash` may be poor on purpose, to build long probe chains.
struct Keys {
  std::vector<std::string> names;
  std::uint64_t (*hash)(std::string_view) = [](std::string_view k) { return hash_bytes(k); };
  std::uint32_t find(const FlatIndex& index, const std::string& k) const {
    return index.find(hash(k), [&](std::uint32_t id) { return names[id] == k; });
  }
  void add(FlatIndex& index) {
    std::string name(1, 'k');
    name += std::to_string(names.size());
    names.push_back(std::move(name));
    ASSERT_EQ(find(index, names.back()), FlatIndex::kNotFound);
    index.insert(hash(names.back()), static_cast<std::uint32_t>(names.size() - 1));
  }
  void expect_all(const FlatIndex& index) const {
    for (std::uint32_t i = 0; i < names.size(); ++i) ASSERT_EQ(find(index, names[i]), i) << names[i];
    EXPECT_EQ(find(index, "absent"), FlatIndex::kNotFound);
  }
};

TEST(FlatIndexTest, FindsEveryKeyWhileGrowingInSteps) {
  FlatIndex index;
  Keys keys;
  int inserts_while_growing = 0;
  for (int i = 0; i < 40000; ++i) {
    keys.add(index);
    if (index.growing()) ++inserts_while_growing;
    if (i % 499 == 0 || (index.growing() && i % 13 == 0)) {
      ASSERT_NO_FATAL_FAILURE(keys.expect_all(index)) << "after " << i;
    }
  }
  EXPECT_GT(inserts_while_growing, 0);  // the growth was spread over several inserts
  EXPECT_EQ(index.size(), keys.names.size());
}

TEST(FlatIndexTest, CollidingHashesAndCopiesMidGrowth) {
  FlatIndex index;
  Keys keys;
  keys.hash = [](std::string_view k) { return std::uint64_t{k.size() % 3} << 5; };  // three long chains
  while (!index.growing() || keys.names.size() < 200) keys.add(index);
  FlatIndex copy = index;  // both tables copied
  ASSERT_NO_FATAL_FAILURE(keys.expect_all(copy));
  Keys more = keys;
  more.add(copy);
  EXPECT_EQ(keys.find(index, more.names.back()), FlatIndex::kNotFound);  // the copy is independent
  ASSERT_NO_FATAL_FAILURE(keys.expect_all(index));
  index.reserve(index.size() + 10);  // finishes the growth under way
  EXPECT_FALSE(index.growing());
  ASSERT_NO_FATAL_FAILURE(keys.expect_all(index));
  FlatIndex moved = std::move(copy);
  ASSERT_NO_FATAL_FAILURE(more.expect_all(moved));
}

// From a few thousand keys, the table an index grows into is allocated at three quarters
// full and written ahead by the inserts before growth, so that the inserts landing all over
// it do not take its page faults at once. Copies leave it out and make their own later.
TEST(FlatIndexTest, ALargeIndexPreparesTheTableItGrowsInto) {
  FlatIndex index;
  Keys keys;
  int growths = 0, prepared_growths = 0;
  bool was_prepared = false;
  for (int i = 0; i < 60000; ++i) {
    const bool growing_before = index.growing();
    keys.add(index);
    if (index.growing() && !growing_before) {
      ++growths;
      if (was_prepared) ++prepared_growths;
      EXPECT_FALSE(index.prepared()) << "used up by the growth";
    }
    was_prepared = index.prepared();
    if (i == 50000) {
      ASSERT_TRUE(index.prepared());  // 50,001 keys: past 3/4 of 65,536 slots
      FlatIndex copy = index;
      EXPECT_FALSE(copy.prepared());
      Keys more = keys;
      more.add(copy);
      EXPECT_TRUE(copy.prepared()) << "its own, at its next insert";
      while (!copy.growing()) more.add(copy);
      ASSERT_NO_FATAL_FAILURE(more.expect_all(copy));
    }
  }
  EXPECT_EQ(growths, 13);          // 16 slots to 131,072
  EXPECT_EQ(prepared_growths, 5);  // to 8,192 slots (64 KiB) and up
  ASSERT_NO_FATAL_FAILURE(keys.expect_all(index));
}

// reserve() may grow into a prepared table before the inserts have zeroed all of it.
TEST(FlatIndexTest, ReservingGrowsIntoAPreparedTable) {
  FlatIndex index;
  Keys keys;
  while (index.size() < 12288) keys.add(index);  // the next insert passes 3/4 of 16,384 slots
  {
    // Garbage where the prepared table's memory (256 KiB from malloc) is likely to come from.
    std::vector<std::uint64_t> junk(32768, ~std::uint64_t{0});
    EXPECT_EQ(junk.back(), ~std::uint64_t{0});
  }
  keys.add(index);
  ASSERT_TRUE(index.prepared());
  index.reserve(index.size() + 4000);  // past 7/8 of 16,384: 32,768 slots, the prepared table's capacity
  EXPECT_FALSE(index.prepared());
  EXPECT_FALSE(index.growing());
  ASSERT_NO_FATAL_FAILURE(keys.expect_all(index));
  for (int i = 0; i < 2000; ++i) keys.add(index);
  ASSERT_NO_FATAL_FAILURE(keys.expect_all(index));
}

TEST(StringMapTest, KeepsValuesInPlaceAndInsertionOrder) {
  StringMap<std::vector<int>> map;
  std::vector<const std::vector<int>*> addresses;
  for (int i = 0; i < 30000; ++i) {
    const std::string key = "request/" + std::to_string(i);
    auto [value, inserted] = map.try_emplace(key, std::vector<int>{i});
    ASSERT_TRUE(inserted);
    addresses.push_back(value);
  }
  auto [again, inserted] = map.try_emplace("request/7", std::vector<int>{-1});
  EXPECT_FALSE(inserted);
  EXPECT_EQ(*again, std::vector<int>{7});  // the first value stays
  map["request/7"].push_back(8);
  EXPECT_EQ(map["brand new"], std::vector<int>{});  // operator[] inserts an empty value
  EXPECT_EQ(map.size(), 30001u);
  EXPECT_EQ(map.find("absent"), nullptr);
  int i = 0;
  for (const auto& [key, value] : map) {
    if (i == 30000) break;
    ASSERT_EQ(key, "request/" + std::to_string(i));
    ASSERT_EQ(&value, addresses[static_cast<std::size_t>(i)]) << "moved while the map grew";
    ASSERT_EQ(map.find(key), &value);
    ++i;
  }
  EXPECT_EQ(*map.find("request/7"), (std::vector<int>{7, 8}));
}

struct Pair {
  std::uint32_t a = 7;
  std::uint64_t b = 9;
};

TEST(PodVectorTest, KeepsEveryValueThroughManyGrowths) {
  PodVector<std::uint64_t> v;
  std::vector<std::uint64_t> expected;
  // 1M values = 8 MiB: grown with realloc, then as a mapping of its own (large_blocks.h).
  for (std::uint64_t i = 0; i < 1'000'000; ++i) {
    v.push_back(i * 2654435761u);
    expected.push_back(i * 2654435761u);
  }
  ASSERT_EQ(v.size(), expected.size());
  EXPECT_GE(v.capacity(), v.size());
  EXPECT_TRUE(std::equal(v.begin(), v.end(), expected.begin()));
  EXPECT_EQ(v.back(), expected.back());
}

// A large array has the next few MiB past its end faulted in while it is being filled (so
// the merge does not wait for fresh pages), and not the rest of its capacity.
TEST(PodVectorTest, ALargeArrayIsFaultedInAheadOfItsEndOnly) {
  if (!testing::can_populate()) GTEST_SKIP() << "this kernel cannot fault ranges in on request";
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  PodVector<std::uint64_t> v;
  const std::size_t count = 1'200'000;  // 9.2 MiB of a 16 MiB capacity
  for (std::size_t i = 0; i < count; ++i) v.push_back(i);
  wait_for_fault_ins();
  ASSERT_EQ(v.capacity() * sizeof(std::uint64_t), 16 * kMiB);
  const char* end = reinterpret_cast<const char*>(v.data() + v.size());
  EXPECT_TRUE(testing::all_resident(end, 2 * kMiB)) << "the next 2 MiB are mapped ahead";
  const char* far = reinterpret_cast<const char*>(v.data()) + 14 * kMiB;
  EXPECT_EQ(testing::resident_pages(far, 2 * kMiB), 0u) << "the rest of the capacity takes no memory";
  for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(v[i], i);
  // resize() and append() ask ahead too, and what was asked for reads as zeroes.
  v.resize(count + kMiB / 8);
  EXPECT_EQ(v.back(), 0u);
  const std::uint64_t more[] = {1, 2, 3};
  v.append(more, more + 3);
  EXPECT_EQ(v.back(), 3u);
  wait_for_fault_ins();
  EXPECT_TRUE(testing::all_resident(v.data() + v.size(), 2 * kMiB));
}

// A large array doubles once the fault-in lead reaches its end, before it is full, so the
// pages past the old end are faulted in ahead like any others.
TEST(PodVectorTest, ALargeArrayGrowsBeforeItIsFull) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  PodVector<std::uint64_t> v;
  v.reserve(16 * kMiB / sizeof(std::uint64_t));
  ASSERT_EQ(v.capacity() * sizeof(std::uint64_t), 16 * kMiB);
  const std::size_t count = 15 * kMiB / sizeof(std::uint64_t);
  for (std::size_t i = 0; i < count; ++i) v.push_back(i);
  EXPECT_EQ(v.capacity() * sizeof(std::uint64_t), 32 * kMiB) << "doubled with 4 MiB (the lead) left";
  for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(v[i], i);
  if (!testing::can_populate()) return;
  wait_for_fault_ins();
  const char* old_end = reinterpret_cast<const char*>(v.data()) + 16 * kMiB;
  EXPECT_TRUE(testing::all_resident(old_end, kMiB)) << "the first MiB past the old end is mapped ahead";
}

// Its first growth to huge pages leaves room for the lead as well: from 1 MiB straight to
// 8 MiB, with the pages past the old end faulted in ahead.
TEST(PodVectorTest, AnArrayBecomingLargeLeavesRoomForTheLead) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  PodVector<std::uint64_t> v;
  const std::size_t count = kMiB / sizeof(std::uint64_t) + 1;  // one value past 1 MiB
  for (std::size_t i = 0; i < count; ++i) v.push_back(i);
  EXPECT_EQ(v.capacity() * sizeof(std::uint64_t), 8 * kMiB);
  for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(v[i], i);
  if (!testing::can_populate()) return;
  wait_for_fault_ins();
  const char* huge = reinterpret_cast<const char*>(v.data()) + 2 * kMiB;
  EXPECT_TRUE(testing::all_resident(huge, 2 * kMiB)) << "the first huge page past 2 MiB is mapped ahead";
}

TEST(PodVectorTest, ResizeValueInitialisesAndCopiesAreIndependent) {
  PodVector<Pair> v;
  v.resize(3);
  EXPECT_EQ(v[2].a, 7u);
  EXPECT_EQ(v[2].b, 9u);
  v.emplace_back(Pair{1, 2});
  v.resize(200'000, Pair{3, 4});  // 3.2 MB
  PodVector<Pair> copy = v;
  EXPECT_EQ(copy.capacity(), v.capacity());  // room to grow without copying again
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

// A server's history outgrows 4 GiB of op ids and values; the arena's offsets must name the
// bytes past it exactly, and refuse (not wrap) at the packed limits.
TEST(StrRefTest, NamesOffsetsPastFourGibibytes) {
  const std::uint64_t past = (std::uint64_t{5} << 30) + 123;
  const StrRef r = StrRef::make(past, 100);
  EXPECT_EQ(r.offset(), past);
  EXPECT_EQ(r.size(), 100u);
  const StrRef last = StrRef::make(StrRef::kMaxOffset - StrRef::kMaxSize, StrRef::kMaxSize);
  EXPECT_EQ(last.offset(), StrRef::kMaxOffset - StrRef::kMaxSize);
  EXPECT_EQ(last.size(), StrRef::kMaxSize);
  EXPECT_THROW(StrRef::make(0, StrRef::kMaxSize + 1), std::length_error);
  EXPECT_THROW(StrRef::make(StrRef::kMaxOffset, 2), std::length_error);
  EXPECT_EQ(StrRef{}.size(), 0u);
}

}  // namespace
}  // namespace rapidesk::sync
