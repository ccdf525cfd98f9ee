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
// Heaps get a 16 MiB top pad instead of 128 KiB. Each request-handling thread allocates
// from a malloc heap of its own, which glibc otherwise made writable a page or two at a
// time: thousands of mprotect calls while pushes were taken, each taking the process's
// memory-map lock for writing, with every page fault in the process (the merge's among them)
// waiting while one is pending. A new thread heap now starts with 16 MiB writable and the
// main heap grows 16 MiB at a time; a thread heap past its first 16 MiB still grows a page at
// a time. Writable is not used: memory is used where it is written. The cost is that up to
// 16 MiB freed at the top of each heap is kept for reuse instead of returned (glibc keeps up
// to 8 heaps per core).
void tune_allocator_for_server();

}  // namespace rapidesk::server
