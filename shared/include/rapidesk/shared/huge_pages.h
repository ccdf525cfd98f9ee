// Transparent huge pages for the large arrays of a merged state (PodVector, FlatIndex).
#pragma once

#include <cstddef>

namespace rapidesk {

// Blocks at least this large are advised; smaller ones cannot hold an aligned huge page
// often enough to matter.
inline constexpr std::size_t kHugePageAdviceBytes = std::size_t{4} << 20;

// Asks the kernel to back the 2 MiB-aligned part of [data, data + bytes) with huge pages
// (madvise MADV_HUGEPAGE): one page fault then maps 2 MiB instead of 4 KiB. A replica of
// 100k requests otherwise takes hundreds of thousands of faults while it fills, and faults
// are slow on virtual machines. A hint only: nothing happens where transparent huge pages
// are off or unsupported, or for a block smaller than kHugePageAdviceBytes.
void advise_huge_pages(void* data, std::size_t bytes);

}  // namespace rapidesk
