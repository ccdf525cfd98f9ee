// Memory for the large arrays of a merged state (PodVector, FlatIndex).
//
// A block of kMappedBlockBytes or more is an anonymous mapping of its own, whatever the C
// library's malloc would have done with it: it grows by remapping its pages (mremap), so its
// contents are never copied and never faulted in a second time, and it is returned to the
// system when freed. malloc may serve a large request from free heap memory instead, and
// realloc then copies the whole array into fresh pages at each doubling: on a virtual
// machine that is a page fault per 4 KiB, which stalled single pushes for 80-120 ms under the
// merge lock. Mappings of kHugePageAdviceBytes and up start on a 2 MiB boundary, span whole
// huge pages (moved to such a place when they cannot grow where they are) and are advised
// to use transparent huge pages (madvise MADV_HUGEPAGE): one fault then maps 2 MiB instead
// of 4 KiB.
//
// A thread that fills a large array pays for the kernel zeroing each fresh page at its first
// touch: 2 MiB at a time, under the merge lock. fault_in_ahead() hands that to a background
// thread: PodVector asks it to fault in the next few MiB of a large block while the ones
// before are being filled, so the filling thread finds them mapped.
//
// Smaller blocks come from malloc. The byte count alone tells the two kinds apart, so a
// caller passes every function the byte count its block was allocated or last resized with.
#pragma once

#include <cstddef>

namespace rapidesk {

inline constexpr std::size_t kMappedBlockBytes = std::size_t{1} << 20;
inline constexpr std::size_t kHugePageAdviceBytes = std::size_t{4} << 20;

// A zero-filled block of `bytes` (> 0). Throws std::bad_alloc when out of memory.
void* allocate_zeroed_block(std::size_t bytes);
// A block of `bytes` (> 0) for the caller to fill: below kMappedBlockBytes its contents are
// unspecified (malloc, where calloc would have zeroed it all at once), from there it is a
// fresh mapping and reads as zeroes. Freed with free_block like any other.
void* allocate_block(std::size_t bytes);

// Resizes the block `data` of `old_bytes` (nullptr and 0 for none) to `new_bytes` (> 0),
// keeping its first min(old_bytes, new_bytes) bytes; it may move. Bytes past the old size
// are unspecified. Throws std::bad_alloc when out of memory, leaving `data` as it was.
void* resize_block(void* data, std::size_t old_bytes, std::size_t new_bytes);

// Frees a block of `bytes`; nullptr is ignored.
void free_block(void* data, std::size_t bytes) noexcept;

// Asks a background thread to fault in bytes [from, to) of the block `data` of `bytes`
// (madvise MADV_POPULATE_WRITE, a huge page at a time), so that writing them later finds
// them mapped. A hint that never changes the contents: ignored for blocks smaller than
// kHugePageAdviceBytes and where the kernel lacks the advice; what is still pending when the
// block is resized or freed is dropped (those calls wait for a step under way, at most one
// huge page). Never blocks on the faulting itself.
void fault_in_ahead(void* data, std::size_t bytes, std::size_t from, std::size_t to);

// Waits until every fault-in asked for so far is done or dropped (for tests).
void wait_for_fault_ins();

}  // namespace rapidesk
