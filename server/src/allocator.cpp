#include "rapidesk/server/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rapidesk::server {

void keep_large_blocks_mapped() {
#if defined(__GLIBC__)
  // Setting the threshold explicitly also turns off glibc's dynamic adjustment of it.
  constexpr int kThreshold = 1 << 20;
  mallopt(M_MMAP_THRESHOLD, kThreshold);
#endif
}

}  // namespace rapidesk::server
