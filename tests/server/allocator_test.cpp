// The server's malloc settings (allocator.h) really take effect: observed through glibc's
// own behaviour, so a setting compiled out or ignored fails here.
#include "rapidesk/server/allocator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#include <unistd.h>
#endif

// Under AddressSanitizer malloc is its own, and glibc's settings change nothing to observe.
#if defined(__SANITIZE_ADDRESS__)
#define RAPIDESK_GLIBC_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RAPIDESK_GLIBC_MALLOC 0
#endif
#endif
#if !defined(RAPIDESK_GLIBC_MALLOC) && defined(__GLIBC__)
#define RAPIDESK_GLIBC_MALLOC 1
#elif !defined(RAPIDESK_GLIBC_MALLOC)
#define RAPIDESK_GLIBC_MALLOC 0
#endif

namespace rapidesk::server {
namespace {

TEST(ServerAllocator, LargeBlocksKeepTheirOwnMappingsAfterOneIsFreed) {
#if RAPIDESK_GLIBC_MALLOC
  tune_allocator_for_server();
  constexpr std::size_t kLarge = std::size_t{2} << 20;
  // By default, freeing a mapped block raises the threshold past its size, and the next
  // block of that size comes from the heap.
  void* first = std::malloc(kLarge);
  ASSERT_NE(first, nullptr);
  static_cast<volatile char*>(first)[0] = 1;  // kept: a malloc freed unused may be left out
  std::free(first);
  const std::size_t mapped_before = mallinfo2().hblks;
  void* block = std::malloc(kLarge);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(mallinfo2().hblks, mapped_before + 1);
  std::free(block);
#else
  GTEST_SKIP() << "glibc malloc settings (not glibc, or under AddressSanitizer)";
#endif
}

TEST(ServerAllocator, TheMainHeapGrowsSixteenMiBAtATime) {
#if RAPIDESK_GLIBC_MALLOC
  tune_allocator_for_server();
  // Allocated from this (the main) thread's heap until it has to grow.
  std::vector<void*> blocks;
  const char* const start = static_cast<char*>(sbrk(0));
  const char* end = start;
  while (end == start && blocks.size() < 4096) {
    blocks.push_back(std::malloc(std::size_t{64} << 10));
    end = static_cast<char*>(sbrk(0));
  }
  EXPECT_GE(end - start, std::ptrdiff_t{16} << 20);
  for (void* b : blocks) std::free(b);
#else
  GTEST_SKIP() << "glibc malloc settings (not glibc, or under AddressSanitizer)";
#endif
}

}  // namespace
}  // namespace rapidesk::server
