// Blocks for large arrays (large_blocks.h): contents survive every resize, whether a block
// stays small, crosses into a mapping of its own, grows as one or shrinks back, and new
// blocks read as zeroes on both sides of the threshold.
#include "rapidesk/shared/large_blocks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

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

}  // namespace
}  // namespace rapidesk
