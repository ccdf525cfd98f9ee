#include "rapidesk/server/allocator.h"

#include <cstdlib>  // defines __GLIBC__ with the C library: test it only after a library header

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rapidesk::server {

void tune_allocator_for_server() {
#if defined(__GLIBC__)
  // Setting the threshold explicitly also turns off glibc's dynamic adjustment of it.
  constexpr int kMmapThreshold = 1 << 20;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  constexpr int kTopPad = 16 << 20;
  mallopt(M_TOP_PAD, kTopPad);
#endif
}

}  // namespace rapidesk::server
