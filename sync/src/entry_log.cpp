#include "rapidesk/sync/entry_log.h"

#include <exception>

namespace rapidesk::sync {

void EntryLog::prepare_next() noexcept {
  try {
    next_ = allocate_chunk();
    fault_in_ahead(next_, kChunkBytes, 0, kChunkBytes);
  } catch (const std::exception&) {
    // Out of memory: the next push_back allocates its chunk itself (and reports it there).
  }
}

}  // namespace rapidesk::sync
