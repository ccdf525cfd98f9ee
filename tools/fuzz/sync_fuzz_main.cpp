// libFuzzer target: rapidesk-fuzz-sync. See run-sync-fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "sync_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return rapidesk::sync::fuzz::run_one(data, size);
}
