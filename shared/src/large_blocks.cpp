#include "rapidesk/shared/large_blocks.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <thread>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#define RAPIDESK_MAPPED_BLOCKS 1
#endif

namespace rapidesk {
namespace {

#if RAPIDESK_MAPPED_BLOCKS
constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;

bool is_mapped(std::size_t bytes) { return bytes >= kMappedBlockBytes; }
bool is_huge(std::size_t bytes) { return bytes >= kHugePageAdviceBytes; }

std::size_t rounded(std::size_t bytes, std::size_t unit) { return (bytes + unit - 1) / unit * unit; }

// The length of a block's mapping: whole huge pages for a block that is advised to use them
// (a partial one at its end would be ordinary pages), else whole pages.
std::size_t mapping_size(std::size_t bytes) {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return rounded(bytes, is_huge(bytes) ? kHugePage : page);
}

bool huge_aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kHugePage == 0; }

// Asks for huge pages on a whole mapping. The whole mapping, not only its 2 MiB-aligned part:
// advice on part of a mapping splits it in two or three, and mremap cannot move a range that
// spans several. A hint only: where transparent huge pages are off or compiled out, the
// mapping keeps ordinary pages.
void advise_huge_pages(void* mapping, std::size_t bytes) {
#if defined(MADV_HUGEPAGE)
  if (is_huge(bytes)) (void)::madvise(mapping, mapping_size(bytes), MADV_HUGEPAGE);
#else
  (void)mapping;
  (void)bytes;
#endif
}

// `size` bytes of address space starting on a huge-page boundary, mapped with `prot`: the
// kernel only backs aligned 2 MiB ranges with huge pages, and places mappings on ordinary
// page boundaries. Over-maps by one huge page and unmaps what lies outside.
void* map_aligned(std::size_t size, int prot) {
  void* raw = ::mmap(nullptr, size + kHugePage, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto begin = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = rounded(begin, kHugePage);
  if (aligned > begin) (void)::munmap(raw, aligned - begin);
  const std::uintptr_t tail = begin + size + kHugePage - (aligned + size);
  if (tail != 0) (void)::munmap(reinterpret_cast<void*>(aligned + size), tail);
  return reinterpret_cast<void*>(aligned);
}

void* map_block(std::size_t bytes) {
  const int prot = PROT_READ | PROT_WRITE;
  void* p = nullptr;
  if (is_huge(bytes)) {
    p = map_aligned(mapping_size(bytes), prot);
  } else {
    p = ::mmap(nullptr, mapping_size(bytes), prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
  }
  advise_huge_pages(p, bytes);
  return p;
}

// The thread behind fault_in_ahead(). Each step faults in at most one huge page while holding
// `work_`; resizing or freeing a block takes `work_` too (forget), so a step never touches
// an address that has moved or been unmapped, and no other mapping can be placed there
// meanwhile. `queue_` guards the requests alone: asking never waits for a step.
class FaultInThread {
 public:
  // Started at the first request and never destroyed: blocks are freed until the very end
  // of exit, and each free asks it to forget the block.
  static FaultInThread& get() {
    static FaultInThread* const instance = new FaultInThread;
    return *instance;
  }
  static bool started() { return started_.load(std::memory_order_acquire); }

  void ask(char* block, std::size_t from, std::size_t to) {
    {
      std::lock_guard q(queue_);
      asks_.push_back({block, from, to});
    }
    asked_.notify_one();
  }

  // Drops what is pending for `block`, after the step under way (if any) is done.
  void forget(const void* block) {
    std::lock_guard work(work_);
    std::lock_guard q(queue_);
    if (std::erase_if(asks_, [&](const Ask& a) { return a.block == block; }) != 0 && asks_.empty()) {
      idle_.notify_all();  // no step is under way: work_ is held here
    }
  }

  void wait_idle() {
    std::unique_lock q(queue_);
    idle_.wait(q, [&] { return asks_.empty() && !stepping_; });
  }

 private:
  struct Ask {
    char* block;
    std::size_t from, to;
  };

  FaultInThread() {
    std::thread([this] { run(); }).detach();
    started_.store(true, std::memory_order_release);
  }

  void run() {
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    for (;;) {
      {
        std::unique_lock q(queue_);
        asked_.wait(q, [&] { return !asks_.empty(); });
      }
      std::lock_guard work(work_);
      char* begin = nullptr;
      std::size_t length = 0;
      {
        std::lock_guard q(queue_);
        if (asks_.empty()) continue;  // forgotten meanwhile
        Ask& a = asks_.front();
        const std::size_t end = std::min(a.to, a.from + kHugePage);
        // madvise wants a page-aligned start: the partly filled page before is mapped already.
        const auto first = reinterpret_cast<std::uintptr_t>(a.block + a.from) / page * page;
        begin = reinterpret_cast<char*>(first);
        length = static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(a.block + end) - first);
        a.from = end;
        if (a.from >= a.to) asks_.pop_front();
        stepping_ = true;
      }
#if defined(MADV_POPULATE_WRITE)
      (void)::madvise(begin, length, MADV_POPULATE_WRITE);  // contents unchanged; errors only lose the hint
#endif
      std::lock_guard q(queue_);
      stepping_ = false;
      if (asks_.empty()) idle_.notify_all();
    }
  }

  static inline std::atomic<bool> started_{false};
  std::mutex work_;
  std::mutex queue_;
  std::condition_variable asked_;
  std::condition_variable idle_;
  std::deque<Ask> asks_;
  bool stepping_ = false;
};

// Before a mapped block moves or goes: nothing may be faulted in at its old address.
void forget_fault_ins(const void* data) {
  if (FaultInThread::started()) FaultInThread::get().forget(data);
}

// Resizes a mapping by moving its pages, never its contents: in place where the address
// space after it is free, else to a new place (aligned for huge pages when it uses them).
void* remap_block(void* data, std::size_t old_bytes, std::size_t new_bytes) {
  const std::size_t old_size = mapping_size(old_bytes), new_size = mapping_size(new_bytes);
  if (new_size == old_size) return data;
  forget_fault_ins(data);
  const bool stay = !is_huge(new_bytes) || huge_aligned(data);
  if (stay) {
    void* p = ::mremap(data, old_size, new_size, 0);
    if (p != MAP_FAILED) {
      advise_huge_pages(p, new_bytes);
      return p;
    }
  }
  void* p = MAP_FAILED;
  if (is_huge(new_bytes)) {
    void* target = map_aligned(new_size, PROT_NONE);  // replaced by the move
    p = ::mremap(data, old_size, new_size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    if (p == MAP_FAILED) (void)::munmap(target, new_size);
  } else {
    p = ::mremap(data, old_size, new_size, MREMAP_MAYMOVE);
  }
  if (p == MAP_FAILED) throw std::bad_alloc();
  advise_huge_pages(p, new_bytes);
  return p;
}
#else
bool is_mapped(std::size_t) { return false; }
#endif

}  // namespace

void* allocate_zeroed_block(std::size_t bytes) {
#if RAPIDESK_MAPPED_BLOCKS
  if (is_mapped(bytes)) return map_block(bytes);  // anonymous pages read as zeroes
#endif
  void* p = std::calloc(1, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* allocate_block(std::size_t bytes) {
#if RAPIDESK_MAPPED_BLOCKS
  if (is_mapped(bytes)) return map_block(bytes);
#endif
  void* p = std::malloc(bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* resize_block(void* data, std::size_t old_bytes, std::size_t new_bytes) {
  if (data == nullptr) old_bytes = 0;
#if RAPIDESK_MAPPED_BLOCKS
  if (is_mapped(old_bytes) && is_mapped(new_bytes)) return remap_block(data, old_bytes, new_bytes);
  if (is_mapped(old_bytes) || is_mapped(new_bytes)) {  // between the two kinds: copy once
    void* p = is_mapped(new_bytes) ? map_block(new_bytes) : std::malloc(new_bytes);
    if (p == nullptr) throw std::bad_alloc();
    if (old_bytes != 0) std::memcpy(p, data, std::min(old_bytes, new_bytes));
    free_block(data, old_bytes);
    return p;
  }
#endif
  void* p = std::realloc(data, new_bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void free_block(void* data, std::size_t bytes) noexcept {
  if (data == nullptr) return;
#if RAPIDESK_MAPPED_BLOCKS
  if (is_mapped(bytes)) {
    forget_fault_ins(data);
    (void)::munmap(data, mapping_size(bytes));
    return;
  }
#endif
  std::free(data);
}

void fault_in_ahead(void* data, std::size_t bytes, std::size_t from, std::size_t to) {
#if RAPIDESK_MAPPED_BLOCKS && defined(MADV_POPULATE_WRITE)
  to = std::min(to, bytes);
  if (data == nullptr || !is_huge(bytes) || from >= to) return;
  FaultInThread::get().ask(static_cast<char*>(data), from, to);
#else
  (void)data;
  (void)bytes;
  (void)from;
  (void)to;
#endif
}

void wait_for_fault_ins() {
#if RAPIDESK_MAPPED_BLOCKS
  if (FaultInThread::started()) FaultInThread::get().wait_idle();
#endif
}

}  // namespace rapidesk
