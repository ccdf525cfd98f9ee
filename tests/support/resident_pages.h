// Which pages of a range are in memory (mincore), for the tests of faulting large blocks in
// ahead of their use.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rapidesk::testing {

// How many of the pages overlapping [begin, begin + bytes) are resident.
inline std::size_t resident_pages(const void* begin, std::size_t bytes, std::size_t* total = nullptr) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = reinterpret_cast<std::uintptr_t>(begin) / page * page;
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(begin) + bytes;
  const std::size_t pages = static_cast<std::size_t>((end - first + page - 1) / page);
  if (total != nullptr) *total = pages;
  std::vector<unsigned char> in(pages);
  if (::mincore(reinterpret_cast<void*>(first), end - first, in.data()) != 0) return 0;
  std::size_t n = 0;
  for (unsigned char c : in) n += c & 1;
  return n;
}

inline bool all_resident(const void* begin, std::size_t bytes) {
  std::size_t total = 0;
  const std::size_t n = resident_pages(begin, bytes, &total);
  return n == total;
}

// Whether this kernel can fault a range in on request (madvise MADV_POPULATE_WRITE, 5.14).
inline bool can_populate() {
#if defined(MADV_POPULATE_WRITE)
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* p = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  const bool ok = ::madvise(p, page, MADV_POPULATE_WRITE) == 0;
  ::munmap(p, page);
  return ok;
#else
  return false;
#endif
}

}  // namespace rapidesk::testing
