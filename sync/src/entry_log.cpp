#include "rapidesk/sync/entry_log.h"

namespace rapidesk::sync {

void EntryLog::prepare_spare() const {
  if (!wants_spare()) return;
  auto* bytes = static_cast<volatile unsigned char*>(allocate_zeroed_block(kChunkBytes));
  // One write per page makes the kernel back (and zero) it now, here, rather than under the
  // lock of whoever appends into it. The block reads as zeroes, so writing zero keeps it so.
  constexpr std::size_t kPage = 4096;
  for (std::size_t at = 0; at < kChunkBytes; at += kPage) bytes[at] = 0;
  LogEntry* expected = nullptr;
  auto* chunk = reinterpret_cast<LogEntry*>(const_cast<unsigned char*>(bytes));
  if (!spare_.compare_exchange_strong(expected, chunk, std::memory_order_acq_rel)) free_block(chunk, kChunkBytes);
}

}  // namespace rapidesk::sync
