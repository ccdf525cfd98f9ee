// Process-wide allocator setting for a long-running server process.
#pragma once

namespace rapidesk::server {

// Keeps large blocks (1 MiB and up) in their own mappings for the life of the process.
// The merge store's and the SLA engine's big arrays grow with realloc (PodVector), which
// glibc performs for a mapped block by remapping its pages: no copy, no new page faults.
// By default glibc raises that threshold whenever such a block is freed (up to 32 MiB);
// the arrays then come from the heap and every doubling copies them, which stalled single
// pushes for 40-80 ms under the merge lock at ~200k ops. Call once, before starting the
// server; a no-op where the C library is not glibc.
void keep_large_blocks_mapped();

}  // namespace rapidesk::server
