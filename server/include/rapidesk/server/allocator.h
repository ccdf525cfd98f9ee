// Process-wide allocator setting for a long-running server process.
#pragma once

namespace rapidesk::server {

// Keeps malloc's large blocks (1 MiB and up) in their own mappings for the life of the
// process. By default glibc raises that threshold whenever such a block is freed (up to
// 32 MiB), and later large blocks then come from the heap. That once made the merge store's
// arrays copy at every doubling (single pushes stalled 40-80 ms under the merge lock); they
// now take their memory from large_blocks.h whatever malloc does, and this setting keeps the
// same behaviour for the server's other large blocks (request bodies, pull pages, commit
// batches), which then go back to the system when freed. Call once, before starting the
// server; a no-op where the C library is not glibc.
void keep_large_blocks_mapped();

}  // namespace rapidesk::server
