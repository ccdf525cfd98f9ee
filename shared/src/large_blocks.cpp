#include "rapidesk/shared/large_blocks.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#define RAPIDESK_MAPPED_BLOCKS 1
#endif

namespace rapidesk {
namespace {

#if RAPIDESK_MAPPED_BLOCKS
bool is_mapped(std::size_t bytes) { return bytes >= kMappedBlockBytes; }

std::size_t page_rounded(std::size_t bytes) {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

// Asks for huge pages on a whole mapping (`bytes` page-rounded); the kernel uses them for
// its 2 MiB-aligned part. The whole mapping, not only that part: advice on part of a mapping
// splits it in two or three, and mremap cannot move a range that spans several. A hint
// only: where transparent huge pages are off or compiled out, it keeps ordinary pages.
void advise_huge_pages(void* mapping, std::size_t bytes) {
#if defined(MADV_HUGEPAGE)
  if (bytes >= kHugePageAdviceBytes) (void)::madvise(mapping, page_rounded(bytes), MADV_HUGEPAGE);
#else
  (void)mapping;
  (void)bytes;
#endif
}

void* map_block(std::size_t bytes) {
  void* p = ::mmap(nullptr, page_rounded(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  advise_huge_pages(p, bytes);
  return p;
}
#else
bool is_mapped(std::size_t) { return false; }
#endif

}  // namespace

void* allocate_zeroed_block(std::size_t bytes) {
#if RAPIDESK_MAPPED_BLOCKS
  if (is_mapped(bytes)) return map_block(bytes);  // anonymous pages read as zeroes
#endif
  void* p = std::calloc(1, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* resize_block(void* data, std::size_t old_bytes, std::size_t new_bytes) {
  if (data == nullptr) old_bytes = 0;
#if RAPIDESK_MAPPED_BLOCKS
  if (is_mapped(old_bytes) && is_mapped(new_bytes)) {
    void* p = ::mremap(data, page_rounded(old_bytes), page_rounded(new_bytes), MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    advise_huge_pages(p, new_bytes);
    return p;
  }
  if (is_mapped(old_bytes) || is_mapped(new_bytes)) {  // between the two kinds: copy once
    void* p = is_mapped(new_bytes) ? map_block(new_bytes) : std::malloc(new_bytes);
    if (p == nullptr) throw std::bad_alloc();
    if (old_bytes != 0) std::memcpy(p, data, std::min(old_bytes, new_bytes));
    free_block(data, old_bytes);
    return p;
  }
#endif
  void* p = std::realloc(data, new_bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void free_block(void* data, std::size_t bytes) noexcept {
  if (data == nullptr) return;
#if RAPIDESK_MAPPED_BLOCKS
  if (is_mapped(bytes)) {
    (void)::munmap(data, page_rounded(bytes));
    return;
  }
#endif
  std::free(data);
}

}  // namespace rapidesk
