// Per-field histories: for each field (and each set element) the stamps of every op that
// wrote it, oldest first. The newest entry is the last-writer-wins winner. Entries carry
// (hlc, base) inline so that the conflict rule scans contiguous memory even on a field
// edited thousands of times; ops arrive mostly in order, so the usual insert is an append.
// A field written once (most fields of most rows) keeps its only entry in its FieldState;
// from the second write on, the entries live in a block of one shared pool. Copyable. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "rapidesk/shared/flat_index.h"
#include "rapidesk/shared/pod_vector.h"
#include "rapidesk/sync/op_table.h"

namespace rapidesk::sync {

struct HistoryEntry {
  std::uint64_t clock = 0;       // hlc
  std::uint64_t base_clock = 0;  // meaningful when base_device != OpTable::kNoDevice
  std::uint32_t device = 0;
  std::uint32_t base_device = OpTable::kNoDevice;
  OpIndex op = kNoOp;
  std::uint32_t flags = 0;  // the op's kOpLoser, kept here too: the conflict walk reads only the history
};
static_assert(sizeof(HistoryEntry) == 32);

// One field's (or one set element's) history.
struct FieldState {
  // The newest entry. With capacity == 0 it is the history (size 0 or 1); otherwise a copy of
  // the block's last entry whose stamp, base and op are read so that the usual merge (an op
  // newer than everything) and every read of the winner need not touch the pool. The copy's
  // flags are not kept: the block's entry has them.
  HistoryEntry newest;
  std::uint32_t offset = 0;    // the block in the pool, when capacity > 0
  std::uint32_t size = 0;
  std::uint32_t capacity = 0;  // 0: no block (the entry, if any, is `newest`)
};
static_assert(sizeof(FieldState) == 48);

inline HistoryEntry history_entry(const OpTable& ops, OpIndex i) {
  const OpTable::Record& r = ops.at(i);
  return HistoryEntry{r.clock, r.base_clock, r.device, r.base_device, i, r.flags};
}

class HistoryPool {
 public:
  const HistoryEntry& at(const FieldState& f, std::uint32_t i) const {
    return f.capacity == 0 ? f.newest : pool_[f.offset + i];
  }
  HistoryEntry& at(FieldState& f, std::uint32_t i) { return f.capacity == 0 ? f.newest : pool_[f.offset + i]; }
  // The winner: the newest op, or kNoOp when the field was never written.
  static OpIndex newest(const FieldState& f) { return f.size == 0 ? kNoOp : f.newest.op; }

  // Inserts `e` at position `pos` (0 = oldest). The first entry stays in the FieldState; a
  // second moves both to a block of two; a full block moves to a block of twice the room
  // (recycled from earlier moves when one of that size is free).
  void insert(FieldState& f, std::uint32_t pos, const HistoryEntry& e) {
    if (f.size == 0 && f.capacity == 0) {
      f.newest = e;
      f.size = 1;
      return;
    }
    if (f.size == f.capacity || f.capacity == 0) grow(f);
    HistoryEntry* base = pool_.data() + f.offset;
    for (std::uint32_t i = f.size; i > pos; --i) base[i] = base[i - 1];
    base[pos] = e;
    ++f.size;
    if (pos + 1 == f.size) f.newest = e;
  }

  // Hints the CPU to load the entries a merge into `f` reads first (batch pipelines call it
  // ahead of time, after loading `f` itself).
  void prefetch(const FieldState& f) const {
    if (f.capacity != 0) __builtin_prefetch(&pool_[f.offset + f.size - 1]);
  }

  void reserve(std::size_t more) { reserve_touched(pool_, more); }

 private:
  static constexpr std::size_t kSizeClasses = 32;  // capacities 2, 4, ... 2^31 (class = log2)

  void grow(FieldState& f) {
    const std::uint32_t cap = f.capacity == 0 ? 2 : f.capacity * 2;
    std::size_t cls = 0;
    while ((std::uint32_t{1} << cls) < cap) ++cls;
    std::uint32_t offset;
    if (cls < kSizeClasses && !free_[cls].empty()) {
      offset = free_[cls].back();
      free_[cls].pop_back();
    } else {
      offset = static_cast<std::uint32_t>(pool_.size());
      pool_.resize(pool_.size() + cap);
    }
    if (f.capacity == 0) {
      pool_[offset] = f.newest;  // the only entry (insert() grows no empty state), kept in f so far
    } else {
      for (std::uint32_t i = 0; i < f.size; ++i) pool_[offset + i] = pool_[f.offset + i];
      std::size_t old_cls = 0;
      while ((std::uint32_t{1} << old_cls) < f.capacity) ++old_cls;
      if (old_cls < kSizeClasses) free_[old_cls].push_back(f.offset);
    }
    f.offset = offset;
    f.capacity = cap;
  }

  PodVector<HistoryEntry> pool_;
  std::vector<std::uint32_t> free_[kSizeClasses];  // offsets of vacated blocks by size class
};

}  // namespace rapidesk::sync
