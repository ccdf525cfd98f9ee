// Blocks for large arrays (large_blocks.h): contents survive every resize, whether a block
// stays small, crosses into a mapping of its own, grows as one or shrinks back, and new
// blocks read as zeroes on both sides of the threshold; asked-for fault-ins map pages without
// changing them and are dropped when their block moves or goes.
#include "rapidesk/shared/large_blocks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "resident_pages.h"

namespace rapidesk {
namespace {

void fill(void* block, std::size_t bytes, std::uint32_t seed) {
  auto* words = static_cast<std::uint32_t*>(block);
  for (std::size_t i = 0; i < bytes / sizeof(std::uint32_t); ++i) words[i] = seed + static_cast<std::uint32_t>(i);
}

// The index of the first word that is not seed + i, or -1 when all are.
long first_mismatch(const void* block, std::size_t bytes, std::uint32_t seed) {
  const auto* words = static_cast<const std::uint32_t*>(block);
  for (std::size_t i = 0; i < bytes / sizeof(std::uint32_t); ++i) {
    if (words[i] != seed + static_cast<std::uint32_t>(i)) return static_cast<long>(i);
  }
  return -1;
}

bool all_zero(const void* block, std::size_t bytes) {
  const auto* b = static_cast<const unsigned char*>(block);
  for (std::size_t i = 0; i < bytes; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

TEST(LargeBlocksTest, NewBlocksAreZeroOnBothSidesOfTheThreshold) {
  for (const std::size_t bytes : {std::size_t{64}, kMappedBlockBytes - 8, kMappedBlockBytes,
                                   kHugePageAdviceBytes + 12'345}) {
    void* block = allocate_zeroed_block(bytes);
    ASSERT_NE(block, nullptr);
    EXPECT_TRUE(all_zero(block, bytes)) << bytes;
    fill(block, bytes, 1);  // writable to the last byte
    free_block(block, bytes);
  }
}

TEST(LargeBlocksTest, ContentsSurviveEveryKindOfResize) {
  // small -> small -> mapped -> larger mapped (huge pages) -> smaller mapped -> small
  const std::vector<std::size_t> sizes = {4'000,
                                          64'000,
                                          kMappedBlockBytes + 4'096 * 3 + 100,
                                          kHugePageAdviceBytes * 3 + 7'000,
                                          kMappedBlockBytes * 2,
                                          10'000};
  void* block = resize_block(nullptr, 0, sizes[0]);
  fill(block, sizes[0], 7);
  std::size_t kept = sizes[0];  // bytes holding the pattern
  for (std::size_t i = 1; i < sizes.size(); ++i) {
    block = resize_block(block, sizes[i - 1], sizes[i]);
    ASSERT_NE(block, nullptr);
    kept = std::min(kept, sizes[i]);
    EXPECT_EQ(first_mismatch(block, kept, 7), -1) << "after resizing to " << sizes[i];
    fill(block, sizes[i], 7);  // the whole new size is writable
    kept = sizes[i];
  }
  free_block(block, sizes.back());
  free_block(nullptr, kMappedBlockBytes);  // ignored, like free(nullptr)
}

// A large block keeps growing after it has been advised to use huge pages, at sizes and
// addresses that are not multiples of 2 MiB, with other mappings made in between. Advice on
// only part of a mapping split it, and the next mremap then failed (EFAULT).
TEST(LargeBlocksTest, AnAdvisedBlockKeepsGrowingInPlaceOfCopies) {
  constexpr std::size_t kPage = 4'096;
  std::size_t bytes = kMappedBlockBytes;
  void* block = resize_block(nullptr, 0, bytes);
  fill(block, bytes, 3);
  std::vector<void*> neighbours;
  for (int i = 0; i < 6; ++i) {
    const std::size_t next = bytes * 2 + kPage * 7;
    ASSERT_NO_THROW(block = resize_block(block, bytes, next)) << bytes << " -> " << next;
    EXPECT_EQ(first_mismatch(block, bytes, 3), -1) << "after growing to " << next;
    bytes = next;
    fill(block, bytes, 3);
    neighbours.push_back(allocate_zeroed_block(kMappedBlockBytes + kPage * 5));
  }
  free_block(block, bytes);
  for (void* n : neighbours) free_block(n, kMappedBlockBytes + kPage * 5);
}

// The kernel backs only 2 MiB-aligned ranges with huge pages: a block that uses them starts
// on such a boundary when it is made and after it grows or moves.
TEST(LargeBlocksTest, HugePageBlocksStartOnAHugePageBoundary) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto aligned = [&](const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kHuge == 0; };
  void* made = allocate_zeroed_block(kHugePageAdviceBytes + 100);
  EXPECT_TRUE(aligned(made));
  free_block(made, kHugePageAdviceBytes + 100);

  std::size_t bytes = kMappedBlockBytes * 2 + 4'096;  // mapped, not yet advised
  void* block = resize_block(nullptr, 0, bytes);
  fill(block, bytes, 5);
  void* blocker = allocate_zeroed_block(kMappedBlockBytes);  // may sit right after it
  for (const std::size_t next : {kHugePageAdviceBytes + 8, kHugePageAdviceBytes * 3 + 1, kHugePageAdviceBytes * 7}) {
    block = resize_block(block, bytes, next);
    EXPECT_TRUE(aligned(block)) << next;
    EXPECT_EQ(first_mismatch(block, bytes, 5), -1) << next;
    bytes = next;
    fill(block, bytes, 5);
  }
  free_block(block, bytes);
  free_block(blocker, kMappedBlockBytes);
}

// The background thread maps the asked-for range and nothing else, and leaves what was
// written there as it was.
TEST(LargeBlocksTest, FaultInAheadMapsTheAskedRangeWithoutChangingIt) {
  if (!testing::can_populate()) GTEST_SKIP() << "this kernel cannot fault ranges in on request";
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  const std::size_t bytes = 16 * kMiB;
  auto* block = static_cast<char*>(allocate_zeroed_block(bytes));
  fill(block, kMiB, 11);  // maps the first (huge) page only
  ASSERT_EQ(testing::resident_pages(block + 4 * kMiB, 12 * kMiB), 0u) << "fresh pages are mapped at first touch";
  fault_in_ahead(block, bytes, kMiB / 2, 10 * kMiB);  // from inside the written part
  wait_for_fault_ins();
  EXPECT_TRUE(testing::all_resident(block + 4 * kMiB, 6 * kMiB));
  EXPECT_EQ(testing::resident_pages(block + 10 * kMiB, 6 * kMiB), 0u) << "nothing past the asked range";
  EXPECT_EQ(first_mismatch(block, kMiB, 11), -1);
  EXPECT_TRUE(all_zero(block + kMiB, bytes - kMiB));
  fault_in_ahead(block, bytes, 0, bytes * 4);  // clipped to the block
  wait_for_fault_ins();
  EXPECT_TRUE(testing::all_resident(block, bytes));
  free_block(block, bytes);
}

// Blocks that grow, move and go while their fault-ins are pending keep their contents, and
// new blocks (perhaps at the same addresses) still read as zeroes.
TEST(LargeBlocksTest, FaultInsPendingWhenABlockMovesOrGoesAreDropped) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  for (int round = 0; round < 20; ++round) {
    std::size_t bytes = 8 * kMiB;
    void* block = allocate_zeroed_block(bytes);
    void* blocker = allocate_zeroed_block(kMappedBlockBytes);  // may make the next growth move
    fill(block, kMiB, static_cast<std::uint32_t>(round));
    fault_in_ahead(block, bytes, 0, bytes);
    block = resize_block(block, bytes, bytes * 4);
    bytes *= 4;
    fault_in_ahead(block, bytes, kMiB, bytes);
    EXPECT_EQ(first_mismatch(block, kMiB, static_cast<std::uint32_t>(round)), -1) << round;
    EXPECT_TRUE(all_zero(static_cast<char*>(block) + kMiB, bytes - kMiB)) << round;
    free_block(block, bytes);
    free_block(blocker, kMappedBlockBytes);
    void* fresh = allocate_zeroed_block(bytes);
    EXPECT_TRUE(all_zero(fresh, bytes)) << round;
    free_block(fresh, bytes);
  }
  wait_for_fault_ins();
}

}  // namespace
}  // namespace rapidesk
