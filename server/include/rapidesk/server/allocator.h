// Process-wide allocator settings for a long-running server process.
#pragma once

namespace rapidesk::server {

// Two glibc malloc settings; call once, before starting the server. A no-op where the C
// library is not glibc.
//
// Large blocks (1 MiB and up) keep their own mappings for the life of the process. By
// default glibc raises that threshold whenever such a block is freed (up to 32 MiB), and
// later large blocks then come from the heap. That once made the merge store's arrays copy
// at every doubling (single pushes stalled 40-80 ms under the merge lock); they now take
// their memory from large_blocks.h whatever malloc does, and this setting keeps the same
// behaviour for the server's other large blocks (request bodies, pull pages, commit
// batches), which then go back to the system when freed.
//
// Heaps are made writable 16 MiB at a time instead of 128 KiB. Each request-handling thread
// gets a malloc heap of its own, which glibc otherwise grows a page or two at a time, each
// step an mprotect call; thousands of them while pushes are taken. Each takes the process's
// memory-map lock for writing, and while one waits for that lock every page fault in the
// process waits behind it, the merge's among them. The address space is only reserved:
// memory is used when it is written, as before.
void tune_allocator_for_server();

}  // namespace rapidesk::server
